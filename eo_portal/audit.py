"""The history every change leaves (rule 4 of DESIGN.md): who, when, why, field by field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import User

HISTORY_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}


def system_user() -> User:
    """The account that tasks and data loads act as, so no history row is anonymous.

    It cannot sign in: its password is unusable and it has no tokens unless an
    administrator issues one.
    """
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=settings.SYSTEM_USERNAME,
        defaults={"is_superuser": True, "is_staff": False, "first_name": "EO Portal", "last_name": "system"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def save_audited(obj: models.Model, *, by: User, reason: str, validate: bool = True) -> models.Model:
    """Validate and save a domain object, recording the acting user and the reason in its history."""
    if validate:
        obj.full_clean()
    obj._history_user = by
    obj._change_reason = reason
    obj.save()
    return obj


def delete_audited(obj: models.Model, *, by: User, reason: str) -> None:
    obj._history_user = by
    obj._change_reason = reason
    obj.delete()


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class HistoryEntry:
    when: Any
    who: str
    kind: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


def _display(record: models.Model, field_name: str, value: Any) -> Any:
    model_field = record._meta.get_field(field_name)
    if getattr(model_field, "choices", None):
        return dict(model_field.flatchoices).get(value, value)
    return value


def history_entries(obj: models.Model, limit: int = 200) -> list[HistoryEntry]:
    """The object's history, newest first, each entry with its field-by-field changes.

    Two queries whatever the length: the rows with their users, then diffs in memory
    against the previous row (never `prev_record`, which queries once per row).
    """
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            changes = [
                FieldChange(
                    field=record._meta.get_field(change.field).verbose_name,
                    old=_display(record, change.field, change.old),
                    new=_display(record, change.field, change.new),
                )
                for change in delta.changes
            ]
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user.get_username() if record.history_user else "unknown",
                kind=HISTORY_TYPES.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries
