"""The 30-day window: access to the model 30 calendar days before any other release.

Calendar days, not business days: a window that crosses a month end, a leap day, a federal
holiday or a year end is still 30 days. A planned release inside the window is a warning to
everyone who can see the case, never a block.
"""

from datetime import date, timedelta

import pytest

from eo_portal import deadlines
from reviews import services
from reviews.models import ReviewCase
from reviews.workflow import Status
from tests.reviews.support import CASES_URL, case_url, days_from_today, refresh

# Federal holidays inside the windows below (5 U.S.C. 6103).
FEDERAL_HOLIDAYS = {
    date(2026, 11, 26),  # Thanksgiving
    date(2026, 12, 25),  # Christmas
    date(2027, 1, 1),  # New Year's Day
    date(2027, 1, 18),  # Martin Luther King Jr. Day
    date(2027, 2, 15),  # Washington's Birthday
    date(2028, 2, 21),  # Washington's Birthday
}


def business_days_after(start: date, count: int) -> date:
    """What a business-day count would give; the order does not count this way."""
    day = start
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in FEDERAL_HOLIDAYS:
            count -= 1
    return day


@pytest.mark.parametrize(
    "access, earliest_release",
    [
        pytest.param(date(2027, 1, 15), date(2027, 2, 14), id="across a month end"),
        pytest.param(date(2028, 2, 10), date(2028, 3, 11), id="across a leap day"),
        pytest.param(date(2027, 2, 10), date(2027, 3, 12), id="across february in a common year"),
        pytest.param(date(2026, 11, 20), date(2026, 12, 20), id="across thanksgiving"),
        pytest.param(date(2026, 12, 15), date(2027, 1, 14), id="across christmas and the year end"),
        pytest.param(date(2026, 12, 1), date(2026, 12, 31), id="within one month"),
    ],
)
def test_the_earliest_release_is_thirty_calendar_days_after_access(access, earliest_release):
    case = ReviewCase(government_access_date=access)

    assert case.earliest_release_date == earliest_release
    assert deadlines.add_calendar_days(access, 30) == earliest_release


@pytest.mark.parametrize("access", [date(2026, 11, 20), date(2026, 12, 15), date(2027, 1, 15), date(2028, 2, 10)])
def test_the_window_is_thirty_calendar_days_not_twenty_one_business_days(access):
    earliest_release = ReviewCase(government_access_date=access).earliest_release_date

    assert (earliest_release - access).days == 30
    assert earliest_release != business_days_after(access, 21)


def test_there_is_no_window_until_access_is_given():
    case = ReviewCase(planned_release_date=date(2027, 1, 1))

    assert case.earliest_release_date is None
    assert case.window_days_remaining is None
    assert case.planned_release_respects_window is None


@pytest.mark.parametrize(
    "access_days_ago, days_remaining",
    [(0, 30), (1, 29), (23, 7), (29, 1), (30, 0), (31, 0), (45, 0)],
)
def test_window_days_remaining_counts_down_and_never_goes_below_zero(
    access_days_ago, days_remaining, make_case, lab_a_manager, api
):
    access = days_from_today(-access_days_ago)
    case = services.record_government_access(make_case("submitted"), by=lab_a_manager, on=access)

    assert case.window_days_remaining == days_remaining
    assert api(lab_a_manager).get(case_url(case)).json()["window_days_remaining"] == days_remaining


def test_access_cannot_be_recorded_ahead_of_time(make_case, lab_a_manager, cisa_member, api):
    case = make_case("submitted")

    response = api(cisa_member).post(
        case_url(case, "government-access/"), {"on": days_from_today(1).isoformat()}, format="json"
    )

    assert response.status_code == 400
    assert "government_access_date" in response.json()
    assert refresh(case).government_access_date is None
    response = api(cisa_member).post(case_url(case, "government-access/"), {"on": deadlines.today().isoformat()})
    assert response.status_code == 200
    assert response.json()["earliest_release_date"] == days_from_today(30).isoformat()


@pytest.mark.parametrize(
    "planned_in_days, respects_window",
    [(10, False), (29, False), (30, True), (45, True)],
)
def test_a_planned_release_inside_the_window_is_a_warning_not_a_block(
    planned_in_days, respects_window, make_case, lab_a_manager, cisa_member, api
):
    case = make_case("draft", planned_release_date=days_from_today(planned_in_days))
    services.record_government_access(case, by=lab_a_manager, on=deadlines.today())

    submitted = api(lab_a_manager).post(case_url(case, "submit/"))

    assert submitted.status_code == 200, "the warning never stops the lab from submitting"
    assert refresh(case).status == Status.SUBMITTED
    for reader in (lab_a_manager, cisa_member):
        body = api(reader).get(case_url(case)).json()
        assert body["planned_release_respects_window"] is respects_window
        assert body["earliest_release_date"] == days_from_today(30).isoformat()


@pytest.fixture
def cases_by_access(make_case, lab_a_manager):
    """Submitted cases, created in this order, keyed by how many days ago access was given (None: not yet)."""
    cases = {}
    for days_ago in (10, 29, None, 25, 31):
        case = make_case("submitted")
        if days_ago is not None:
            services.record_government_access(case, by=lab_a_manager, on=days_from_today(-days_ago))
        cases[days_ago] = case
    return cases


def test_agencies_see_the_windows_ending_soonest_first_and_the_lab_its_newest_cases_first(
    cases_by_access, lab_a_manager, cisa_member, api
):
    def order(user):
        references = [row["reference"] for row in api(user).get(CASES_URL).json()["results"]]
        by_reference = {case.reference: days_ago for days_ago, case in cases_by_access.items()}
        return [by_reference[reference] for reference in references]

    assert order(cisa_member) == [31, 29, 25, 10, None]
    assert order(lab_a_manager) == [31, 25, None, 29, 10]


@pytest.mark.parametrize("within, expected", [(0, []), (1, [29]), (5, [29, 25]), (20, [29, 25, 10])])
def test_the_window_ending_soon_filter_lists_open_cases_whose_window_ends_within_n_days(
    within, expected, cases_by_access, make_case, lab_a_manager, cisa_member, api
):
    withdrawn = services.record_government_access(make_case("submitted"), by=lab_a_manager, on=days_from_today(-27))
    services.withdraw_case(withdrawn, by=lab_a_manager)

    response = api(cisa_member).get(CASES_URL, {"window_ends_within": within})

    listed = [row["window_days_remaining"] for row in response.json()["results"]]
    assert listed == [30 - days_ago for days_ago in expected]
