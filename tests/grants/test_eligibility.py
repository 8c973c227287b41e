"""Eligibility: the applicant type comes from the organisation's kind (and, for a local government,
which kind of local government it is); an applicant needs a SAM.gov Unique Entity ID and an
unexpired SAM.gov registration; every reason it may not apply is given at once, in words it can act on."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from eo_portal import deadlines
from eo_portal import services as core
from eo_portal.audit import system_user
from eo_portal.models import Organisation, OrganisationKind, Role, Sector
from grants import selectors, services
from grants.models import ApplicantType, Application, applicant_type_of
from tests.factories import OrganisationFactory, person_in
from tests.grants.conftest import days_from_today, next_uei, refresh

NO_LOCAL_TYPE = (
    "Your organisation's profile does not say which kind of local government it is "
    "(county, city or township, special district)."
)
NO_UEI = "Your organisation has no Unique Entity ID (UEI) from SAM.gov on its profile."
NO_SAM = "Your organisation's profile does not record its SAM.gov registration."


def not_one_of_them(organisation) -> str:
    return f"This opportunity is open to County governments, State governments; {organisation.name} is not one of them."


def expired_on(day) -> str:
    return (
        f"Your organisation's SAM.gov registration expired on {day:%B %-d, %Y}; "
        "renew it at SAM.gov and update your profile."
    )


def organisation(kind: str, *, slug: str, uei: str | None = None, expires_in: int | None = 365, **fields):
    """An organisation of `kind` with a UEI and a registration expiring in `expires_in` days unless told otherwise."""
    sectors = [Sector.ENERGY] if kind == OrganisationKind.OPERATOR else []
    return OrganisationFactory(
        slug=slug,
        name=slug.replace("-", " ").title(),
        short_name=slug.replace("-", " ").title(),
        kind=kind,
        sectors=sectors,
        uei=next_uei("ELGB") if uei is None else uei,
        sam_registration_expires=None if expires_in is None else days_from_today(expires_in),
        **fields,
    )


# ---------------------------------------------------------------------------
# The applicant type


@pytest.mark.parametrize(
    "kind, local_type, applicant_type",
    [
        (OrganisationKind.STATE, "", ApplicantType.STATE),
        (OrganisationKind.LOCAL, "county", ApplicantType.COUNTY),
        (OrganisationKind.LOCAL, "city_township", ApplicantType.CITY_TOWNSHIP),
        (OrganisationKind.LOCAL, "special_district", ApplicantType.SPECIAL_DISTRICT),
        (OrganisationKind.TRIBAL, "", ApplicantType.TRIBAL),
        (OrganisationKind.TERRITORIAL, "", ApplicantType.TERRITORIAL),
        (OrganisationKind.OPERATOR, "", ApplicantType.OPERATOR),
        (OrganisationKind.LOCAL, "", None),
        (OrganisationKind.LAB, "", None),
        (OrganisationKind.PARTNER, "", None),
        (OrganisationKind.AGENCY, "", None),
    ],
)
def test_each_applicant_type_comes_from_the_organisation_kind_and_its_local_government_type(
    kind, local_type, applicant_type
):
    assert applicant_type_of(Organisation(kind=kind, local_government_type=local_type)) == applicant_type


@pytest.mark.parametrize(
    "kind, local_type",
    [
        (OrganisationKind.STATE, ""),
        (OrganisationKind.LOCAL, "county"),
        (OrganisationKind.LOCAL, "city_township"),
        (OrganisationKind.LOCAL, "special_district"),
        (OrganisationKind.TRIBAL, ""),
        (OrganisationKind.TERRITORIAL, ""),
        (OrganisationKind.OPERATOR, ""),
    ],
)
def test_an_organisation_of_each_applicant_type_is_eligible_where_its_type_is_invited_and_only_there(
    make_opportunity, kind, local_type
):
    applicant = organisation(kind, slug="applicant", local_government_type=local_type)
    open_to_it = make_opportunity(eligible_types=[applicant_type_of(applicant)])
    others = [value for value in ApplicantType.values if value != applicant_type_of(applicant)]
    open_to_others = make_opportunity(eligible_types=others)

    assert selectors.eligibility_of(applicant, open_to_it) == selectors.Eligibility(True, ())
    refused = selectors.eligibility_of(applicant, open_to_others)
    assert refused.eligible is False
    assert len(refused.reasons) == 1
    assert refused.reasons[0].endswith(f"{applicant.name} is not one of them.")


def test_a_local_government_that_has_not_said_which_kind_it_is_is_told_so(opportunity, harbor_county):
    harbor_county = core.update_organisation(
        harbor_county, by=system_user(), uei="HARBRCNTY123", sam_registration_expires=days_from_today(200)
    )

    assert selectors.eligibility_of(harbor_county, opportunity) == selectors.Eligibility(False, (NO_LOCAL_TYPE,))


@pytest.mark.parametrize("kind", [OrganisationKind.LAB, OrganisationKind.PARTNER, OrganisationKind.AGENCY])
def test_a_lab_a_partner_or_an_agency_is_not_eligible(opportunity, kind):
    outsider = organisation(kind, slug="outsider")

    assert selectors.eligibility_of(outsider, opportunity) == selectors.Eligibility(False, (not_one_of_them(outsider),))


def test_an_eligible_county_with_a_uei_and_an_active_registration_is_eligible(opportunity, eligible_county):
    assert selectors.eligibility_of(eligible_county, opportunity) == selectors.Eligibility(True, ())


def test_an_applicant_without_a_uei_is_refused_with_the_reason(opportunity, eligible_county):
    county = core.update_organisation(eligible_county, by=system_user(), uei="")

    assert selectors.eligibility_of(county, opportunity) == selectors.Eligibility(False, (NO_UEI,))


def test_an_applicant_whose_profile_records_no_sam_registration_is_refused_with_the_reason(
    opportunity, eligible_county
):
    county = core.update_organisation(eligible_county, by=system_user(), sam_registration_expires=None)

    assert selectors.eligibility_of(county, opportunity) == selectors.Eligibility(False, (NO_SAM,))


def test_a_sam_registration_that_expired_yesterday_is_refused_with_the_date(opportunity, eligible_county):
    yesterday = deadlines.today() - timedelta(days=1)
    county = core.update_organisation(eligible_county, by=system_user(), sam_registration_expires=yesterday)

    assert selectors.eligibility_of(county, opportunity) == selectors.Eligibility(False, (expired_on(yesterday),))


def test_a_sam_registration_that_expires_today_is_still_active_today(opportunity, eligible_county):
    county = core.update_organisation(eligible_county, by=system_user(), sam_registration_expires=deadlines.today())

    assert selectors.eligibility_of(county, opportunity) == selectors.Eligibility(True, ())


def test_the_registration_is_judged_on_the_day_asked_about(opportunity, eligible_county):
    expires = days_from_today(10)
    county = core.update_organisation(eligible_county, by=system_user(), sam_registration_expires=expires)

    assert selectors.eligibility_of(county, opportunity, on=expires).eligible is True
    assert selectors.eligibility_of(county, opportunity, on=expires + timedelta(days=1)).reasons == (
        expired_on(expires),
    )


def test_every_reason_an_applicant_may_not_apply_is_listed_at_once(opportunity):
    lapsed = deadlines.today() - timedelta(days=20)
    town = organisation(OrganisationKind.LOCAL, slug="unprepared-town", uei="", expires_in=-20)
    lab = organisation(OrganisationKind.LAB, slug="unprepared-lab", uei="", expires_in=None)

    assert selectors.eligibility_of(town, opportunity).reasons == (NO_LOCAL_TYPE, NO_UEI, expired_on(lapsed))
    assert selectors.eligibility_of(lab, opportunity).reasons == (not_one_of_them(lab), NO_UEI, NO_SAM)


# ---------------------------------------------------------------------------
# The services apply it


def test_create_application_refuses_an_applicant_of_a_type_the_opportunity_does_not_invite(
    make_opportunity, make_application, grid_energy, operator
):
    grid_energy = core.update_organisation(
        grid_energy, by=system_user(), uei="GRDNRGY00001", sam_registration_expires=days_from_today(100)
    )
    counties_and_states = make_opportunity()
    operators = make_opportunity(eligible_types=["operator"])

    with pytest.raises(ValidationError) as refused:
        make_application(opportunity=counties_and_states, applicant=grid_energy, by=operator)

    assert refused.value.message_dict == {"applicant": [not_one_of_them(grid_energy)]}
    assert not Application.objects.exists()
    assert make_application(opportunity=operators, applicant=grid_energy, by=operator).status == "draft"


def test_create_application_tells_a_local_government_without_a_local_type_why_it_is_refused(
    make_application, opportunity, harbor_county, county_applicant
):
    with pytest.raises(ValidationError) as refused:
        make_application(opportunity=opportunity, applicant=harbor_county, by=county_applicant)

    assert refused.value.message_dict == {"applicant": [NO_LOCAL_TYPE]}
    assert not Application.objects.exists()


def test_a_lab_member_cannot_apply_for_the_lab_at_all(make_application, lab_a, lab_a_member):
    with pytest.raises(PermissionDenied):
        make_application(applicant=lab_a, by=lab_a_member)

    assert not Application.objects.exists()


def test_a_viewer_of_an_eligible_county_cannot_start_an_application_and_a_member_can(make_application, eligible_county):
    viewer = person_in(eligible_county, Role.VIEWER, username="harbor-viewer")
    member = person_in(eligible_county, Role.MEMBER, username="harbor-member")

    with pytest.raises(PermissionDenied):
        make_application(by=viewer)
    assert make_application(by=member).created_by == member


def test_submit_application_refuses_a_sam_registration_that_expired_since_the_draft_was_started(
    application, eligible_county, county_applicant
):
    yesterday = deadlines.today() - timedelta(days=1)
    core.update_organisation(eligible_county, by=system_user(), sam_registration_expires=yesterday)

    with pytest.raises(ValidationError) as refused:
        services.submit_application(application, by=county_applicant)

    assert refused.value.message_dict == {"applicant": [expired_on(yesterday)]}
    assert refresh(application).status == "draft"


def test_submit_application_accepts_a_sam_registration_that_expires_on_the_day_of_submission(
    application, eligible_county, county_applicant
):
    core.update_organisation(eligible_county, by=system_user(), sam_registration_expires=deadlines.today())

    assert services.submit_application(application, by=county_applicant).status == "submitted"
