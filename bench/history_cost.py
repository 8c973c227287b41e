"""What the history costs a single service write: `reviews.services.update_draft` by a lab
member, with simple-history recording as always and with it switched off
(SIMPLE_HISTORY_ENABLED=False). Each write is rolled back, so the draft stays as generated."""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django.test import override_settings

from bench.measure import count_queries, summarise
from bench.personas import member_of
from reviews import services
from reviews.models import ReviewCase
from reviews.workflow import Status


def _draft_of(user) -> ReviewCase:
    labs = user.memberships.values("organisation_id")
    return ReviewCase.objects.filter(lab_id__in=labs, status=Status.DRAFT).order_by("pk").first()


def _write(case: ReviewCase, user, number: int) -> None:
    with transaction.atomic():
        services.update_draft(case, by=user, model_version=f"bench-{number}")
        transaction.set_rollback(True)


def _timed(case: ReviewCase, user, *, runs: int, warmup: int) -> dict[str, Any]:
    for number in range(warmup):
        _write(case, user, number)
    seconds = []
    for number in range(runs):
        started = time.perf_counter()
        _write(case, user, number)
        seconds.append(time.perf_counter() - started)
    return summarise(seconds, count_queries(lambda: _write(case, user, 0))).as_dict()


def measure_history_cost(*, runs: int, warmup: int, log=print) -> dict[str, Any]:
    user = member_of("bench-lab-0000")
    case = _draft_of(user)
    if case is None:
        return {"skipped": "the lab has no draft case"}
    result = {"with history": _timed(case, user, runs=runs, warmup=warmup)}
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        result["without history"] = _timed(case, user, runs=runs, warmup=warmup)
    for name, timing in result.items():
        log(f"  update_draft {name:16}: median {timing['median_ms']:.2f} ms, p95 {timing['p95_ms']:.2f} ms, "
            f"{timing['queries']} queries")
    return result
