"""Session lifetime (AC-12): idle timeout, absolute lifetime, a new key at sign-in, and every
session of an account ended when it is deactivated or its password changes."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client

from eo_portal.session_limits import LAST_SEEN, SIGNED_IN_AT

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 2026"


def signed_in(user) -> Client:
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def is_signed_in(client: Client) -> bool:
    return client.get("/api/v1/me/").status_code == 200


def test_a_session_left_alone_for_thirty_minutes_ends(lab_a_member):
    client = signed_in(lab_a_member)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.SESSION_IDLE_MINUTES * 60 - 1
    session.save()

    assert not is_signed_in(client)


def test_a_session_used_within_thirty_minutes_goes_on_and_its_last_use_moves(lab_a_member):
    client = signed_in(lab_a_member)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 29 * 60
    session.save()

    assert is_signed_in(client)
    assert time.time() - client.session[LAST_SEEN] < 60
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_ABSOLUTE_HOURS * 3600


def test_signing_in_gives_a_new_session_key(lab_a_member):
    client = Client()
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    lab_a_member.set_password(PASSWORD)
    lab_a_member.save()

    client.post("/accounts/login/", {"username": lab_a_member.username, "password": PASSWORD})

    assert client.session.session_key != before


def test_a_session_ends_twelve_hours_after_sign_in_however_active(lab_a_member):
    client = signed_in(lab_a_member)
    assert is_signed_in(client)

    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - settings.SESSION_ABSOLUTE_HOURS * 3600 - 1
    session.save()

    assert not is_signed_in(client)


def test_a_session_eleven_hours_old_is_still_good(lab_a_member):
    client = signed_in(lab_a_member)
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 11 * 3600
    session.save()

    assert is_signed_in(client)


def test_deactivating_an_account_ends_its_sessions(lab_a_member):
    client = signed_in(lab_a_member)
    lab_a_member.is_active = False
    lab_a_member.save()

    assert not is_signed_in(client)


def test_changing_the_password_ends_the_other_sessions(lab_a_member):
    laptop, phone = signed_in(lab_a_member), Client()
    phone.post("/accounts/login/", {"username": lab_a_member.username, "password": PASSWORD})
    assert is_signed_in(phone)

    lab_a_member.set_password("another long passphrase 2027")
    lab_a_member.save()

    assert not is_signed_in(laptop) and not is_signed_in(phone)
