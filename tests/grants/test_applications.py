"""Applications: a draft the applicant saves and comes back to, submitted before the close time with
every rule checked at once (award floor and ceiling, the cost share, a budget that adds up, an
authorized representative); a refused submission leaves the draft exactly as it was; a submitted
application is read-only, gets a receipt with its tracking number, and may be withdrawn until a
decision is made. Money is Decimal from the first service call to the stored row."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from eo_portal import deadlines
from eo_portal.models import Notification, Role
from grants import selectors, services
from grants.models import Application
from grants.services import money
from grants.workflow import MoveNotAllowed
from tests.factories import person_in
from tests.grants.conftest import AUTHORIZED_REPRESENTATIVE, budget_for, notified, refresh

# Some tests here take their personas by name (request.getfixturevalue): the mark tells
# pytest-django they use the database, so they run before the tests that empty it.
pytestmark = pytest.mark.django_db

TRACKING_NUMBER = re.compile(r"^GRANT-(\d{4})-(\d{4})$")


def submit(application, by):
    return services.submit_application(application, by=by)


def errors_of(refused: pytest.ExceptionInfo) -> set[str]:
    return set(refused.value.message_dict)


def snapshot(application: Application) -> dict:
    """Everything stored about the application: its row, budget lines, contacts and history."""
    stored = refresh(application)
    return {
        "row": {field.attname: getattr(stored, field.attname) for field in Application._meta.concrete_fields},
        "budget": list(stored.budget_lines.order_by("id").values_list("id", "object_class", "amount")),
        "contacts": list(stored.contacts.order_by("id").values_list("id", "role", "name", "email")),
        "history": stored.history.count(),
    }


# ---------------------------------------------------------------------------
# The draft


def test_a_draft_is_stored_with_its_tracking_number_budget_and_contacts(application, eligible_county, county_applicant):
    stored = refresh(application)

    match = TRACKING_NUMBER.match(stored.tracking_number)
    assert match and int(match.group(1)) == deadlines.today().year
    assert (stored.status, stored.applicant, stored.created_by, stored.submitted_at) == (
        "draft",
        eligible_county,
        county_applicant,
        None,
    )
    assert list(stored.budget_lines.values_list("object_class", "amount")) == budget_for(Decimal("100000.00"))
    assert list(stored.contacts.values_list("role", "email")) == [
        ("authorized_representative", AUTHORIZED_REPRESENTATIVE["email"])
    ]


def test_each_application_gets_the_next_tracking_number(make_application):
    first, second = make_application(), make_application()

    assert int(TRACKING_NUMBER.match(second.tracking_number).group(2)) == (
        int(TRACKING_NUMBER.match(first.tracking_number).group(2)) + 1
    )


def test_a_draft_is_saved_again_with_new_fields_and_budget(application, county_applicant):
    services.update_application(
        application,
        by=county_applicant,
        requested_amount="120000.00",
        cost_share="15000.00",
        budget_lines=budget_for(Decimal("135000.00")),
    )

    stored = refresh(application)
    assert (stored.requested_amount, stored.cost_share, stored.status) == (
        Decimal("120000.00"),
        Decimal("15000.00"),
        "draft",
    )
    assert list(stored.budget_lines.values_list("object_class", "amount")) == budget_for(Decimal("135000.00"))


def test_a_period_of_performance_must_end_after_it_starts(make_application):
    with pytest.raises(ValidationError) as refused:
        make_application(period_start=deadlines.today() + timedelta(days=90), period_end=deadlines.today())

    assert errors_of(refused) == {"period_end"}
    assert not Application.objects.exists()


# ---------------------------------------------------------------------------
# Award floor and ceiling (on an opportunity without cost share, so only the amount is at stake)


@pytest.mark.parametrize("requested", ["9999.99", "500000.01"])
def test_a_request_below_the_floor_or_above_the_ceiling_is_refused_naming_the_requested_amount(
    make_opportunity, make_application, county_applicant, requested
):
    opportunity = make_opportunity(cost_share_percent=Decimal("0"))
    application = make_application(opportunity=opportunity, requested=Decimal(requested), cost_share=Decimal("0"))

    with pytest.raises(ValidationError) as refused:
        submit(application, county_applicant)

    assert refused.value.message_dict == {
        "requested_amount": [f"Request between $10,000.00 and $500,000.00; you asked for ${Decimal(requested):,}."]
    }
    assert refresh(application).status == "draft"


@pytest.mark.parametrize("requested", ["10000.00", "500000.00"])
def test_a_request_of_exactly_the_floor_or_the_ceiling_is_accepted(
    make_opportunity, make_application, county_applicant, requested
):
    opportunity = make_opportunity(cost_share_percent=Decimal("0"))
    application = make_application(opportunity=opportunity, requested=Decimal(requested), cost_share=Decimal("0"))

    assert submit(application, county_applicant).status == "submitted"


# ---------------------------------------------------------------------------
# Cost share: at least the opportunity's percentage of the total project cost (requested + cost share)


def test_the_total_project_cost_is_the_requested_amount_plus_the_cost_share(application):
    assert refresh(application).total_project_cost == Decimal("100000.00")


def test_a_cost_share_of_exactly_ten_percent_of_the_total_is_accepted(make_application, county_applicant):
    application = make_application(requested=Decimal("90000.00"), cost_share=Decimal("10000.00"))

    assert submit(application, county_applicant).status == "submitted"


def test_a_cost_share_a_cent_short_of_ten_percent_of_the_total_is_refused_naming_the_cost_share(
    make_application, county_applicant
):
    application = make_application(requested=Decimal("90000.00"), cost_share=Decimal("9999.99"))

    with pytest.raises(ValidationError) as refused:
        submit(application, county_applicant)

    assert refused.value.message_dict == {
        "cost_share": [
            "The cost share must be at least 10.00% of the total project cost ($99,999.99), "
            "that is $10,000.00; it is $9,999.99."
        ]
    }
    assert refresh(application).status == "draft"


def test_an_opportunity_without_cost_share_accepts_none(make_opportunity, make_application, county_applicant):
    opportunity = make_opportunity(cost_share_percent=Decimal("0"))
    application = make_application(opportunity=opportunity, cost_share=Decimal("0"))

    assert submit(application, county_applicant).status == "submitted"


@pytest.mark.parametrize(
    "cost_share, outcome",
    [
        # 33.33% of 29,998.49 is 9,998.496717: at least $9,998.50 to the cent, so a cent less is short.
        ("9998.49", "refused"),
        # 33.33% of 29,998.50 is 9,998.50005: $9,998.50 to the nearest cent.
        ("9998.50", "submitted"),
    ],
)
def test_the_required_cost_share_is_computed_in_decimal_and_rounded_to_the_nearest_cent(
    make_opportunity, make_application, county_applicant, cost_share, outcome
):
    opportunity = make_opportunity(cost_share_percent=Decimal("33.33"))
    application = make_application(
        opportunity=opportunity, requested=Decimal("20000.00"), cost_share=Decimal(cost_share)
    )

    if outcome == "refused":
        with pytest.raises(ValidationError) as refused:
            submit(application, county_applicant)
        assert errors_of(refused) == {"cost_share"}
        assert "that is $9,998.50; it is $9,998.49." in refused.value.message_dict["cost_share"][0]
    else:
        assert submit(application, county_applicant).status == outcome


def test_a_cost_share_half_a_cent_short_is_refused_because_the_requirement_rounds_half_up(
    make_application, county_applicant
):
    # 10% of 100,000.05 is 10,000.005: the applicant owes 10,000.01, never a rounded-down 10,000.00.
    short = make_application(requested=Decimal("90000.05"), cost_share=Decimal("10000.00"))
    enough = make_application(requested=Decimal("90000.05"), cost_share=Decimal("10000.01"))

    with pytest.raises(ValidationError) as refused:
        submit(short, county_applicant)

    assert errors_of(refused) == {"cost_share"}
    assert submit(enough, county_applicant).status == "submitted"


# ---------------------------------------------------------------------------
# The budget: SF-424A lines, one per object class, adding up to requested + cost share


@pytest.mark.parametrize("off_by", ["-0.01", "0.01"])
def test_budget_lines_a_cent_off_the_total_project_cost_are_refused_naming_the_budget(
    make_application, county_applicant, off_by
):
    lines = budget_for(Decimal("100000.00"))
    lines[-1] = (lines[-1][0], lines[-1][1] + Decimal(off_by))
    application = make_application(budget_lines=lines)

    with pytest.raises(ValidationError) as refused:
        submit(application, county_applicant)

    assert refused.value.message_dict == {
        "budget_lines": [
            f"The budget lines add up to ${Decimal('100000.00') + Decimal(off_by):,}; they must equal the requested "
            "amount plus the cost share, $100,000.00."
        ]
    }


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param([("personnel", "60000.00"), ("personnel", "40000.00")], id="an object class twice"),
        pytest.param([("personnel", "60000.00"), ("snacks", "40000.00")], id="an unknown object class"),
        pytest.param([("personnel", "100000.01"), ("travel", "-0.01")], id="a negative amount"),
        pytest.param([("personnel", 60000.0), ("travel", "40000.00")], id="a floating-point amount"),
        pytest.param([("personnel", "60000.001"), ("travel", "39999.999")], id="fractions of a cent"),
    ],
)
def test_a_bad_budget_line_is_refused_naming_the_budget_and_nothing_is_stored(make_application, lines):
    with pytest.raises(ValidationError) as refused:
        make_application(budget_lines=lines)

    assert errors_of(refused) == {"budget_lines"}
    assert not Application.objects.exists()


def test_a_draft_saved_with_a_bad_budget_keeps_its_old_budget_and_fields(application, county_applicant):
    before = snapshot(application)

    with pytest.raises(ValidationError) as refused:
        services.update_application(
            application,
            by=county_applicant,
            project_title="Renamed",
            budget_lines=[("personnel", "50000.00"), ("personnel", "50000.00")],
        )

    assert errors_of(refused) == {"budget_lines"}
    assert snapshot(application) == before


def test_a_submission_without_an_authorized_representative_is_refused_naming_the_contacts(
    make_application, county_applicant
):
    application = make_application(
        contacts=[{"role": "project_director", "name": "Pat Director", "email": "pd@harbor-county.example.gov"}]
    )

    with pytest.raises(ValidationError) as refused:
        submit(application, county_applicant)

    assert errors_of(refused) == {"contacts"}


@pytest.mark.parametrize(
    "contacts",
    [
        pytest.param([AUTHORIZED_REPRESENTATIVE, AUTHORIZED_REPRESENTATIVE], id="two for one role"),
        pytest.param([AUTHORIZED_REPRESENTATIVE | {"email": "not an address"}], id="a bad e-mail"),
        pytest.param([AUTHORIZED_REPRESENTATIVE | {"role": "treasurer"}], id="an unknown role"),
    ],
)
def test_bad_contacts_are_refused_naming_the_contacts(make_application, contacts):
    with pytest.raises(ValidationError) as refused:
        make_application(contacts=contacts)

    assert errors_of(refused) == {"contacts"}
    assert not Application.objects.exists()


def test_every_reason_a_submission_is_refused_is_given_at_once(make_application, county_applicant):
    application = make_application(
        requested=Decimal("5000.00"), cost_share=Decimal("0"), budget_lines=[("personnel", "4000.00")], contacts=[]
    )

    with pytest.raises(ValidationError) as refused:
        submit(application, county_applicant)

    assert errors_of(refused) == {"requested_amount", "cost_share", "budget_lines", "contacts"}
    assert refresh(application).status == "draft"


# ---------------------------------------------------------------------------
# The close time


def test_a_submission_one_second_after_the_close_time_is_refused_and_changes_nothing(
    clock, application, county_applicant, django_capture_on_commit_callbacks
):
    before = snapshot(application)
    clock.set(application.opportunity.close_at + timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as refused:
        submit(application, county_applicant)

    assert errors_of(refused) == {"opportunity"}
    assert "applications are no longer accepted. Your draft is kept as it was." in refused.value.messages[0]
    after = snapshot(application)
    assert after == before
    assert (after["row"]["status"], after["row"]["submitted_at"], after["row"]["submitted_by_id"]) == (
        "draft",
        None,
        None,
    )
    assert not Notification.objects.filter(subject__startswith="Receipt").exists()
    assert mail.outbox == []


def test_a_submission_one_second_before_the_close_time_is_accepted(
    clock, application, county_applicant, django_capture_on_commit_callbacks
):
    moment = clock.set(application.opportunity.close_at - timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        submitted = submit(application, county_applicant)

    stored = refresh(submitted)
    assert (stored.status, stored.submitted_at, stored.submitted_by) == ("submitted", moment, county_applicant)
    assert notified("Receipt") == ["county-applicant"]


def test_a_submission_to_an_opportunity_closed_early_is_refused(application, county_applicant, omb_staff):
    services.close_opportunity(application.opportunity, by=omb_staff)

    with pytest.raises(ValidationError) as refused:
        submit(application, county_applicant)

    assert errors_of(refused) == {"opportunity"}
    assert refresh(application).status == "draft"


def test_no_draft_is_started_after_the_close_time(clock, opportunity, make_application):
    clock.set(opportunity.close_at + timedelta(seconds=1))

    with pytest.raises(ValidationError) as refused:
        make_application(opportunity=opportunity)

    assert errors_of(refused) == {"opportunity"}


# ---------------------------------------------------------------------------
# The receipt, and what may happen after submission


def test_a_submission_sends_a_receipt_with_the_tracking_number_to_the_applicants_members(
    application, eligible_county, county_applicant, harbor_viewer, state_applicant, django_capture_on_commit_callbacks
):
    person_in(eligible_county, Role.MEMBER, username="harbor-member")

    with django_capture_on_commit_callbacks(execute=True):
        submit(application, county_applicant)

    subject = f"Receipt: application {application.tracking_number} submitted"
    members = ["county-applicant", "harbor-member", "harbor-viewer"]
    assert sorted(notified("Receipt")) == members
    assert sorted(message.to[0] for message in mail.outbox) == [f"{name}@example.test" for name in members]
    for message in mail.outbox:
        assert message.subject == subject
        assert f"Tracking number: {application.tracking_number}" in message.body
        assert f"/grants/applications/{application.tracking_number}/" in message.body
    assert not Notification.objects.filter(recipient=state_applicant).exists()


def test_a_submitted_application_is_read_only(make_application, county_applicant):
    submitted = make_application("submitted")
    before = snapshot(submitted)

    with pytest.raises(MoveNotAllowed):
        services.update_application(submitted, by=county_applicant, project_title="Changed after submission")
    with pytest.raises(MoveNotAllowed):
        services.update_application(submitted, by=county_applicant, budget_lines=budget_for(Decimal("100000.00")))
    with pytest.raises(MoveNotAllowed):
        submit(submitted, county_applicant)

    assert snapshot(submitted) == before


@pytest.mark.parametrize("status", ["draft", "submitted", "under_review"])
def test_an_application_may_be_withdrawn_until_a_decision_is_made(make_application, county_applicant, status):
    application = make_application(status)

    services.withdraw_application(application, by=county_applicant)

    assert refresh(application).status == "withdrawn"


@pytest.mark.parametrize("status", ["awarded", "not_selected", "withdrawn"])
def test_an_application_may_not_be_withdrawn_after_a_decision_or_twice(make_application, county_applicant, status):
    application = make_application(status)

    with pytest.raises(MoveNotAllowed):
        services.withdraw_application(application, by=county_applicant)

    assert refresh(application).status == status


# ---------------------------------------------------------------------------
# Who may act on a draft


def test_a_member_of_the_applicant_edits_submits_and_withdraws_its_application(make_application, eligible_county):
    member = person_in(eligible_county, Role.MEMBER, username="harbor-member")
    draft, to_withdraw = make_application(), make_application()

    services.update_application(draft, by=member, project_title="Edited by a member")
    submit(draft, member)
    services.withdraw_application(to_withdraw, by=member)

    assert (refresh(draft).project_title, refresh(draft).status, refresh(to_withdraw).status) == (
        "Edited by a member",
        "submitted",
        "withdrawn",
    )


@pytest.mark.parametrize(
    "persona", ["harbor_viewer", "other_county_manager", "omb_staff", "awarding_staff", "jobseeker"]
)
def test_nobody_else_edits_submits_or_withdraws_an_application(request, application, persona):
    person = request.getfixturevalue(persona)
    before = snapshot(application)

    for act in (
        lambda: services.update_application(application, by=person, project_title="Not theirs"),
        lambda: submit(application, person),
        lambda: services.withdraw_application(application, by=person),
    ):
        with pytest.raises(PermissionDenied):
            act()

    assert snapshot(application) == before


# ---------------------------------------------------------------------------
# Money is Decimal


def test_money_refuses_a_floating_point_number_naming_the_field():
    with pytest.raises(ValidationError) as refused:
        money(1000.5, "requested_amount")

    assert list(refused.value.message_dict) == ["requested_amount"]


@pytest.mark.parametrize(
    "value, amount",
    [
        ("90000", Decimal("90000")),
        ("90,000.50", Decimal("90000.50")),
        ("$1,250.05", Decimal("1250.05")),
        (125000, Decimal("125000")),
        (Decimal("0.01"), Decimal("0.01")),
        ("", None),
        (None, None),
    ],
)
def test_money_reads_text_integers_and_decimals_exactly(value, amount):
    assert money(value, "amount") == amount
    assert amount is None or isinstance(money(value, "amount"), Decimal)


@pytest.mark.parametrize(
    "value",
    [True, "100.001", "ten dollars", "NaN", "Infinity", 0.1, "1e30", "1" * 27, "1e20"],
    ids=["a bool", "a tenth of a cent", "words", "NaN", "infinity", "a float", "1e30", "27 digits", "1e20"],
)
def test_money_refuses_anything_that_is_not_dollars_and_cents(value):
    with pytest.raises(ValidationError) as refused:
        money(value, "cost_share")

    assert list(refused.value.message_dict) == ["cost_share"]


def test_create_application_refuses_a_floating_point_request_naming_the_field(make_application):
    with pytest.raises(ValidationError) as refused:
        make_application(requested=90000.0, cost_share=Decimal("10000.00"), budget_lines=budget_for(Decimal("100000")))

    assert errors_of(refused) == {"requested_amount"}
    assert not Application.objects.exists()


def test_update_application_refuses_a_floating_point_cost_share_and_keeps_the_draft(application, county_applicant):
    before = snapshot(application)

    with pytest.raises(ValidationError) as refused:
        services.update_application(application, by=county_applicant, cost_share=10000.0)

    assert errors_of(refused) == {"cost_share"}
    assert snapshot(application) == before


def test_a_negative_request_is_refused_naming_the_field(make_application):
    with pytest.raises(ValidationError) as refused:
        make_application(requested="-1.00", cost_share=Decimal("0"), budget_lines=[])

    assert errors_of(refused) == {"requested_amount"}


def test_stored_amounts_read_back_as_decimals_with_two_places(make_application):
    application = make_application(requested="90000", cost_share="10000", budget_lines=[("personnel", "100000")])

    stored = selectors.with_details(Application.objects.filter(pk=application.pk)).get()
    amounts = [stored.requested_amount, stored.cost_share, stored.total_project_cost, stored.budget_lines.get().amount]
    assert amounts == [Decimal("90000.00"), Decimal("10000.00"), Decimal("100000.00"), Decimal("100000.00")]
    assert [(type(amount), amount.as_tuple().exponent) for amount in amounts] == [(Decimal, -2)] * 4
    opportunity = refresh(application.opportunity)
    assert [
        (type(value), value.as_tuple().exponent)
        for value in (opportunity.award_floor, opportunity.award_ceiling, opportunity.cost_share_percent)
    ] == [(Decimal, -2)] * 3
