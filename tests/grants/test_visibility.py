"""Who sees what: opportunities are public, as on Grants.gov; an applicant organisation sees its own
applications and never another's; grant staff (OMB and the awarding agency) see every application
to their opportunities and other agencies none; everyone else sees none. An application the user
may not see answers 404, the same as one that does not exist."""

import pytest
from django.http import Http404

from eo_portal import registry
from eo_portal import services as core
from eo_portal.audit import system_user
from eo_portal.models import Organisation, Role
from grants import selectors
from grants.models import Award
from tests.factories import person_in

# Some tests here take their personas by name (request.getfixturevalue): the mark tells
# pytest-django they use the database, so they run before the tests that empty it.
pytestmark = pytest.mark.django_db

OUTSIDERS = ["other_agency_staff", "reviewer", "operator", "lab_a_member", "jobseeker", "anonymous"]


@pytest.fixture
def treasury(db):
    """Loaded by the core's data migration; awards the second opportunity here."""
    return Organisation.objects.get(slug="treasury")


@pytest.fixture
def applications(make_application, make_opportunity, treasury, other_county, state_government):
    """Applications to CISA's opportunity from Harbor County (a draft and a submitted one), Bay County
    and the State of Franklin, and one of Harbor County to an opportunity the Treasury awards."""
    treasury_opportunity = make_opportunity(agency=treasury)
    return {
        "harbor_draft": make_application("draft"),
        "harbor_submitted": make_application("submitted"),
        "bay": make_application("submitted", applicant=other_county),
        "state": make_application("under_review", applicant=state_government),
        "harbor_at_treasury": make_application("submitted", opportunity=treasury_opportunity),
    }


def visible(user) -> set[str]:
    return set(selectors.applications_visible_to(user).values_list("tracking_number", flat=True))


def numbers(applications: dict, *names: str) -> set[str]:
    return {applications[name].tracking_number for name in names}


# ---------------------------------------------------------------------------
# Applicants


def test_an_applicant_organisation_sees_only_its_own_applications(applications, county_applicant, harbor_viewer):
    own = numbers(applications, "harbor_draft", "harbor_submitted", "harbor_at_treasury")

    assert visible(county_applicant) == own
    assert visible(harbor_viewer) == own


def test_another_county_gets_404_for_the_first_countys_application_as_for_one_that_does_not_exist(
    applications, other_county_manager
):
    assert visible(other_county_manager) == numbers(applications, "bay")
    for tracking_number in (applications["harbor_submitted"].tracking_number, "GRANT-2027-9999"):
        with pytest.raises(Http404):
            selectors.get_application_for(other_county_manager, tracking_number)


def test_members_of_a_deactivated_organisation_no_longer_see_its_applications(
    applications, harbor_county, county_applicant
):
    core.deactivate_organisation(harbor_county, by=system_user())

    assert visible(county_applicant) == set()


def test_an_applicant_sees_its_own_award_and_not_another_organisations(
    make_application, county_applicant, other_county, other_county_manager
):
    own = Award.objects.get(application=make_application("awarded"))
    theirs = Award.objects.get(application=make_application("awarded", applicant=other_county))

    assert list(selectors.awards_visible_to(county_applicant)) == [own]
    assert list(selectors.awards_visible_to(other_county_manager)) == [theirs]


# ---------------------------------------------------------------------------
# Grant staff and everyone else


@pytest.mark.parametrize("staff", ["awarding_staff", "omb_staff"])
def test_grant_staff_of_the_awarding_agency_and_omb_see_every_submitted_application_to_the_opportunity(
    request, applications, staff
):
    person = request.getfixturevalue(staff)
    to_cisa = numbers(applications, "harbor_submitted", "bay", "state")

    assert to_cisa <= visible(person)
    for tracking_number in to_cisa:
        assert selectors.get_application_for(person, tracking_number).tracking_number == tracking_number


def test_an_agency_sees_the_applications_to_its_own_opportunities_only_and_omb_sees_them_all(
    applications, awarding_staff, omb_staff, treasury
):
    treasury_staff = person_in(treasury, Role.MEMBER, username="treasury-grants")
    at_treasury = applications["harbor_at_treasury"].tracking_number

    assert at_treasury not in visible(awarding_staff)
    with pytest.raises(Http404):
        selectors.get_application_for(awarding_staff, at_treasury)
    assert at_treasury in visible(omb_staff)
    assert visible(treasury_staff) == {at_treasury}


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_another_agency_the_unattested_reviewer_the_public_and_other_organisations_see_no_application(
    request, applications, persona
):
    person = request.getfixturevalue(persona)

    assert visible(person) == set()
    with pytest.raises(Http404):
        selectors.get_application_for(person, applications["harbor_submitted"].tracking_number)
    assert list(selectors.awards_visible_to(person)) == []


def test_the_core_registry_answers_as_the_selector_does(
    applications, county_applicant, other_county_manager, anonymous
):
    application = applications["harbor_submitted"]

    assert registry.can_see(county_applicant, application) is True
    assert registry.can_see(other_county_manager, application) is False
    assert registry.can_see(anonymous, application) is False


# ---------------------------------------------------------------------------
# Opportunities are public


def test_opportunities_in_every_state_are_public_to_everyone_including_anonymous(
    make_opportunity, anonymous, jobseeker
):
    made = {state: make_opportunity(state) for state in ("forecasted", "posted", "closed", "archived")}
    numbers_made = {opportunity.opportunity_number for opportunity in made.values()}

    assert set(selectors.opportunities().values_list("opportunity_number", flat=True)) == numbers_made
    for person in (anonymous, jobseeker, None):
        seen = registry.visible_to("grants.Opportunity", person)
        assert set(seen.values_list("opportunity_number", flat=True)) == numbers_made
    for opportunity in made.values():
        assert selectors.get_opportunity(opportunity.opportunity_number) == opportunity
        assert registry.can_see(anonymous, opportunity) is True


def test_an_unknown_opportunity_number_answers_404(db):
    with pytest.raises(Http404):
        selectors.get_opportunity("OMB-AICS-2027-999")
