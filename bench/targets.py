"""The issue's targets, each PASS or MISS, from a run's results."""

from __future__ import annotations

from typing import Any

from bench.personas import SUPERUSER

PAGE_ONE_P95_MS = 50.0
FLOOR_RATIO = 1.5
FANOUT_SECONDS = 10.0
HISTORY_RATIO = 1.5


def _check(target: str, subject: str, value: Any, limit: Any, passed: bool) -> dict[str, Any]:
    return {"target": target, "subject": subject, "value": value, "limit": limit, "result": "PASS" if passed else "MISS"}


def _list_targets(lists: list[dict[str, Any]]) -> list[dict[str, Any]]:
    checks = []
    by_key = {(row["endpoint"], row["persona"], row["deep"]): row for row in lists if row["page"] is not None}
    for (endpoint, persona, is_deep), row in by_key.items():
        if is_deep or persona == SUPERUSER:
            continue
        subject = f"{endpoint} as {persona}"
        deep = by_key[(endpoint, persona, True)]
        checks.append(_check("same queries on page 1 and a deep page", subject,
                             f"{row['queries']} / {deep['queries']} (page {deep['page']})", "equal",
                             row["queries"] == deep["queries"]))
        checks.append(_check("page 1 p95 at full size", subject, row["p95_ms"], PAGE_ONE_P95_MS,
                             row["p95_ms"] <= PAGE_ONE_P95_MS))
        floor = by_key.get((endpoint, SUPERUSER, False))
        if floor:
            ratio = round(row["median_ms"] / floor["median_ms"], 2)
            checks.append(_check("permission-filtered list against the unfiltered floor (median)", subject, ratio,
                                 FLOOR_RATIO, ratio <= FLOOR_RATIO))
    return checks


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    checks = _list_targets(results.get("lists", []))
    fanout = results.get("fanout")
    if fanout:
        wide = fanout["bulk, all"]
        seconds = round(wide["median_ms"] / 1000, 2)
        checks.append(_check("fan-out time", f"distribute_advisory to {wide['recipients']} organisations",
                             seconds, FANOUT_SECONDS, seconds < FANOUT_SECONDS))
        few = next(value for key, value in fanout.items() if key.startswith("bulk, ") and key != "bulk, all")
        checks.append(_check("fan-out queries fixed", "distribute_advisory, queries at 2,000 and at all",
                             f"{few['queries']} / {wide['queries']}", "equal", few["queries"] == wide["queries"]))
    history = results.get("history")
    if history and "with history" in history:
        ratio = round(history["with history"]["median_ms"] / history["without history"]["median_ms"], 2)
        checks.append(_check("history's cost to a service write (median)", "reviews.services.update_draft", ratio,
                             HISTORY_RATIO, ratio <= HISTORY_RATIO))
    return checks
