"""Job seekers create their own account, verify their e-mail address by a link, then sign in."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError

from eo_portal import services
from eo_portal.audit import save_audited
from tests.factories import PASSWORD, UserFactory

SIGNUP = "/accounts/signup/"
RESEND = "/accounts/verify/resend/"
NEW_PASSWORD = "lantern-orchard-basalt-7"
CHECK_YOUR_EMAIL = "Check your e-mail"


def signup_form(**changes) -> dict:
    return {
        "username": "ada.seeker",
        "email": "ada.seeker@example.test",
        "first_name": "Ada",
        "last_name": "Seeker",
        "password": NEW_PASSWORD,
        "password_confirmation": NEW_PASSWORD,
    } | changes


def link_path(message) -> str:
    """The verification link of an e-mail, as a path on the portal."""
    (link,) = re.findall(r"https?://\S+/accounts/verify/[^/\s]+/[^/\s]+/", message.body)
    assert link.startswith(settings.PORTAL_BASE_URL)
    return link.removeprefix(settings.PORTAL_BASE_URL.rstrip("/"))


def account_count() -> int:
    return get_user_model().objects.count()


@pytest.fixture
def signed_up(web, django_capture_on_commit_callbacks):
    """Ada has filled in the sign-up form: (her client, her account, the path of her e-mail's link)."""
    client = web()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, signup_form())
    assert (response.status_code, response["Location"]) == (302, "/accounts/signup/done/"), response.content
    (message,) = mail.outbox
    return client, get_user_model().objects.get(username="ada.seeker"), link_path(message)


def sign_in(client, username: str = "ada.seeker", password: str = NEW_PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


# ---------------------------------------------------------------------------
# Signing up


def test_signing_up_creates_an_inactive_account_recorded_as_made_by_the_system_user(signed_up, system):
    _, account, _ = signed_up
    assert not account.is_active
    assert (account.email, account.first_name, account.last_name) == ("ada.seeker@example.test", "Ada", "Seeker")
    assert account.check_password(NEW_PASSWORD)
    (created,) = account.history.all()
    assert (created.history_user, created.history_change_reason) == (system, "account registered")


def test_signing_up_sends_one_e_mail_to_the_address_with_a_link_that_opens_the_confirmation(signed_up):
    client, _, path = signed_up
    (message,) = mail.outbox
    assert message.to == ["ada.seeker@example.test"]
    assert "Verify" in message.subject
    assert "ada.seeker" in message.body
    response = client.get(path)
    assert response.status_code == 200
    assert "Verify my e-mail address" in response.content.decode()


def test_the_e_mail_goes_out_only_when_the_account_is_committed(web, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        web().post(SIGNUP, signup_form())
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_after_signing_up_the_page_says_to_check_the_e_mail(signed_up):
    client, _, _ = signed_up
    response = client.get("/accounts/signup/done/")
    assert response.status_code == 200
    assert CHECK_YOUR_EMAIL in response.content.decode()


def test_the_new_account_cannot_sign_in_before_its_e_mail_is_verified(signed_up):
    client, _, _ = signed_up
    response = sign_in(client)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_the_sign_up_page_asks_for_user_name_e_mail_name_and_password_twice(web):
    response = web().get(SIGNUP)
    assert response.status_code == 200
    assert list(response.context["form"].fields) == [
        "username", "email", "first_name", "last_name", "password", "password_confirmation"
    ]
    assert "at least 12 characters" in response.content.decode()


def test_a_signed_in_person_opening_the_sign_up_page_is_sent_home(web, jobseeker):
    response = web(jobseeker).get(SIGNUP)
    assert (response.status_code, response["Location"]) == (302, "/")
    response = web(jobseeker).post(SIGNUP, signup_form())
    assert (response.status_code, response["Location"]) == (302, "/")
    assert not get_user_model().objects.filter(username="ada.seeker").exists()


def test_the_sign_in_page_and_the_welcome_page_link_to_the_sign_up_page(web):
    for path in ("/accounts/login/", "/"):
        content = web().get(path).content.decode()
        assert f'href="{SIGNUP}"' in content
        assert "Create an account" in content


# ---------------------------------------------------------------------------
# Bad input: errors at the fields, nothing created, nothing sent.


def post_rejected(web, django_capture_on_commit_callbacks, **changes):
    before = account_count()
    with django_capture_on_commit_callbacks(execute=True):
        response = web().post(SIGNUP, signup_form(**changes))
    assert response.status_code == 200
    assert account_count() == before
    assert mail.outbox == []
    return response.context["form"].errors


def test_a_user_name_taken_in_another_letter_case_is_an_error_at_the_user_name(
    web, django_capture_on_commit_callbacks, jobseeker
):
    errors = post_rejected(web, django_capture_on_commit_callbacks, username="JobSeeker")
    assert errors["username"] == ["An account with this user name already exists."]
    assert set(errors) == {"username"}


def test_an_e_mail_taken_in_another_letter_case_is_an_error_at_the_e_mail(
    web, django_capture_on_commit_callbacks, jobseeker
):
    errors = post_rejected(web, django_capture_on_commit_callbacks, email="JOBSEEKER@Example.Test")
    assert errors["email"] == ["An account with this e-mail already exists."]
    assert set(errors) == {"email"}


def test_a_user_name_or_e_mail_still_awaiting_verification_is_taken_too(
    web, django_capture_on_commit_callbacks, signed_up
):
    mail.outbox.clear()
    errors = post_rejected(
        web, django_capture_on_commit_callbacks, username="ADA.SEEKER", email="Ada.Seeker@example.test"
    )
    assert set(errors) == {"username", "email"}


def test_a_password_under_12_characters_is_an_error_at_the_password(web, django_capture_on_commit_callbacks):
    errors = post_rejected(
        web, django_capture_on_commit_callbacks, password="short-pw-1", password_confirmation="short-pw-1"
    )
    assert set(errors) == {"password"}
    assert "at least 12 characters" in " ".join(errors["password"])


def test_a_common_or_numeric_password_is_refused_by_djangos_validators(web, django_capture_on_commit_callbacks):
    errors = post_rejected(
        web, django_capture_on_commit_callbacks, password="123456789012345", password_confirmation="123456789012345"
    )
    assert set(errors) == {"password"}


def test_passwords_that_do_not_match_are_an_error_at_the_confirmation(web, django_capture_on_commit_callbacks):
    errors = post_rejected(web, django_capture_on_commit_callbacks, password_confirmation="another-long-phrase-9")
    assert errors["password_confirmation"] == ["The two passwords do not match."]


def test_every_problem_is_shown_at_its_field_in_one_round(web, django_capture_on_commit_callbacks, jobseeker):
    errors = post_rejected(
        web,
        django_capture_on_commit_callbacks,
        username="JOBSEEKER",
        email="not-an-address",
        first_name="",
        password="short",
        password_confirmation="other",
    )
    assert set(errors) == {"username", "email", "first_name", "password", "password_confirmation"}


def test_a_user_name_with_spaces_is_an_error_at_the_user_name(web, django_capture_on_commit_callbacks):
    errors = post_rejected(web, django_capture_on_commit_callbacks, username="ada seeker")
    assert set(errors) == {"username"}


def test_the_service_refuses_what_the_form_refuses(jobseeker):
    with pytest.raises(ValidationError) as caught:
        services.register_account(
            username="JOBSEEKER", email="Jobseeker@example.test", first_name="J", last_name="S", password="short"
        )
    assert set(caught.value.message_dict) == {"username", "email", "password"}


# ---------------------------------------------------------------------------
# Verifying


def test_opening_the_link_does_not_activate_the_account(signed_up):
    client, account, path = signed_up
    for _ in range(2):  # a mail scanner may fetch it more than once
        assert client.get(path).status_code == 200
    account.refresh_from_db()
    assert not account.is_active
    assert "_auth_user_id" not in client.session


def test_confirming_activates_the_account_signs_it_in_and_records_the_account_as_the_author(signed_up):
    client, account, path = signed_up
    response = client.post(path)
    assert (response.status_code, response["Location"]) == (302, "/")
    account.refresh_from_db()
    assert account.is_active
    assert int(client.session["_auth_user_id"]) == account.pk
    verified = account.history.get(history_change_reason="e-mail verified")
    assert verified.history_user == account
    assert verified.is_active
    assert "Your work" in client.get("/").content.decode()


def test_after_verifying_the_account_signs_in_with_its_password(web, signed_up):
    client, _, path = signed_up
    client.post(path)
    fresh = web()
    response = sign_in(fresh)
    assert (response.status_code, response["Location"]) == (302, "/")


def test_a_used_link_answers_400_and_changes_nothing(web, signed_up):
    client, account, path = signed_up
    client.post(path)
    history_rows = account.history.count()
    for method in ("get", "post"):
        response = getattr(web(), method)(path)
        assert response.status_code == 400
        assert 'href="/accounts/verify/resend/"' in response.content.decode()
    assert account.history.count() == history_rows


@pytest.mark.parametrize(
    "tamper",
    [
        lambda uid, token: (uid, token[:-1] + ("a" if token[-1] != "a" else "b")),
        lambda uid, token: (uid, "not-a-token"),
        lambda uid, token: ("bm90LWEtbnVtYmVy", token),  # "not-a-number"
        lambda uid, token: ("OTk5OTk5OTk5OTk5OTk5OTk5OTk5", token),  # a number past any key
        lambda uid, token: ("!!!", token),
    ],
    ids=["changed-token", "garbage-token", "uid-not-a-number", "uid-out-of-range", "uid-not-base64"],
)
def test_a_changed_link_answers_400_and_activates_nothing(signed_up, tamper):
    client, account, path = signed_up
    _, _, _, uid, token, _ = path.split("/")
    uid, token = tamper(uid, token)
    for method in ("get", "post"):
        response = getattr(client, method)(f"/accounts/verify/{uid}/{token}/")
        assert response.status_code == 400
    account.refresh_from_db()
    assert not account.is_active
    assert "_auth_user_id" not in client.session


def test_one_accounts_token_does_not_verify_another_account(web, signed_up, django_capture_on_commit_callbacks):
    _, ada, ada_path = signed_up
    with django_capture_on_commit_callbacks(execute=True):
        web().post(SIGNUP, signup_form(username="bo", email="bo@example.test"))
    bo = get_user_model().objects.get(username="bo")
    _, _, _, _, ada_token, _ = ada_path.split("/")
    bo_uid = link_path(mail.outbox[-1]).split("/")[3]
    assert web().post(f"/accounts/verify/{bo_uid}/{ada_token}/").status_code == 400
    bo.refresh_from_db()
    assert not bo.is_active


def test_an_expired_link_answers_400(signed_up, settings):
    client, account, path = signed_up
    settings.PASSWORD_RESET_TIMEOUT = -1  # every token is now older than the limit
    assert client.post(path).status_code == 400
    account.refresh_from_db()
    assert not account.is_active


def test_an_account_an_administrator_changed_before_verification_cannot_activate_itself(web, signed_up, superuser):
    _, account, path = signed_up
    account.first_name = "Changed by an administrator"
    save_audited(account, by=superuser, reason="reviewed", validate=False)
    assert web().post(path).status_code == 400
    account.refresh_from_db()
    assert not account.is_active


# ---------------------------------------------------------------------------
# A new link


def resend(web, django_capture_on_commit_callbacks, email: str):
    with django_capture_on_commit_callbacks(execute=True):
        response = web().post(RESEND, {"email": email}, follow=True)
    assert response.redirect_chain == [("/accounts/verify/sent/", 302)]
    return response.content.decode()


def test_asking_for_a_new_link_answers_the_same_for_unknown_and_known_addresses(
    web, signed_up, jobseeker, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    unknown = resend(web, django_capture_on_commit_callbacks, "nobody@example.test")
    active = resend(web, django_capture_on_commit_callbacks, jobseeker.email)
    assert mail.outbox == []
    waiting = resend(web, django_capture_on_commit_callbacks, "ADA.SEEKER@example.test")
    assert unknown == active == waiting
    assert "If an account with that address is waiting to be verified, we have sent a new link" in unknown
    (message,) = mail.outbox
    assert message.to == ["ada.seeker@example.test"]


def test_the_new_link_verifies_the_account_as_the_first_one_would(web, signed_up, django_capture_on_commit_callbacks):
    client, account, _ = signed_up
    mail.outbox.clear()
    resend(web, django_capture_on_commit_callbacks, account.email)
    assert client.post(link_path(mail.outbox[0])).status_code == 302
    account.refresh_from_db()
    assert account.is_active


def test_no_link_goes_to_an_account_deactivated_by_an_administrator(web, django_capture_on_commit_callbacks):
    UserFactory(username="left", email="left@example.test", is_active=False, password=PASSWORD)
    resend(web, django_capture_on_commit_callbacks, "left@example.test")
    assert mail.outbox == []


def test_no_link_goes_to_an_account_once_it_is_verified(web, signed_up, django_capture_on_commit_callbacks):
    client, account, path = signed_up
    client.post(path)
    mail.outbox.clear()
    resend(web, django_capture_on_commit_callbacks, account.email)
    assert mail.outbox == []


def test_a_malformed_address_is_an_error_at_the_field(web):
    response = web().post(RESEND, {"email": "not-an-address"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"email"}
