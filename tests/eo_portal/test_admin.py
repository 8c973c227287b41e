"""The Django admin: rows start from the same selectors as the portal, and changes go through the services."""

from __future__ import annotations

import pytest

from eo_portal.models import Organisation, OrganisationGroupObjectPermission, Sector
from tests.factories import person_in

ORGANISATIONS = "/admin/eo_portal/organisation/"


def admin_rows(response) -> set[str]:
    assert response.status_code == 200
    return {organisation.slug for organisation in response.context["cl"].result_list}


def change_form(organisation, **changes) -> dict:
    """The admin change form's POST data for `organisation` (slug and kind are fixed there)."""
    data = {
        "name": organisation.name,
        "short_name": organisation.short_name,
        "uei": organisation.uei,
        "description": organisation.description,
        "website": organisation.website,
        "security_contact_email": organisation.security_contact_email,
        "is_active": "on" if organisation.is_active else "",
        "sectors": [row.sector for row in organisation.sectors.all()],
    }
    return {name: value for name, value in (data | changes).items() if value != ""}


def test_the_admin_organisation_list_opens_for_a_superuser(web, superuser, lab_a, lab_b):
    assert {"lab-a", "lab-b", "cisa"} <= admin_rows(web(superuser).get(ORGANISATIONS))


def test_cisa_staff_see_every_organisation_in_the_admin(web, agency_staff, lab_a, lab_b):
    assert {"lab-a", "lab-b", "cisa", "nsa"} <= admin_rows(web(agency_staff).get(ORGANISATIONS))


def test_lab_staff_see_only_their_own_organisation_in_the_admin(web, lab_a, lab_b):
    lab_staff = person_in(lab_a, is_staff=True)
    assert not lab_staff.has_perm("eo_portal.view_organisation")
    assert admin_rows(web(lab_staff).get(ORGANISATIONS)) == {"lab-a"}


def test_a_signed_in_person_who_is_not_staff_is_sent_to_the_admin_sign_in(web, lab_a_manager):
    response = web(lab_a_manager).get(ORGANISATIONS)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_change_in_the_admin_goes_through_the_services_with_the_acting_user(web, superuser, lab_a, lab_a_member):
    response = web(superuser).post(f"{ORGANISATIONS}{lab_a.pk}/change/", change_form(lab_a, description="Via admin",
                                                                                      is_active=""))
    assert response.status_code == 302
    deactivated, updated = lab_a.history.all()[:2]
    assert (updated.description, updated.history_user, updated.history_change_reason) == (
        "Via admin", superuser, "profile updated"
    )
    assert (deactivated.is_active, deactivated.history_user, deactivated.history_change_reason) == (
        False, superuser, "deactivated"
    )
    assert web(lab_a_member).get("/organisations/lab-a/").status_code == 404


def test_the_admin_refuses_an_operator_without_sectors_at_the_sectors_field(web, superuser, grid_energy):
    response = web(superuser).post(f"{ORGANISATIONS}{grid_energy.pk}/change/", change_form(grid_energy, sectors=[]))
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["sectors"]
    assert list(grid_energy.sectors.values_list("sector", flat=True)) == [Sector.ENERGY]


def test_adding_an_organisation_in_the_admin_creates_it_through_the_service(web, superuser):
    response = web(superuser).post(
        f"{ORGANISATIONS}add/",
        {"name": "Frontier Lab C", "short_name": "Lab C", "slug": "lab-c", "kind": "lab", "is_active": "on"},
    )
    assert response.status_code == 302
    lab_c = Organisation.objects.get(slug="lab-c")
    assert lab_c.group.name == "organisation:lab-c"
    grants = OrganisationGroupObjectPermission.objects.filter(content_object=lab_c, group=lab_c.group)
    assert {grant.permission.codename for grant in grants} == {"view_organisation", "change_organisation",
                                                               "manage_members"}
    assert lab_c.history.get().history_user == superuser


@pytest.mark.parametrize(
    "path",
    ["membership/", "notification/", "apitoken/", "organisationgroupobjectpermission/", "organisation/add/"],
)
def test_the_core_admin_pages_open_for_a_superuser(web, superuser, lab_a, path):
    assert web(superuser).get(f"/admin/eo_portal/{path}").status_code == 200
