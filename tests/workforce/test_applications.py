"""Applying and moving applications: only an opening open today takes applications, once per applicant;
the hiring agency moves them by the table in workflow.AGENCY_MOVES; the applicant withdraws before an
offer; placing works from an offer only. Every move has its history and tells the applicant."""

import pytest

from eo_portal.models import Notification
from tests.workforce.conftest import APPLICATIONS_URL, OPENINGS_URL, days_from_today, refresh
from workforce import services, workflow
from workforce.models import Application, Placement
from workforce.workflow import ApplicationStatus, MoveNotAllowed

NOT_OPEN_TODAY = "This opening is not accepting applications: it is not open today."
ALREADY = "You have already applied to this opening."
ALLOWED = [
    pytest.param(source, target, id=f"{source}->{target}")
    for source, targets in workflow.AGENCY_MOVES.items()
    for target in targets
]
ALL_STATUSES = ApplicationStatus.values


def apply_url(opening) -> str:
    return f"{OPENINGS_URL}{opening.control_number}/apply/"


def action_url(application, action: str) -> str:
    return f"{APPLICATIONS_URL}{application.pk}/{action}/"


def notifications_of(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("subject", flat=True))


# ---------------------------------------------------------------------------
# Applying


@pytest.mark.parametrize("state", ["draft", "closed", "past_close", "not_yet_open", "filled", "cancelled"])
def test_an_opening_not_open_today_refuses_applications(make_opening, applicant, state):
    opening = make_opening(state)

    with pytest.raises(MoveNotAllowed, match=NOT_OPEN_TODAY):
        services.apply(opening, by=applicant)
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    "state, code, body",
    [
        pytest.param("closed", 409, {"detail": NOT_OPEN_TODAY}, id="closed"),
        pytest.param("past_close", 409, {"detail": NOT_OPEN_TODAY}, id="past its close date"),
        pytest.param("not_yet_open", 409, {"detail": NOT_OPEN_TODAY}, id="not yet open"),
        pytest.param("filled", 409, {"detail": NOT_OPEN_TODAY}, id="filled"),
        # A draft does not exist for the public (DESIGN.md rule 2): 404, not 409.
        pytest.param("draft", 404, None, id="draft"),
        pytest.param("cancelled", 404, None, id="cancelled"),
    ],
)
def test_the_api_refuses_an_application_to_an_opening_not_open_today(api, make_opening, applicant, state, code, body):
    opening = make_opening(state)

    response = api(applicant).post(apply_url(opening), {"cover_note": "Hire me"}, format="json")

    assert response.status_code == code
    if body is not None:
        assert response.json() == body
    assert not Application.objects.exists()


def test_an_open_opening_takes_one_application_and_answers_409_to_the_second(api, make_opening, applicant):
    opening = make_opening()
    client = api(applicant)

    first = client.post(apply_url(opening), {"cover_note": "I defend networks."}, format="json")
    second = client.post(apply_url(opening), {"cover_note": "Again."}, format="json")

    assert (first.status_code, first.json()["status"], first.json()["opening"]) == (
        201,
        "received",
        opening.control_number,
    )
    assert (second.status_code, second.json()) == (409, {"detail": ALREADY})
    assert Application.objects.filter(opening=opening, applicant=applicant).count() == 1


def test_a_withdrawn_applicant_cannot_apply_again_to_the_same_opening(make_application, applicant):
    application = make_application("withdrawn")

    with pytest.raises(MoveNotAllowed, match=ALREADY):
        services.apply(application.opening, by=applicant)


def test_anonymous_cannot_apply(api, make_opening):
    assert api().post(apply_url(make_opening()), {}, format="json").status_code in (401, 403)
    assert not Application.objects.exists()


# ---------------------------------------------------------------------------
# The hiring agency's moves


@pytest.mark.parametrize("source, target", ALLOWED)
def test_the_hiring_agency_makes_each_allowed_move_with_its_note_in_the_history(
    api, make_application, opm_staff, applicant, source, target
):
    application = make_application(source)
    told_before = notifications_of(applicant)

    response = api(opm_staff).post(
        action_url(application, "advance"), {"status": target, "note": "Panel reviewed"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == target
    latest = refresh(application).history.first()
    label = ApplicationStatus(target).label.lower()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        target,
        opm_staff,
        f"{label}: Panel reviewed",
    )
    assert notifications_of(applicant) == [
        *told_before,
        f"Your application to {application.opening.control_number}: {label}",
    ]
    if target == ApplicationStatus.OFFER:
        assert refresh(application).offered_at == refresh(application).status_changed_at


@pytest.mark.parametrize("source", ALL_STATUSES)
def test_every_move_not_in_the_table_answers_409_with_the_reason_and_changes_nothing(
    api, make_application, opm_staff, source
):
    application = make_application(source)
    client = api(opm_staff)
    refused = [target for target in ALL_STATUSES if target not in workflow.AGENCY_MOVES.get(source, ())]

    answers = {}
    for target in refused:
        response = client.post(action_url(application, "advance"), {"status": target}, format="json")
        answers[target] = (
            response.status_code,
            response.json()["detail"].endswith(f"not to {ApplicationStatus(target).label.lower()}."),
        )

    assert answers == dict.fromkeys(refused, (409, True))
    assert refresh(application).status == source


def test_an_unknown_status_answers_400_naming_the_field(api, make_application, opm_staff):
    application = make_application()

    response = api(opm_staff).post(action_url(application, "advance"), {"status": "hired"}, format="json")

    assert (response.status_code, list(response.json())) == (400, ["status"])


# ---------------------------------------------------------------------------
# Withdrawing


@pytest.mark.parametrize("source", ALL_STATUSES)
def test_the_applicant_withdraws_only_before_an_offer(api, make_application, applicant, source):
    application = make_application(source)

    response = api(applicant).post(action_url(application, "withdraw"))

    if source in workflow.WITHDRAWABLE:
        assert response.status_code == 200
        latest = refresh(application).history.first()
        assert (latest.status, latest.history_user, latest.history_change_reason) == (
            "withdrawn",
            applicant,
            "withdrawn by the applicant",
        )
    else:
        assert (response.status_code, refresh(application).status) == (409, source)
        assert response.json() == {"detail": "An application can be withdrawn only before an offer is made."}


@pytest.mark.parametrize(
    "who, codes",
    [
        pytest.param("opm_staff", {403}, id="the hiring agency sees it but may not withdraw it"),
        pytest.param("dhs_staff", {404}, id="another agency"),
        pytest.param("other_applicant", {404}, id="another applicant"),
        pytest.param("anonymous", {401, 403}, id="anonymous"),
    ],
)
def test_only_the_applicant_withdraws(api, people, make_application, who, codes):
    application = make_application()

    response = api(people(who)).post(action_url(application, "withdraw"))

    assert response.status_code in codes
    assert refresh(application).status == "received"


# ---------------------------------------------------------------------------
# Placing


@pytest.mark.parametrize("source", ALL_STATUSES)
def test_placing_works_only_from_an_offer_and_records_start_date_and_office(
    api, make_application, opm_staff, applicant, source
):
    application = make_application(source)
    start = days_from_today(60)
    placements_before = Placement.objects.count()
    told_before = notifications_of(applicant)

    response = api(opm_staff).post(
        action_url(application, "place"),
        {"start_date": start.isoformat(), "office": "Cyber Division, DC"},
        format="json",
    )

    if source == ApplicationStatus.OFFER:
        assert response.status_code == 200, response.content
        assert (response.json()["status"], response.json()["placement"]) == (
            "placed",
            {"start_date": start.isoformat(), "office": "Cyber Division, DC"},
        )
        placement = Placement.objects.get(application=application)
        assert (placement.start_date, placement.office, placement.recorded_by) == (
            start,
            "Cyber Division, DC",
            opm_staff,
        )
        latest = refresh(application).history.first()
        assert (latest.status, latest.history_user, latest.history_change_reason) == ("placed", opm_staff, "placed")
        assert notifications_of(applicant) == [
            *told_before,
            f"Your application to {application.opening.control_number}: placed",
        ]
    else:
        assert (response.status_code, response.json()) == (
            409,
            {"detail": "Only an applicant who received an offer can be placed."},
        )
        assert (refresh(application).status, Placement.objects.count()) == (source, placements_before)


@pytest.mark.parametrize(
    "who, code",
    [pytest.param("dhs_staff", 404, id="another agency"), pytest.param("applicant", 403, id="the applicant")],
)
def test_only_the_hiring_agency_places(api, people, make_application, who, code):
    application = make_application("offer")

    response = api(people(who)).post(
        action_url(application, "place"),
        {"start_date": days_from_today(60).isoformat(), "office": "HQ"},
        format="json",
    )

    assert response.status_code == code
    assert (refresh(application).status, Placement.objects.exists()) == ("offer", False)
