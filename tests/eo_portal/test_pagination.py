"""Lists count at most COUNT_CAP + 1 rows: exact up to the cap, "more than" beyond it (bench/README.md)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import EmptyPage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from eo_portal.api_support import PortalPagination
from eo_portal.pagination import COUNT_CAP, CappedPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    """Content types: a table every test database fills, ordered."""
    found = ContentType.objects.order_by("pk")
    assert found.count() > 7
    return found


@pytest.fixture
def cap_of_5(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 5)


def test_the_cap_covers_200_pages_of_50():
    assert COUNT_CAP == 200 * 50


def test_beyond_the_cap_the_count_is_the_cap_and_says_so(rows, cap_of_5):
    paginator = CappedPaginator(rows, 2)
    with CaptureQueriesContext(connection) as queries:
        assert (paginator.count, paginator.count_is_capped, paginator.num_pages) == (5, True, 3)
    assert len(queries) == 1
    assert "LIMIT 6" in queries[0]["sql"] and "ORDER BY" not in queries[0]["sql"]
    assert [row.pk for row in paginator.page(3)] == [row.pk for row in rows[4:5]]
    with pytest.raises(EmptyPage):
        paginator.page(4)
    assert paginator.get_page(99).number == 3


def test_up_to_the_cap_the_count_is_exact(rows, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", rows.count())
    paginator = CappedPaginator(rows, 50)
    assert (paginator.count, paginator.count_is_capped) == (rows.count(), False)


def test_a_list_is_capped_the_same_way(cap_of_5):
    paginator = CappedPaginator(list(range(7)), 5)
    assert (paginator.count, paginator.count_is_capped, list(paginator.page(1))) == (5, True, [0, 1, 2, 3, 4])
    assert (CappedPaginator(list(range(5)), 5).count_is_capped, CappedPaginator([], 5).count) == (False, 0)


def test_the_api_says_when_the_count_is_capped(rows, cap_of_5):
    request = Request(APIRequestFactory().get("/api/v1/anything/", {"page": "2", "page_size": "2"}))
    pagination = PortalPagination()
    page = pagination.paginate_queryset(rows, request)
    body = pagination.get_paginated_response([row.pk for row in page]).data
    assert (body["count"], body["count_is_capped"], body["results"]) == (5, True, [row.pk for row in rows[2:4]])
    assert body["next"].endswith("page=3&page_size=2")


def test_the_api_count_is_exact_below_the_cap(rows):
    request = Request(APIRequestFactory().get("/api/v1/anything/"))
    pagination = PortalPagination()
    pagination.paginate_queryset(rows, request)
    body = pagination.get_paginated_response([]).data
    assert (body["count"], body["count_is_capped"]) == (rows.count(), False)


# ---------------------------------------------------------------------------
# A list given as parts: sets with no row in common, each counted by its own index.


def test_parts_are_counted_in_one_statement_each_capped(rows, cap_of_5):
    first, second = rows.filter(pk__lte=rows[3].pk), rows.filter(pk__gt=rows[3].pk)
    paginator = CappedPaginator(rows, 2, parts=[first, second])
    with CaptureQueriesContext(connection) as queries:
        assert (paginator.count, paginator.count_is_capped) == (5, True)
    assert len(queries) == 1
    assert queries[0]["sql"].count("LIMIT 6") == 2


def test_parts_add_up_to_the_exact_count_below_the_cap(rows):
    first, second = rows.filter(app_label="auth"), rows.exclude(app_label="auth")
    paginator = CappedPaginator(rows, 2, parts=[first, second])
    assert (paginator.count, paginator.count_is_capped) == (rows.count(), False)


def test_an_empty_part_is_left_out_and_nothing_at_all_costs_no_query(rows):
    with CaptureQueriesContext(connection) as queries:
        assert CappedPaginator(rows.none(), 2, parts=[rows.none(), rows.none()]).count == 0
    assert len(queries) == 0
    assert CappedPaginator(rows, 2, parts=[rows.none(), rows]).count == rows.count()


# ---------------------------------------------------------------------------
# A list counted already, by a statement its page needed anyway.


def test_a_count_given_is_used_without_a_query_and_capped(rows, cap_of_5):
    with CaptureQueriesContext(connection) as queries:
        given_below = CappedPaginator(rows, 2, counted=3)
        given_above = CappedPaginator(rows, 2, counted=8)
        counts = [(p.count, p.count_is_capped, p.num_pages) for p in (given_below, given_above)]
    assert counts == [(3, False, 2), (5, True, 3)]
    assert len(queries) == 0
    # The pages end where the count given says the rows end.
    assert [row.pk for row in given_below.page(2)] == [row.pk for row in rows[2:3]]


def test_the_api_takes_the_count_a_view_has(rows):
    class CountedView:
        def counting(self) -> dict:
            return {"counted": 3}

    request = Request(APIRequestFactory().get("/api/v1/anything/", {"page_size": "2"}))
    pagination = PortalPagination()
    with CaptureQueriesContext(connection) as queries:
        page = pagination.paginate_queryset(rows, request, view=CountedView())
    body = pagination.get_paginated_response([row.pk for row in page]).data
    assert (body["count"], body["count_is_capped"], body["results"]) == (3, False, [row.pk for row in rows[:2]])
    assert len(queries) == 1, "the page, and no count"
