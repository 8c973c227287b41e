"""Timing and query counting: the median and 95th percentile of many runs after a warm-up,
and the number of SQL statements of one more run, counted apart so counting costs no time."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection


@dataclass
class Timing:
    median_ms: float
    p95_ms: float
    runs: int
    queries: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value at or above `share` of the runs."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summarise(seconds: list[float], queries: int | None = None) -> Timing:
    return Timing(
        median_ms=round(statistics.median(seconds) * 1000, 2),
        p95_ms=round(percentile(seconds, 0.95) * 1000, 2),
        runs=len(seconds),
        queries=queries,
    )


def count_queries(action: Callable[[], Any]) -> int:
    """The SQL statements `action` runs, every one of them: CaptureQueriesContext keeps only the
    last 9,000 and then counts none at all once its log is full."""
    count = 0

    def counted(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        action()
    return count


def time_runs(action: Callable[[], Any], *, runs: int, warmup: int) -> Timing:
    """Time `action` `runs` times after `warmup` untimed runs; then count one run's queries."""
    for _ in range(warmup):
        action()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return summarise(seconds, count_queries(action))
