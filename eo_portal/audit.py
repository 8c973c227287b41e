"""The history every change leaves (rule 4 of DESIGN.md): who, when, why, field by field."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet

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
    try:
        obj.save()
    finally:
        # A later save of the same object must not repeat this user and reason.
        del obj._history_user, obj._change_reason
    return obj


def set_related_audited(obj: models.Model, field: str, values: list, *, by: User, reason: str) -> None:
    """Replace a many-to-many relation; the history row it causes names the acting user and reason."""
    obj._history_user = by
    obj._change_reason = reason
    try:
        getattr(obj, field).set(values)
    finally:
        del obj._history_user, obj._change_reason


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
    subject: str = ""
    changes: list[FieldChange] = field(default_factory=list)


Describe = Callable[[models.Model], str]


def _display(record: models.Model, field_name: str, value: Any) -> Any:
    model_field = record._meta.get_field(field_name)
    if getattr(model_field, "choices", None):
        return dict(model_field.flatchoices).get(value, value)
    return value


def _related_fields(record: models.Model) -> list[str]:
    # Many-to-many history lives in tables of its own and would cost a query per row to diff.
    return [field.name for field in record.instance_type._meta.many_to_many]


def _entries(records: list[models.Model], describe: Describe | None) -> list[HistoryEntry]:
    """Entries for history rows of one model (newest first), each diffed in memory against the
    previous row of the same object, never through `prev_record`, which queries once per row."""
    latest: dict[Any, models.Model] = {}
    entries = []
    for record in reversed(records):
        key = getattr(record, record.instance_type._meta.pk.attname)
        previous = latest.get(key)
        latest[key] = record
        changes = []
        if previous is not None and record.history_type == "~":
            changes = [
                FieldChange(
                    field=record._meta.get_field(change.field).verbose_name,
                    old=_display(record, change.field, change.old),
                    new=_display(record, change.field, change.new),
                )
                for change in record.diff_against(previous, excluded_fields=_related_fields(record)).changes
            ]
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user.get_username() if record.history_user else "unknown",
                kind=HISTORY_TYPES.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                subject=describe(record) if describe else "",
                changes=changes,
            )
        )
    return entries


def history_entries(
    obj: models.Model, related: Iterable[tuple[QuerySet, Describe]] = (), limit: int = 200
) -> list[HistoryEntry]:
    """The object's history, newest first, with field-by-field changes; `related` adds the
    history of rows that belong to it (its members, its grants), each described in a few words.

    One query for the object's rows and one for each related history, whatever the length.
    """
    ordering = ("-history_date", "-history_id")
    entries = _entries(list(obj.history.select_related("history_user").order_by(*ordering)[:limit]), None)
    for records, describe in related:
        entries += _entries(list(records.select_related("history_user").order_by(*ordering)[:limit]), describe)
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]
