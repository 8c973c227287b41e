"""Signing in (NIST SP 800-53 AC-7, IA-2, AU-2, AU-3; OWASP ASVS 6): the lockout after repeated
failures, multi-factor sign-in for those who must use it, passwords of at least 12 characters, and
the append-only sign-in audit log."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from eo_portal import mfa, services
from eo_portal.append_only import HistoryIsAppendOnly, append_only_tables
from eo_portal.audit import system_user
from eo_portal.models import Role, SignInEvent, SignInEventKind
from eo_portal.session_limits import LAST_SEEN
from eo_portal.sign_in_audit import client_address
from tests.factories import PASSWORD, UserFactory, confirmed_totp_device, person_in, sign_in_with_mfa, totp_code

pytestmark = pytest.mark.django_db

Event = SignInEventKind
LOGIN = "/accounts/login/"
ENROL = "/accounts/mfa/enrol/"
VERIFY = "/accounts/mfa/verify/"
HOME = "/accounts/profile/"
ADDRESS = "198.51.100.7"
NEW_PASSWORD = "lantern-orchard-basalt-7"


def sign_in(client: Client, username: str, password: str = PASSWORD, address: str = ADDRESS):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(times: int, username: str, address: str = ADDRESS) -> list[int]:
    return [sign_in(Client(), username, "not-the-password", address).status_code for _ in range(times)]


def events(kind: str, **filters) -> list[SignInEvent]:
    return list(SignInEvent.objects.filter(event=kind, **filters).order_by("at", "id"))


def no_inline_script_or_style(html: str) -> bool:
    """What the strict CSP would block: a style attribute or a <script> without src."""
    return 'style="' not in html and "<style" not in html and "<script>" not in html


def wrong_code(device: TOTPDevice) -> str:
    right = totp_code(device)
    return "000000" if right != "000000" else "111111"


# ---------------------------------------------------------------------------
# Lockout (AC-7): 5 failures lock the user name, and separately the address, for 15 minutes.


def test_the_lockout_is_5_failures_per_user_name_and_per_address_for_15_minutes_never_permanent():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert settings.AXES_RESET_ON_SUCCESS
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_five_wrong_passwords_from_five_addresses_lock_the_user_name_with_a_clear_429_page(lab_a_member):
    statuses = [sign_in(Client(), "lab-a-member", "wrong-password", f"203.0.113.{n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]

    # Even the right password, from an address never seen before, is refused until the lock ends.
    response = sign_in(Client(), "lab-a-member", PASSWORD, "192.0.2.200")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in is paused" in page and "Too many sign-in attempts" in page
    ends = timezone.localtime(AccessAttempt.objects.latest("attempt_time").attempt_time + timedelta(minutes=15))
    assert f"{ends:%-I:%M} {ends:%p}" in page, "the page says when the person can try again"
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    assert no_inline_script_or_style(page)
    assert "_auth_user_id" not in response.client.session


def test_five_failures_from_one_address_lock_the_address_for_every_user_name_but_not_the_user_elsewhere(
    lab_a_member,
):
    statuses = [sign_in(Client(), f"guess-{n}", "wrong-password", ADDRESS).status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]

    assert sign_in(Client(), "lab-a-member", PASSWORD, ADDRESS).status_code == 429
    assert sign_in(Client(), "lab-a-member", PASSWORD, "192.0.2.10").status_code == 302


def test_four_failures_then_the_right_password_signs_in_and_starts_the_count_again(lab_a_member):
    assert fail(4, "lab-a-member") == [200] * 4
    assert sign_in(Client(), "lab-a-member").status_code == 302
    assert not AccessAttempt.objects.filter(username="lab-a-member").exists()
    assert fail(4, "lab-a-member") == [200] * 4


def test_after_the_cool_off_the_user_can_sign_in_again(lab_a_member):
    assert fail(5, "lab-a-member")[-1] == 429
    assert sign_in(Client(), "lab-a-member").status_code == 429

    # axes counts only failures whose attempt_time is within AXES_COOLOFF_TIME of now: moving the
    # stored times back 15 minutes and a second is what waiting that long would do.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=15, seconds=1))

    assert sign_in(Client(), "lab-a-member").status_code == 302


def test_attempts_during_a_lock_are_refused_without_moving_its_end(lab_a_member):
    fail(5, "lab-a-member")
    locked_at = AccessAttempt.objects.get().attempt_time

    assert fail(3, "lab-a-member") == [429] * 3

    attempt = AccessAttempt.objects.get()
    assert (attempt.attempt_time, attempt.failures_since_start) == (locked_at, 5)


def test_an_administrator_lifts_a_lock_in_the_axes_admin(web, superuser, lab_a_member):
    fail(5, "lab-a-member")
    admin = web(superuser)
    assert admin.get("/admin/axes/accessattempt/").status_code == 200

    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [a.pk for a in AccessAttempt.objects.all()], "post": "yes"},
    )

    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert sign_in(Client(), "lab-a-member").status_code == 302


def test_an_administrator_lifts_a_lock_with_axes_reset_username(lab_a_member):
    fail(5, "lab-a-member", address="192.0.2.1")
    fail(1, "lab-a-member", address="192.0.2.2")

    call_command("axes_reset_username", "lab-a-member", stdout=io.StringIO())

    assert sign_in(Client(), "lab-a-member", address="192.0.2.1").status_code == 302


def test_agency_staff_cannot_open_the_lockout_records(web, agency_staff):
    assert web(agency_staff).get("/admin/axes/accessattempt/").status_code == 403


# ---------------------------------------------------------------------------
# Who must use MFA


def test_agency_staff_managers_and_superusers_must_use_mfa_and_lab_members_and_job_seekers_need_not(
    cisa, agency_staff, lab_a_manager, partner_manager, lab_a_member, lab_a_viewer, jobseeker, superuser
):
    agency_member_not_staff = person_in(cisa, Role.VIEWER, username="cisa-viewer")
    lab_staff = UserFactory(username="lab-staff", is_staff=True)

    required = {
        user.username: mfa.required_by_role(user)
        for user in (agency_staff, agency_member_not_staff, lab_staff, superuser, lab_a_manager, partner_manager,
                     lab_a_member, lab_a_viewer, jobseeker)
    }

    assert required == {
        "cisa-reviewer": True,
        "cisa-viewer": True,
        "lab-staff": True,
        "portal-admin": True,
        "lab-a-manager": True,
        "partner-a-manager": True,
        "lab-a-member": False,
        "lab-a-viewer": False,
        "jobseeker": False,
    }


# ---------------------------------------------------------------------------
# Enrolment and verification


def test_a_manager_without_an_app_is_sent_after_the_password_to_add_one_and_then_reaches_the_portal(lab_a_manager):
    client = Client()
    assert sign_in(client, "lab-a-manager").status_code == 302

    response = client.get("/organisations/")
    assert (response.status_code, response["Location"]) == (302, f"{ENROL}?next=%2Forganisations%2F")

    page = client.get(response["Location"])
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=lab_a_manager, confirmed=False)
    html = page.content.decode()
    assert mfa.secret_for_reading(device) in html
    assert "otpauth://totp/EO%20Portal%3Alab-a-manager?secret=" in html.replace("&amp;", "&")
    assert "<svg" in html and no_inline_script_or_style(html)
    # A reload shows the same secret: the person may have scanned it already.
    client.get(f"{ENROL}?next=/organisations/")
    assert TOTPDevice.objects.filter(user=lab_a_manager).count() == 1

    response = client.post(ENROL, {"code": totp_code(device), "next": "/organisations/"}, REMOTE_ADDR=ADDRESS)

    assert (response.status_code, response["Location"]) == (302, "/organisations/")
    assert client.get("/organisations/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    (enrolled,) = events(Event.MFA_ENROLLED)
    assert (enrolled.user, enrolled.address) == (lab_a_manager, ADDRESS)


def test_enrolment_refuses_a_wrong_code_and_logs_it(lab_a_manager):
    client = Client()
    sign_in(client, "lab-a-manager")
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=lab_a_manager)

    response = client.post(ENROL, {"code": wrong_code(device)}, REMOTE_ADDR=ADDRESS)

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    (failed,) = events(Event.MFA_FAILED)
    assert (failed.user, failed.address) == (lab_a_manager, ADDRESS)
    assert "adding an authenticator" in failed.outcome


def test_with_an_app_the_code_is_asked_after_the_password_and_a_wrong_code_is_refused_logged_and_throttled(
    agency_staff,
):
    device = confirmed_totp_device(agency_staff)
    client = Client()
    assert sign_in(client, "cisa-reviewer").status_code == 302
    response = client.get("/organisations/")
    assert (response.status_code, response["Location"]) == (302, f"{VERIFY}?next=%2Forganisations%2F")
    verify_page = client.get(response["Location"])
    assert verify_page.status_code == 200 and no_inline_script_or_style(verify_page.content.decode())

    refused = client.post(VERIFY, {"code": wrong_code(device), "next": "/organisations/"}, REMOTE_ADDR=ADDRESS)

    assert refused.status_code == 200
    assert "That code is not right" in refused.content.decode()
    (failed,) = events(Event.MFA_FAILED)
    assert (failed.user, failed.address, failed.outcome.split(";")[0]) == (agency_staff, ADDRESS, "wrong code at sign-in")
    # django-otp's throttle: straight after a wrong code even the right one must wait.
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    throttled = client.post(VERIFY, {"code": totp_code(device), "next": "/organisations/"})
    assert "Too many wrong codes" in throttled.content.decode()
    assert client.get("/organisations/").status_code == 302

    # The wait is 1 second after one wrong code: move the failure back instead of sleeping.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=2))
    accepted = client.post(VERIFY, {"code": totp_code(device), "next": "/organisations/"}, REMOTE_ADDR=ADDRESS)

    assert (accepted.status_code, accepted["Location"]) == (302, "/organisations/")
    assert client.get("/organisations/").status_code == 200
    (verified,) = events(Event.MFA_VERIFIED)
    assert (verified.user, verified.address) == (agency_staff, ADDRESS)


def test_a_code_is_accepted_once(lab_a_manager):
    device = confirmed_totp_device(lab_a_manager)
    code = totp_code(device)
    first, second = Client(), Client()
    sign_in(first, "lab-a-manager")
    sign_in(second, "lab-a-manager")

    assert first.post(VERIFY, {"code": code}).status_code == 302
    assert second.post(VERIFY, {"code": code}).status_code == 200


def test_verification_gives_the_session_a_new_key(lab_a_manager):
    device = confirmed_totp_device(lab_a_manager)
    client = Client()
    sign_in(client, "lab-a-manager")
    before = client.session.session_key

    client.post(VERIFY, {"code": totp_code(device)})

    assert client.session.session_key != before
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_the_next_page_after_the_code_is_never_another_site(lab_a_manager):
    device = confirmed_totp_device(lab_a_manager)
    client = Client()
    sign_in(client, "lab-a-manager")

    response = client.post(VERIFY, {"code": totp_code(device), "next": "https://evil.example/"})

    assert response["Location"] == "/"


# ---------------------------------------------------------------------------
# Until the code: only the sign-in pages


def test_an_unverified_session_of_someone_who_must_use_mfa_reaches_neither_pages_nor_the_session_api(agency_staff):
    confirmed_totp_device(agency_staff)
    client = Client()
    client.force_login(agency_staff)

    for path in ("/", "/organisations/", "/accounts/profile/", "/admin/", "/api/docs/"):
        response = client.get(path)
        assert (response.status_code, response["Location"].split("?")[0]) == (302, VERIFY), path
    api = client.get("/api/v1/me/")
    assert api.status_code == 403
    assert "authenticator app" in api.json()["detail"]
    assert client.post("/api/v1/tokens/", {"name": "sneaky", "days": 5}).status_code == 403
    assert client.get(VERIFY).status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_a_verified_session_reaches_pages_and_the_session_api(web, agency_staff):
    client = web(agency_staff)

    assert client.get("/organisations/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get(VERIFY)["Location"] == "/"


def test_the_real_sign_in_with_password_and_code_opens_the_api(lab_a_manager):
    client = Client()
    response = sign_in_with_mfa(client, lab_a_manager)

    assert response.status_code == 302
    assert client.get("/api/v1/me/").status_code == 200


def test_an_api_token_is_issued_only_to_a_verified_session_and_works_without_a_session(
    lab_a_manager, api, token_api
):
    confirmed_totp_device(lab_a_manager)
    unverified = RequestFactory().post("/api/v1/tokens/")
    unverified.user = lab_a_manager
    unverified.session = Client().session
    with pytest.raises(PermissionDenied):
        mfa.require_verified_session(unverified)

    created = api(lab_a_manager).post("/api/v1/tokens/", {"name": "CI", "days": 5}, format="json")
    assert created.status_code == 201

    assert token_api(created.json()["token"]).get("/api/v1/me/").status_code == 200


def test_a_lab_member_signs_in_with_the_password_alone_and_may_add_an_app_then_must_use_it(lab_a_member):
    client = Client()
    sign_in(client, "lab-a-member")
    profile = client.get(HOME)
    assert profile.status_code == 200
    assert "Add an authenticator app" in profile.content.decode()

    client.get(ENROL)
    device = TOTPDevice.objects.get(user=lab_a_member)
    assert client.post(ENROL, {"code": totp_code(device)})["Location"] == HOME
    assert "Your authenticator app is set up" in client.get(HOME).content.decode()

    client.post("/accounts/logout/")
    again = Client()
    sign_in(again, "lab-a-member")
    assert again.get(HOME)["Location"].split("?")[0] == VERIFY


def test_someone_made_a_manager_must_use_mfa_within_a_minute(web, lab_a, lab_a_member, system):
    client = web(lab_a_member)
    assert client.get("/organisations/").status_code == 200

    services.change_member_role(lab_a.memberships.get(user=lab_a_member), by=system, role=Role.MANAGER)
    session = client.session
    session[mfa.CHECKED_AT_KEY] -= mfa.RECHECK_SECONDS + 1
    session.save()

    response = client.get("/organisations/")
    assert (response.status_code, response["Location"].split("?")[0]) == (302, ENROL)


# ---------------------------------------------------------------------------
# Passwords: at least 12 characters, at sign-up and at every change


def test_the_password_validators_ask_for_at_least_12_characters():
    lengths = [v for v in settings.AUTH_PASSWORD_VALIDATORS if v["NAME"].endswith("MinimumLengthValidator")]
    assert lengths == [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
                        "OPTIONS": {"min_length": 12}}]


def test_an_11_character_password_is_refused_at_sign_up():
    eleven = "Tz9#kq2!wLm"
    assert len(eleven) == 11
    form = {"username": "short.pw", "email": "short.pw@example.test", "first_name": "Short", "last_name": "Pw",
            "password": eleven, "password_confirmation": eleven}

    response = Client().post("/accounts/signup/", form)

    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    assert not get_user_model().objects.filter(username="short.pw").exists()


def test_an_11_character_password_is_refused_at_password_change_and_a_good_one_is_recorded(web, lab_a_member):
    client = web(lab_a_member)
    assert client.get("/accounts/password/change/").status_code == 200
    eleven = "Tz9#kq2!wLm"

    refused = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": eleven, "new_password2": eleven},
    )
    assert refused.status_code == 200
    assert "at least 12 characters" in refused.content.decode()

    changed = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )
    assert changed["Location"] == "/accounts/password/change/done/"
    assert client.get("/accounts/password/change/done/").status_code == 200, "this session stays signed in"
    lab_a_member.refresh_from_db()
    assert lab_a_member.check_password(NEW_PASSWORD)
    (event,) = events(Event.PASSWORD_CHANGED)
    assert (event.user, event.address, event.outcome) == (lab_a_member, ADDRESS, "password changed")


def test_a_password_set_by_an_administrator_is_recorded_with_who_set_it(web, superuser, lab_a_member):
    response = web(superuser).post(
        f"/admin/auth/user/{lab_a_member.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    (event,) = events(Event.PASSWORD_CHANGED)
    assert (event.user, event.outcome) == (lab_a_member, "password changed by portal-admin")


# ---------------------------------------------------------------------------
# The sign-in audit log (AU-2, AU-3)


def test_every_kind_of_event_writes_a_row_with_time_address_user_and_outcome(lab_a_manager):
    started = timezone.now()
    fail(1, "lab-a-manager")  # sign_in_failed
    fail(5, "nobody-here", address="192.0.2.99")  # four more failures and a lock of that address

    client = Client(HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 400)
    sign_in(client, "lab-a-manager")  # sign_in
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=lab_a_manager)
    client.post(ENROL, {"code": wrong_code(device)}, REMOTE_ADDR=ADDRESS)  # mfa_failed
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=2))
    client.post(ENROL, {"code": totp_code(device)}, REMOTE_ADDR=ADDRESS)  # mfa_enrolled
    client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )  # password_changed
    client.post("/accounts/logout/", REMOTE_ADDR=ADDRESS)  # signed_out
    again = Client()
    sign_in(again, "lab-a-manager", NEW_PASSWORD)
    again.post(VERIFY, {"code": totp_code(device)}, REMOTE_ADDR=ADDRESS)  # mfa_verified

    rows = list(SignInEvent.objects.order_by("at", "id"))
    assert {row.event for row in rows} == set(SignInEventKind.values)
    for row in rows:
        assert started <= row.at <= timezone.now()
        assert row.address in (ADDRESS, "192.0.2.99"), row
        assert row.outcome, row
        assert row.username, row
    mine = [row for row in rows if row.username == "lab-a-manager"]
    assert all(row.user == lab_a_manager for row in mine)
    assert [row.event for row in mine] == [
        Event.SIGN_IN_FAILED, Event.SIGN_IN, Event.MFA_FAILED, Event.MFA_ENROLLED, Event.PASSWORD_CHANGED,
        Event.SIGNED_OUT, Event.SIGN_IN, Event.MFA_VERIFIED,
    ]
    (locked,) = events(Event.LOCKED_OUT)
    assert (locked.user, locked.address) == (None, "192.0.2.99")
    assert locked.outcome.startswith("locked after 5 failed sign-ins until ")
    browser = events(Event.SIGN_IN)[0].user_agent
    assert browser.startswith("Mozilla/5.0 xxx") and len(browser) == 255
    assert events(Event.SIGN_IN)[0].outcome == "password accepted; authenticator code required next"


def test_a_sign_in_refused_during_a_lock_is_logged_once_as_locked_out(lab_a_member):
    fail(5, "lab-a-member")

    sign_in(Client(), "lab-a-member", PASSWORD)

    assert len(events(Event.SIGN_IN_FAILED)) == 5
    first, second = events(Event.LOCKED_OUT)
    assert first.outcome.startswith("locked after 5 failed sign-ins until")
    assert second.outcome.startswith("sign-in refused while locked until")
    assert second.user == lab_a_member


def test_the_address_is_the_proxy_s_last_forwarded_entry_only_behind_the_tls_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")

    settings.BEHIND_TLS_PROXY = False
    assert client_address(request) == "10.0.0.5"
    settings.BEHIND_TLS_PROXY = True
    assert client_address(request) == "203.0.113.9"
    request.META["HTTP_X_FORWARDED_FOR"] = "not an address"
    assert client_address(request) == "10.0.0.5"


def test_the_sign_in_log_is_append_only(lab_a_member):
    sign_in(Client(), "lab-a-member")
    row = SignInEvent.objects.get()
    assert SignInEvent._meta.db_table in append_only_tables([SignInEvent])

    row.outcome = "forged"
    with pytest.raises(HistoryIsAppendOnly):
        row.save()
    with pytest.raises(HistoryIsAppendOnly), transaction.atomic():
        row.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {SignInEvent._meta.db_table} SET outcome = %s WHERE id = %s", ["forged", row.pk])

    assert SignInEvent.objects.get().outcome == "signed in"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite empties tables with DELETE; see append_only.py")
def test_postgresql_refuses_to_delete_a_sign_in_event(lab_a_member):
    sign_in(Client(), "lab-a-member")
    row = SignInEvent.objects.get()

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SignInEvent._meta.db_table} WHERE id = %s", [row.pk])

    assert SignInEvent.objects.filter(pk=row.pk).exists()


def test_only_administrators_read_the_sign_in_log_in_the_admin_and_nobody_changes_it(web, superuser, agency_staff):
    sign_in(Client(), "cisa-reviewer")
    row = SignInEvent.objects.get(username="cisa-reviewer")
    admin = web(superuser)

    assert admin.get("/admin/eo_portal/signinevent/").status_code == 200
    assert admin.get(f"/admin/eo_portal/signinevent/{row.pk}/change/").status_code == 200
    assert admin.get("/admin/eo_portal/signinevent/add/").status_code == 403
    assert admin.get(f"/admin/eo_portal/signinevent/{row.pk}/delete/").status_code == 403
    assert web(agency_staff).get("/admin/eo_portal/signinevent/").status_code == 403


def test_the_audit_report_lists_sign_in_events(lab_a_member):
    sign_in(Client(), "lab-a-member")
    out = io.StringIO()

    call_command("audit_report", since="2000-01-01", stdout=out)

    rows = [r for r in csv.DictReader(io.StringIO(out.getvalue())) if r["model"] == "sign-in"]
    assert [(r["who"], r["action"], r["fields"], r["reason"]) for r in rows] == [
        ("lab-a-member", "sign_in", ADDRESS, "signed in")
    ]


# ---------------------------------------------------------------------------
# The demo


def test_every_demo_account_that_must_use_mfa_has_the_demo_authenticator_and_demo_totp_signs_it_in(db):
    call_command("seed_demo", stdout=io.StringIO())
    users = get_user_model().objects
    must = [user for user in users.exclude(username=settings.SYSTEM_USERNAME) if mfa.required_by_role(user)]
    assert {user.username for user in must} >= {"admin", "cisa-reviewer", "lab-a-manager", "operator-energy"}
    assert all(mfa.secret_base32(mfa.confirmed_device(user)) == settings.DEMO_TOTP_SECRET for user in must)
    assert mfa.confirmed_device(users.get(username="lab-a-member")) is None

    out = io.StringIO()
    call_command("demo_totp", "cisa-reviewer", stdout=out)
    client = Client()
    assert sign_in(client, "cisa-reviewer", settings.DEMO_PASSWORD).status_code == 302
    assert client.post(VERIFY, {"code": out.getvalue().strip()}).status_code == 302
    assert client.get("/organisations/").status_code == 200

    with pytest.raises(CommandError, match="no demo authenticator"):
        call_command("demo_totp", "lab-a-member", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert TOTPDevice.objects.filter(user__username="cisa-reviewer").count() == 1


def test_the_demo_authenticator_is_not_given_to_an_account_that_has_its_own(db):
    call_command("seed_demo", stdout=io.StringIO())
    admin = get_user_model().objects.get(username="admin")
    TOTPDevice.objects.filter(user=admin).delete()
    own = TOTPDevice.objects.create(user=admin, name="Own phone", confirmed=True)

    call_command("seed_demo", stdout=io.StringIO())

    assert list(TOTPDevice.objects.filter(user=admin)) == [own]
    with pytest.raises(CommandError):
        call_command("demo_totp", "admin", stdout=io.StringIO())
    assert system_user().sign_in_events.count() == 0


def test_a_session_ended_by_its_time_limit_is_logged_as_such(web, lab_a_member):
    client = web(lab_a_member)
    session = client.session
    session[LAST_SEEN] -= settings.SESSION_IDLE_MINUTES * 60 + 1
    session.save()

    client.get("/organisations/", REMOTE_ADDR=ADDRESS)

    (event,) = events(Event.SIGNED_OUT)
    assert (event.user, event.address, event.outcome) == (
        lab_a_member, ADDRESS, "session ended: idle or absolute time limit"
    )
