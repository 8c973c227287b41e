"""The opening search runs a fixed number of queries whatever the number of results (rule 7 of DESIGN.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.workforce.conftest import OPENINGS_URL
from workforce.models import WorkRole

READERS = ["anonymous", "opm_staff"]
SEARCH = {"hiring_path": "vet", "open_now": "true", "sort": "salary"}


def search_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(OPENINGS_URL, SEARCH)
    assert response.status_code == 200
    return len(queries), response.json()["count"]


@pytest.fixture
def add_matching(make_opening, opm, dhs):
    """`add_matching(n)`: n posted openings the search finds, spread over agencies, places and roles."""

    def add(count: int) -> None:
        for number in range(count):
            make_opening(
                agency=(opm, dhs)[number % 2],
                hiring_paths=["public", "vet"],
                work_roles=["PD-WRL-003", "EO-AI-001"][: 1 + number % 2],
                locations=[("Arlington", "VA"), ("Denver", "CO")][: 1 + number % 2],
                salary_max=100000 + number,
            )

    return add


# Pinned at today's count. Anonymous (9): the facets together with the openings matched (which
# count the pages), the chosen hiring-path facet without its own filter, the agency, pathway and
# work-role labels, the page, and its locations, work roles and cohort agencies. Staff add six:
# the session, the user, the session's authenticator (django-otp: staff must use MFA), their own
# permissions, their role permissions and their groups. A new query here is a choice, not an accident.
QUERIES = {"anonymous": 9, "opm_staff": 15}


def test_the_search_costs_the_same_for_3_and_30_matching_openings(api, people, make_opening, add_matching):
    clients = {reader: api(people(reader)) for reader in READERS}
    make_opening(hiring_paths=["public"])  # one the search does not find

    add_matching(3)
    few = {reader: search_queries(client) for reader, client in clients.items()}
    add_matching(27)
    many = {reader: search_queries(client) for reader, client in clients.items()}

    assert {reader: (few[reader][1], many[reader][1]) for reader in READERS} == dict.fromkeys(READERS, (3, 30))
    assert {reader: queries for reader, (queries, _) in few.items()} == {
        reader: queries for reader, (queries, _) in many.items()
    }
    assert {reader: many[reader][0] for reader in READERS} == QUERIES, many


def rows_read_by_each_query(client, params: dict) -> list[tuple[int, str]]:
    """Replay each SELECT the search ran and count the rows it brings back to Python."""
    statements = []

    def record(execute, sql, sql_params, many, context):
        statements.append((sql, sql_params))
        return execute(sql, sql_params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(OPENINGS_URL, params)
    assert response.status_code == 200
    rows = []
    with connection.cursor() as cursor:
        for sql, sql_params in statements:
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute(sql, sql_params)
                rows.append((len(cursor.fetchall()), sql[:120]))
    return rows


def test_the_search_reads_a_page_of_openings_not_every_match(api, add_matching):
    # A fixed number of queries is not enough at 100,000 openings: no query may bring back a row
    # per match. The most any should read is a page, or a reference list (the NICE work roles).
    add_matching(20)
    page_size = 5
    bound = max(page_size, WorkRole.objects.count())

    rows = rows_read_by_each_query(api(), {**SEARCH, "page_size": page_size})

    assert [(count, sql) for count, sql in rows if count > bound] == []
