"""The rows of `manage.py audit_report`: every history row since a moment, across every program,
with the fields each change touched (compared with the row before it); then the sign-in audit log
(SignInEvent), one row per event in the same columns: model "sign-in", action the event, fields
the client's address, reason the outcome."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from eo_portal.models import SignInEvent

HEADER = ["when_utc", "who", "app", "model", "object_id", "action", "fields", "reason"]
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def _changed_fields(row) -> str:
    if row.history_type != "~":
        return ""
    previous = row.prev_record
    if previous is None:
        return ""
    return " ".join(sorted(change.field for change in row.diff_against(previous).changes))


def report_rows(models: list[type], since: datetime) -> Iterator[list[str]]:
    yield HEADER
    for model in sorted(models, key=lambda m: m._meta.label):
        rows = model.objects.filter(history_date__gte=since).select_related("history_user").order_by("history_date")
        base = model.instance_type._meta if hasattr(model, "instance_type") else model._meta
        for row in rows.iterator(chunk_size=1000):
            who = row.history_user.get_username() if row.history_user else ""
            yield [
                row.history_date.astimezone(UTC).isoformat(),
                who,
                base.app_label,
                base.model_name,
                str(getattr(row, "id", "") or ""),
                ACTIONS.get(row.history_type, row.history_type),
                _changed_fields(row),
                row.history_change_reason or "",
            ]


def sign_in_rows(since: datetime) -> Iterator[list[str]]:
    events = SignInEvent.objects.filter(at__gte=since).select_related("user").order_by("at", "id")
    for event in events.iterator(chunk_size=1000):
        yield [
            event.at.astimezone(UTC).isoformat(),
            event.user.get_username() if event.user else event.username,
            "eo_portal",
            "sign-in",
            str(event.pk),
            event.event,
            event.address or "",
            event.outcome,
        ]
