"""Test data made the way the portal makes it: through the services, as the system user.

Organisations are never created with `Organisation.objects.create`: the service also makes
the organisation's group and its grants, and writes the history rows.
"""

from __future__ import annotations

import time

import factory
from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.django import DjangoModelFactory

from eo_portal import mfa, services
from eo_portal.audit import save_audited, system_user
from eo_portal.models import Membership, Organisation, OrganisationKind, Role
from eo_portal.services import EDITABLE_ORGANISATION_FIELDS

PASSWORD = "correct-horse-battery-1"


class UserFactory(DjangoModelFactory):
    """An account with a usable password; saved with its history row, by the system user."""

    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"person-{n}")
    first_name = factory.Sequence(lambda n: f"Given{n}")
    last_name = "Tester"
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")

    @classmethod
    def _create(cls, model_class, *args, password: str = PASSWORD, **kwargs):
        user = model_class(*args, **kwargs)
        user.set_password(password)
        return save_audited(user, by=system_user(), reason="test account", validate=False)


class OrganisationFactory(factory.Factory):
    """`OrganisationFactory(slug="lab-a", kind=OrganisationKind.LAB)`, created by `services.create_organisation`."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    short_name = factory.Sequence(lambda n: f"Org {n}")
    slug = ""
    kind = OrganisationKind.LAB
    sectors = ()

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("Organisations only exist through services.create_organisation.")

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> Organisation:
        return services.create_organisation(by=system_user(), **kwargs)


def add_member(organisation: Organisation, user, role: str = Role.MEMBER) -> Membership:
    return services.add_member(organisation, user, by=system_user(), role=role)


def person_in(organisation: Organisation, role: str = Role.MEMBER, **user_fields):
    """A new account that is a member of `organisation` with `role`."""
    user = UserFactory(**user_fields)
    add_member(organisation, user, role=role)
    return user


def profile_form(organisation: Organisation, **changes) -> dict:
    """POST data for the organisation's edit page: its stored profile with `changes` applied."""
    stored = {name: getattr(organisation, name) for name in EDITABLE_ORGANISATION_FIELDS}
    # A form posts an empty date as "" and an unticked box not at all.
    posted = {name: "" if value is None else value for name, value in stored.items() if value is not False}
    return posted | changes


# ---------------------------------------------------------------------------
# Multi-factor sign-in


def confirmed_totp_device(user) -> TOTPDevice:
    """The person's confirmed authenticator, made (with a random secret) if they have none."""
    return mfa.confirmed_device(user) or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)


def totp_code(device: TOTPDevice) -> str:
    """The code `device` accepts now, computed from its key (django_otp.oath) as the app would.

    Each code is accepted once; after two sign-ins within one 30-second step this waits for the
    next step rather than offer a code the portal would rightly refuse."""
    code, wait = mfa.usable_code(device)
    if wait:
        time.sleep(wait)
        code, _ = mfa.usable_code(device)
    return code


def mark_mfa_verified(client, user) -> TOTPDevice:
    """Make a `force_login`ed test client's session count as having passed MFA, as
    `django_otp.login` does after a good code: the device's id in the session."""
    device = confirmed_totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[mfa.REQUIRED_KEY] = True
    session.save()
    return device


def signed_in(client, user):
    """`client` signed in as `user` with `force_login` and, for whoever must use MFA (or has an
    authenticator), past the code step too: tests of everything else need a fully signed-in
    person. tests/eo_portal/test_sign_in_security.py tests the steps themselves."""
    client.force_login(user)
    if mfa.must_verify(user):
        mark_mfa_verified(client, user)
    return client


def sign_in_with_mfa(client, user, password: str = PASSWORD):
    """Sign in through the real pages: password, then the code. Returns the last response."""
    device = confirmed_totp_device(user)
    response = client.post("/accounts/login/", {"username": user.get_username(), "password": password})
    assert response.status_code == 302, "the password was refused"
    return client.post("/accounts/mfa/verify/", {"code": totp_code(device)})
