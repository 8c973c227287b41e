"""List pages and API lists run a fixed number of queries, whatever the row count (rule 7)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from eo_portal.models import OrganisationKind, Role, Sector
from tests.factories import OrganisationFactory, UserFactory, add_member

LISTS = ["/organisations/", "/api/v1/organisations/"]
# What the lists cost today (session, user, role permissions, groups, count, page, sectors,
# unread count). A change that adds a query fails here; lower the number when you save one.
PINNED = {"/organisations/": 9, "/api/v1/organisations/": 8}


@pytest.fixture
def member_of(db):
    """`member_of(n)`: a person who sees exactly n organisations, every other one an operator with sectors."""

    def make(count: int):
        person = UserFactory()
        for number in range(count):
            operator = number % 2
            organisation = OrganisationFactory(
                kind=OrganisationKind.OPERATOR if operator else OrganisationKind.LAB,
                sectors=[Sector.ENERGY, Sector.WATER] if operator else [],
            )
            add_member(organisation, person, role=Role.VIEWER)
        return person

    return make


def queries_for(client, path: str, expected_rows: int) -> int:
    client.get(path)  # warm the per-process caches (content types, templates) first
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    rows = response.json()["results"] if path.startswith("/api/") else response.context["page"].object_list
    assert len(rows) == expected_rows
    return len(captured)


@pytest.mark.parametrize("path", LISTS)
def test_an_organisation_list_runs_the_same_queries_for_3_and_for_30_organisations(
    web, api, member_of, django_assert_max_num_queries, path
):
    make_client = api if path.startswith("/api/") else web
    few = queries_for(make_client(member_of(3)), path, 3)
    many_client = make_client(member_of(30))
    many = queries_for(many_client, path, 30)
    assert few == many
    with django_assert_max_num_queries(PINNED[path]):
        many_client.get(path)
