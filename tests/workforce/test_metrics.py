"""OPM's hiring figures on a known data set: counts by pathway and agency, median days from an
opening's close to the offer and to the placement; only OPM sees them; no applicant appears."""

import json
from datetime import datetime, time, timedelta

import pytest

from eo_portal import deadlines
from tests.factories import UserFactory
from tests.workforce.conftest import METRICS_URL, days_from_today
from workforce import selectors
from workforce.models import Opening, Placement

# Days after its opening's close: (offer, start of the placement or None).
OFFERS = {"uma_to_opm": (10, 40), "otto_to_opm": (20, None), "uma_to_dhs": (5, 61)}
EXPECTED = {
    "openings": 3,
    "applications": 6,
    "placements": 2,
    "median_days_close_to_offer": 10,  # of 5, 10, 20
    "median_days_close_to_placement": 50.5,  # of 40, 61
    "by_pathway": [
        {"name": "Cybersecurity Talent Management System", "openings": 1, "applications": 2, "placements": 1,
         "median_days_close_to_offer": 5, "median_days_close_to_placement": 61},
        {"name": "Tech Force fellowship", "openings": 2, "applications": 4, "placements": 1,
         "median_days_close_to_offer": 15, "median_days_close_to_placement": 40},
    ],
    "by_agency": [
        {"name": "DHS", "openings": 2, "applications": 3, "placements": 1,
         "median_days_close_to_offer": 5, "median_days_close_to_placement": 61},
        {"name": "OPM", "openings": 1, "applications": 3, "placements": 1,
         "median_days_close_to_offer": 15, "median_days_close_to_placement": 40},
    ],
}


@pytest.fixture
def third_applicant(db):
    return UserFactory(username="ines-applicant", first_name="Ines", last_name="Hopeful")


@pytest.fixture
def hiring_record(make_opening, make_application, dhs, applicant, other_applicant, third_applicant):
    """Three openings, six applications, two placements, with close, offer and start dates fixed."""
    opm_fellows = make_opening(pathway="tech-force-fellowship")
    dhs_ctms = make_opening(agency=dhs, pathway="ctms", series="1550", pay_plan="CTMS", grade_low=None, grade_high=None)
    dhs_fellows = make_opening(agency=dhs, pathway="tech-force-fellowship")
    applications = {
        "uma_to_opm": make_application("placed", opening=opm_fellows, by=applicant),
        "otto_to_opm": make_application("offer", opening=opm_fellows, by=other_applicant),
        "ines_to_opm": make_application("received", opening=opm_fellows, by=third_applicant),
        "uma_to_dhs": make_application("placed", opening=dhs_ctms, by=applicant),
        "otto_to_dhs": make_application("not_qualified", opening=dhs_ctms, by=other_applicant),
        "ines_to_dhs": make_application("received", opening=dhs_fellows, by=third_applicant),
    }
    # Time passing, set here so the medians are known: the openings closed, then offers and starts came.
    closed = {opm_fellows.pk: days_from_today(-30), dhs_ctms.pk: days_from_today(-40)}
    for pk, day in closed.items():
        Opening.objects.filter(pk=pk).update(close_date=day)
    for name, (to_offer, to_start) in OFFERS.items():
        application = applications[name]
        close = closed[application.opening_id]
        offered = datetime.combine(close + timedelta(days=to_offer), time(12), tzinfo=deadlines.EASTERN)
        type(application).objects.filter(pk=application.pk).update(offered_at=offered)
        if to_start is not None:
            Placement.objects.filter(application=application).update(start_date=close + timedelta(days=to_start))
    return applications


def test_the_metrics_count_by_pathway_and_agency_and_give_the_median_days_to_offer_and_placement(hiring_record):
    assert selectors.hiring_metrics() == EXPECTED


def test_opm_staff_read_the_same_figures_in_the_api_with_no_applicants_personal_data(
    api, opm_staff, hiring_record, applicant, other_applicant, third_applicant
):
    response = api(opm_staff).get(METRICS_URL)

    assert response.status_code == 200
    assert response.json() == EXPECTED
    text = json.dumps(response.json())
    personal = [
        value
        for user in (applicant, other_applicant, third_applicant)
        for value in (user.username, user.email, user.first_name, user.last_name)
    ]
    assert [value for value in personal if value in text] == []


@pytest.mark.parametrize(
    "who, codes",
    [
        pytest.param("dhs_staff", {404}, id="another agency"),
        pytest.param("applicant", {404}, id="an applicant"),
        pytest.param("anonymous", {401, 403}, id="anonymous"),
    ],
)
def test_only_opm_sees_the_metrics(api, people, hiring_record, who, codes):
    assert api(people(who)).get(METRICS_URL).status_code in codes


def test_with_no_offers_or_placements_the_medians_are_empty(make_application):
    make_application("interview")

    metrics = selectors.hiring_metrics()

    assert (metrics["median_days_close_to_offer"], metrics["median_days_close_to_placement"]) == (None, None)


def test_an_opening_without_applications_still_counts_among_its_agencys_and_pathways_openings(
    make_opening, make_application
):
    make_application(opening=make_opening())  # OPM, Tech Force fellowship
    make_opening()  # posted too, no applications yet

    metrics = selectors.hiring_metrics()

    assert metrics["openings"] == 2
    assert [(row["name"], row["openings"]) for row in metrics["by_agency"]] == [("OPM", 2)]
    assert [(row["name"], row["openings"]) for row in metrics["by_pathway"]] == [("Tech Force fellowship", 2)]
