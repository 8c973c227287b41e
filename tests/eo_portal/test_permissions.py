"""Who sees and changes which organisation, on the pages and in the API (rules 2 and 3)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied

from eo_portal import permissions, selectors, services
from eo_portal.models import Organisation
from tests.factories import person_in

ORGANISATION_PAGES = ["/organisations/{}/", "/organisations/{}/history/", "/organisations/{}/edit/"]
ORGANISATION_API = "/api/v1/organisations/{}/"
# Every page of an organisation, including the managers' members page, answers 404 when hidden.
HIDDEN_PAGES = [*ORGANISATION_PAGES, "/organisations/{}/members/"]


def without_csrf_token(content: bytes) -> bytes:
    """Each rendering masks the CSRF token afresh; nothing else may differ between two 404s."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b'name="csrfmiddlewaretoken"', content)


def api_slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


# ---------------------------------------------------------------------------
# One organisation cannot see another.


@pytest.mark.parametrize("page", ORGANISATION_PAGES)
def test_a_member_of_lab_a_gets_404_for_lab_b_on_the_page_while_seeing_its_own(web, lab_a_member, lab_b, page):
    client = web(lab_a_member)
    assert client.get(page.format("lab-b")).status_code == 404
    assert client.get(page.format("lab-a")).status_code == 200


def test_a_member_of_lab_a_gets_404_for_lab_b_in_the_api_while_seeing_its_own(api, lab_a_member, lab_b):
    client = api(lab_a_member)
    assert client.get(ORGANISATION_API.format("lab-b")).status_code == 404
    assert client.patch(ORGANISATION_API.format("lab-b"), {"description": "mine now"}, format="json").status_code == 404
    assert client.get(ORGANISATION_API.format("lab-a")).json()["slug"] == "lab-a"
    assert api_slugs(client.get("/api/v1/organisations/")) == ["lab-a"]
    lab_b.refresh_from_db()
    assert lab_b.description == ""


def test_the_organisation_list_page_shows_only_the_members_own_organisation(web, lab_a_member, lab_b):
    content = web(lab_a_member).get("/organisations/").content.decode()
    assert "Frontier Lab A" in content
    assert "Frontier Lab B" not in content


@pytest.mark.parametrize("page", HIDDEN_PAGES)
def test_the_404_page_for_an_invisible_organisation_is_the_404_page_for_a_missing_one(web, lab_a_member, lab_b, page):
    client = web(lab_a_member)
    hidden = client.get(page.format("lab-b"))
    missing = client.get(page.format("no-such-lab"))
    assert hidden.status_code == missing.status_code == 404
    assert without_csrf_token(hidden.content) == without_csrf_token(missing.content)


@pytest.mark.parametrize("method", ["get", "patch"])
def test_the_api_404_for_an_invisible_organisation_is_the_404_for_a_missing_one(api, lab_a_member, lab_b, method):
    client = api(lab_a_member)
    hidden = getattr(client, method)(ORGANISATION_API.format("lab-b"), {}, format="json")
    missing = getattr(client, method)(ORGANISATION_API.format("no-such-lab"), {}, format="json")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_agency_staff_see_every_organisation_in_the_list_and_in_detail(
    web, api, agency_staff, lab_a, lab_b, partner_a, grid_energy
):
    every_slug = set(Organisation.objects.values_list("slug", flat=True))
    assert {"lab-a", "lab-b", "partner-a", "grid-energy", "cisa", "nsa"} <= every_slug
    assert set(api_slugs(api(agency_staff).get("/api/v1/organisations/"))) == every_slug
    page = web(agency_staff).get("/organisations/").content.decode()
    assert all(name in page for name in ("Frontier Lab A", "Frontier Lab B", "Trusted Partner A", "Grid Energy"))
    assert web(agency_staff).get("/organisations/lab-b/").status_code == 200
    assert api(agency_staff).get(ORGANISATION_API.format("lab-b")).status_code == 200


def test_agency_staff_may_see_a_lab_but_not_change_it(api, agency_staff, lab_a):
    response = api(agency_staff).patch(ORGANISATION_API.format("lab-a"), {"description": "CISA"}, format="json")
    assert response.status_code == 403
    lab_a.refresh_from_db()
    assert lab_a.description == ""


def test_a_partner_does_not_see_labs_that_agency_staff_see(api, partner_manager, lab_a):
    assert api_slugs(api(partner_manager).get("/api/v1/organisations/")) == ["partner-a"]
    assert api(partner_manager).get(ORGANISATION_API.format("lab-a")).status_code == 404


# ---------------------------------------------------------------------------
# Anonymous visitors.

SIGNED_IN_PAGES = ["/organisations/", "/organisations/lab-a/", "/organisations/lab-a/history/", "/notifications/",
                   "/accounts/profile/"]
SIGNED_IN_API = ["/api/v1/me/", "/api/v1/organisations/", "/api/v1/organisations/lab-a/", "/api/v1/notifications/",
                 "/api/v1/tokens/"]


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_anonymous_is_sent_to_sign_in_on_pages_that_a_member_can_open(web, lab_a_member, path):
    response = web().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"
    assert web(lab_a_member).get(path).status_code == 200


@pytest.mark.parametrize("path", SIGNED_IN_API)
def test_anonymous_gets_401_in_the_api_where_a_member_gets_200(api, lab_a_member, path):
    response = api().get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert api(lab_a_member).get(path).status_code == 200


# ---------------------------------------------------------------------------
# Roles: a viewer views, a member changes, a manager manages members.

CHANGE_BY_ROLE = [("lab_a_viewer", 403), ("lab_a_member", 200), ("lab_a_manager", 200)]


@pytest.mark.parametrize(("persona", "status"), CHANGE_BY_ROLE)
def test_a_viewer_cannot_change_lab_a_in_the_api_where_a_member_can(request, api, lab_a, persona, status):
    user = request.getfixturevalue(persona)
    response = api(user).patch(ORGANISATION_API.format("lab-a"), {"description": "Changed"}, format="json")
    assert response.status_code == status
    lab_a.refresh_from_db()
    assert lab_a.description == ("Changed" if status == 200 else "")


@pytest.mark.parametrize(("persona", "status"), CHANGE_BY_ROLE)
def test_a_viewer_cannot_open_the_edit_page_where_a_member_can(request, web, persona, status):
    user = request.getfixturevalue(persona)
    assert web(user).get("/organisations/lab-a/edit/").status_code == status


def test_a_viewer_posting_the_edit_form_is_refused_and_nothing_changes(web, lab_a_viewer, lab_a):
    response = web(lab_a_viewer).post("/organisations/lab-a/edit/", {"name": "Taken over", "short_name": "Lab A"})
    assert response.status_code == 403
    lab_a.refresh_from_db()
    assert lab_a.name == "Frontier Lab A"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("lab_a_manager", 200), ("lab_a_member", 403), ("lab_a_viewer", 403), ("lab_b_manager", 404)],
)
def test_only_a_manager_may_open_the_members_page(request, web, persona, status):
    user = request.getfixturevalue(persona)
    assert web(user).get("/organisations/lab-a/members/").status_code == status


@pytest.mark.parametrize(("persona", "status"), [("lab_a_manager", 302), ("lab_a_member", 403)])
def test_only_a_manager_may_add_a_member(request, web, lab_a, jobseeker, persona, status):
    user = request.getfixturevalue(persona)
    response = web(user).post("/organisations/lab-a/members/", {"username": "jobseeker", "role": "viewer"})
    assert response.status_code == status
    assert lab_a.memberships.filter(user=jobseeker).exists() == (status == 302)


@pytest.mark.parametrize("action", ["remove", "role"])
def test_a_member_cannot_remove_or_promote_anyone(web, lab_a, lab_a_member, lab_a_viewer, action):
    viewer_membership = lab_a.memberships.get(user=lab_a_viewer)
    response = web(lab_a_member).post(
        f"/organisations/lab-a/members/{viewer_membership.pk}/{action}/", {"role": "manager"}
    )
    assert response.status_code == 404
    assert lab_a.memberships.get(user=lab_a_viewer).role == "viewer"


@pytest.mark.parametrize(("action", "remains"), [("remove", False), ("role", True)])
def test_a_manager_can_remove_or_promote_a_member(web, lab_a, lab_a_manager, lab_a_viewer, action, remains):
    viewer_membership = lab_a.memberships.get(user=lab_a_viewer)
    response = web(lab_a_manager).post(
        f"/organisations/lab-a/members/{viewer_membership.pk}/{action}/", {"role": "manager"}
    )
    assert response.status_code == 302
    assert lab_a.memberships.filter(user=lab_a_viewer, role="manager").exists() == remains
    assert lab_a.memberships.filter(user=lab_a_viewer).exists() == remains


# ---------------------------------------------------------------------------
# Access follows grants and the organisation's state at once.


def test_revoking_a_grant_removes_access_at_the_next_request(web, api, lab_a_member, lab_a, superuser):
    assert web(lab_a_member).get("/organisations/lab-a/").status_code == 200
    permissions.revoke_from_organisation("view_organisation", lab_a, lab_a, by=superuser)
    assert web(lab_a_member).get("/organisations/lab-a/").status_code == 404
    assert api(lab_a_member).get(ORGANISATION_API.format("lab-a")).status_code == 404
    assert api_slugs(api(lab_a_member).get("/api/v1/organisations/")) == []


def test_granting_another_organisation_view_lets_its_members_see_it(web, lab_a_member, lab_a, lab_b, superuser):
    assert web(lab_a_member).get("/organisations/lab-b/").status_code == 404
    permissions.grant_to_organisation("view_organisation", lab_b, lab_a, by=superuser)
    assert web(lab_a_member).get("/organisations/lab-b/").status_code == 200


def test_revoking_the_agency_role_leaves_agency_staff_only_their_own_agency(api, agency_staff, cisa, lab_a, superuser):
    assert "lab-a" in api_slugs(api(agency_staff).get("/api/v1/organisations/"))
    permissions.revoke_role_from_organisation("eo_portal.view_organisation", cisa, by=superuser)
    assert api_slugs(api(agency_staff).get("/api/v1/organisations/")) == ["cisa"]
    assert api(agency_staff).get(ORGANISATION_API.format("lab-a")).status_code == 404


@pytest.mark.parametrize("action", ["remove", "role"])
def test_a_manager_of_lab_b_cannot_reach_a_lab_a_membership_through_lab_bs_address(
    web, lab_a, lab_a_member, lab_b_manager, action
):
    membership = lab_a.memberships.get(user=lab_a_member)
    response = web(lab_b_manager).post(f"/organisations/lab-b/members/{membership.pk}/{action}/", {"role": "viewer"})
    assert response.status_code == 404
    assert lab_a.memberships.get(user=lab_a_member).role == "member"


@pytest.mark.parametrize("who", ["nobody", "anonymous", "inactive member"])
def test_restrict_returns_nothing_without_an_active_signed_in_user(lab_a, lab_a_member, anonymous, who):
    user = {"nobody": None, "anonymous": anonymous, "inactive member": person_in(lab_a, is_active=False)}[who]
    assert not permissions.restrict(Organisation.objects.all(), user).exists()
    assert list(permissions.restrict(Organisation.objects.all(), lab_a_member)) == [lab_a]


def test_restrict_without_a_user_denies_even_a_change_permission(lab_a):
    assert not permissions.restrict(Organisation.objects.all(), None, "change").exists()
    assert not permissions.has_object_permission(None, "change_organisation", lab_a)


def test_deactivating_an_organisation_removes_its_members_access(web, api, lab_a_member, lab_a, superuser):
    assert web(lab_a_member).get("/organisations/lab-a/").status_code == 200
    assert permissions.has_object_permission(lab_a_member, "change_organisation", lab_a)

    services.deactivate_organisation(lab_a, by=superuser)

    assert web(lab_a_member).get("/organisations/lab-a/").status_code == 404
    assert api(lab_a_member).get(ORGANISATION_API.format("lab-a")).status_code == 404
    assert not selectors.organisations_visible_to(lab_a_member).exists()
    assert not permissions.has_object_permission(lab_a_member, "change_organisation", lab_a)


def test_reactivating_an_organisation_gives_its_members_access_again(web, lab_a_member, lab_a, superuser):
    services.deactivate_organisation(lab_a, by=superuser)
    services.reactivate_organisation(lab_a, by=superuser)
    assert web(lab_a_member).get("/organisations/lab-a/").status_code == 200


def test_only_a_holder_of_the_change_role_may_deactivate_an_organisation(lab_a, lab_a_manager):
    with pytest.raises(PermissionDenied):
        services.deactivate_organisation(lab_a, by=lab_a_manager)
    lab_a.refresh_from_db()
    assert lab_a.is_active


# ---------------------------------------------------------------------------
# A person's own permissions, read in one statement of permission ids.


def test_personal_permissions_are_told_apart_by_where_they_are_held(lab_a_member, lab_b, superuser):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    lab_a_member.user_permissions.add(Permission.objects.get(codename="add_organisation"))
    permissions.grant_to_user("change_organisation", lab_b, lab_a_member, by=superuser)
    fresh = get_user_model().objects.get(pk=lab_a_member.pk)

    assert "eo_portal.add_organisation" in permissions.role_permissions_of(fresh)
    assert "eo_portal.change_organisation" not in permissions.role_permissions_of(fresh)
    assert permissions.object_permissions_held_by(fresh) == {"eo_portal.change_organisation"}
    assert permissions.has_object_permission(fresh, "change_organisation", lab_b)


def test_a_permission_made_after_the_process_read_them_is_named_too(lab_a_member, lab_b, superuser):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    permissions.role_permissions_of(lab_a_member)  # the process's table of permissions is read
    late = Permission.objects.create(
        codename="audit_organisation", name="Can audit", content_type=ContentType.objects.get_for_model(Organisation)
    )
    get_user_model().objects.get(pk=lab_a_member.pk).user_permissions.add(late)

    assert "eo_portal.audit_organisation" in permissions.role_permissions_of(
        get_user_model().objects.get(pk=lab_a_member.pk)
    )


def test_every_organisation_grant_table_is_indexed_by_group_then_object():
    """`restrict` reads a group's grants in key order from this index (bench/README.md, 18)."""
    from django.apps import apps
    from guardian.models import GroupObjectPermissionBase
    from guardian.models.models import BaseGenericObjectPermission

    tables = [
        model
        for model in apps.get_models()
        if issubclass(model, GroupObjectPermissionBase) and not issubclass(model, BaseGenericObjectPermission)
    ]
    assert len(tables) == 7
    for model in tables:
        assert [index.fields for index in model._meta.indexes] == [["group", "content_object", "permission"]], model
