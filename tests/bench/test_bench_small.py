"""The benchmark at a tiny size (bench/README.md): its generator makes the data set it promises,
and every list it measures runs as many queries on page 1 as on a deep page, and as many at
twice the data. No timing here: the tests only pin what must not grow."""

from __future__ import annotations

import pytest
from django.db import transaction

from bench.generate import generate
from bench.lists import available, query_counts
from bench.plan import Plan
from clearinghouse.models import Advisory, AdvisoryGroupObjectPermission, Delivery, Vulnerability
from eo_portal.models import Organisation
from grants.models import Application
from reviews.models import ReviewCase, ReviewCaseGroupObjectPermission
from workforce.models import Opening

SMALL = 0.002

pytestmark = pytest.mark.django_db


def list_queries() -> dict[tuple[str, str, bool], int]:
    endpoints, _ = available()
    return {
        (endpoint.name, persona, deep): queries
        for endpoint in endpoints
        for (persona, deep), queries in query_counts(endpoint).items()
    }


def generated(scale: float) -> dict[tuple[str, str, bool], int]:
    """Generate at `scale`, count the lists' queries, and roll the data set back."""
    with transaction.atomic():
        generate(scale, log=lambda *_: None)
        queries = list_queries()
        transaction.set_rollback(True)
    return queries


def test_the_generator_makes_the_rows_the_plan_promises():
    plan = Plan.at(SMALL)
    agencies_before = Organisation.objects.count()

    generate(SMALL, log=lambda *_: None)

    assert Organisation.objects.count() == plan.organisations > agencies_before
    assert ReviewCase.objects.count() == plan.cases
    assert Vulnerability.objects.count() == plan.vulnerabilities
    assert Advisory.objects.count() == plan.advisories
    assert Application.objects.count() == plan.applications
    assert Opening.objects.count() == plan.openings
    # About ten deliveries per distributed advisory, each with its recipient's grant.
    assert abs(Delivery.objects.count() - plan.deliveries) <= plan.deliveries * 0.1
    assert AdvisoryGroupObjectPermission.objects.count() == Delivery.objects.count()
    # The lab's three grants on every case, and the three agencies' two on each submitted one.
    assert ReviewCaseGroupObjectPermission.objects.count() >= 3 * plan.cases
    assert ReviewCase.history.count() == plan.cases
    assert Delivery.history.count() == Delivery.objects.count()


def test_every_measured_list_runs_the_same_queries_on_a_deep_page_and_at_twice_the_data():
    small = generated(SMALL)
    doubled = generated(2 * SMALL)

    assert small, "no list resolved"
    by_page = {(name, persona): {} for name, persona, _ in small}
    for (name, persona, deep), queries in small.items():
        by_page[(name, persona)][deep] = queries
    assert {key: pages[False] for key, pages in by_page.items()} == {
        key: pages.get(True, pages[False]) for key, pages in by_page.items()
    }
    assert doubled == small
