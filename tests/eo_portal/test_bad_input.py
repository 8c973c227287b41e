"""Bad input gets a clear error at the field, and nothing is lost or half-saved (rule 6)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from eo_portal import services
from eo_portal.models import Organisation, OrganisationKind, Role, Sector, validate_uei
from tests.factories import OrganisationFactory, add_member, person_in, profile_form

VALID_UEIS = ["FRNKLN2STATE", "HRBRC0UNTY12", "GR1DENERGY45", "CLEARWATER67"]
INVALID_UEIS = [
    "O12345678901",  # the letter O
    "ABCDEFGHIJK1",  # the letter I
    "012345678901",  # starts with 0
    "short",
    "FRNKLN2STAT!",
]
UEI_MESSAGE = "Enter the 12-character Unique Entity ID from SAM.gov"
COUNTY_API = "/api/v1/organisations/harbor-county/"


def form_groups(response) -> list[str]:
    """The page's form groups (label, hint, error and input of one field each), as HTML."""
    return response.content.decode().split('<div class="usa-form-group')[1:]


# ---------------------------------------------------------------------------
# The Unique Entity ID


@pytest.mark.parametrize("uei", VALID_UEIS)
def test_a_sam_gov_unique_entity_id_is_accepted_and_stored(lab_a, lab_a_member, uei):
    validate_uei(uei)
    services.update_organisation(lab_a, by=lab_a_member, uei=uei)
    lab_a.refresh_from_db()
    assert lab_a.uei == uei


@pytest.mark.parametrize("uei", INVALID_UEIS)
def test_a_malformed_unique_entity_id_is_refused_by_the_validator(uei):
    with pytest.raises(ValidationError) as refused:
        validate_uei(uei)
    assert refused.value.code == "invalid_uei"


@pytest.mark.parametrize("uei", INVALID_UEIS)
def test_the_api_refuses_a_malformed_uei_with_a_400_naming_the_field_and_keeps_the_row(api, lab_a_member, lab_a, uei):
    history_before = lab_a.history.count()
    response = api(lab_a_member).patch(
        "/api/v1/organisations/lab-a/", {"uei": uei, "description": "Should not stick"}, format="json"
    )
    assert response.status_code == 400
    assert UEI_MESSAGE in response.json()["uei"][0]
    lab_a.refresh_from_db()
    assert (lab_a.uei, lab_a.description) == ("", "")
    assert lab_a.history.count() == history_before


def test_the_api_accepts_a_valid_uei(api, lab_a_member, lab_a):
    response = api(lab_a_member).patch("/api/v1/organisations/lab-a/", {"uei": "FRNKLN2STATE"}, format="json")
    assert response.status_code == 200
    assert response.json()["uei"] == "FRNKLN2STATE"


def test_the_edit_page_shows_a_malformed_uei_error_at_the_field_and_saves_nothing(web, lab_a_member, lab_a):
    history_before = lab_a.history.count()
    response = web(lab_a_member).post(
        "/organisations/lab-a/edit/", profile_form(lab_a, uei="O12345678901", description="Should not stick")
    )
    assert response.status_code == 200
    assert UEI_MESSAGE in response.context["form"].errors["uei"][0]
    (uei_group,) = [group for group in form_groups(response) if 'for="id_uei"' in group]
    assert "usa-form-group--error" in uei_group
    assert UEI_MESSAGE in uei_group
    lab_a.refresh_from_db()
    assert (lab_a.uei, lab_a.description) == ("", "")
    assert lab_a.history.count() == history_before


@pytest.fixture
def franklin_uei_taken(lab_a, lab_a_member):
    services.update_organisation(lab_a, by=lab_a_member, uei="FRNKLN2STATE")


def test_a_uei_already_held_by_another_organisation_is_refused_and_the_row_kept(
    api, franklin_uei_taken, county_applicant
):
    response = api(county_applicant).patch(COUNTY_API, {"uei": "FRNKLN2STATE"}, format="json")
    assert response.status_code == 400
    assert Organisation.objects.get(slug="harbor-county").uei == ""


# The error names the field once, in words a person understands; typed UEIs are normalised.


def test_a_uei_already_held_by_another_organisation_is_reported_at_the_uei_field(
    api, franklin_uei_taken, county_applicant
):
    response = api(county_applicant).patch(COUNTY_API, {"uei": "FRNKLN2STATE"}, format="json")
    assert list(response.json()) == ["uei"]
    assert "Constraint" not in response.json()["uei"][0]


def test_a_malformed_uei_is_reported_once_at_its_field_on_the_page_and_in_the_api(web, api, lab_a_member, lab_a):
    page = web(lab_a_member).post("/organisations/lab-a/edit/", profile_form(lab_a, uei="O12345678901"))
    assert page.context["form"].errors.get_json_data() == {
        "uei": [{"message": page.context["form"].errors["uei"][0], "code": "invalid_uei"}]
    }
    response = api(lab_a_member).patch("/api/v1/organisations/lab-a/", {"uei": "O12345678901"}, format="json")
    assert list(response.json()) == ["uei"]
    assert len(response.json()["uei"]) == 1


@pytest.mark.parametrize("typed", ["frnkln2state", " FRNKLN2STATE "])
def test_a_uei_typed_in_lower_case_or_with_spaces_is_stored_normalised(lab_a, lab_a_member, typed):
    """People type UEIs in lower case or with spaces; the model stores SAM.gov's form."""
    services.update_organisation(lab_a, by=lab_a_member, uei=typed)
    lab_a.refresh_from_db()
    assert lab_a.uei == "FRNKLN2STATE"


# ---------------------------------------------------------------------------
# Sectors belong to critical-infrastructure operators only.


@pytest.mark.parametrize(
    ("kind", "sectors"),
    [
        (OrganisationKind.OPERATOR, []),
        (OrganisationKind.LAB, [Sector.ENERGY]),
        (OrganisationKind.LOCAL, [Sector.WATER]),
        (OrganisationKind.OPERATOR, ["not-a-sector"]),
    ],
)
def test_sectors_that_do_not_fit_the_kind_are_refused_naming_sectors(db, kind, sectors):
    with pytest.raises(ValidationError) as refused:
        OrganisationFactory(slug="refused", kind=kind, sectors=sectors)
    assert list(refused.value.message_dict) == ["sectors"]
    assert not Organisation.objects.filter(slug="refused").exists()


def test_an_operator_with_a_sector_is_created_with_it(grid_energy):
    assert list(grid_energy.sectors.values_list("sector", flat=True)) == [Sector.ENERGY]


# ---------------------------------------------------------------------------
# An organisation keeps at least one manager.


def test_removing_the_last_manager_is_refused_naming_the_field(lab_a, lab_a_manager):
    membership = lab_a.memberships.get(user=lab_a_manager)
    with pytest.raises(ValidationError) as refused:
        services.remove_member(membership, by=lab_a_manager)
    assert list(refused.value.message_dict) == ["user"]
    assert lab_a.memberships.filter(user=lab_a_manager, role=Role.MANAGER).exists()
    assert lab_a.group in lab_a_manager.groups.all()


def test_demoting_the_last_manager_is_refused_naming_the_field(lab_a, lab_a_manager):
    membership = lab_a.memberships.get(user=lab_a_manager)
    with pytest.raises(ValidationError) as refused:
        services.change_member_role(membership, by=lab_a_manager, role=Role.MEMBER)
    assert list(refused.value.message_dict) == ["role"]
    assert lab_a.memberships.get(user=lab_a_manager).role == Role.MANAGER


def test_a_manager_may_step_down_when_another_manager_remains(lab_a, lab_a_manager):
    person_in(lab_a, Role.MANAGER)
    membership = lab_a.memberships.get(user=lab_a_manager)
    services.change_member_role(membership, by=lab_a_manager, role=Role.MEMBER)
    assert lab_a.memberships.get(user=lab_a_manager).role == Role.MEMBER


def test_the_members_page_shows_why_the_last_manager_cannot_be_demoted(web, lab_a, lab_a_manager):
    membership = lab_a.memberships.get(user=lab_a_manager)
    response = web(lab_a_manager).post(
        f"/organisations/lab-a/members/{membership.pk}/role/", {"role": Role.VIEWER}, follow=True
    )
    assert "An organisation keeps at least one manager." in response.content.decode()
    assert lab_a.memberships.get(user=lab_a_manager).role == Role.MANAGER


@pytest.mark.parametrize("role", ["owner", ""])
def test_an_unknown_role_is_refused_naming_the_field(lab_a, jobseeker, role):
    with pytest.raises(ValidationError) as refused:
        add_member(lab_a, jobseeker, role=role)
    assert list(refused.value.message_dict) == ["role"]
    assert not lab_a.memberships.filter(user=jobseeker).exists()
