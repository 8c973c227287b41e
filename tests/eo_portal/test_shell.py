"""The portal's shell: welcome page, dashboard, sign-in, error pages, API docs, program pages, admin."""

from __future__ import annotations

import pytest
from django.conf import settings

from eo_portal import services
from tests.factories import UserFactory, profile_form

BANNER = "An official website of the United States government"
PROGRAM_PAGES = ["/reviews/", "/clearinghouse/", "/grants/", "/workforce/"]


def test_the_home_page_welcomes_anonymous_visitors_with_a_sign_in_link_and_the_banner(web):
    content = web().get("/").content.decode()
    assert BANNER in content
    assert 'href="/accounts/login/"' in content
    assert "Sign in" in content
    assert "Your work" not in content


def test_the_home_page_shows_a_signed_in_user_their_dashboard(web, lab_a_member):
    response = web(lab_a_member).get("/")
    content = response.content.decode()
    assert "Your work" in content
    assert "lab-a-member" in content
    assert [m.organisation.slug for m in response.context["memberships"]] == ["lab-a"]


def test_signing_in_with_the_demo_password_opens_the_dashboard(web):
    UserFactory(username="demo-person", password=settings.DEMO_PASSWORD)
    client = web()
    response = client.post("/accounts/login/", {"username": "demo-person", "password": settings.DEMO_PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert "Your work" in client.get("/").content.decode()


def test_signing_in_with_a_wrong_password_is_refused(web):
    UserFactory(username="demo-person", password=settings.DEMO_PASSWORD)
    client = web()
    response = client.post("/accounts/login/", {"username": "demo-person", "password": "not-the-password"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "Your work" not in client.get("/").content.decode()


@pytest.mark.parametrize("persona", ["anonymous", "lab_a_member"])
def test_the_404_page_is_in_the_portals_design(request, web, persona):
    response = web(request.getfixturevalue(persona)).get("/no-such-page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert BANNER in content
    assert "Page not found" in content


def test_the_api_schema_is_an_openapi_document_describing_the_core(web):
    response = web().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/me/", "/api/v1/organisations/", "/api/v1/organisations/{slug}/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["apiToken"]["name"] == "Authorization"


def test_the_api_docs_use_swagger_ui_served_from_the_portal_not_a_cdn(web):
    response = web().get("/api/docs/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in content
    assert "cdn.jsdelivr.net" not in content
    assert "unpkg.com" not in content


@pytest.mark.parametrize("path", PROGRAM_PAGES)
@pytest.mark.parametrize("persona", ["anonymous", "lab_a_member"])
def test_each_program_page_opens_for_anonymous_visitors_and_signed_in_people(request, web, path, persona):
    response = web(request.getfixturevalue(persona)).get(path)
    assert response.status_code == 200
    assert BANNER in response.content.decode()


# ---------------------------------------------------------------------------
# Links and redirects of the pages lead to pages. The API router's URL names
# ("organisation-list", "organisation-detail", "notification-list", "notification-read")
# must not shadow the pages' names of the same spelling.


def test_the_organisation_list_links_each_organisation_to_its_page(web, lab_a_member):
    content = web(lab_a_member).get("/organisations/").content.decode()
    assert 'href="/organisations/lab-a/"' in content
    assert 'href="/api/v1/organisations/lab-a/"' not in content


def test_the_navigation_and_the_tabs_lead_to_the_organisation_pages(web, lab_a_member):
    content = web(lab_a_member).get("/organisations/lab-a/history/").content.decode()
    assert 'href="/organisations/"' in content  # navigation and breadcrumb
    assert 'href="/organisations/lab-a/"' in content  # the Details tab
    assert "/api/v1/organisations/" not in content


def test_saving_the_edit_page_returns_to_the_organisation_page(web, lab_a_member, lab_a):
    response = web(lab_a_member).post("/organisations/lab-a/edit/", profile_form(lab_a, description="Saved"))
    assert (response.status_code, response["Location"]) == (302, "/organisations/lab-a/")


def test_the_notifications_page_posts_to_itself_and_returns_to_itself(web, lab_a_member, lab_a_manager):
    (notification,) = services.notify([lab_a_member], by=lab_a_manager, subject="No link")
    client = web(lab_a_member)
    assert f'action="/notifications/{notification.pk}/read/"' in client.get("/notifications/").content.decode()
    assert client.post(f"/notifications/{notification.pk}/read/")["Location"] == "/notifications/"
    assert client.post("/notifications/read-all/")["Location"] == "/notifications/"
