"""Every read of the core starts here (rule 2 of DESIGN.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.http import urlsafe_base64_decode

from eo_portal import permissions
from eo_portal.audit import HistoryEntry, history_entries
from eo_portal.models import (
    ApiToken,
    Membership,
    Notification,
    Organisation,
    OrganisationGroupObjectPermission,
    OrganisationKind,
    OrganisationSector,
    Role,
    SignInEvent,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def organisations_visible_to(user: User | AnonymousUser | None) -> QuerySet[Organisation]:
    """A person sees their own organisations; staff whose role covers all organisations see all."""
    return permissions.restrict(Organisation.objects.all(), user).prefetch_related(
        Prefetch("sectors", queryset=OrganisationSector.objects.order_by("sector"))
    )


def get_organisation_for(user: User | AnonymousUser | None, slug: str) -> Organisation:
    """The organisation, or 404 whether it is missing or merely not visible."""
    try:
        return organisations_visible_to(user).get(slug=slug)
    except Organisation.DoesNotExist as exc:
        raise Http404("No such organisation") from exc


def members_of(organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("user__username")


def get_membership_for(user: User, organisation: Organisation, membership_id: int) -> Membership:
    if not permissions.has_object_permission(user, "manage_members", organisation):
        raise Http404("No such membership")
    try:
        return members_of(organisation).get(pk=membership_id)
    except Membership.DoesNotExist as exc:
        raise Http404("No such membership") from exc


def memberships_visible_to(user: User | AnonymousUser | None) -> QuerySet[Membership]:
    """Memberships of the organisations this user may see."""
    return Membership.objects.filter(organisation__in=organisations_visible_to(user).values("pk")).select_related(
        "organisation", "user"
    )


def organisation_grants_visible_to(user: User | AnonymousUser | None) -> QuerySet[OrganisationGroupObjectPermission]:
    return OrganisationGroupObjectPermission.objects.filter(
        content_object__in=organisations_visible_to(user).values("pk")
    ).select_related("content_object", "group", "permission")


def api_tokens_administered_by(user: User | AnonymousUser | None) -> QuerySet[ApiToken]:
    """Administrators see every token, to revoke a leaked one; others their own."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return ApiToken.objects.select_related("user")
    return api_tokens_of(user).select_related("user")


def sign_in_events_visible_to(user: User | AnonymousUser | None) -> QuerySet[SignInEvent]:
    """The sign-in audit log: for portal administrators (active superusers) only. It names
    addresses and the user names people typed, so agency staff do not browse it."""
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return SignInEvent.objects.select_related("user")
    return SignInEvent.objects.none()


def memberships_of(user: User | AnonymousUser | None) -> QuerySet[Membership]:
    if user is None or not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, organisation__is_active=True).select_related("organisation")


def organisation_ids_of(user: User | AnonymousUser | None) -> set[int]:
    return set(memberships_of(user).values_list("organisation_id", flat=True))


def notifications_for(user: User | AnonymousUser | None) -> QuerySet[Notification]:
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def unread_count(user: User | AnonymousUser | None) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


def get_notification_for(user: User | AnonymousUser | None, notification_id: int) -> Notification:
    try:
        return notifications_for(user).get(pk=notification_id)
    except Notification.DoesNotExist as exc:
        raise Http404("No such notification") from exc


def notifications_awaiting_email(notification_ids: list[int]) -> list[Notification]:
    return list(
        Notification.objects.select_related("recipient")
        .filter(pk__in=notification_ids, emailed_at__isnull=True)
        .order_by("pk")
    )


def api_tokens_of(user: User | AnonymousUser | None) -> QuerySet[ApiToken]:
    if user is None or not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def get_api_token_for(user: User | AnonymousUser | None, token_id: int) -> ApiToken:
    try:
        return api_tokens_of(user).get(pk=token_id)
    except ApiToken.DoesNotExist as exc:
        raise Http404("No such token") from exc


def active_token_by_hash(key_hash: str) -> ApiToken | None:
    """The live token with this hash, if any: not revoked, not expired, its owner active."""
    return (
        ApiToken.objects.select_related("user")
        .filter(
            key_hash=key_hash,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


def organisation_history(organisation: Organisation) -> list[HistoryEntry]:
    """The organisation's own changes, and who joined, left or changed role, its sectors and grants."""
    return history_entries(
        organisation,
        related=[
            (
                Membership.history.filter(organisation_id=organisation.pk).select_related("user"),
                lambda row: f"Member {row.user.get_username() if row.user else row.user_id}",
            ),
            (
                OrganisationSector.history.filter(organisation_id=organisation.pk),
                lambda row: f"Sector {row.get_sector_display()}",
            ),
            (
                OrganisationGroupObjectPermission.history.filter(content_object_id=organisation.pk).select_related(
                    "permission", "group"
                ),
                lambda row: f"Permission {row.permission.codename} for {row.group.name}",
            ),
        ],
    )


# ---------------------------------------------------------------------------
# Self-service accounts (services.register_account, services.verify_account).

# The history reason of an account a person registered themselves; services write it.
ACCOUNT_REGISTERED = "account registered"


def username_taken(username: str) -> bool:
    """Whether any account, active or not, has this user name in any letter case."""
    return get_user_model()._default_manager.filter(username__iexact=username).exists()


def email_taken(email: str) -> bool:
    """Whether any account, active or not, has this e-mail address in any letter case."""
    return get_user_model()._default_manager.filter(email__iexact=email).exists()


def accounts_awaiting_verification() -> QuerySet[User]:
    """Accounts their owners registered and have not verified yet.

    Inactive and never signed in is not enough: an administrator may have deactivated an account
    that never signed in, and such an account must not be able to reactivate itself by e-mail. So
    the account's latest history row must still be its registration: any later change, by an
    administrator or by verification, ends the self-service path.
    """
    user_model = get_user_model()
    latest_reason = (
        user_model.history.filter(id=OuterRef("pk"))
        .order_by("-history_date", "-history_id")
        .values("history_change_reason")[:1]
    )
    return (
        user_model._default_manager.filter(is_active=False, last_login__isnull=True)
        .annotate(latest_history_reason=Subquery(latest_reason))
        .filter(latest_history_reason=ACCOUNT_REGISTERED)
    )


def account_awaiting_verification(account_id: object) -> User | None:
    try:
        return accounts_awaiting_verification().filter(pk=account_id).first()
    except (ValueError, TypeError, OverflowError, ValidationError):
        return None


def account_awaiting_verification_from_link(uidb64: str) -> User | None:
    """The account a verification link names, if it still awaits verification; None for a
    link that names no account, names it wrongly, or names one that is already active."""
    try:
        account_id = get_user_model()._meta.pk.to_python(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, OverflowError, ValidationError):
        return None
    return account_awaiting_verification(account_id)


def accounts_awaiting_verification_at(email: str) -> QuerySet[User]:
    if not email:
        return get_user_model()._default_manager.none()
    return accounts_awaiting_verification().filter(email__iexact=email)


def organisations_acting_for(user: User | AnonymousUser | None, kind: str) -> list[Organisation]:
    """The user's active organisations of a kind in which they may act (members and managers)."""
    return [
        membership.organisation
        for membership in memberships_of(user)
        if membership.organisation.kind == kind and membership.role in (Role.MEMBER, Role.MANAGER)
    ]


def agencies_by_slug(slugs: set[str]) -> list[Organisation]:
    """Active federal agencies with these slugs (public knowledge: the agencies of the order)."""
    return list(Organisation.objects.filter(slug__in=slugs, kind=OrganisationKind.AGENCY, is_active=True))
