"""The run's tables on the terminal and its JSON file in bench/results/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def summary(results: dict[str, Any]) -> str:
    parts = []
    lists = results.get("lists", [])
    if lists:
        parts.append(_table(
            ["list", "as", "page", "median ms", "p95 ms", "queries"],
            [[r["endpoint"], r["persona"], r["page"] or "-", r["median_ms"], r["p95_ms"], r["queries"]] for r in lists],
        ))
    selectors = results.get("selectors", [])
    if selectors:
        parts.append(_table(
            ["review cases: page 1 + count", "as", "sees", "median ms", "p95 ms"],
            [[r["variant"], r["persona"], r["visible"], r["median_ms"], r["p95_ms"]] for r in selectors],
        ))
    fanout = results.get("fanout")
    if fanout:
        parts.append(_table(
            ["fan-out", "recipients", "median ms", "queries"],
            [[name, r["recipients"], r["median_ms"], r["queries"]] for name, r in fanout.items()],
        ))
    history = results.get("history")
    if history and "with history" in history:
        parts.append(_table(
            ["update_draft", "median ms", "p95 ms", "queries"],
            [[name, r["median_ms"], r["p95_ms"], r["queries"]] for name, r in history.items()],
        ))
    targets = results.get("targets", [])
    if targets:
        parts.append(_table(
            ["target", "subject", "value", "limit", "result"],
            [[t["target"], t["subject"], t["value"], t["limit"], t["result"]] for t in targets],
        ))
    return "\n\n".join(parts)


def save(results: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{results['vendor']}-{results['started'].replace(':', '')}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return path
