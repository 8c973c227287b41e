"""A list's rows are freed by reference counting once their page is serialised, not left in
reference cycles for the cyclic garbage collector (eo_portal/row_release.py)."""

import gc
import weakref
from contextlib import contextmanager

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from eo_portal.api_support import PortalPagination
from eo_portal.models import Organisation
from eo_portal.row_release import release
from tests.factories import OrganisationFactory, add_member, person_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations():
    """Two organisations with two members each: prefetched, each membership points back at its
    organisation, and a select_related user at nothing."""
    for slug in ("lab-a", "lab-b"):
        organisation = OrganisationFactory(slug=slug)
        person_in(organisation)
        add_member(organisation, person_in(OrganisationFactory(slug=f"{slug}-other")))
    return Organisation.objects.filter(slug__in=["lab-a", "lab-b"]).order_by("slug").prefetch_related(
        "memberships__user"
    )


@contextmanager
def no_cycle_collector():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def freed_when_dropped(rows: list) -> bool:
    """Whether these rows are freed as soon as the last reference to them goes, before any
    collection of cycles."""
    watched = [weakref.ref(row) for row in rows] + [
        weakref.ref(membership) for row in rows for membership in row.memberships.all()
    ]
    del rows[:]
    return all(ref() is None for ref in watched)


def test_prefetched_rows_are_left_in_cycles_and_released_ones_are_freed_at_once(organisations):
    with no_cycle_collector():
        kept = list(organisations)
        released = list(organisations.all())
        assert [len(row.memberships.all()) for row in released] == [2, 2]
        release(released)

        assert freed_when_dropped(released) is True
        assert freed_when_dropped(kept) is False  # the cycles `release` breaks


def test_a_released_row_still_reads_its_related_rows_by_asking_again(organisations):
    row = organisations.first()
    release([row])
    assert sorted(membership.user.username for membership in row.memberships.all()) == sorted(
        row.memberships.values_list("user__username", flat=True)
    )


def test_rows_that_are_not_model_instances_are_left_alone(organisations):
    row = organisations.first()
    values = {"slug": row.slug}
    release([values, row])
    assert values == {"slug": row.slug}
    assert "_prefetched_objects_cache" not in row.__dict__


def test_the_api_releases_a_page_once_it_is_serialised(organisations):
    request = Request(APIRequestFactory().get("/api/v1/anything/"))
    pagination = PortalPagination()
    page = pagination.paginate_queryset(organisations, request)
    data = [{"slug": row.slug, "members": len(row.memberships.all())} for row in page]

    body = pagination.get_paginated_response(data).data

    assert body["results"] == [{"slug": "lab-a", "members": 2}, {"slug": "lab-b", "members": 2}]
    assert [("_prefetched_objects_cache" in row.__dict__, row._state.fields_cache) for row in page] == [
        (False, {}),
        (False, {}),
    ]
