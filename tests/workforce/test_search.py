"""Public job search: each filter, sorting, bad values and facets, in the API and in the selector,
on the known data set of conftest.CATALOGUE (keyword: icontains on SQLite, full text on PostgreSQL)."""

from collections import Counter
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.workforce.conftest import OPENINGS_URL, PUBLIC
from workforce import selectors
from workforce.models import Opening

FILTERS = [
    pytest.param({"keyword": "honeypots"}, {"responder"}, id="keyword in duties only"),
    pytest.param({"keyword": "Forensics"}, {"examiner"}, id="keyword in title"),
    pytest.param({"keyword": "honeypots Forensics"}, set(), id="keyword needs every word"),
    pytest.param({"series": "2210"}, {"analyst", "responder"}, id="series"),
    pytest.param({"grade": "8"}, {"scientist"}, id="grade inside the range"),
    pytest.param({"grade": "12"}, {"analyst", "responder"}, id="grade at the top of one range and bottom of another"),
    pytest.param({"grade": "10"}, set(), id="grade between the ranges"),
    pytest.param({"minimum_salary": "161486"}, {"red_team", "responder"}, id="minimum salary equal to a maximum"),
    pytest.param({"minimum_salary": "161487"}, {"red_team"}, id="minimum salary just above a maximum"),
    pytest.param({"state": "VA"}, {"red_team", "scientist"}, id="state"),
    pytest.param({"state": "va"}, {"red_team", "scientist"}, id="state in lower case"),
    pytest.param({"remote": "true"}, {"analyst", "scientist"}, id="remote true"),
    pytest.param({"remote": "false"}, {"red_team", "responder", "examiner"}, id="remote false"),
    pytest.param({"clearance": "secret"}, {"responder"}, id="clearance"),
    pytest.param({"clearance": "top_secret"}, {"red_team", "examiner"}, id="clearance top secret"),
    pytest.param({"pathway": "ctms"}, {"red_team"}, id="pathway"),
    pytest.param({"agency": "dhs"}, {"red_team", "responder"}, id="agency"),
    pytest.param({"hiring_path": "vet"}, {"red_team", "responder"}, id="hiring path"),
    pytest.param({"work_role": "PD-WRL-003"}, {"responder", "examiner"}, id="work role"),
    pytest.param({"open_now": "true"}, {"analyst", "red_team", "responder"}, id="open now"),
    pytest.param({}, set(PUBLIC), id="no filter"),
    pytest.param({"agency": "dhs", "hiring_path": "vet", "minimum_salary": "170000"}, {"red_team"}, id="combined"),
]
BY_CLOSE_DATE = ["examiner", "responder", "analyst", "red_team", "scientist"]
SORTS = [
    pytest.param("close_date", BY_CLOSE_DATE, id="close date"),
    pytest.param("salary", ["red_team", "responder", "analyst", "examiner", "scientist"], id="salary, highest first"),
    pytest.param("posted", ["analyst", "responder", "red_team", "examiner", "scientist"], id="posted, newest first"),
]
BAD_VALUES = [
    pytest.param("grade", "20", id="grade above 15"),
    pytest.param("grade", "0", id="grade below 1"),
    pytest.param("series", "9999", id="unknown series"),
    pytest.param("remote", "maybe", id="remote neither true nor false"),
    pytest.param("keyword", "cyber\x00", id="keyword with a NUL byte"),
    pytest.param("minimum_salary", "-5", id="negative salary"),
    pytest.param("clearance", "cosmic", id="unknown clearance"),
    pytest.param("hiring_path", "everyone", id="unknown hiring path"),
    pytest.param("sort", "random", id="unknown sort"),
    pytest.param("grade", "²", id="grade a superscript digit"),
    pytest.param("minimum_salary", "9" * 5000, id="minimum salary of 5000 digits"),
    pytest.param("state", "Virginia", id="state spelled out"),
    pytest.param("pathway", "ctms\x00", id="pathway with a NUL byte"),
    pytest.param("agency", "dhs\x00", id="agency with a NUL byte"),
    pytest.param("work_role", "PD-WRL-003\x00", id="work role with a NUL byte"),
]


def names_of(catalogue, control_numbers) -> list[str]:
    by_number = {opening.control_number: name for name, opening in catalogue.items()}
    return [by_number[number] for number in control_numbers]


def through_api(api, catalogue, params) -> list[str]:
    response = api().get(OPENINGS_URL, params)
    assert response.status_code == 200, response.content
    return names_of(catalogue, [row["control_number"] for row in response.json()["results"]])


def through_selector(catalogue, params) -> list[str]:
    filters = selectors.filters_from(params)
    found = selectors.search_openings(selectors.openings_visible_to(None), filters)
    return names_of(catalogue, [opening.control_number for opening in selectors.sorted_openings(found, filters.sort)])


@pytest.fixture
def search(api, catalogue) -> Callable[[dict], list[str]]:
    """`search(params)`: the public's results, as names, through the API and through the selector;
    the two must agree."""

    def run(params: dict) -> list[str]:
        found = through_api(api, catalogue, params)
        assert through_selector(catalogue, params) == found, "the API and the selector disagree"
        return found

    return run


@pytest.mark.parametrize("params, expected", FILTERS)
def test_each_filter_returns_exactly_the_matching_public_openings(search, params, expected):
    assert sorted(search(params)) == sorted(expected)


@pytest.mark.parametrize("sort, expected", SORTS)
def test_results_sort_by_close_date_salary_or_posting_date(search, sort, expected):
    assert search({"sort": sort}) == expected


def test_results_sort_by_close_date_by_default(search):
    assert search({}) == BY_CLOSE_DATE


# The keyword search is PostgreSQL's full text (stems, whole words) with a plain icontains fallback on SQLite.
KEYWORD_BY_DATABASE = {
    "postgresql": {"responding": {"responder"}, "respon": set()},
    "sqlite": {"responding": set(), "respon": {"responder"}},
}


@pytest.mark.parametrize("keyword", ["responding", "respon"])
def test_the_keyword_matches_stems_on_postgresql_and_substrings_on_sqlite(search, keyword):
    assert set(search({"keyword": keyword})) == KEYWORD_BY_DATABASE[connection.vendor][keyword]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN full-text index exists on PostgreSQL only")
def test_the_keyword_search_can_use_the_gin_index_the_migration_built(db):
    found = selectors.search_openings(Opening.objects.all(), selectors.filters_from({"keyword": "honeypots"}))
    with connection.cursor() as cursor:
        # Few rows make a sequential scan cheaper; forbid it to see whether the index matches the query.
        cursor.execute("SET LOCAL enable_seqscan = off")

    assert "opening_search_idx" in found.explain()


def test_the_search_pages_its_results(api, catalogue):
    response = api().get(OPENINGS_URL, {"page_size": 2, "page": 2})

    body = response.json()
    assert (body["count"], names_of(catalogue, [row["control_number"] for row in body["results"]])) == (
        5,
        ["analyst", "red_team"],
    )


# Every facet's filter chosen at once (the responder matches): the openings matched are then
# counted in a statement of their own, as no facet counts over them.
EVERY_FACET_CHOSEN = {
    "series": "2210",
    "clearance": "secret",
    "pathway": "direct-hire-it",
    "agency": "dhs",
    "state": "ID",
    "work_role": "PD-WRL-003",
    "remote": "false",
    "hiring_path": "vet",
}
SEARCHES = [
    pytest.param({}, id="no filter"),
    *(pytest.param(case.values[0], id=case.id) for case in FILTERS),
    pytest.param(EVERY_FACET_CHOSEN, id="every facet chosen"),
]


@pytest.mark.parametrize("params", SEARCHES)
def test_the_count_is_the_number_of_openings_found_in_the_api_and_on_the_page(api, client, catalogue, params):
    body = api().get(OPENINGS_URL, {**params, "page_size": 50}).json()
    page = client.get("/workforce/", params).context["page"]

    assert body["count"] == len(body["results"]) == page.paginator.count == len(page.object_list)


@pytest.mark.parametrize("field, value", BAD_VALUES)
def test_a_bad_filter_value_answers_400_naming_the_field(api, db, field, value):
    client = api()
    client.raise_request_exception = False  # a crash must show as a failed assertion, not an error

    response = client.get(OPENINGS_URL, {field: value})

    assert response.status_code == 400
    assert list(response.json()) == [field]
    with pytest.raises(ValidationError) as refused:
        selectors.filters_from({field: value})
    assert list(refused.value.message_dict) == [field]


# ---------------------------------------------------------------------------
# Facets

UNFILTERED_FACETS = {
    "series": {"0855": 1, "1550": 1, "1560": 1, "2210": 2},
    "clearance": {"none": 1, "public_trust": 1, "secret": 1, "top_secret": 2},
    "pathway": {"tech-force-fellowship": 1, "ctms": 1, "direct-hire-it": 2, "pathways-recent-graduates": 1},
    "agency": {"opm": 2, "dhs": 2, "cisa": 1},
    "state": {"DC": 1, "VA": 2, "FL": 1, "ID": 1, "MD": 1},
    "work_role": {
        "PD-WRL-007": 1,
        "EO-AI-002": 1,
        "PD-WRL-006": 1,
        "PD-WRL-003": 2,
        "IO-WRL-001": 1,
        "PD-WRL-002": 1,
    },
    "remote": {"true": 2, "false": 3},
    "hiring_path": {"public": 4, "graduates": 2, "vet": 2, "fed-competitive": 1, "student": 1, "fed-transition": 1},
}
# One selected value per facet: its own facet must not narrow, every other facet must.
SELECTIONS = [
    pytest.param("series", "2210"),
    pytest.param("clearance", "top_secret"),
    pytest.param("pathway", "direct-hire-it"),
    pytest.param("agency", "dhs"),
    pytest.param("state", "VA"),
    pytest.param("work_role", "PD-WRL-003"),
    pytest.param("remote", "false"),
    pytest.param("hiring_path", "vet"),
]


def facet_counts(body: dict) -> dict[str, dict[str, int]]:
    return {name: {row["value"]: row["count"] for row in rows} for name, rows in body["facets"].items()}


def tally(results: list[dict], facet: str) -> dict[str, int]:
    """What a facet should count over these results, read from the results themselves."""
    values = {
        "series": lambda row: [row["series"]],
        "clearance": lambda row: [row["clearance"]],
        "pathway": lambda row: [row["pathway"]],
        "agency": lambda row: [row["agency"]],
        "state": lambda row: {place["state"] for place in row["locations"]},
        "work_role": lambda row: row["work_roles"],
        "remote": lambda row: [str(row["remote"]).lower()],
        "hiring_path": lambda row: row["hiring_paths"],
    }[facet]
    return dict(Counter(value for row in results for value in values(row)))


def test_facets_count_the_public_openings_per_value_of_each_filter(api, catalogue):
    body = api().get(OPENINGS_URL).json()

    assert facet_counts(body) == UNFILTERED_FACETS
    assert {row["value"]: row["label"] for row in body["facets"]["agency"]} == {
        "opm": "OPM",
        "dhs": "DHS",
        "cisa": "CISA",
    }


@pytest.mark.parametrize("facet, value", SELECTIONS)
def test_a_facet_ignores_its_own_filter_and_counts_within_the_others(api, catalogue, facet, value):
    body = api().get(OPENINGS_URL, {facet: value}).json()
    counts = facet_counts(body)

    assert counts[facet] == UNFILTERED_FACETS[facet]
    others = {name: tally(body["results"], name) for name in UNFILTERED_FACETS if name != facet}
    assert {name: counts[name] for name in others} == others


def test_the_agency_facet_still_shows_opm_when_dhs_is_selected_while_series_narrows(api, catalogue):
    counts = facet_counts(api().get(OPENINGS_URL, {"agency": "dhs"}).json())

    assert counts["agency"]["opm"] == 2
    assert counts["series"] == {"1550": 1, "2210": 1}


def test_an_opening_in_two_cities_of_one_state_counts_once_for_that_state(api, catalogue, make_opening):
    make_opening(locations=[("Richmond", "VA"), ("Norfolk", "VA")], hiring_paths=["public"])
    body = api().get(OPENINGS_URL, {"state": "VA"}).json()

    assert facet_counts(body)["state"]["VA"] == UNFILTERED_FACETS["state"]["VA"] + 1
    assert body["count"] == len(body["results"]) == UNFILTERED_FACETS["state"]["VA"] + 1


def test_facets_narrow_with_the_keyword_grade_salary_and_open_now(api, catalogue):
    counts = facet_counts(
        api().get(OPENINGS_URL, {"keyword": "federal", "minimum_salary": "100000", "open_now": "true"}).json()
    )

    assert counts["agency"] == {"opm": 1, "dhs": 2}
