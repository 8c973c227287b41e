"""Opportunities: OMB's grant staff create them for any agency, an agency's staff for their own only;
their fields are checked (weights, assistance listing, number, floor ≤ ceiling ≤ total funding);
they move forecasted → posted → closed → archived and no other way; once posted they change only by
an amendment, which is kept in the history and told to every organisation holding an application."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from eo_portal import deadlines
from eo_portal.models import Role
from grants import selectors, services
from grants.models import Amendment, Opportunity
from grants.workflow import MoveNotAllowed
from tests.factories import person_in
from tests.grants.conftest import CRITERIA, OPPORTUNITY, notified, refresh

# Some tests here take their personas by name (request.getfixturevalue): the mark tells
# pytest-django they use the database, so they run before the tests that empty it.
pytestmark = pytest.mark.django_db

MOVES = {
    "post": services.post_opportunity,
    "close": services.close_opportunity,
    "archive": services.archive_opportunity,
}
ALLOWED_MOVES = [("forecasted", "post", "posted"), ("posted", "close", "closed"), ("closed", "archive", "archived")]
WRONG_MOVES = [
    (state, move)
    for state in ("forecasted", "posted", "closed", "archived")
    for move in MOVES
    if (state, move) not in {(source, name) for source, name, _ in ALLOWED_MOVES}
]


def fields(**changes) -> dict:
    return {
        **OPPORTUNITY,
        "opportunity_number": "OMB-AICS-2027-900",
        "close_at": timezone.now() + timedelta(days=30),
    } | (changes)


# ---------------------------------------------------------------------------
# Who creates opportunities


def test_omb_grant_staff_create_opportunities_for_any_agency_and_administer_them_with_that_agency(
    omb_staff, cisa, nist, awarding_staff, reviewer, other_agency_staff
):
    for_cisa = services.create_opportunity(by=omb_staff, awarding_agency=cisa, criteria=CRITERIA, **fields())
    for_nist = services.create_opportunity(
        by=omb_staff, awarding_agency=nist, criteria=CRITERIA, **fields(opportunity_number="OMB-AICS-2027-901")
    )

    assert (for_cisa.status, for_cisa.awarding_agency, for_nist.awarding_agency) == ("forecasted", cisa, nist)
    assert [selectors.may_administer(person, for_cisa) for person in (omb_staff, awarding_staff, reviewer)] == [
        True,
        True,
        False,
    ]
    assert [selectors.may_administer(person, for_nist) for person in (omb_staff, reviewer, awarding_staff)] == [
        True,
        True,
        False,
    ]
    assert selectors.may_administer(other_agency_staff, for_cisa) is False


def test_an_agency_member_creates_opportunities_for_their_own_agency(awarding_staff, cisa, omb_staff):
    created = services.create_opportunity(by=awarding_staff, awarding_agency=cisa, criteria=CRITERIA, **fields())

    assert created.created_by == awarding_staff
    assert selectors.may_administer(awarding_staff, created) and selectors.may_administer(omb_staff, created)


def test_an_agency_member_cannot_create_an_opportunity_for_another_agency(awarding_staff, nsa):
    with pytest.raises(PermissionDenied):
        services.create_opportunity(by=awarding_staff, awarding_agency=nsa, criteria=CRITERIA, **fields())

    assert not Opportunity.objects.exists()


@pytest.mark.parametrize("persona", ["county_applicant", "operator", "lab_a_member", "jobseeker", "anonymous"])
def test_people_outside_the_federal_agencies_cannot_create_opportunities(request, cisa, persona):
    with pytest.raises(PermissionDenied):
        services.create_opportunity(
            by=request.getfixturevalue(persona), awarding_agency=cisa, criteria=CRITERIA, **fields()
        )

    assert not Opportunity.objects.exists()


def test_a_viewer_of_an_agency_cannot_create_its_opportunities(cisa):
    viewer = person_in(cisa, Role.VIEWER, username="cisa-viewer")

    with pytest.raises(PermissionDenied):
        services.create_opportunity(by=viewer, awarding_agency=cisa, criteria=CRITERIA, **fields())


def test_grants_are_awarded_by_a_federal_agency(omb_staff, harbor_county):
    with pytest.raises(ValidationError) as refused:
        services.create_opportunity(by=omb_staff, awarding_agency=harbor_county, criteria=CRITERIA, **fields())

    assert list(refused.value.message_dict) == ["awarding_agency"]


# ---------------------------------------------------------------------------
# Its fields


@pytest.mark.parametrize("weights", [(60, 30), (60, 50), (100, 1)])
def test_review_criteria_weights_must_add_up_to_100(omb_staff, cisa, weights):
    criteria = [(f"Criterion {n}", weight, "") for n, weight in enumerate(weights, start=1)]

    with pytest.raises(ValidationError) as refused:
        services.create_opportunity(by=omb_staff, awarding_agency=cisa, criteria=criteria, **fields())

    assert refused.value.message_dict == {
        "criteria": [f"The review criteria's weights add up to {sum(weights)}; they must add up to 100."]
    }
    assert not Opportunity.objects.exists()


def test_a_forecast_whose_criteria_are_replaced_keeps_its_old_criteria_when_the_new_weights_are_wrong(
    make_opportunity, omb_staff
):
    forecast = make_opportunity("forecasted")

    with pytest.raises(ValidationError) as refused:
        services.update_opportunity(forecast, by=omb_staff, criteria=[("Need", 50, ""), ("Plan", 49, "")])

    assert list(refused.value.message_dict) == ["criteria"]
    assert [(c.name, c.weight) for c in refresh(forecast).criteria.order_by("number")] == [
        (name, weight) for name, weight, _ in CRITERIA
    ]


def test_an_opportunity_without_criteria_cannot_be_posted(make_opportunity, omb_staff):
    forecast = make_opportunity("forecasted", criteria=[])

    with pytest.raises(ValidationError) as refused:
        services.post_opportunity(forecast, by=omb_staff)

    assert list(refused.value.message_dict) == ["criteria"]
    assert refresh(forecast).status == "forecasted"


def test_posting_needs_a_close_time_in_the_future(make_opportunity, omb_staff):
    forecast = make_opportunity("forecasted", close_at=timezone.now() - timedelta(minutes=1))

    with pytest.raises(ValidationError) as refused:
        services.post_opportunity(forecast, by=omb_staff)

    assert list(refused.value.message_dict) == ["close_at"]
    assert (refresh(forecast).status, refresh(forecast).posted_date) == ("forecasted", None)


@pytest.mark.parametrize("listing", ["97.137", "10.001"])
def test_an_assistance_listing_of_the_form_nn_nnn_is_accepted(omb_staff, cisa, listing):
    created = services.create_opportunity(
        by=omb_staff, awarding_agency=cisa, criteria=CRITERIA, **fields(assistance_listing=listing)
    )

    assert created.assistance_listing == listing


@pytest.mark.parametrize("listing", ["97137", "9.137", "97.13", "97-137", "AB.CDE", "97.1370", ""])
def test_an_assistance_listing_not_of_the_form_nn_nnn_is_refused(omb_staff, cisa, listing):
    with pytest.raises(ValidationError) as refused:
        services.create_opportunity(
            by=omb_staff, awarding_agency=cisa, criteria=CRITERIA, **fields(assistance_listing=listing)
        )

    assert list(refused.value.message_dict) == ["assistance_listing"]
    assert not Opportunity.objects.exists()


def test_an_opportunity_number_is_unique(omb_staff, cisa, nist):
    services.create_opportunity(by=omb_staff, awarding_agency=cisa, criteria=CRITERIA, **fields())

    with pytest.raises(ValidationError) as refused:
        services.create_opportunity(by=omb_staff, awarding_agency=nist, criteria=CRITERIA, **fields())

    assert list(refused.value.message_dict) == ["opportunity_number"]
    assert Opportunity.objects.count() == 1


@pytest.mark.parametrize("number", ["omb-aics-2027-001", "OMBAICS2027", "OMB AICS 2027"])
def test_an_opportunity_number_has_capitals_digits_and_hyphens(omb_staff, cisa, number):
    with pytest.raises(ValidationError) as refused:
        services.create_opportunity(
            by=omb_staff, awarding_agency=cisa, criteria=CRITERIA, **fields(opportunity_number=number)
        )

    assert list(refused.value.message_dict) == ["opportunity_number"]


@pytest.mark.parametrize(
    "floor, ceiling, total, field",
    [
        ("500000.01", "500000.00", "5000000.00", "award_floor"),
        ("10000.00", "5000000.01", "5000000.00", "award_ceiling"),
    ],
)
def test_the_floor_may_not_exceed_the_ceiling_nor_the_ceiling_the_total_funding(
    omb_staff, cisa, floor, ceiling, total, field
):
    with pytest.raises(ValidationError) as refused:
        services.create_opportunity(
            by=omb_staff,
            awarding_agency=cisa,
            criteria=CRITERIA,
            **fields(award_floor=Decimal(floor), award_ceiling=Decimal(ceiling), total_funding=Decimal(total)),
        )

    assert list(refused.value.message_dict) == [field]
    assert not Opportunity.objects.exists()


def test_floor_ceiling_and_total_funding_may_be_equal(omb_staff, cisa):
    amount = Decimal("250000.00")
    created = services.create_opportunity(
        by=omb_staff,
        awarding_agency=cisa,
        criteria=CRITERIA,
        **fields(award_floor=amount, award_ceiling=amount, total_funding=amount, expected_awards=1),
    )

    assert (refresh(created).award_floor, refresh(created).award_ceiling, refresh(created).total_funding) == (
        amount,
        amount,
        amount,
    )


@pytest.mark.parametrize("eligible", [[], ["county", "laboratory"]])
def test_an_opportunity_invites_at_least_one_known_applicant_type(omb_staff, cisa, eligible):
    with pytest.raises(ValidationError) as refused:
        services.create_opportunity(
            by=omb_staff, awarding_agency=cisa, criteria=CRITERIA, **fields(eligible_types=eligible)
        )

    assert list(refused.value.message_dict) == ["eligible_types"]


def test_a_rural_share_needs_a_pass_through_share(omb_staff, cisa):
    with pytest.raises(ValidationError) as refused:
        services.create_opportunity(
            by=omb_staff, awarding_agency=cisa, criteria=CRITERIA, **fields(rural_percent=Decimal("25"))
        )

    assert list(refused.value.message_dict) == ["rural_percent"]


# ---------------------------------------------------------------------------
# Its states


@pytest.mark.parametrize("source, move, target", ALLOWED_MOVES)
def test_grant_staff_move_an_opportunity_forward_one_state_at_a_time(make_opportunity, omb_staff, source, move, target):
    opportunity = make_opportunity(source)

    assert MOVES[move](opportunity, by=omb_staff).status == target
    assert refresh(opportunity).status == target


@pytest.mark.parametrize("source, move", WRONG_MOVES)
def test_any_other_move_of_an_opportunity_is_refused_and_changes_nothing(make_opportunity, omb_staff, source, move):
    opportunity = make_opportunity(source)

    with pytest.raises(MoveNotAllowed):
        MOVES[move](opportunity, by=omb_staff)

    assert refresh(opportunity).status == source


def test_posting_records_the_posted_date(make_opportunity, omb_staff):
    posted = services.post_opportunity(make_opportunity("forecasted"), by=omb_staff)

    assert refresh(posted).posted_date == deadlines.today()


@pytest.mark.parametrize("source, move, target", ALLOWED_MOVES)
def test_the_awarding_agency_staff_move_their_opportunities_too(make_opportunity, awarding_staff, source, move, target):
    assert MOVES[move](make_opportunity(source), by=awarding_staff).status == target


@pytest.mark.parametrize("persona", ["other_agency_staff", "reviewer", "county_applicant", "jobseeker", "anonymous"])
@pytest.mark.parametrize("source, move, target", ALLOWED_MOVES)
def test_nobody_else_moves_an_opportunity(request, make_opportunity, persona, source, move, target):
    opportunity = make_opportunity(source)

    with pytest.raises(PermissionDenied):
        MOVES[move](opportunity, by=request.getfixturevalue(persona))

    assert refresh(opportunity).status == source


# ---------------------------------------------------------------------------
# Changes: a forecast is edited, a posted opportunity amended


def test_a_forecast_is_edited_by_its_grant_staff_and_by_nobody_else(
    make_opportunity, awarding_staff, other_agency_staff
):
    forecast = make_opportunity("forecasted")

    services.update_opportunity(forecast, by=awarding_staff, title="AI security operations (revised forecast)")
    with pytest.raises(PermissionDenied):
        services.update_opportunity(forecast, by=other_agency_staff, title="Taken over")

    assert refresh(forecast).title == "AI security operations (revised forecast)"


def test_a_posted_opportunity_is_not_changed_outside_an_amendment(opportunity, omb_staff):
    with pytest.raises(MoveNotAllowed):
        services.update_opportunity(opportunity, by=omb_staff, award_ceiling=Decimal("400000.00"))

    assert refresh(opportunity).award_ceiling == Decimal("500000.00")
    assert not Amendment.objects.exists()


def test_an_amendment_is_recorded_counted_and_kept_in_the_history_with_its_reason(opportunity, omb_staff):
    later = opportunity.close_at + timedelta(days=14)

    amendment = services.amend_opportunity(
        opportunity, by=omb_staff, summary="Closing date extended by two weeks.", close_at=later
    )

    stored = refresh(opportunity)
    assert (amendment.number, amendment.summary, amendment.made_by) == (
        1,
        "Closing date extended by two weeks.",
        omb_staff,
    )
    assert list(stored.amendments.values_list("number", flat=True)) == [1]
    assert (stored.amendment_count, stored.close_at, stored.status) == (1, later, "posted")
    latest = stored.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (
        omb_staff,
        "amendment 1: Closing date extended by two weeks.",
    )
    assert (latest.prev_record.amendment_count, latest.amendment_count) == (0, 1)
    changes = latest.diff_against(latest.prev_record).changes
    assert {change.field: (change.old, change.new) for change in changes} == {"close_at": (opportunity.close_at, later)}


def test_each_amendment_adds_one_to_the_count(opportunity, omb_staff, awarding_staff):
    services.amend_opportunity(opportunity, by=omb_staff, summary="Ceiling lowered.", award_ceiling=Decimal("400000"))
    services.amend_opportunity(opportunity, by=awarding_staff, summary="Description clarified.", description="Clearer.")

    assert refresh(opportunity).amendment_count == 2
    assert list(Amendment.objects.filter(opportunity=opportunity).values_list("number", "made_by")) == [
        (1, omb_staff.pk),
        (2, awarding_staff.pk),
    ]


def test_an_amendment_is_told_to_organisations_holding_a_draft_or_a_submitted_application_and_nobody_else(
    opportunity,
    omb_staff,
    make_application,
    make_county,
    county_applicant,
    state_government,
    state_applicant,
    django_capture_on_commit_callbacks,
):
    make_application("draft")
    make_application("submitted", applicant=state_government)
    make_application("under_review", applicant=make_county("reviewed-county"))
    make_application("withdrawn", applicant=make_county("withdrawn-county"))
    make_county("bystander-county")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        amendment = services.amend_opportunity(
            opportunity, by=omb_staff, summary="Cost share lowered to 5%.", cost_share_percent=Decimal("5")
        )

    subject = f"{opportunity.opportunity_number} amended (amendment {amendment.number})"
    told = {"county-applicant", "state-applicant", "reviewed-county-manager"}
    assert sorted(notified(subject)) == sorted(told)
    assert sorted(message.to[0] for message in mail.outbox if message.subject == subject) == sorted(
        f"{username}@example.test" for username in told
    )
    assert "Cost share lowered to 5%." in mail.outbox[0].body


def test_an_amendment_says_what_it_changes(opportunity, omb_staff):
    with pytest.raises(ValidationError) as refused:
        services.amend_opportunity(opportunity, by=omb_staff, summary="  ", award_ceiling=Decimal("400000"))

    assert list(refused.value.message_dict) == ["summary"]
    assert refresh(opportunity).amendment_count == 0


@pytest.mark.parametrize("state", ["closed", "archived"])
def test_a_closed_or_archived_opportunity_is_not_amended(make_opportunity, omb_staff, state):
    finished = make_opportunity(state)

    with pytest.raises(MoveNotAllowed):
        services.amend_opportunity(finished, by=omb_staff, summary="Too late.", description="Changed")

    assert (refresh(finished).amendment_count, refresh(finished).description) == (0, OPPORTUNITY["description"])


@pytest.mark.parametrize("persona", ["other_agency_staff", "county_applicant", "jobseeker"])
def test_only_grant_staff_amend_an_opportunity(request, opportunity, persona):
    with pytest.raises(PermissionDenied):
        services.amend_opportunity(
            opportunity, by=request.getfixturevalue(persona), summary="Ceiling raised.", award_ceiling=Decimal("1")
        )

    assert refresh(opportunity).amendment_count == 0
