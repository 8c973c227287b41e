"""Review and award: grant staff (OMB and the awarding agency) assign federal reviewers who are not
with the applicant; a reviewer sees and scores an application only after attesting no conflict of
interest; the weighted total is Σ score × weight / 100 in Decimal, averaged over reviewers; the
applicant never sees a score or a reviewer; an award is made once and told once; a decision is not
visible before it is made; the public figures are Decimal dollars under the small-number rule."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from eo_portal import transparency
from eo_portal.models import Notification, Role
from grants import selectors, services
from grants.models import Award, ReviewerAssignment, Score
from grants.workflow import MoveNotAllowed
from tests.factories import add_member, person_in
from tests.grants.conftest import notified, refresh

# Some tests here take their personas by name (request.getfixturevalue): the mark tells
# pytest-django they use the database, so they run before the tests that empty it.
pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(make_application):
    return make_application("submitted")


@pytest.fixture
def under_review(make_application):
    """Harbor County's application, with `reviewer` assigned by OMB (not yet attested)."""
    return make_application("under_review")


def assignment_of(application, reviewer) -> ReviewerAssignment:
    return ReviewerAssignment.objects.get(application=application, reviewer=reviewer)


def attested(application, reviewer) -> ReviewerAssignment:
    return services.attest_no_conflict(assignment_of(application, reviewer), by=reviewer)


def scored(application, reviewer, need: int, plan: int) -> ReviewerAssignment:
    """The reviewer attests and scores criterion 1 (weight 60) and criterion 2 (weight 40)."""
    return services.score_application(attested(application, reviewer), by=reviewer, scores={1: need, 2: plan})


# ---------------------------------------------------------------------------
# Assigning reviewers


@pytest.mark.parametrize("staff", ["omb_staff", "awarding_staff"])
def test_grant_staff_of_omb_or_the_awarding_agency_assign_a_reviewer_and_review_starts(
    request, submitted, reviewer, staff, django_capture_on_commit_callbacks
):
    by = request.getfixturevalue(staff)

    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.assign_reviewer(submitted, by=by, reviewer=reviewer)

    assert (assignment.reviewer, assignment.assigned_by, assignment.attested_at) == (reviewer, by, None)
    assert refresh(submitted).status == "under_review"
    assert notified("Review assignment") == ["nist-reviewer"]
    assert [message.to for message in mail.outbox] == [[reviewer.email]]


@pytest.mark.parametrize("persona", ["other_agency_staff", "reviewer", "county_applicant", "jobseeker", "anonymous"])
def test_nobody_but_grant_staff_assigns_reviewers(request, submitted, second_reviewer, persona):
    with pytest.raises(PermissionDenied):
        services.assign_reviewer(submitted, by=request.getfixturevalue(persona), reviewer=second_reviewer)

    assert not ReviewerAssignment.objects.exists()
    assert refresh(submitted).status == "submitted"


@pytest.fixture
def nist_member_in_harbor_county(nist, harbor_county):
    """A federal employee who is also a member of the applicant: conflicted by membership."""
    person = person_in(nist, Role.MEMBER, username="nist-and-harbor")
    add_member(harbor_county, person)
    return person


@pytest.mark.parametrize(
    "candidate", ["county_applicant", "nist_member_in_harbor_county", "operator", "lab_a_member", "jobseeker"]
)
def test_a_reviewer_must_be_an_agency_member_who_is_not_with_the_applicant(request, submitted, omb_staff, candidate):
    with pytest.raises(ValidationError) as refused:
        services.assign_reviewer(submitted, by=omb_staff, reviewer=request.getfixturevalue(candidate))

    assert list(refused.value.message_dict) == ["reviewer"]
    assert not ReviewerAssignment.objects.exists()


def test_a_member_of_the_awarding_agency_or_omb_may_review_too(submitted, omb_staff, awarding_staff):
    services.assign_reviewer(submitted, by=omb_staff, reviewer=awarding_staff)
    services.assign_reviewer(submitted, by=awarding_staff, reviewer=omb_staff)

    assert set(submitted.assignments.values_list("reviewer__username", flat=True)) == {"cisa-reviewer", "omb-grants"}


def test_a_reviewer_is_assigned_once(under_review, omb_staff, reviewer):
    with pytest.raises(ValidationError) as refused:
        services.assign_reviewer(under_review, by=omb_staff, reviewer=reviewer)

    assert list(refused.value.message_dict) == ["reviewer"]
    assert under_review.assignments.count() == 1


@pytest.mark.parametrize("status", ["draft", "withdrawn", "awarded", "not_selected"])
def test_only_a_submitted_application_gets_reviewers(make_application, omb_staff, second_reviewer, status):
    application = make_application(status)

    with pytest.raises(MoveNotAllowed):
        services.assign_reviewer(application, by=omb_staff, reviewer=second_reviewer)

    assert not application.assignments.filter(reviewer=second_reviewer).exists()


# ---------------------------------------------------------------------------
# Attesting and scoring


def test_a_reviewer_who_has_not_attested_sees_nothing_and_cannot_score(under_review, reviewer):
    assignment = assignment_of(under_review, reviewer)

    assert list(selectors.applications_visible_to(reviewer)) == []
    with pytest.raises(Http404):
        selectors.get_application_for(reviewer, under_review.tracking_number)
    with pytest.raises(PermissionDenied):
        services.score_application(assignment, by=reviewer, scores={1: 80, 2: 50})
    assert not Score.objects.exists()


def test_after_attesting_no_conflict_the_reviewer_sees_the_application_and_scores_every_criterion(
    under_review, reviewer
):
    assignment = services.attest_no_conflict(assignment_of(under_review, reviewer), by=reviewer)

    assert refresh(assignment).attested_at is not None
    assert list(selectors.applications_visible_to(reviewer)) == [under_review]
    assert selectors.get_application_for(reviewer, under_review.tracking_number) == under_review
    services.score_application(assignment, by=reviewer, scores={1: 80, 2: 50}, comment="Strong need, thin plan.")
    stored = refresh(assignment)
    assert list(stored.scores.values_list("criterion__number", "score")) == [(1, 80), (2, 50)]
    assert (stored.comment, stored.scored_at is not None) == ("Strong need, thin plan.", True)


def test_only_the_assigned_reviewer_attests_and_scores(under_review, reviewer, second_reviewer, omb_staff):
    assignment = assignment_of(under_review, reviewer)

    for person in (second_reviewer, omb_staff):
        with pytest.raises(PermissionDenied):
            services.attest_no_conflict(assignment, by=person)
    assignment = attested(under_review, reviewer)
    for person in (second_reviewer, omb_staff):
        with pytest.raises(PermissionDenied):
            services.score_application(assignment, by=person, scores={1: 100, 2: 100})

    assert not Score.objects.exists()


@pytest.mark.parametrize(
    "scores",
    [
        pytest.param({1: 80}, id="a criterion missing"),
        pytest.param({}, id="no scores"),
        pytest.param({1: 80, 2: 101}, id="above 100"),
        pytest.param({1: 80, 2: -1}, id="below 0"),
        pytest.param({1: 80, 2: "50"}, id="not a whole number"),
    ],
)
def test_a_scoring_that_misses_a_criterion_or_leaves_0_to_100_is_refused(under_review, reviewer, scores):
    assignment = attested(under_review, reviewer)

    with pytest.raises(ValidationError) as refused:
        services.score_application(assignment, by=reviewer, scores=scores)

    assert list(refused.value.message_dict) == ["scores"]
    assert (refresh(assignment).scored_at, Score.objects.count()) == (None, 0)


def test_the_weighted_total_is_the_sum_of_score_times_weight_over_100_as_a_decimal(under_review, reviewer):
    assignment = scored(under_review, reviewer, need=80, plan=50)

    total = selectors.weighted_total(refresh(assignment))
    assert total == Decimal("68.00")  # 80 × 60 / 100 + 50 × 40 / 100
    assert (type(total), total.as_tuple().exponent) == (Decimal, -2)


def test_the_weighted_total_keeps_fractions_of_a_point(under_review, reviewer):
    assignment = scored(under_review, reviewer, need=81, plan=49)

    assert selectors.weighted_total(refresh(assignment)) == Decimal("68.20")  # 48.6 + 19.6


def test_an_application_scores_the_average_of_its_reviewers_weighted_totals(
    under_review, reviewer, second_reviewer, nist, omb_staff
):
    third = person_in(nist, Role.MEMBER, username="nist-reviewer-3")
    for person in (second_reviewer, third):
        services.assign_reviewer(under_review, by=omb_staff, reviewer=person)
    scored(under_review, reviewer, need=81, plan=49)  # 68.20
    scored(under_review, second_reviewer, need=70, plan=71)  # 70.40
    assert selectors.average_total(under_review) == Decimal("69.30")

    scored(under_review, third, need=75, plan=76)  # 75.40

    average = selectors.average_total(under_review)
    assert average == Decimal("71.33")  # 214.00 / 3, to the cent
    assert isinstance(average, Decimal)


def test_a_reviewer_who_has_not_scored_does_not_count_in_the_average(
    under_review, reviewer, second_reviewer, omb_staff
):
    services.assign_reviewer(under_review, by=omb_staff, reviewer=second_reviewer)
    assert selectors.average_total(under_review) is None

    scored(under_review, reviewer, need=80, plan=50)

    assert selectors.average_total(under_review) == Decimal("68.00")


def test_a_new_scoring_replaces_the_reviewers_last_and_the_old_stays_in_the_history(under_review, reviewer):
    assignment = scored(under_review, reviewer, need=80, plan=50)

    services.score_application(assignment, by=reviewer, scores={1: 90, 2: 90})

    assert selectors.weighted_total(refresh(assignment)) == Decimal("90.00")
    assert Score.history.filter(score=80, history_type="-").exists()


def test_grant_staff_see_every_reviewer_with_scores(under_review, reviewer, omb_staff):
    scored(under_review, reviewer, need=80, plan=50)

    assert selectors.get_application_for(omb_staff, under_review.tracking_number) == under_review
    [assignment] = selectors.assignments_of(under_review)
    assert (assignment.reviewer, [score.score for score in assignment.scores.all()]) == (reviewer, [80, 50])


def test_the_applicant_never_sees_a_reviewer_or_a_score(
    under_review, reviewer, county_applicant, harbor_viewer, make_application, other_county
):
    assignment = scored(under_review, reviewer, need=80, plan=50)
    make_application("submitted", applicant=other_county)

    for person in (county_applicant, harbor_viewer):
        assert list(selectors.review_queue(person)) == []
        assert selectors.assignment_of(person, under_review) is None
        with pytest.raises(Http404):
            selectors.get_assignment_for(person, assignment.pk)
        assert list(selectors.applications_visible_to(person)) == [under_review]


# ---------------------------------------------------------------------------
# Award and decline


def test_an_award_is_told_to_the_applicants_members_once_and_a_second_award_is_refused(
    under_review, omb_staff, awarding_staff, county_applicant, harbor_viewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        award = services.award_application(
            under_review, by=omb_staff, amount=Decimal("85000.00"), award_number="OMB-27-0001"
        )

    assert refresh(under_review).status == "awarded"
    assert (award.amount, award.award_number, award.recorded_by) == (Decimal("85000.00"), "OMB-27-0001", omb_staff)
    told = sorted(notified("Award:"))
    assert told == ["county-applicant", "harbor-viewer"]
    assert len(mail.outbox) == 2

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(MoveNotAllowed):
        services.award_application(
            under_review, by=awarding_staff, amount=Decimal("90000.00"), award_number="OMB-27-0002"
        )

    assert Award.objects.filter(application=under_review).count() == 1
    assert sorted(notified("Award:")) == told
    assert [message.subject for message in mail.outbox] == [
        f"Award: {under_review.tracking_number} awarded $85,000.00"
    ] * 2


@pytest.mark.parametrize(
    "amount",
    [
        pytest.param(Decimal("90000.01"), id="above the request"),
        pytest.param(Decimal("0.00"), id="nothing"),
        pytest.param(Decimal("-1.00"), id="negative"),
        pytest.param(85000.0, id="a float"),
        pytest.param("85000.005", id="a fraction of a cent"),
    ],
)
def test_an_award_amount_above_the_request_or_not_a_positive_dollar_amount_is_refused_naming_the_amount(
    under_review, omb_staff, amount
):
    with pytest.raises(ValidationError) as refused:
        services.award_application(under_review, by=omb_staff, amount=amount, award_number="OMB-27-0001")

    assert list(refused.value.message_dict) == ["amount"]
    assert (refresh(under_review).status, Award.objects.exists()) == ("under_review", False)


def test_an_award_above_the_ceiling_is_refused_even_within_the_request(under_review, omb_staff):
    services.amend_opportunity(
        under_review.opportunity, by=omb_staff, summary="Ceiling lowered to $80,000.", award_ceiling=Decimal("80000")
    )

    with pytest.raises(ValidationError) as refused:
        services.award_application(under_review, by=omb_staff, amount=Decimal("80000.01"), award_number="OMB-27-0001")
    award = services.award_application(
        under_review, by=omb_staff, amount=Decimal("80000.00"), award_number="OMB-27-0001"
    )

    assert list(refused.value.message_dict) == ["amount"]
    assert award.amount == Decimal("80000.00")


@pytest.mark.parametrize("persona", ["other_agency_staff", "reviewer", "county_applicant", "jobseeker"])
def test_nobody_but_grant_staff_awards_or_declines(request, under_review, persona):
    person = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        services.award_application(under_review, by=person, amount=Decimal("1000.00"), award_number="OMB-27-0001")
    with pytest.raises(PermissionDenied):
        services.decline_application(under_review, by=person, note="No.")

    assert (refresh(under_review).status, Award.objects.exists()) == ("under_review", False)


@pytest.mark.parametrize("status", ["draft", "withdrawn", "not_selected"])
def test_only_an_application_in_review_is_awarded(make_application, omb_staff, status):
    application = make_application(status)

    with pytest.raises(MoveNotAllowed):
        services.award_application(application, by=omb_staff, amount=Decimal("1000.00"), award_number="OMB-27-0001")

    assert not Award.objects.exists()


def test_a_declined_application_is_not_selected_and_the_applicant_is_told(
    under_review, awarding_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_application(under_review, by=awarding_staff, note="Other applications scored higher.")

    stored = refresh(under_review)
    assert (stored.status, stored.decision_note, stored.decided_at is not None) == (
        "not_selected",
        "Other applications scored higher.",
        True,
    )
    assert notified(f"Decision on {under_review.tracking_number}: not selected") == ["county-applicant"]
    assert [(message.to, message.body.splitlines()[0]) for message in mail.outbox] == [
        (["county-applicant@example.test"], "Other applications scored higher.")
    ]
    with pytest.raises(MoveNotAllowed):
        services.decline_application(under_review, by=awarding_staff)
    with pytest.raises(MoveNotAllowed):
        services.award_application(under_review, by=awarding_staff, amount=Decimal("1000.00"), award_number="X-1")
    assert len(notified("Decision on")) == 1


def test_a_decision_is_not_visible_before_it_is_made(under_review, reviewer, omb_staff, county_applicant):
    scored(under_review, reviewer, need=80, plan=50)

    seen = selectors.get_application_for(county_applicant, under_review.tracking_number)
    assert (seen.status, seen.decided_at, seen.decision_note) == ("under_review", None, "")
    assert not Award.objects.filter(application=under_review).exists()
    assert list(selectors.awards_visible_to(county_applicant)) == []
    assert not Notification.objects.filter(recipient=county_applicant, subject__startswith="Award").exists()

    award = services.award_application(under_review, by=omb_staff, amount=Decimal("90000.00"), award_number="OMB-27-1")

    assert list(selectors.awards_visible_to(county_applicant)) == [award]
    assert selectors.get_application_for(county_applicant, under_review.tracking_number).status == "awarded"


# ---------------------------------------------------------------------------
# The public figures


def dollars_figure(raw: dict) -> dict:
    return next(figure for figure in raw["figures"] if figure["key"] == "dollars_awarded")


def published(key: str) -> transparency.Figure:
    return next(figure for figure in transparency.publish(selectors.public_aggregates()) if figure.key == key)


AWARDS = [Decimal("10000.01"), Decimal("20000.02"), Decimal("30000.03"), Decimal("40000.04"), Decimal("50000.05")]


def test_dollars_awarded_are_summed_in_decimal_and_hidden_below_five_awards(make_application):
    for amount in AWARDS[:4]:
        make_application("awarded", requested=amount)

    raw = dollars_figure(selectors.public_aggregates())
    assert (raw["sum"], raw["of"]) == (Decimal("100000.10"), 4)
    assert isinstance(raw["sum"], Decimal)
    assert (published("dollars_awarded").suppressed, published("dollars_awarded").value) == (True, None)
    assert published("awards").suppressed is True


def test_dollars_awarded_are_published_from_five_awards(make_application):
    for amount in AWARDS:
        make_application("awarded", requested=amount)

    raw = dollars_figure(selectors.public_aggregates())
    assert (raw["sum"], raw["of"], type(raw["sum"])) == (Decimal("150000.15"), 5, Decimal)
    figure = published("dollars_awarded")
    assert (figure.suppressed, figure.value, figure.display) == (False, 150000, "$150,000")
    assert (published("awards").suppressed, published("awards").value) == (False, 5)


def test_with_no_awards_the_dollars_are_a_decimal_zero(opportunity):
    raw = dollars_figure(selectors.public_aggregates())

    assert (raw["sum"], type(raw["sum"]), raw["of"]) == (Decimal("0"), Decimal, 0)
    assert published("dollars_awarded").suppressed is True
