"""The case list runs a fixed number of queries whatever the number of cases (rule 7 of DESIGN.md)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews import services
from tests.reviews.support import CASES_URL, days_from_today

# Pinned at today's count: session, user, the session's authenticator (django-otp: every reader
# here must use MFA), role permissions (2), groups, the cases granted to them (up to the list's
# limit: bench/README.md, 17), "is government", the count, the page, its assignments, and the
# access map (full, shared, own organisations). A new query here is a choice, not an accident.
MAX_QUERIES = 14
READERS = ["lab_a_manager", "cisa_member", "coordinator", "partner_a_manager"]


def list_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CASES_URL)
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


def test_the_case_list_costs_the_same_for_5_and_50_cases_for_the_lab_agencies_coordinators_and_partners(
    make_case, active_partner, lab_a_manager, people, api
):
    # One build of 50 cases serves every reader: building them through the services is the slow part.
    clients = {reader: api(people(reader)) for reader in READERS}

    def add_cases(count: int) -> None:
        for number in range(count):
            case = make_case("determined" if number % 3 == 0 else "submitted")
            services.record_government_access(case, by=lab_a_manager, on=days_from_today(-(number % 30)))
            if number % 2 == 0:
                active_partner(case)

    add_cases(5)
    few = {reader: list_queries(client) for reader, client in clients.items()}
    add_cases(45)
    many = {reader: list_queries(client) for reader, client in clients.items()}

    shown = {reader: (few[reader][1], many[reader][1]) for reader in READERS}
    assert shown == {**dict.fromkeys(READERS, (5, 50)), "partner_a_manager": (3, 26)}
    assert {reader: count for reader, (count, _) in few.items()} == {
        reader: count for reader, (count, _) in many.items()
    }
    assert max(count for count, _ in many.values()) <= MAX_QUERIES
