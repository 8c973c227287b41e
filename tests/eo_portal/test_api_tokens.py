"""Personal API tokens: shown once, stored as a hash, refused once expired or revoked."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from eo_portal import services
from eo_portal.api_tokens import hash_secret
from eo_portal.models import ApiToken


@pytest.fixture
def issue():
    """`issue(user, days=None)`: a token for `user`, issued by themselves; returns (row, secret)."""
    return lambda user, days=None: services.create_api_token(user, by=user, name="script", days=days)


def test_a_token_made_on_the_profile_page_is_shown_once_and_works(web, token_api, lab_a_member):
    client = web(lab_a_member)
    response = client.post("/accounts/profile/", {"name": "SIEM import", "days": 7})
    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret and secret in response.content.decode()
    assert token_api(secret).get("/api/v1/me/").json()["username"] == "lab-a-member"
    token = ApiToken.objects.get(user=lab_a_member)
    assert (token.name, token.key_hash) == ("SIEM import", hash_secret(secret))
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)
    assert secret not in client.get("/accounts/profile/").content.decode()


def test_a_token_authenticates_me_with_username_and_memberships(token_api, lab_a_member, issue):
    _, secret = issue(lab_a_member)
    response = token_api(secret).get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "lab-a-member"
    assert [(m["organisation"], m["role"]) for m in body["memberships"]] == [("lab-a", "member")]


def test_me_lists_no_memberships_for_a_jobseeker(api, jobseeker):
    body = api(jobseeker).get("/api/v1/me/").json()
    assert (body["username"], body["memberships"]) == ("jobseeker", [])


def test_an_expired_token_is_refused(token_api, lab_a_member, issue):
    token, secret = issue(lab_a_member, days=1)
    assert token_api(secret).get("/api/v1/me/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert token_api(secret).get("/api/v1/me/").status_code == 401


def test_a_token_revoked_on_the_profile_page_is_refused(web, token_api, lab_a_member, issue):
    token, secret = issue(lab_a_member)
    assert token_api(secret).get("/api/v1/me/").status_code == 200
    response = web(lab_a_member).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert token_api(secret).get("/api/v1/me/").status_code == 401


def test_a_token_deleted_in_the_api_is_revoked_but_kept_for_the_record(api, token_api, lab_a_member, issue):
    token, secret = issue(lab_a_member)
    assert api(lab_a_member).delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token_api(secret).get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize("header", ["Token not-a-real-token", "Token", "Token two parts", "Bearer whatever"])
def test_a_garbage_token_is_refused(api, header):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/me/").status_code == 401


def test_a_user_cannot_revoke_another_users_token(web, api, token_api, lab_a_member, lab_b_manager, issue):
    token, secret = issue(lab_a_member)
    assert web(lab_b_manager).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert api(lab_b_manager).delete(f"/api/v1/tokens/{token.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert token_api(secret).get("/api/v1/me/").status_code == 200


def test_the_token_list_shows_only_ones_own_tokens(api, lab_a_member, lab_b_manager, issue):
    own, _ = issue(lab_a_member)
    issue(lab_b_manager)
    response = api(lab_a_member).get("/api/v1/tokens/")
    assert [row["id"] for row in response.json()["results"]] == [own.pk]
    assert "token" not in response.json()["results"][0]


def test_a_token_created_in_the_api_is_returned_once(api, token_api, lab_a_member):
    response = api(lab_a_member).post("/api/v1/tokens/", {"name": "CI", "days": 3}, format="json")
    assert response.status_code == 201
    assert token_api(response.json()["token"]).get("/api/v1/me/").json()["username"] == "lab-a-member"


@pytest.mark.parametrize("days", [0, 91])
def test_a_token_lifetime_outside_the_limit_is_refused_naming_days(api, lab_a_member, days):
    response = api(lab_a_member).post("/api/v1/tokens/", {"name": "CI", "days": days}, format="json")
    assert response.status_code == 400
    assert "days" in response.json()
    assert not ApiToken.objects.filter(user=lab_a_member).exists()


def test_the_create_api_token_command_prints_a_working_token(token_api, lab_a_member):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", "lab-a-member", "--days", "5", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", secret)
    assert token_api(secret).get("/api/v1/me/").json()["username"] == "lab-a-member"
    assert "lab-a-member" in err.getvalue()


def test_the_create_api_token_command_refuses_an_unknown_account(db):
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody-here", stdout=io.StringIO(), stderr=io.StringIO())


def test_only_the_hash_of_a_token_is_stored(lab_a_member, issue):
    token, secret = issue(lab_a_member)
    stored = model_to_dict(ApiToken.objects.get(pk=token.pk)) | {"key_hash": ApiToken.objects.get(pk=token.pk).key_hash}
    assert all(secret not in str(value) for value in stored.values())
    assert stored["key_hash"] == hash_secret(secret)
    history = token.history.values()
    assert history and all(secret not in str(value) for row in history for value in row.values())
    assert all("key_hash" not in row for row in history)
