"""An organisation's group is kept in step with its memberships, so grants follow people."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from eo_portal import services
from eo_portal.models import Role
from tests.factories import add_member


def test_adding_a_member_puts_them_in_the_organisations_group(lab_a, jobseeker):
    assert lab_a.group not in jobseeker.groups.all()
    add_member(lab_a, jobseeker, role=Role.VIEWER)
    assert lab_a.group in jobseeker.groups.all()
    assert lab_a.memberships.get(user=jobseeker).role == Role.VIEWER


def test_removing_a_member_takes_them_out_of_the_organisations_group(lab_a, lab_a_manager, lab_a_member):
    assert lab_a.group in lab_a_member.groups.all()
    services.remove_member(lab_a.memberships.get(user=lab_a_member), by=lab_a_manager)
    assert lab_a.group not in lab_a_member.groups.all()
    assert not lab_a.memberships.filter(user=lab_a_member).exists()


def test_a_member_added_on_the_members_page_joins_the_group_and_sees_the_organisation(
    web, lab_a, lab_a_manager, jobseeker
):
    assert web(jobseeker).get("/organisations/lab-a/").status_code == 404
    web(lab_a_manager).post("/organisations/lab-a/members/", {"username": "jobseeker", "role": Role.MEMBER})
    assert lab_a.group in jobseeker.groups.all()
    assert web(jobseeker).get("/organisations/lab-a/").status_code == 200


def test_a_member_removed_on_the_members_page_leaves_the_group_and_loses_access(
    web, lab_a, lab_a_manager, lab_a_member
):
    membership = lab_a.memberships.get(user=lab_a_member)
    web(lab_a_manager).post(f"/organisations/lab-a/members/{membership.pk}/remove/")
    assert lab_a.group not in lab_a_member.groups.all()
    assert web(lab_a_member).get("/organisations/lab-a/").status_code == 404


def test_the_same_person_cannot_be_added_twice(lab_a, lab_a_member):
    with pytest.raises(ValidationError) as refused:
        add_member(lab_a, lab_a_member, role=Role.MANAGER)
    assert list(refused.value.message_dict) == ["user"]
    assert lab_a.memberships.get(user=lab_a_member).role == Role.MEMBER


@pytest.mark.parametrize("persona", ["lab_a_member", "lab_b_manager"])
def test_only_a_manager_of_the_organisation_may_add_members_through_the_service(request, lab_a, jobseeker, persona):
    with pytest.raises(PermissionDenied):
        services.add_member(lab_a, jobseeker, by=request.getfixturevalue(persona))
    assert lab_a.group not in jobseeker.groups.all()


def test_a_manager_adds_a_member_through_the_service(lab_a, lab_a_manager, jobseeker):
    services.add_member(lab_a, jobseeker, by=lab_a_manager)
    assert lab_a.memberships.get(user=jobseeker).role == Role.MEMBER
