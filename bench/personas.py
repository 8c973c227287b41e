"""Who the benchmark signs in as: a member of the first generated organisation of each kind, a
member of NSA and of OMB, a superuser for the unfiltered floor, and nobody (anonymous)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client

from eo_portal.models import Membership, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# persona -> the organisation whose member stands for it
ORGANISATION_OF = {
    "lab member": "bench-lab-0000",
    "partner": "bench-partner-0000",
    "operator": "bench-operator-0000",
    "state": "bench-state-0000",
    "agency (NSA)": "nsa",
    "grant staff (OMB)": "omb",
}
SUPERUSER = "superuser (floor)"
ANONYMOUS = "anonymous"
SUPERUSER_NAME = "bench-superuser"


def member_of(slug: str) -> User:
    """A member (else a manager) of the organisation: someone who acts, not only reads."""
    membership = (
        Membership.objects.filter(organisation__slug=slug, role__in=[Role.MEMBER, Role.MANAGER])
        .select_related("user")
        .order_by("-role", "user__username")  # "member" sorts after "manager"
        .first()
    )
    if membership is None:
        raise LookupError(f"no member of {slug}: generate the data set first")
    return membership.user


def superuser() -> User:
    from eo_portal.audit import save_audited, system_user

    user = get_user_model().objects.filter(username=SUPERUSER_NAME).first()
    if user is None:
        user = get_user_model()(username=SUPERUSER_NAME, is_superuser=True, is_staff=True)
        user.set_unusable_password()
        save_audited(user, by=system_user(), reason="benchmark floor", validate=False)
    return user


def user_for(persona: str) -> User | None:
    if persona == ANONYMOUS:
        return None
    if persona == SUPERUSER:
        return superuser()
    return member_of(ORGANISATION_OF[persona])


def _past_second_factor(client: Client, user: User) -> None:
    """Agency staff, managers and superusers must enter an authenticator code after signing in
    (eo_portal/mfa.py): give the persona a confirmed authenticator and mark the session as having
    used it, as django-otp's login does after a right code."""
    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def client_for(persona: str) -> Client:
    client = Client()
    user = user_for(persona)
    if user is not None:
        client.force_login(user)
        _past_second_factor(client, user)
    return client
