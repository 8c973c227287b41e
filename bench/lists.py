"""The API and portal lists, page 1 and a deep page, as each persona and as the superuser (the
unfiltered floor), through Django's test client; plus a review case's page and History tab.

An endpoint whose URL does not resolve (a page still being built) is skipped with a note."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.urls import Resolver404, resolve

from bench.measure import count_queries, time_runs
from bench.personas import ANONYMOUS, SUPERUSER, client_for, member_of

PAGE_SIZE = 50  # REST_FRAMEWORK["PAGE_SIZE"] and the portal's lists
DEEP_PAGE = 200
# A search as people make it: a keyword, a grade and "open now", with every facet counted.
OPENINGS_SEARCH = {"keyword": "security", "grade": "12", "open_now": "true"}


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    personas: tuple[str, ...]
    floor: bool = True  # also measured as the superuser, who passes every permission filter
    params: dict[str, str] = field(default_factory=dict)
    paged: bool = True

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


LISTS = (
    Endpoint("API review cases", "/api/v1/reviews/cases/", ("lab member", "agency (NSA)", "partner")),
    Endpoint("page review cases", "/reviews/", ("lab member", "agency (NSA)")),
    Endpoint("API advisories", "/api/v1/clearinghouse/advisories/", ("operator",)),
    Endpoint("page advisories", "/clearinghouse/advisories/", ("operator",)),
    Endpoint("API deliveries (queue)", "/api/v1/clearinghouse/deliveries/", ("operator",)),
    # The page shows the user's own organisations' deliveries: a superuser with none has no floor there.
    Endpoint("page deliveries (queue)", "/clearinghouse/queue/", ("operator",), floor=False),
    Endpoint("API grant applications", "/api/v1/grants/applications/", ("state", "grant staff (OMB)")),
    Endpoint("page grant applications", "/grants/applications/", ("state", "grant staff (OMB)")),
    # Public search: no permission filter for anonymous visitors, so no floor to compare with.
    Endpoint("API openings search", "/api/v1/workforce/openings/", (ANONYMOUS,), floor=False, params=OPENINGS_SEARCH),
    Endpoint("page openings search", "/workforce/", (ANONYMOUS,), floor=False, params=OPENINGS_SEARCH),
)


def case_pages() -> tuple[Endpoint, ...]:
    """A case of the lab member's lab: its summary page and its History tab."""
    from reviews.models import ReviewCase

    lab = member_of("bench-lab-0000").memberships.values_list("organisation_id", flat=True).first()
    reference = ReviewCase.objects.filter(lab_id=lab).order_by("pk").values_list("reference", flat=True).first()
    base = f"/reviews/cases/{reference}/"
    return (
        Endpoint("page review case", base, ("lab member",), floor=False, paged=False),
        Endpoint("page review case history", base + "history/", ("lab member",), floor=False, paged=False),
    )


def resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def _get(client: Client, endpoint: Endpoint, page: int | None) -> Any:
    params = dict(endpoint.params)
    if page is not None:
        params["page"] = str(page)
    response = client.get(endpoint.path, params)
    if response.status_code != 200:
        raise RuntimeError(f"{endpoint.path} answered {response.status_code}")
    return response


def _deep_page(client: Client, endpoint: Endpoint) -> tuple[int, int | None]:
    """Page 200, or the last page when there are fewer: the API answers 404 past the end (the
    portal's pages show the last page, as Paginator.get_page does)."""
    if not endpoint.is_api:
        return DEEP_PAGE, None
    count = _get(client, endpoint, 1).json()["count"]
    return max(1, min(DEEP_PAGE, math.ceil(count / PAGE_SIZE))), count


def _pages(endpoint: Endpoint, *, floor: bool = True) -> Iterator[tuple[str, Client, int | None, bool, int | None]]:
    """(persona, signed-in client, page, whether it is the deep page, rows) for each measurement."""
    for persona in (*endpoint.personas, *([SUPERUSER] if floor and endpoint.floor else [])):
        client = client_for(persona)
        if not endpoint.paged:
            yield persona, client, None, False, None
            continue
        deep, count = _deep_page(client, endpoint)
        yield persona, client, 1, False, count
        yield persona, client, deep, True, count


def query_counts(endpoint: Endpoint) -> dict[tuple[str, bool], int]:
    """The queries of each persona's page 1 and deep page, without timing and without the
    superuser's floor (for the tests)."""
    return {
        (persona, is_deep): count_queries(lambda c=client, p=page: _get(c, endpoint, p))
        for persona, client, page, is_deep, _ in _pages(endpoint, floor=False)
    }


def measure_endpoint(endpoint: Endpoint, *, runs: int, warmup: int, log=print) -> list[dict[str, Any]]:
    rows = []
    for persona, client, page, is_deep, count in _pages(endpoint):
        timing = time_runs(lambda c=client, p=page: _get(c, endpoint, p), runs=runs, warmup=warmup)
        rows.append({"endpoint": endpoint.name, "path": endpoint.path, "params": endpoint.params, "persona": persona,
                     "page": page, "deep": is_deep, "rows": count, **timing.as_dict()})
        log(f"  {endpoint.name:28} {persona:20} page {page!s:>4}: median {timing.median_ms:8.1f} ms, "
            f"p95 {timing.p95_ms:8.1f} ms, {timing.queries} queries")
    return rows


def available() -> tuple[list[Endpoint], list[str]]:
    """The lists and case pages whose URLs resolve, and a note for each that does not."""
    found, notes = [], []
    for endpoint in (*LISTS, *case_pages()):
        if resolves(endpoint.path):
            found.append(endpoint)
        else:
            notes.append(f"skipped {endpoint.name}: {endpoint.path} does not resolve (not built yet)")
    return found, notes


def measure_lists(*, runs: int, warmup: int, log=print) -> tuple[list[dict[str, Any]], list[str]]:
    """Every list and case page; returns the measurements and the notes of what was skipped."""
    from eo_portal.startup import settle

    settle()  # as the portal's WSGI entry point does before its first request
    measured = []
    endpoints, notes = available()
    for note in notes:
        log(f"  {note}")
    for endpoint in endpoints:
        try:
            measured += measure_endpoint(endpoint, runs=runs, warmup=warmup, log=log)
        except RuntimeError as exc:
            notes.append(f"skipped {endpoint.name}: {exc}")
            log(f"  {notes[-1]}")
    return measured, notes
