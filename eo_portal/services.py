"""Every write of the core (rule 1 of DESIGN.md): one function per action, the acting user first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from eo_portal import permissions
from eo_portal.api_tokens import hash_secret, new_secret
from eo_portal.audit import delete_audited, save_audited
from eo_portal.models import (
    ApiToken,
    Membership,
    Notification,
    Organisation,
    OrganisationKind,
    OrganisationSector,
    Role,
    Sector,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# What an organisation's own group may do with its own record; roles cap each (see permissions.py).
OWN_ORGANISATION_PERMISSIONS = ("view_organisation", "change_organisation", "manage_members")
EDITABLE_ORGANISATION_FIELDS = ("name", "short_name", "uei", "description", "website", "security_contact_email")
# Whole-class roles every agency holds: agency staff see every organisation, to distribute
# advisories, invite partners and check eligibility.
AGENCY_ROLE_PERMISSIONS = ("eo_portal.view_organisation",)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def clean_sectors(kind: str, sectors: Iterable[str]) -> list[str]:
    chosen = sorted(set(sectors))
    unknown = [s for s in chosen if s not in Sector.values]
    if unknown:
        raise ValidationError({"sectors": f"Unknown sector: {', '.join(unknown)}."})
    if kind == OrganisationKind.OPERATOR and not chosen:
        raise ValidationError({"sectors": "A critical-infrastructure operator works in at least one sector."})
    if kind != OrganisationKind.OPERATOR and chosen:
        raise ValidationError({"sectors": "Only critical-infrastructure operators have sectors."})
    return chosen


def create_organisation(
    *,
    by: User,
    name: str,
    short_name: str,
    kind: str,
    sectors: Iterable[str] = (),
    uei: str = "",
    description: str = "",
    website: str = "",
    security_contact_email: str = "",
    slug: str = "",
) -> Organisation:
    _require(permissions.has_role_permission(by, "eo_portal.add_organisation"))
    slug = slug or slugify(short_name)
    chosen = clean_sectors(kind, sectors)
    with transaction.atomic():
        group = save_audited(Group(name=f"organisation:{slug}"), by=by, reason="organisation created", validate=False)
        organisation = Organisation(
            name=name,
            short_name=short_name,
            slug=slug,
            kind=kind,
            uei=uei,
            description=description,
            website=website,
            security_contact_email=security_contact_email,
            group=group,
        )
        # The group is new, so the group uniqueness check is skipped by validating before it is set.
        organisation.full_clean(exclude=["group"])
        save_audited(organisation, by=by, reason="organisation created", validate=False)
        _write_sectors(organisation, chosen, by=by)
        for codename in OWN_ORGANISATION_PERMISSIONS:
            permissions.grant_to_organisation(codename, organisation, organisation, by=by)
        if kind == OrganisationKind.AGENCY:
            for perm in AGENCY_ROLE_PERMISSIONS:
                permissions.grant_role_to_organisation(perm, organisation, by=by)
    return organisation


def update_organisation(organisation: Organisation, *, by: User, **changes: str) -> Organisation:
    """Change an organisation's profile; a rejected change leaves the stored row as it was."""
    _require(permissions.has_object_permission(by, "change_organisation", organisation))
    unknown = set(changes) - set(EDITABLE_ORGANISATION_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in sorted(unknown)})
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        for name, value in changes.items():
            setattr(locked, name, value)
        save_audited(locked, by=by, reason="profile updated")
    return locked


def set_organisation_sectors(organisation: Organisation, sectors: Iterable[str], *, by: User) -> None:
    _require(permissions.has_object_permission(by, "change_organisation", organisation))
    chosen = clean_sectors(organisation.kind, sectors)
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        _write_sectors(organisation, chosen, by=by)


def _write_sectors(organisation: Organisation, chosen: list[str], *, by: User) -> None:
    current = {row.sector: row for row in organisation.sectors.all()}
    for sector, row in current.items():
        if sector not in chosen:
            delete_audited(row, by=by, reason="sector removed")
    for sector in chosen:
        if sector not in current:
            save_audited(OrganisationSector(organisation=organisation, sector=sector), by=by, reason="sector added")


def _set_active(organisation: Organisation, active: bool, *, by: User) -> Organisation:
    _require(permissions.has_role_permission(by, "eo_portal.change_organisation"))
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        locked.is_active = active
        save_audited(locked, by=by, reason="reactivated" if active else "deactivated", validate=False)
    return locked


def deactivate_organisation(organisation: Organisation, *, by: User) -> Organisation:
    """Its members keep their accounts but lose every access the organisation gave them."""
    return _set_active(organisation, False, by=by)


def reactivate_organisation(organisation: Organisation, *, by: User) -> Organisation:
    return _set_active(organisation, True, by=by)


def create_account(
    *,
    by: User,
    username: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """A person's account; without a password it cannot sign in until one is set."""
    _require(by.is_superuser)
    account = get_user_model()(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    account.set_password(password)
    if password is None:
        account.set_unusable_password()
    return save_audited(account, by=by, reason="account created", validate=False)


# ---------------------------------------------------------------------------
# Membership: the organisation's group is kept in step with its memberships.


def add_member(organisation: Organisation, user: User, *, by: User, role: str = Role.MEMBER) -> Membership:
    _require(permissions.has_object_permission(by, "manage_members", organisation))
    if role not in Role.values:
        raise ValidationError({"role": f"Choose one of: {', '.join(Role.values)}."})
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        if Membership.objects.filter(organisation=organisation, user=user).exists():
            raise ValidationError({"user": f"{user.get_username()} is already a member of {organisation.short_name}."})
        membership = save_audited(
            Membership(organisation=organisation, user=user, role=role), by=by, reason="member added"
        )
        user.groups.add(organisation.group)
    permissions.forget_cached_permissions(user)
    return membership


def _managers_left(membership: Membership) -> int:
    return (
        Membership.objects.filter(organisation_id=membership.organisation_id, role=Role.MANAGER)
        .exclude(pk=membership.pk)
        .count()
    )


def change_member_role(membership: Membership, *, by: User, role: str) -> Membership:
    _require(permissions.has_object_permission(by, "manage_members", membership.organisation))
    if role not in Role.values:
        raise ValidationError({"role": f"Choose one of: {', '.join(Role.values)}."})
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=membership.organisation_id)
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == Role.MANAGER and role != Role.MANAGER and not _managers_left(locked):
            raise ValidationError({"role": "An organisation keeps at least one manager."})
        locked.role = role
        save_audited(locked, by=by, reason=f"role changed to {role}")
    return locked


def remove_member(membership: Membership, *, by: User) -> None:
    organisation = membership.organisation
    _require(permissions.has_object_permission(by, "manage_members", organisation))
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        locked = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        if locked.role == Role.MANAGER and not _managers_left(locked):
            raise ValidationError({"user": "An organisation keeps at least one manager."})
        delete_audited(locked, by=by, reason="member removed")
        locked.user.groups.remove(organisation.group)
    permissions.forget_cached_permissions(locked.user)


# ---------------------------------------------------------------------------
# Notifications: recorded in the portal at once, e-mailed by a task after commit.


def notify(
    recipients: Iterable[User], *, by: User, subject: str, body: str = "", link: str = ""
) -> list[Notification]:
    rows = [Notification(recipient=user, subject=subject, body=body, link=link) for user in recipients]
    if not rows:
        return []
    # PostgreSQL and SQLite 3.35+ return the new primary keys from a bulk insert.
    created = bulk_create_with_history(rows, Notification, default_user=by, default_change_reason="notified")
    ids = [notification.pk for notification in created]

    def enqueue() -> None:
        from django_q.tasks import async_task

        for notification_id in ids:
            async_task("eo_portal.tasks.send_notification_email", notification_id)

    transaction.on_commit(enqueue)
    return created


def mark_notification_read(notification: Notification, *, by: User) -> Notification:
    _require(notification.recipient_id == by.pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        save_audited(notification, by=by, reason="read", validate=False)
    return notification


def mark_all_notifications_read(*, by: User) -> int:
    unread = list(Notification.objects.filter(recipient=by, read_at__isnull=True))
    now = timezone.now()
    for notification in unread:
        notification.read_at = now
    bulk_update_with_history(unread, Notification, ["read_at"], default_user=by, default_change_reason="read")
    return len(unread)


def mark_notification_emailed(notification: Notification, *, by: User) -> Notification:
    notification.emailed_at = timezone.now()
    return save_audited(notification, by=by, reason="e-mailed", validate=False)


# ---------------------------------------------------------------------------
# Personal API tokens.


def create_api_token(user: User, *, by: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a token for `user`; returns the row and the secret, which is never shown again."""
    _require(by.pk == user.pk or by.is_superuser)
    limit = settings.API_TOKEN_MAX_DAYS
    days = limit if days is None else days
    if not 1 <= days <= limit:
        raise ValidationError({"days": f"A token lives between 1 and {limit} days."})
    secret = new_secret()
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=secret[:8],
        key_hash=hash_secret(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    save_audited(token, by=by, reason="token issued")
    return token, secret


def revoke_api_token(token: ApiToken, *, by: User) -> ApiToken:
    _require(by.pk == token.user_id or by.is_superuser)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        save_audited(token, by=by, reason="token revoked", validate=False)
    return token


def record_api_token_use(token: ApiToken) -> None:
    """Note when a token was last used, at most hourly, so the history is not a request log."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(hours=1):
        token.last_used_at = now
        save_audited(token, by=token.user, reason="token used", validate=False)
