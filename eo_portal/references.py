"""Human references such as MRC-2026-0001: a serial per prefix and year, safe under concurrency."""

from django.db import transaction

from eo_portal.models import ReferenceSequence


def next_reference(prefix: str, year: int, width: int = 4) -> str:
    """Take the next serial for `prefix` in `year`; the row lock makes two callers never share one."""
    with transaction.atomic():
        sequence, _ = ReferenceSequence.objects.select_for_update().get_or_create(prefix=prefix, year=year)
        sequence.last_value += 1
        sequence.save(update_fields=["last_value"])
    return f"{prefix}-{year}-{sequence.last_value:0{width}d}"
