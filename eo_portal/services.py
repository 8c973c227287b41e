"""Every write of the core (rule 1 of DESIGN.md): one function per action, the acting user first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from eo_portal import permissions, selectors
from eo_portal.api_tokens import hash_secret, new_secret
from eo_portal.audit import delete_audited, save_audited, system_user
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
EDITABLE_ORGANISATION_FIELDS = (
    "name",
    "short_name",
    "uei",
    "sam_registration_expires",
    "local_government_type",
    "is_rural",
    "description",
    "website",
    "security_contact_email",
)
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
    sam_registration_expires: date | None = None,
    local_government_type: str = "",
    is_rural: bool = False,
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
            sam_registration_expires=sam_registration_expires,
            local_government_type=local_government_type,
            is_rural=is_rural,
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
    is_active: bool = True,
    reason: str = "account created",
) -> User:
    """A person's account; without a password it cannot sign in until one is set, nor while inactive."""
    _require(by.is_superuser)
    account = get_user_model()(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
        is_active=is_active,
    )
    account.set_password(password)
    if password is None:
        account.set_unusable_password()
    return save_audited(account, by=by, reason=reason, validate=False)


# ---------------------------------------------------------------------------
# Self-service accounts: a job seeker registers, then proves the e-mail address is theirs.

USERNAME_TAKEN = "An account with this user name already exists."
EMAIL_TAKEN = "An account with this e-mail already exists."
INVALID_LINK = "This link is not valid: it has expired, was already used, or was changed."


def _unsaved_account(*, username: str, email: str, first_name: str, last_name: str) -> User:
    """The account as it would be stored, normalised as Django's own forms normalise it."""
    user_model = get_user_model()
    return user_model(
        username=user_model.normalize_username(username.strip()),
        email=user_model.objects.normalize_email(email.strip()),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )


def new_account_problems(
    *, username: str, email: str, first_name: str, last_name: str, password: str
) -> dict[str, list[str]]:
    """What stops a person registering with these details, field by field; empty when nothing does.

    The sign-up form asks this to show every problem at its field in one round, and
    `register_account` asks it again, so no other door skips a rule. An empty value is left to
    the caller's own "required" check.
    """
    account = _unsaved_account(username=username, email=email, first_name=first_name, last_name=last_name)
    problems: dict[str, list[str]] = {}
    try:
        # The model's own rules: allowed characters of a user name, lengths, the e-mail's form.
        account.clean_fields(exclude=["password"])
    except ValidationError as exc:
        problems.update(exc.message_dict)
    if not account.email:
        problems.setdefault("email", []).append("Enter your e-mail address: the activation link goes there.")
    if account.username and "username" not in problems and selectors.username_taken(account.username):
        problems["username"] = [USERNAME_TAKEN]
    if account.email and "email" not in problems and selectors.email_taken(account.email):
        problems["email"] = [EMAIL_TAKEN]
    if password:
        try:
            password_validation.validate_password(password, account)
        except ValidationError as exc:
            problems["password"] = exc.messages
    return {field: messages for field, messages in problems.items() if messages}


def register_account(*, username: str, email: str, first_name: str, last_name: str, password: str) -> User:
    """A job seeker's own account: created inactive by the system user, and e-mailed a link that
    activates it (`verify_account`). Raises ValidationError with a message per field."""
    problems = new_account_problems(
        username=username, email=email, first_name=first_name, last_name=last_name, password=password
    )
    if not password:
        problems.setdefault("password", ["Choose a password."])
    if problems:
        raise ValidationError(problems)
    details = _unsaved_account(username=username, email=email, first_name=first_name, last_name=last_name)
    try:
        with transaction.atomic():
            account = create_account(
                by=system_user(),
                username=details.username,
                email=details.email,
                first_name=details.first_name,
                last_name=details.last_name,
                password=password,
                is_active=False,
                reason=selectors.ACCOUNT_REGISTERED,
            )
            _send_verification_on_commit(account)
    except IntegrityError as exc:
        # Two people sent the same user name at the same moment; the database kept one.
        raise ValidationError({"username": USERNAME_TAKEN}) from exc
    return account


def resend_verification(*, email: str) -> None:
    """A new link for each account at this address still awaiting verification; for any other
    address nothing happens, and the caller answers the same either way."""
    for account in selectors.accounts_awaiting_verification_at(email.strip()):
        _send_verification_on_commit(account)


def _send_verification_on_commit(account: User) -> None:
    account_id = account.pk

    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task("eo_portal.tasks.send_verification_email", account_id)

    transaction.on_commit(enqueue)


def verification_path(account: User) -> str:
    """The path of the link that activates `account`. The token is Django's password-reset token:
    it lapses after PASSWORD_RESET_TIMEOUT and once the account has signed in."""
    uidb64 = urlsafe_base64_encode(force_bytes(account.pk))
    return reverse("account-verify", args=[uidb64, default_token_generator.make_token(account)])


def verification_link_is_valid(account: User, token: str) -> bool:
    return default_token_generator.check_token(account, token)


def verification_link_lifetime() -> str:
    """How long a link works, in words, for the e-mail and the pages."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    days, hours = seconds // 86400, seconds // 3600
    if days and seconds % 86400 == 0:
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{max(hours, 1)} hour{'s' if hours != 1 else ''}"


def verify_account(account: User, token: str) -> User:
    """Activate a registered account whose owner followed the e-mailed link.

    The account itself is the history user: it is its owner who acts. Raises ValidationError when
    the account no longer awaits verification or the token does not match it.
    """
    with transaction.atomic():
        # Locked, so two clicks at once activate it once; the second finds it active and fails.
        locked = selectors.accounts_awaiting_verification().select_for_update().filter(pk=account.pk).first()
        if locked is None or not verification_link_is_valid(locked, token):
            raise ValidationError({"token": INVALID_LINK})
        locked.is_active = True
        save_audited(locked, by=locked, reason="e-mail verified", validate=False)
    return locked


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


EMAIL_BATCH = 200


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

        # One task per batch: a fan-out to thousands of organisations enqueues tens of tasks, not thousands.
        for start in range(0, len(ids), EMAIL_BATCH):
            async_task("eo_portal.tasks.send_notification_emails", ids[start : start + EMAIL_BATCH])

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


def mark_notifications_emailed(notifications: list[Notification], *, by: User) -> int:
    now = timezone.now()
    for notification in notifications:
        notification.emailed_at = now
    bulk_update_with_history(
        notifications, Notification, ["emailed_at"], default_user=by, default_change_reason="e-mailed"
    )
    return len(notifications)


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
