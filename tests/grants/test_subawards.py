"""Pass-through subawards: a state awarded under a pass-through programme passes money on to local
and tribal governments, never more than its award in all; the portal shows how much it has passed
and how much of that went to rural areas against what the programme requires, in Decimal; a local
recipient sees its own subaward and nobody else's."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from eo_portal.models import OrganisationKind, Role, Sector
from grants import selectors, services
from grants.models import Award, Subaward
from tests.factories import OrganisationFactory, person_in
from tests.grants.conftest import member_of, notified

# Some tests here take their personas by name (request.getfixturevalue): the mark tells
# pytest-django they use the database, so they run before the tests that empty it.
pytestmark = pytest.mark.django_db


@pytest.fixture
def pass_through_programme(make_opportunity):
    """80% of each award passes through to local governments, a quarter of that to rural areas."""
    return make_opportunity(pass_through_percent=Decimal("80"), rural_percent=Decimal("25"))


@pytest.fixture
def state_award(make_application, pass_through_programme, state_government) -> Award:
    """The State of Franklin's award of $90,000.00."""
    application = make_application("awarded", opportunity=pass_through_programme, applicant=state_government)
    return Award.objects.get(application=application)


@pytest.fixture
def rural_town(make_county):
    """Millbrook: a rural city, so its subawards count toward the rural share."""
    return make_county("millbrook", is_rural=True, local_government_type="city_township")


def subaward(award, recipient, amount, by) -> Subaward:
    return services.record_subaward(award, by=by, recipient=recipient, amount=Decimal(amount), purpose="SOC analysts")


# ---------------------------------------------------------------------------
# Recording subawards


def test_an_awarded_state_records_subawards_to_local_and_tribal_governments_and_tells_them(
    state_award, state_applicant, eligible_county, django_capture_on_commit_callbacks
):
    tribe = OrganisationFactory(
        slug="cedar-river", name="Cedar River Tribe", short_name="Cedar River", kind=OrganisationKind.TRIBAL
    )
    person_in(tribe, Role.MANAGER, username="cedar-river-manager")

    with django_capture_on_commit_callbacks(execute=True):
        to_county = subaward(state_award, eligible_county, "60000.00", state_applicant)
        to_tribe = subaward(state_award, tribe, "10000.00", state_applicant)

    assert list(state_award.subawards.values_list("recipient__slug", "amount")) == [
        ("harbor-county", Decimal("60000.00")),
        ("cedar-river", Decimal("10000.00")),
    ]
    assert (to_county.recorded_by, to_tribe.recorded_by) == (state_applicant, state_applicant)
    assert notified("Subaward of $60,000.00 from Franklin") == ["county-applicant"]
    assert notified("Subaward of $10,000.00 from Franklin") == ["cedar-river-manager"]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "cedar-river-manager@example.test",
        "county-applicant@example.test",
    ]


def test_subawards_may_add_up_to_the_award_and_not_a_cent_more(
    state_award, state_applicant, eligible_county, rural_town
):
    subaward(state_award, eligible_county, "60000.00", state_applicant)

    with pytest.raises(ValidationError) as refused:
        subaward(state_award, rural_town, "30000.01", state_applicant)
    subaward(state_award, rural_town, "30000.00", state_applicant)

    assert refused.value.message_dict == {
        "amount": ["Subawards would total $90,000.01, more than the $90,000.00 award."]
    }
    assert sum(state_award.subawards.values_list("amount", flat=True)) == Decimal("90000.00")
    with pytest.raises(ValidationError):
        subaward(state_award, rural_town, "0.01", state_applicant)


@pytest.mark.parametrize(
    "kind", [OrganisationKind.STATE, OrganisationKind.OPERATOR, OrganisationKind.LAB, OrganisationKind.TERRITORIAL]
)
def test_a_subaward_goes_to_a_local_or_tribal_government_only(state_award, state_applicant, kind):
    recipient = OrganisationFactory(
        slug="recipient", kind=kind, sectors=[Sector.ENERGY] if kind == OrganisationKind.OPERATOR else []
    )

    with pytest.raises(ValidationError) as refused:
        subaward(state_award, recipient, "1000.00", state_applicant)

    assert list(refused.value.message_dict) == ["recipient"]
    assert not Subaward.objects.exists()


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5.00"), 1000.5, "1000.001"])
def test_a_subaward_amount_is_a_positive_dollar_amount(state_award, state_applicant, eligible_county, amount):
    with pytest.raises(ValidationError) as refused:
        services.record_subaward(
            state_award, by=state_applicant, recipient=eligible_county, amount=amount, purpose="Sensors"
        )

    assert list(refused.value.message_dict) == ["amount"]
    assert not Subaward.objects.exists()


def test_a_recipient_that_is_not_a_state_cannot_record_subawards(
    make_application, make_opportunity, county_applicant, other_county
):
    county_programme = make_opportunity(pass_through_percent=Decimal("80"))
    county_award = Award.objects.get(application=make_application("awarded", opportunity=county_programme))

    with pytest.raises(PermissionDenied):
        subaward(county_award, other_county, "1000.00", county_applicant)

    assert not Subaward.objects.exists()


@pytest.mark.parametrize("persona", ["county_applicant", "state_viewer", "omb_staff", "awarding_staff", "jobseeker"])
def test_only_a_member_of_the_awarded_state_records_its_subawards(
    request, state_award, state_government, eligible_county, persona
):
    if persona == "state_viewer":
        person = person_in(state_government, Role.VIEWER, username="state-viewer")
    else:
        person = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        subaward(state_award, eligible_county, "1000.00", person)

    assert not Subaward.objects.exists()


# ---------------------------------------------------------------------------
# How much has passed through


def test_the_pass_through_shows_passed_and_rural_percents_against_the_requirement_in_decimal(
    state_award, state_applicant, eligible_county, rural_town
):
    subaward(state_award, eligible_county, "60000.00", state_applicant)
    subaward(state_award, rural_town, "12000.01", state_applicant)

    shown = selectors.pass_through_of(state_award)

    assert (shown.required_percent, shown.passed, shown.passed_percent) == (
        Decimal("80.00"),
        Decimal("72000.01"),
        Decimal("80.00"),  # 72,000.01 / 90,000.00 = 80.0000111…%
    )
    assert (shown.rural_required_percent, shown.rural, shown.rural_percent) == (
        Decimal("25.00"),
        Decimal("12000.01"),
        Decimal("16.67"),  # 12,000.01 / 72,000.01 = 16.66667…%
    )
    values = (
        shown.required_percent,
        shown.passed,
        shown.passed_percent,
        shown.rural_required_percent,
        shown.rural,
        shown.rural_percent,
    )
    assert [(type(value), value.as_tuple().exponent) for value in values] == [(Decimal, -2)] * 6
    assert shown.meets is False  # the rural share is short


def test_a_state_that_passed_exactly_the_required_shares_meets_the_requirement(
    state_award, state_applicant, eligible_county, rural_town
):
    subaward(state_award, eligible_county, "54000.00", state_applicant)
    subaward(state_award, rural_town, "18000.00", state_applicant)

    shown = selectors.pass_through_of(state_award)

    assert (shown.passed_percent, shown.rural_percent, shown.meets) == (Decimal("80.00"), Decimal("25.00"), True)


@pytest.mark.parametrize(
    "county, rural, short",
    [
        # 71,999.00 of 90,000.00 is 79.9989%: $1 short of the $72,000.00 the state must pass through.
        pytest.param("53999.00", "18000.00", "pass-through", id="a dollar short of 80 percent"),
        # 17,999.99 of 72,000.00 is 24.99999%: a cent short of the $18,000.00 owed to rural areas.
        pytest.param("54000.01", "17999.99", "rural", id="a cent short of the rural quarter"),
    ],
)
def test_a_state_short_of_a_required_share_does_not_meet_it_even_when_the_percent_rounds_up_to_it(
    state_award, state_applicant, eligible_county, rural_town, county, rural, short
):
    subaward(state_award, eligible_county, county, state_applicant)
    subaward(state_award, rural_town, rural, state_applicant)

    shown = selectors.pass_through_of(state_award)

    # The shares shown to two places round up to the requirement...
    assert (shown.passed_percent, shown.rural_percent) == (Decimal("80.00"), Decimal("25.00"))
    # ...but the money passed is short of it, so the requirement is not met.
    assert shown.meets is False, f"the {short} share is short of the requirement"


def test_with_nothing_passed_through_the_percents_are_decimal_zero(state_award):
    shown = selectors.pass_through_of(state_award)

    assert (shown.passed, shown.passed_percent, shown.rural, shown.rural_percent, shown.meets) == (
        Decimal("0"),
        Decimal("0"),
        Decimal("0"),
        Decimal("0"),
        False,
    )
    assert all(isinstance(value, Decimal) for value in (shown.passed, shown.passed_percent, shown.rural_percent))


def test_a_programme_without_a_pass_through_requirement_is_always_met(
    make_application, make_opportunity, state_government, state_applicant, eligible_county
):
    programme = make_opportunity()
    award = Award.objects.get(
        application=make_application("awarded", opportunity=programme, applicant=state_government)
    )
    subaward(award, eligible_county, "1000.00", state_applicant)

    shown = selectors.pass_through_of(award)

    assert (shown.required_percent, shown.rural_required_percent, shown.meets) == (None, None, True)


# ---------------------------------------------------------------------------
# Who sees subawards


def test_a_local_recipient_sees_its_own_subaward_and_no_other(
    state_award, state_applicant, eligible_county, county_applicant, rural_town, other_county_manager
):
    to_county = subaward(state_award, eligible_county, "60000.00", state_applicant)
    to_town = subaward(state_award, rural_town, "12000.00", state_applicant)

    assert list(selectors.subawards_visible_to(county_applicant)) == [to_county]
    assert list(selectors.subawards_visible_to(member_of(rural_town))) == [to_town]
    assert list(selectors.subawards_visible_to(other_county_manager)) == []


@pytest.mark.parametrize(
    "persona, sees",
    [
        ("state_applicant", True),
        ("omb_staff", True),
        ("awarding_staff", True),
        ("other_agency_staff", False),
        ("jobseeker", False),
        ("anonymous", False),
    ],
)
def test_the_state_and_grant_staff_see_every_subaward_of_the_award_and_nobody_else_does(
    request, state_award, state_applicant, eligible_county, rural_town, persona, sees
):
    made = [
        subaward(state_award, eligible_county, "60000.00", state_applicant),
        subaward(state_award, rural_town, "12000.00", state_applicant),
    ]

    assert list(selectors.subawards_visible_to(request.getfixturevalue(persona))) == (made if sees else [])
