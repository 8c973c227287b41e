"""The defensive-tools catalogue: agencies offer tools, eligible organisations request them once
at a time, the providing agency decides, the requester may withdraw, and only the two sides see
a request."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from clearinghouse import selectors, services
from clearinghouse.models import DefensiveTool, ToolRequest
from clearinghouse.workflow import MoveNotAllowed, ToolRequestStatus
from eo_portal.models import Notification, OrganisationKind, Role
from tests.clearinghouse.conftest import refresh, subjects_of
from tests.factories import person_in

# Some tests here take their personas by name (request.getfixturevalue): the mark tells
# pytest-django they use the database, so they run before the tests that empty it.
pytestmark = pytest.mark.django_db

TOOL = {
    "name": "Agent Watch",
    "slug": "agent-watch",
    "capability": "Detects AI agents calling tools they were never meant to call.",
    "description": "A hosted service that reads your agent logs and flags unexpected tool calls.",
    "eligible_kinds": [OrganisationKind.LOCAL, OrganisationKind.STATE],
    "delivery_method": "hosted",
}


@pytest.fixture
def cisa_viewer(cisa):
    return person_in(cisa, Role.VIEWER, username="cisa-viewer")


@pytest.fixture
def harbor_viewer(harbor_county):
    return person_in(harbor_county, Role.VIEWER, username="harbor-viewer")


@pytest.fixture
def tool(cisa, agency_staff):
    return services.create_tool(by=agency_staff, provider=cisa, **TOOL)


@pytest.fixture
def requested(tool, harbor_county, county_applicant):
    return services.request_tool(
        tool, by=county_applicant, organisation=harbor_county, justification="Our 911 dispatch uses AI agents."
    )


def latest_body(user) -> str:
    return Notification.objects.filter(recipient=user).latest("id").body


# ---------------------------------------------------------------------------
# The catalogue


def test_an_agency_member_offers_a_tool_as_its_provider(tool, cisa, agency_staff, anonymous):
    assert (tool.provider, tool.is_available) == (cisa, True)
    assert tool.history.get().history_user == agency_staff
    assert selectors.get_tool_for(anonymous, tool.slug) == tool


def test_only_an_agency_provides_a_tool(grid_energy, operator):
    with pytest.raises(ValidationError) as caught:
        services.create_tool(by=operator, provider=grid_energy, **TOOL)

    assert "provider" in caught.value.message_dict
    assert not DefensiveTool.objects.exists()


@pytest.mark.parametrize("persona", ["nist_member", "cisa_viewer", "operator"])
def test_only_the_providing_agencys_members_offer_its_tools(request, cisa, persona):
    with pytest.raises(PermissionDenied):
        services.create_tool(by=request.getfixturevalue(persona), provider=cisa, **TOOL)
    assert not DefensiveTool.objects.exists()


@pytest.mark.parametrize(
    "eligible_kinds",
    [[], [OrganisationKind.LAB], [OrganisationKind.AGENCY], [OrganisationKind.PARTNER], ["everyone"]],
    ids=["no one", "labs", "agencies", "partners", "unknown"],
)
def test_a_tool_is_offered_to_state_local_tribal_territorial_governments_and_operators_only(
    cisa, agency_staff, eligible_kinds
):
    with pytest.raises(ValidationError) as caught:
        services.create_tool(by=agency_staff, provider=cisa, **{**TOOL, "eligible_kinds": eligible_kinds})

    assert "eligible_kinds" in caught.value.message_dict
    assert not DefensiveTool.objects.exists()


def test_a_tool_taken_off_the_catalogue_is_seen_by_its_provider_only(tool, agency_staff, nist_member, anonymous):
    services.update_tool(tool, by=agency_staff, is_available=False)

    assert selectors.get_tool_for(agency_staff, tool.slug) == tool
    for outsider in (nist_member, anonymous):
        with pytest.raises(Http404):
            selectors.get_tool_for(outsider, tool.slug)


def test_only_the_provider_changes_a_tool(tool, nist_member):
    with pytest.raises(PermissionDenied):
        services.update_tool(tool, by=nist_member, is_available=False)
    assert refresh(tool).is_available


# ---------------------------------------------------------------------------
# Requests: who may ask


def test_eligible_organisations_may_request_and_others_may_not(
    tool, harbor_county, county_applicant, lab_a_manager, operator, agency_staff, harbor_viewer, anonymous
):
    assert selectors.requesting_organisations(county_applicant, tool) == [harbor_county]
    # A lab, an operator (not eligible for this tool), the provider and a viewer may not.
    for person in (lab_a_manager, operator, agency_staff, harbor_viewer, anonymous, None):
        assert selectors.requesting_organisations(person, tool) == []


def test_a_lab_cannot_request_a_tool(tool, lab_a, lab_a_manager):
    with pytest.raises(PermissionDenied):
        services.request_tool(tool, by=lab_a_manager, organisation=lab_a, justification="We want it too.")
    assert not ToolRequest.objects.exists()


def test_an_organisation_of_a_kind_the_tool_is_not_offered_to_cannot_request(tool, grid_energy, operator):
    with pytest.raises(PermissionDenied):
        services.request_tool(tool, by=operator, organisation=grid_energy, justification="Grid operations.")
    assert not ToolRequest.objects.exists()


def test_a_viewer_cannot_request_for_the_organisation(tool, harbor_county, harbor_viewer):
    with pytest.raises(PermissionDenied):
        services.request_tool(tool, by=harbor_viewer, organisation=harbor_county, justification="For dispatch.")
    assert not ToolRequest.objects.exists()


def test_no_one_requests_for_an_organisation_they_do_not_belong_to(tool, harbor_county, state_official):
    with pytest.raises(PermissionDenied):
        services.request_tool(tool, by=state_official, organisation=harbor_county, justification="On their behalf.")
    assert not ToolRequest.objects.exists()


def test_a_tool_off_the_catalogue_cannot_be_requested(tool, agency_staff, harbor_county, county_applicant):
    tool = services.update_tool(tool, by=agency_staff, is_available=False)

    with pytest.raises(PermissionDenied):
        services.request_tool(tool, by=county_applicant, organisation=harbor_county, justification="Still want it.")


def test_a_request_says_what_the_tool_is_for(tool, harbor_county, county_applicant):
    with pytest.raises(ValidationError) as caught:
        services.request_tool(tool, by=county_applicant, organisation=harbor_county, justification="  ")

    assert "justification" in caught.value.message_dict
    assert not ToolRequest.objects.exists()


def test_a_request_is_recorded_and_the_provider_is_told(
    requested, harbor_county, county_applicant, agency_staff, nist_member
):
    assert (requested.organisation, requested.requested_by, requested.status) == (
        harbor_county,
        county_applicant,
        ToolRequestStatus.REQUESTED,
    )
    assert subjects_of(agency_staff) == ["Harbor County requests Agent Watch"]
    assert subjects_of(nist_member) == []


def test_an_organisation_has_one_open_request_per_tool(requested, tool, harbor_county, county_applicant):
    with pytest.raises(ValidationError) as caught:
        services.request_tool(tool, by=county_applicant, organisation=harbor_county, justification="Again.")

    assert "tool" in caught.value.message_dict
    assert ToolRequest.objects.count() == 1


def test_once_decided_the_organisation_may_ask_again(requested, tool, harbor_county, county_applicant, agency_staff):
    services.decide_tool_request(requested, by=agency_staff, approve=False, note="No capacity this quarter.")

    again = services.request_tool(tool, by=county_applicant, organisation=harbor_county, justification="Next quarter?")

    assert again.pk != requested.pk
    assert ToolRequest.objects.filter(status=ToolRequestStatus.REQUESTED).get() == again


def test_another_organisation_may_request_the_same_tool(requested, tool, lakeshore_state, state_official):
    other = services.request_tool(tool, by=state_official, organisation=lakeshore_state, justification="State SOC.")

    assert other.status == ToolRequestStatus.REQUESTED
    assert ToolRequest.objects.count() == 2


# ---------------------------------------------------------------------------
# Decisions


def test_the_provider_approves_and_the_requester_is_told(requested, agency_staff, county_applicant, lab_a_manager):
    decided = services.decide_tool_request(requested, by=agency_staff, approve=True)

    decided = refresh(decided)
    assert (decided.status, decided.decided_by) == (ToolRequestStatus.APPROVED, agency_staff)
    assert decided.decided_at is not None
    assert subjects_of(county_applicant) == ["Your request for Agent Watch was approved"]
    assert subjects_of(lab_a_manager) == []


def test_declining_needs_a_note_which_the_requester_receives(requested, agency_staff, county_applicant):
    with pytest.raises(ValidationError) as caught:
        services.decide_tool_request(requested, by=agency_staff, approve=False, note=" ")
    assert "decision_note" in caught.value.message_dict
    assert refresh(requested).status == ToolRequestStatus.REQUESTED

    services.decide_tool_request(requested, by=agency_staff, approve=False, note="Your county is not yet onboarded.")

    declined = refresh(requested)
    assert (declined.status, declined.decision_note) == (
        ToolRequestStatus.DECLINED,
        "Your county is not yet onboarded.",
    )
    assert subjects_of(county_applicant) == ["Your request for Agent Watch was declined"]
    assert latest_body(county_applicant) == "Your county is not yet onboarded."


@pytest.mark.parametrize("persona", ["nist_member", "treasury_analyst", "cisa_viewer", "county_applicant"])
def test_only_the_providing_agencys_members_decide(request, requested, persona):
    with pytest.raises(PermissionDenied):
        services.decide_tool_request(requested, by=request.getfixturevalue(persona), approve=True)
    assert refresh(requested).status == ToolRequestStatus.REQUESTED


def test_a_decided_request_is_not_decided_again(requested, agency_staff):
    services.decide_tool_request(requested, by=agency_staff, approve=True)

    with pytest.raises(MoveNotAllowed):
        services.decide_tool_request(requested, by=agency_staff, approve=False, note="Changed our mind.")
    assert refresh(requested).status == ToolRequestStatus.APPROVED


# ---------------------------------------------------------------------------
# Withdrawal


def test_the_requester_withdraws_an_open_request(requested, county_applicant):
    services.withdraw_tool_request(requested, by=county_applicant)

    withdrawn = refresh(requested)
    assert withdrawn.status == ToolRequestStatus.WITHDRAWN
    assert withdrawn.history.latest().history_user == county_applicant


@pytest.mark.parametrize("persona", ["agency_staff", "state_official", "harbor_viewer"])
def test_no_one_else_withdraws_it(request, requested, persona):
    with pytest.raises(PermissionDenied):
        services.withdraw_tool_request(requested, by=request.getfixturevalue(persona))
    assert refresh(requested).status == ToolRequestStatus.REQUESTED


def test_a_decided_request_cannot_be_withdrawn(requested, agency_staff, county_applicant):
    services.decide_tool_request(requested, by=agency_staff, approve=True)

    with pytest.raises(MoveNotAllowed):
        services.withdraw_tool_request(requested, by=county_applicant)
    assert refresh(requested).status == ToolRequestStatus.APPROVED


# ---------------------------------------------------------------------------
# Who sees a request


def test_the_requester_and_the_provider_see_a_request_and_a_third_organisation_gets_404(
    requested, county_applicant, harbor_viewer, agency_staff, nist_member, state_official, lab_a_manager, anonymous
):
    for side in (county_applicant, harbor_viewer, agency_staff):
        assert selectors.get_tool_request_for(side, requested.pk) == requested
        assert list(selectors.tool_requests_visible_to(side)) == [requested]
    for outsider in (nist_member, state_official, lab_a_manager, anonymous, None):
        assert not selectors.tool_requests_visible_to(outsider).exists()
        with pytest.raises(Http404):
            selectors.get_tool_request_for(outsider, requested.pk)


@pytest.mark.parametrize("request_id", [999_999, "abc"])
def test_a_missing_request_answers_404(agency_staff, request_id):
    with pytest.raises(Http404):
        selectors.get_tool_request_for(agency_staff, request_id)
