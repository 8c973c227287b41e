"""The public transparency page, its CSV and its JSON: counts and medians only, under one
small-number rule, never a name; the same queries whatever the number of cases.

Cases are filed and moved through `reviews.services`, openings and applications through
`workforce.services`, by the people who would take each step.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from eo_portal import deadlines, registry, transparency
from eo_portal.mandates import public_mandates
from eo_portal.models import Organisation, OrganisationKind, Role
from reviews import selectors as review_selectors
from reviews import services as reviews
from reviews.models import ReviewCase
from tests.factories import UserFactory, person_in
from workforce import selectors as workforce_selectors
from workforce import services as hiring
from workforce.models import Pathway, WorkRole

PAGE, CSV_URL, JSON_URL = "/transparency/", "/transparency.csv", "/api/v1/transparency/"
SUBMITTED = "reviews.cases_by_status.submitted"

CASE = {
    "model_name": "Atlas",
    "model_version": "4.1",
    "capability_summary": "General-purpose model with strong code generation and tool use.",
    "modalities": ["text", "code"],
}
DETERMINATION = {
    "rationale": "Unclassified summary: the benchmark results call for a voluntary review.",
    "classified_reference": "BM-2026-0042",
}
OPENING = {
    "title": "Cyber Defense Analyst",
    "series": "2210",
    "pay_plan": "GS",
    "grade_low": 11,
    "grade_high": 12,
    "salary_min": 86962,
    "salary_max": 135987,
    "duties": "Protect federal systems and share remediation guidance with the AI cybersecurity clearinghouse.",
    "qualifications": "One year of specialized experience equivalent to the next lower grade.",
}


def days_from_today(days: int):
    return deadlines.add_calendar_days(deadlines.today(), days)


# ---------------------------------------------------------------------------
# Data


@pytest.fixture
def file_cases(lab_a, lab_a_manager):
    """`file_cases(n, submit=True, **fields)`: n cases of Lab A, submitted for review unless told not to."""

    def make(count: int, *, submit: bool = True, **fields) -> list[ReviewCase]:
        cases = []
        for _ in range(count):
            case = reviews.create_case(by=lab_a_manager, lab=lab_a, **{**CASE, **fields})
            if submit:
                case = reviews.submit_case(case, by=lab_a_manager)
            cases.append(case)
        return cases

    return make


@pytest.fixture
def determine(agency_staff):
    """`determine(case, outcome)`: CISA screens the case and records the benchmark determination."""

    def record(case: ReviewCase, outcome: str = "meets_threshold") -> None:
        reviews.start_screening(case, by=agency_staff)
        reviews.record_determination(case, by=agency_staff, outcome=outcome, **DETERMINATION)

    return record


def submitted_days_ago(case: ReviewCase, days: int) -> None:
    """Time passing, not a user's write: the case was submitted at noon (US Eastern) `days` ago."""
    noon = datetime.combine(days_from_today(-days), time(12), tzinfo=deadlines.EASTERN)
    ReviewCase.objects.filter(pk=case.pk).update(submitted_at=noon)


@pytest.fixture
def opm_staff(db):
    return person_in(Organisation.objects.get(slug="opm"), Role.MEMBER, username="opm-hiring", is_staff=True)


@pytest.fixture
def post_openings(opm_staff):
    """`post_openings(n, post=True)`: n Tech Force openings of OPM, open for applications until 10 days from now."""

    def make(count: int, *, post: bool = True):
        made = []
        for _ in range(count):
            opening = hiring.create_opening(
                by=opm_staff,
                agency=Organisation.objects.get(slug="opm"),
                hiring_paths=["public"],
                locations=[("Washington", "DC")],
                work_roles=list(WorkRole.objects.filter(code="PD-WRL-001")),
                pathway=Pathway.objects.get(slug="tech-force-fellowship"),
                open_date=days_from_today(-3),
                close_date=days_from_today(10),
                **OPENING,
            )
            made.append(hiring.post_opening(opening, by=opm_staff) if post else opening)
        return made

    return make


# ---------------------------------------------------------------------------
# Reading the three outputs


def page_figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{re.escape(name)}"[^>]*>([^<]*)<', html)
    assert match, f"no figure {name} on the page"
    return match.group(1).strip()


def json_figure(data: dict, program: str, key: str, row: str = "") -> dict:
    published = next(p for p in data["programs"] if p["program"] == program)
    figure = next(f for f in published["figures"] if f["key"] == key)
    return next(r for r in figure["rows"] if r["key"] == row) if row else figure


def csv_table(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def csv_value(table: list[list[str]], program: str, figure: str) -> str:
    values = [value for p, f, value in table[1:] if p == program and f == figure]
    assert len(values) == 1, f"{program} / {figure}: {values}"
    return values[0]


def outputs(web, api) -> tuple[str, list[list[str]], dict]:
    page, table, data = web().get(PAGE), web().get(CSV_URL), api().get(JSON_URL)
    assert (page.status_code, table.status_code, data.status_code) == (200, 200, 200)
    return page.content.decode(), csv_table(table.content), data.json()


# ---------------------------------------------------------------------------
# The small-number rule


def test_four_submitted_cases_show_as_fewer_than_5_and_no_number_anywhere(web, api, file_cases):
    file_cases(4)
    html, table, data = outputs(web, api)

    assert page_figure(html, SUBMITTED) == "fewer than 5"
    assert page_figure(html, "reviews.cases_by_status.total") == "fewer than 5"
    assert csv_value(table, "reviews", "Review cases by status: Submitted") == "fewer than 5"
    assert csv_value(table, "reviews", "Review cases by status: All submitted cases") == "fewer than 5"
    submitted = json_figure(data, "reviews", "cases_by_status", "submitted")
    assert submitted == {
        "key": "submitted",
        "label": "Submitted",
        "value": None,
        "suppressed": True,
        "display": "fewer than 5",
    }
    total = json_figure(data, "reviews", "cases_by_status")
    assert (total["value"], total["suppressed"]) == (None, True)


def test_five_submitted_cases_show_the_number(web, api, file_cases):
    file_cases(5)
    html, table, data = outputs(web, api)

    assert page_figure(html, SUBMITTED) == "5"
    assert page_figure(html, "reviews.cases_by_status.total") == "5"
    assert csv_value(table, "reviews", "Review cases by status: Submitted") == "5"
    submitted = json_figure(data, "reviews", "cases_by_status", "submitted")
    assert (submitted["value"], submitted["suppressed"], submitted["display"]) == (5, False, "5")
    # The other statuses have no case: below 5 as well, so hidden the same way.
    assert page_figure(html, "reviews.cases_by_status.closed") == "fewer than 5"


def test_drafts_are_not_counted(web, api, file_cases, lab_a_manager):
    file_cases(4)
    drafts = file_cases(3, submit=False, planned_release_date=days_from_today(60))
    reviews.record_government_access(drafts[0], by=lab_a_manager, on=days_from_today(-1))
    html, table, data = outputs(web, api)

    # 4 submitted and 3 drafts: counting the drafts would show 7.
    assert page_figure(html, "reviews.cases_by_status.total") == "fewer than 5"
    assert json_figure(data, "reviews", "cases_by_status")["value"] is None
    assert all(row["key"] != "draft" for row in json_figure(data, "reviews", "cases_by_status")["rows"])
    assert "Draft" not in {figure.split(": ")[-1] for _, figure, _ in table[1:]}
    raw = review_selectors.public_aggregates()["figures"]
    assert sum(row["count"] for row in raw[0]["rows"]) == 4
    assert raw[2]["of"] == 0, "a draft's dates never count towards the 30-day window"


def test_a_median_or_share_of_fewer_than_5_cases_is_suppressed_and_so_is_its_size(file_cases, determine):
    for case in file_cases(4, planned_release_date=days_from_today(40)):
        determine(case)
    figures = {figure.key: figure for figure in transparency.programs()[0].figures}

    assert figures["median_days_to_determination"].suppressed
    assert figures["median_days_to_determination"].value is None
    assert figures["median_days_to_determination"].of is None
    assert figures["median_days_to_determination"].display == "fewer than 5"


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ([10, 7, 2], {"c", "b"}),  # one hidden row would be the total minus the others: hide the next smallest
        ([10, 7, 2, 0], {"c", "d"}),  # two hidden rows: their sum is known, but not which is which
        ([3, 1], {"a", "b"}),  # the total is hidden too
        ([5, 6], set()),
    ],
)
def test_a_breakdown_never_lets_its_total_give_a_hidden_row_away(counts, hidden):
    rows = [{"key": key, "label": key.upper(), "count": count} for key, count in zip("abcd", counts, strict=False)]
    figure = transparency.breakdown_figure("by_x", "By x", rows)

    assert {row.key for row in figure.rows if row.suppressed} == hidden
    assert all(row.value is None and row.display == "fewer than 5" for row in figure.rows if row.suppressed)


def test_the_rule_applies_to_counts_medians_and_shares_alike():
    assert transparency.count_figure("n", "N", 4).display == "fewer than 5"
    assert transparency.count_figure("n", "N", 0).suppressed
    assert transparency.count_figure("n", "N", 1234).display == "1,234"
    assert transparency.median_figure("m", "M", 3.0, 4, "days").suppressed
    assert transparency.median_figure("m", "M", 3.0, 5, "days").display == "3 days"
    assert transparency.share_figure("s", "S", 4, 4).suppressed
    assert transparency.share_figure("s", "S", 1, 6).display == "16.7%"
    with pytest.raises(ValueError):
        transparency.count_figure("n", "N", -1)
    with pytest.raises(ValueError):
        transparency.publish({"figures": [{"key": "x", "label": "X", "kind": "name", "name": "Lab A"}]})


# ---------------------------------------------------------------------------
# The figures themselves


def test_the_median_days_to_determination_and_the_window_share_are_right_on_a_known_data_set(
    web, api, file_cases, determine, lab_a_manager
):
    access = days_from_today(-40)
    # Planned release this many days after the government's access: 30 or more respects the window.
    for offset in (30, 31, 45, 60, 100, 29, 15, 0):
        (case,) = file_cases(1, planned_release_date=access + timedelta(days=offset))
        reviews.record_government_access(case, by=lab_a_manager, on=access)
    # Left out of the share: one date missing, or a draft (known only to its lab).
    (no_plan,) = file_cases(1)
    reviews.record_government_access(no_plan, by=lab_a_manager, on=access)
    file_cases(1, planned_release_date=days_from_today(90))
    (draft,) = file_cases(1, submit=False, planned_release_date=access)
    reviews.record_government_access(draft, by=lab_a_manager, on=access)
    # Days from submission to determination: 2, 4, 9, 10, 20, 30; the median is 9.5.
    for case, days in zip(ReviewCase.objects.exclude(status="draft").order_by("pk"), (2, 4, 9, 10, 20, 30), strict=False):
        submitted_days_ago(case, days)
        determine(case, "below_threshold" if days > 15 else "meets_threshold")

    raw = {figure["key"]: figure for figure in review_selectors.public_aggregates()["figures"]}
    assert (raw["release_window_respected"]["count"], raw["release_window_respected"]["of"]) == (5, 8)
    assert (raw["median_days_to_determination"]["median"], raw["median_days_to_determination"]["of"]) == (9.5, 6)

    html, table, data = outputs(web, api)
    assert page_figure(html, "reviews.median_days_to_determination") == "9.5 days"
    assert page_figure(html, "reviews.release_window_respected") == "62.5%"
    median = json_figure(data, "reviews", "median_days_to_determination")
    share = json_figure(data, "reviews", "release_window_respected")
    assert (median["value"], median["of"], median["unit"], median["suppressed"]) == (9.5, 6, "days", False)
    assert (share["value"], share["of"], share["unit"], share["suppressed"]) == (62.5, 8, "percent", False)
    assert csv_value(table, "reviews", share["label"]) == "62.5%"
    assert csv_value(table, "reviews", f"{median['label']} (days)") == "9.5"
    # 10 submitted cases: 4 screening, 2 not warranted, 4 still submitted.
    assert page_figure(html, "reviews.cases_by_status.total") == "10"


def test_tech_force_counts_and_the_median_days_to_placement(web, api, post_openings, opm_staff):
    opening, *_ = post_openings(5)
    post_openings(2, post=False)  # drafts are not posted openings
    for number, days in enumerate((10, 20, 30, 40, 50)):
        applicant = UserFactory(username=f"applicant-{number}")
        application = hiring.apply(opening, by=applicant)
        for status in ("qualified", "referred", "interview", "offer"):
            application = hiring.advance_application(application, by=opm_staff, status=status)
        hiring.place_applicant(
            application, by=opm_staff, start_date=opening.close_date + timedelta(days=days), office="Cyber Division"
        )
    html, table, data = outputs(web, api)

    assert page_figure(html, "workforce.openings_posted") == "5"
    assert page_figure(html, "workforce.applications") == "5"
    assert page_figure(html, "workforce.placements") == "5"
    assert page_figure(html, "workforce.median_days_to_placement") == "30 days"
    assert json_figure(data, "workforce", "median_days_to_placement")["value"] == 30
    assert csv_value(table, "workforce", "Placements") == "5"


def test_a_program_that_registered_nothing_says_so(web, api, monkeypatch):
    monkeypatch.delitem(registry._aggregates, "grants")
    html, table, data = outputs(web, api)

    for program in ("grants",):
        assert re.search(rf'data-program="{program}">Not yet published in the portal', html)
        published = next(p for p in data["programs"] if p["program"] == program)
        assert (published["published"], published["figures"]) == (False, [])
        assert csv_value(table, program, "") == "Not yet published in the portal"
    assert [p["program"] for p in data["programs"]] == ["reviews", "clearinghouse", "grants", "workforce"]


def test_the_by_status_chart_draws_no_bar_for_a_hidden_count(web, file_cases):
    file_cases(5)
    html = web().get(PAGE).content.decode()

    chart = re.search(r'<svg[^>]*id="chart-reviews-cases_by_status".*?</svg>', html, re.S).group(0)
    assert 'role="img"' in chart and "<title" in chart and "<desc" in chart
    assert chart.count("<rect") == 1, "only Submitted (5) has a bar"
    assert len(re.findall(r'<text[^>]*font-style="italic"[^>]*>fewer than 5</text>', chart)) == 6
    assert ">5</text>" in chart


def test_the_mandates_section_shows_each_mandate_from_the_tracker(web, api):
    mandates = public_mandates()
    html, table, data = outputs(web, api)

    assert len(data["mandates"]) == len(mandates) > 0
    assert [m["section"] for m in data["mandates"]] == [m["section"] for m in mandates]
    assert len([row for row in table[1:] if row[0] == "mandates"]) == len(mandates)
    for mandate in mandates:
        assert str(mandate["status_label"]) in html
        if mandate["due_date"] is None:
            assert "No deadline in the order&#x27;s text" in html


def test_the_footer_links_to_the_transparency_page(web):
    assert 'href="/transparency/"' in web().get("/").content.decode()


# ---------------------------------------------------------------------------
# Nothing that names anyone


def test_no_seeded_lab_organisation_model_or_person_appears_in_the_page_the_csv_or_the_json(web, api):
    call_command("seed_demo", stdout=io.StringIO())
    lab_manager = get_user_model()._default_manager.get(username="lab-a-manager")
    lab = Organisation.objects.get(slug="lab-a")
    # Enough cases that the by-status figures are shown, not only "fewer than 5".
    for name in ("Cobalt", "Dynamo", "Ember", "Flint", "Garnet"):
        case = reviews.create_case(by=lab_manager, lab=lab, **{**CASE, "model_name": name})
        reviews.submit_case(case, by=lab_manager)
    names = set()
    for organisation in Organisation.objects.exclude(kind=OrganisationKind.AGENCY):
        names |= {organisation.name, organisation.short_name, organisation.slug}
    names |= set(ReviewCase.objects.values_list("model_name", flat=True))
    for username, email in get_user_model()._default_manager.values_list("username", "email"):
        names |= {username, email}
    names.discard("")

    html, table, data = outputs(web, api)
    assert page_figure(html, SUBMITTED) == "5"
    for label, text in [("page", html), ("CSV", str(table)), ("JSON", str(data))]:
        found = sorted(name for name in names if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.I))
        assert found == [], f"the {label} names {found}"


# ---------------------------------------------------------------------------
# Queries: the same for 5 cases and for 25 (rule 7)

# The figures cost what they cost today: reviews 2, Tech Force 3, the mandates 3; the page has no
# session to read for an anonymous visitor. A change that adds a query fails here.
# The core's 4, reviews' 2, workforce's 3, grants' 3 and the clearinghouse's at most 6 (4 with no directive due).
PINNED = {PAGE: 17, CSV_URL: 17, JSON_URL: 17}


def queries_for(client, path: str) -> int:
    client.get(path)  # warm the per-process caches (content types, templates) first
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", [PAGE, CSV_URL, JSON_URL])
def test_anonymous_visitors_get_the_same_number_of_queries_for_5_and_for_25_cases(
    web, file_cases, determine, post_openings, django_assert_max_num_queries, path
):
    for case in file_cases(5, planned_release_date=days_from_today(60)):
        determine(case)
    few = queries_for(web(), path)
    for case in file_cases(20, planned_release_date=days_from_today(60)):
        determine(case)
    post_openings(3)
    many = queries_for(web(), path)

    assert few == many
    with django_assert_max_num_queries(PINNED[path]):
        web().get(path)


def test_each_program_gathers_its_figures_in_a_fixed_number_of_queries(
    file_cases, determine, django_assert_num_queries
):
    for case in file_cases(6):
        determine(case)
    with django_assert_num_queries(2):
        review_selectors.public_aggregates()
    with django_assert_num_queries(3):
        workforce_selectors.public_aggregates()
