"""The order's mandates: reads, the one write (an agency's update), and reminders.

Mandates are public: what the order requires and whether it is delivered. The agencies
responsible for a mandate update it; the White House, holding the `eo_portal.change_mandate`
role, may update any.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from eo_portal import deadlines, permissions
from eo_portal.audit import save_audited
from eo_portal.models import Mandate, MandateReminder, MandateStatus, Membership, Organisation, Role
from eo_portal.registry import WorkItem
from eo_portal.services import notify

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

OVERSEE_ROLE = "eo_portal.change_mandate"
REMINDER_DAYS = (7, 1)
UPDATABLE = ("status", "evidence_path", "evidence_label", "notes")


def mandates() -> QuerySet[Mandate]:
    agencies = Organisation.objects.order_by("short_name")
    return Mandate.objects.prefetch_related(
        Prefetch("responsible_agencies", queryset=agencies), Prefetch("supporting_agencies", queryset=agencies)
    )


def get_mandate(code: str) -> Mandate:
    try:
        return mandates().get(code=code)
    except Mandate.DoesNotExist as exc:
        raise Http404("No such mandate") from exc


def by_urgency(rows: list[Mandate]) -> list[Mandate]:
    """Overdue first, then by due date; those without a deadline last."""
    return sorted(rows, key=lambda m: (not m.is_overdue, m.due_date is None, m.due_date or deadlines.today()))


def mandates_of_agencies_of(user: User | AnonymousUser | None) -> list[Mandate]:
    """The mandates the user's agencies are responsible for, most urgent first."""
    if user is None or not user.is_authenticated:
        return []
    agencies = Membership.objects.filter(user=user, organisation__is_active=True).values("organisation_id")
    return by_urgency(list(mandates().filter(responsible_agencies__in=agencies).distinct()))


def may_update(user: User | AnonymousUser | None, mandate: Mandate) -> bool:
    if permissions.has_role_permission(user, OVERSEE_ROLE):
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return Membership.objects.filter(
        user=user,
        role__in=[Role.MEMBER, Role.MANAGER],
        organisation__is_active=True,
        organisation__in=mandate.responsible_agencies.all(),
    ).exists()


def public_mandates() -> list[dict[str, Any]]:
    """What the transparency page shows of each mandate."""
    return [
        {
            "section": mandate.section,
            "action": mandate.action,
            "responsible": ", ".join(agency.short_name for agency in mandate.responsible_agencies.all()),
            "due_date": mandate.due_date,
            "status_label": mandate.status_label,
            "overdue": mandate.is_overdue,
        }
        for mandate in mandates()
    ]


def open_work_for(user: User) -> list[WorkItem]:
    return [
        WorkItem(
            program="mandates",
            title=mandate.section,
            url=f"/mandates/{mandate.code}/",
            status=mandate.status_label,
            due=mandate.due_date,
        )
        for mandate in mandates_of_agencies_of(user)
        if mandate.status != MandateStatus.DELIVERED
    ]


def update_mandate(mandate: Mandate, *, by: User, **changes: str) -> Mandate:
    """An agency reports progress; a rejected change leaves the stored mandate as it was."""
    if not may_update(by, mandate):
        raise PermissionDenied
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in sorted(unknown)})
    with transaction.atomic():
        locked = Mandate.objects.select_for_update().get(pk=mandate.pk)
        for name, value in changes.items():
            setattr(locked, name, value)
        save_audited(locked, by=by, reason=f"status: {locked.get_status_display().lower()}")
    return locked


def send_mandate_reminders(*, by: User, on=None) -> int:
    """Remind the responsible agencies' staff 7 days and 1 day before a due date; once each."""
    today = on or deadlines.today()
    sent = 0
    for mandate in mandates().exclude(status=MandateStatus.DELIVERED).filter(days_after_signing__isnull=False):
        days_before = deadlines.days_until(mandate.due_date, on=today)
        if days_before in REMINDER_DAYS:
            sent += _remind(mandate, days_before, by=by)
    return sent


def _remind(mandate: Mandate, days_before: int, *, by: User) -> int:
    with transaction.atomic():
        if MandateReminder.objects.filter(mandate=mandate, days_before=days_before).exists():
            return 0
        save_audited(MandateReminder(mandate=mandate, days_before=days_before), by=by, reason="reminder sent")
        staff = get_user_model()._default_manager.filter(
            is_active=True,
            memberships__organisation__in=mandate.responsible_agencies.all(),
            memberships__role__in=[Role.MEMBER, Role.MANAGER],
        ).distinct()
        day_word = "day" if days_before == 1 else "days"
        notify(
            staff,
            by=by,
            subject=f"Due in {days_before} {day_word}: {mandate.section}",
            body=f"The order's deadline is {mandate.due_date:%Y-%m-%d}. {mandate.action}",
            link=f"/mandates/{mandate.code}/",
        )
    return 1


def signed_date() -> date:
    return settings.EO_SIGNED_DATE
