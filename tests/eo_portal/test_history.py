"""Every change has a history naming who made it (rule 4), whichever door it came through."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail

from eo_portal import permissions, services
from eo_portal.models import Notification, OrganisationGroupObjectPermission, OrganisationKind, Role
from tests.factories import profile_form


def test_a_change_made_on_the_edit_page_is_recorded_with_the_member_who_made_it(web, lab_a_member, lab_a):
    response = web(lab_a_member).post("/organisations/lab-a/edit/", profile_form(lab_a, description="From the page"))
    assert response.status_code == 302
    latest = lab_a.history.first()
    assert latest.description == "From the page"
    assert latest.history_user == lab_a_member
    assert latest.history_change_reason == "profile updated"


def test_a_change_made_in_the_api_is_recorded_with_the_member_who_made_it(api, lab_a_member, lab_a):
    response = api(lab_a_member).patch("/api/v1/organisations/lab-a/", {"description": "From the API"}, format="json")
    assert response.status_code == 200
    latest = lab_a.history.first()
    assert latest.description == "From the API"
    assert latest.history_user == lab_a_member


def test_a_change_made_with_a_personal_token_is_recorded_with_the_tokens_owner(token_api, lab_a_member, lab_a):
    _, secret = services.create_api_token(lab_a_member, by=lab_a_member, name="CI")
    response = token_api(secret).patch("/api/v1/organisations/lab-a/", {"description": "By token"}, format="json")
    assert response.status_code == 200
    latest = lab_a.history.first()
    assert latest.description == "By token"
    assert latest.history_user == lab_a_member


def test_a_task_records_its_change_as_the_system_user(django_capture_on_commit_callbacks, lab_a_member, lab_a_manager):
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = services.notify([lab_a_member], by=lab_a_manager, subject="Please review")
    # The e-mail task has run on commit and marked the notification as e-mailed.
    assert len(mail.outbox) == 1
    created, emailed = notification.history.order_by("history_date", "history_id")
    assert (created.history_user, created.history_change_reason) == (lab_a_manager, "notified")
    assert emailed.history_user.get_username() == settings.SYSTEM_USERNAME
    assert emailed.history_change_reason == "e-mailed"
    assert Notification.objects.get(pk=notification.pk).emailed_at is not None


def test_grants_and_revocations_are_recorded_with_the_acting_user(lab_a, lab_b, lab_b_manager, superuser):
    grant_history = OrganisationGroupObjectPermission.history.filter(
        content_object_id=lab_b.pk, group_id=lab_a.group_id, permission__codename="view_organisation"
    )
    permissions.grant_to_organisation("view_organisation", lab_b, lab_a, by=lab_b_manager)
    permissions.revoke_from_organisation("view_organisation", lab_b, lab_a, by=superuser)

    rows = list(grant_history.order_by("history_date", "history_id"))
    assert [(row.history_type, row.history_user) for row in rows] == [("+", lab_b_manager), ("-", superuser)]
    assert rows[0].history_change_reason == "granted view_organisation to Lab A"
    assert rows[1].history_change_reason == "revoked view_organisation from Lab A"
    assert not OrganisationGroupObjectPermission.objects.filter(content_object=lab_b, group=lab_a.group).exists()


def test_granting_twice_leaves_one_grant_and_one_history_row(lab_a, lab_b, superuser):
    for _ in range(2):
        permissions.grant_to_organisation("view_organisation", lab_b, lab_a, by=superuser)
    assert OrganisationGroupObjectPermission.objects.filter(content_object=lab_b, group=lab_a.group).count() == 1
    history = OrganisationGroupObjectPermission.history.filter(content_object_id=lab_b.pk, group_id=lab_a.group_id)
    assert history.count() == 1


def test_the_history_tab_shows_who_changed_which_field_from_what_to_what(web, lab_a_member, lab_a_viewer, lab_a):
    web(lab_a_member).post("/organisations/lab-a/edit/", profile_form(lab_a, name="Frontier Lab A Inc"))
    response = web(lab_a_viewer).get("/organisations/lab-a/history/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<td data-label=\"Who\">lab-a-member</td>" in content
    assert "<strong>Name</strong>: Frontier Lab A → Frontier Lab A Inc" in content
    assert "profile updated" in content


def test_a_member_added_on_the_members_page_is_recorded_with_the_manager_who_added_them(
    web, lab_a, lab_a_manager, jobseeker
):
    web(lab_a_manager).post("/organisations/lab-a/members/", {"username": "jobseeker", "role": Role.VIEWER})
    added = lab_a.memberships.get(user=jobseeker).history.get()
    assert (added.history_type, added.history_user, added.history_change_reason) == ("+", lab_a_manager, "member added")


def test_creating_an_organisation_records_its_group_and_role_grants_with_the_acting_user(superuser):
    agency = services.create_organisation(by=superuser, name="Department of Energy", short_name="DOE",
                                          kind=OrganisationKind.AGENCY)
    group_rows = list(agency.group.history.order_by("history_date", "history_id"))
    assert [row.history_type for row in group_rows] == ["+", "~"]
    assert [row.history_user for row in group_rows] == [superuser, superuser]
    assert group_rows[1].history_change_reason == "granted role eo_portal.view_organisation"
    assert agency.history.get().history_user == superuser


@pytest.mark.parametrize(("persona", "status"), [("lab_a_viewer", 200), ("lab_b_manager", 404)])
def test_the_history_tab_is_visible_to_lab_a_and_hidden_from_lab_b(request, web, lab_a, persona, status):
    user = request.getfixturevalue(persona)
    assert web(user).get("/organisations/lab-a/history/").status_code == status
