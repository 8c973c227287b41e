"""Who sees what: drafts and cancelled openings only by their own agency; an agency only the
applicants to its own openings; an applicant only their own applications. Unseen means 404."""

import pytest

from tests.workforce.conftest import APPLICATIONS_URL, OPENINGS_URL, refresh
from workforce import selectors

OUTSIDERS = ["anonymous", "applicant", "dhs_staff"]


def listed_openings(client) -> set[str]:
    response = client.get(OPENINGS_URL)
    assert response.status_code == 200
    return {row["control_number"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    "state, public", [("draft", False), ("cancelled", False), ("open", True), ("closed", True), ("filled", True)]
)
@pytest.mark.parametrize("viewer", [*OUTSIDERS, "opm_staff"])
def test_drafts_and_cancelled_openings_are_seen_only_by_their_own_agency(
    api, people, make_opening, state, public, viewer
):
    opening = make_opening(state)  # OPM's
    user = people(viewer)
    client = api(user)
    seen = public or viewer == "opm_staff"

    detail = client.get(f"{OPENINGS_URL}{opening.control_number}/")

    assert (detail.status_code, opening.control_number in listed_openings(client)) == (
        (200, True) if seen else (404, False)
    )
    assert selectors.openings_visible_to(user).filter(pk=opening.pk).exists() == seen


@pytest.mark.parametrize(
    "who, code",
    [
        pytest.param("opm_staff", 200, id="its agency posts"),
        pytest.param("dhs_staff", 404, id="another agency cannot see the draft"),
        pytest.param("applicant", 404, id="an applicant cannot see the draft"),
    ],
)
def test_only_the_hiring_agency_posts_its_draft(api, people, make_opening, who, code):
    opening = make_opening("draft")

    response = api(people(who)).post(f"{OPENINGS_URL}{opening.control_number}/post/")

    assert response.status_code == code
    assert refresh(opening).status == ("open" if code == 200 else "draft")


def test_another_agency_may_see_a_posted_opening_but_not_close_it(api, dhs_staff, make_opening):
    opening = make_opening("open")

    response = api(dhs_staff).post(f"{OPENINGS_URL}{opening.control_number}/close/")

    assert response.status_code == 403
    assert refresh(opening).status == "open"


# ---------------------------------------------------------------------------
# Applications

# Who sees which of the two applications: the applicant's to OPM, the other applicant's to DHS.
SEES = {
    "opm_staff": {"to_opm"},
    "dhs_staff": {"to_dhs"},
    "applicant": {"to_opm"},
    "other_applicant": {"to_dhs"},
}


@pytest.fixture
def applications(make_opening, make_application, dhs, applicant, other_applicant):
    return {
        "to_opm": make_application(opening=make_opening(), by=applicant),
        "to_dhs": make_application(opening=make_opening(agency=dhs), by=other_applicant),
    }


@pytest.mark.parametrize("viewer", SEES)
def test_each_sees_only_their_own_or_their_agencys_applications_in_the_list(api, people, applications, viewer):
    user = people(viewer)
    response = api(user).get(APPLICATIONS_URL)

    expected = {applications[name].pk for name in SEES[viewer]}
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == expected
    assert set(selectors.applications_visible_to(user).values_list("pk", flat=True)) == expected


@pytest.mark.parametrize("viewer", SEES)
def test_an_application_one_may_not_see_answers_404_on_its_detail(api, people, applications, viewer):
    client = api(people(viewer))

    answers = {name: client.get(f"{APPLICATIONS_URL}{a.pk}/").status_code for name, a in applications.items()}

    assert answers == {name: 200 if name in SEES[viewer] else 404 for name in applications}


def test_another_agency_advancing_an_application_it_cannot_see_gets_404_and_changes_nothing(
    api, dhs_staff, applications
):
    application = applications["to_opm"]

    response = api(dhs_staff).post(
        f"{APPLICATIONS_URL}{application.pk}/advance/", {"status": "qualified", "note": "x"}, format="json"
    )

    assert response.status_code == 404
    assert refresh(application).status == "received"
    assert refresh(application).history.count() == 1


@pytest.mark.parametrize("suffix", ["", "{pk}/"])
def test_anonymous_is_asked_to_sign_in_for_applications(api, applications, suffix):
    url = APPLICATIONS_URL + suffix.format(pk=applications["to_opm"].pk)

    assert api().get(url).status_code in (401, 403)
