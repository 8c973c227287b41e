"""The public transparency page: each program's figures under one small-number rule.

The core knows no program (DESIGN.md, "Which way imports run"): each program registers a
`public_aggregates()` function in its `AppConfig.ready()` (`eo_portal/registry.py`) that returns
raw figures, and only this module decides what of them may be shown, so no program can forget
the rule. What a program returns:

    {"figures": [
        {"key": "applications", "label": "Applications received", "kind": "count", "count": 12},
        {"key": "...", "label": "...", "kind": "median", "median": 9.5, "of": 7, "unit": "days"},
        {"key": "...", "label": "...", "kind": "share", "count": 5, "of": 8},
        {"key": "...", "label": "...", "kind": "sum", "sum": 1250000, "of": 6, "unit": "dollars"},
        {"key": "...", "label": "...", "kind": "breakdown", "total_label": "All cases",
         "rows": [{"key": "submitted", "label": "Submitted", "count": 3}, ...]},
    ]}

`of` is the number of cases a median or share is drawn from. Counts and medians only: never the
name of a lab, model, organisation or person.

The small-number rule: no figure drawn from fewer than MINIMUM (5) cases is shown. A count below
5 (zero included) is "fewer than 5"; a median or share drawn from fewer than 5 is suppressed the
same way, and so is its `of`. A breakdown publishes its total, so when exactly one of its rows is
suppressed the smallest shown row is suppressed too; otherwise the total minus the shown rows
would give the hidden one away.

The published shape (the page, the CSV and the JSON at /api/v1/transparency/): every figure has
`value` (a number, or null when suppressed), `suppressed` (true or false) and `display` (what the
page shows: the number, or "fewer than 5").
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from eo_portal import charts, registry
from eo_portal.context_processors import PROGRAMS
from eo_portal.mandates import public_mandates

MINIMUM = 5
SUPPRESSED_TEXT = f"fewer than {MINIMUM}"
NOT_PUBLISHED_TEXT = "Not yet published in the portal"
NO_DEADLINE_TEXT = "No deadline in the order's text"
KINDS = ("count", "median", "share", "sum", "breakdown")


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: str
    value: int | float | None
    suppressed: bool
    display: str
    unit: str = ""
    of: int | None = None
    # A breakdown's rows; its own value is their total, labelled `total_label`.
    rows: tuple[Figure, ...] = ()
    total_label: str = ""
    row_heading: str = ""


@dataclass(frozen=True)
class Program:
    key: str
    title: str
    published: bool
    figures: tuple[Figure, ...] = ()

    @property
    def headline(self) -> tuple[Figure, ...]:
        return tuple(figure for figure in self.figures if figure.kind != "breakdown")

    @property
    def breakdowns(self) -> tuple[Figure, ...]:
        return tuple(figure for figure in self.figures if figure.kind == "breakdown")


@dataclass(frozen=True)
class Report:
    programs: tuple[Program, ...]
    mandates: tuple[dict[str, Any], ...]
    generated_at: datetime
    minimum: int = MINIMUM
    suppressed_text: str = SUPPRESSED_TEXT


# ---------------------------------------------------------------------------
# The small-number rule


def _suppressed(key: str, label: str, kind: str, unit: str = "") -> Figure:
    return Figure(key=key, label=label, kind=kind, value=None, suppressed=True, display=SUPPRESSED_TEXT, unit=unit)


def _number(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) or not float(value).is_integer() else f"{int(value):,}"


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"a count must be a whole number of at least 0, not {value!r}")
    return value


def count_figure(key: str, label: str, count: Any) -> Figure:
    count = _count(count)
    if count < MINIMUM:
        return _suppressed(key, label, "count")
    return Figure(key=key, label=label, kind="count", value=count, suppressed=False, display=_number(count))


def median_figure(key: str, label: str, median: float | None, of: Any, unit: str = "") -> Figure:
    of = _count(of)
    if of < MINIMUM or median is None:
        return _suppressed(key, label, "median", unit)
    value = int(median) if float(median).is_integer() else round(float(median), 1)
    display = f"{_number(value)} {unit}".strip()
    return Figure(key=key, label=label, kind="median", value=value, suppressed=False, display=display, unit=unit, of=of)


def share_figure(key: str, label: str, count: Any, of: Any) -> Figure:
    count, of = _count(count), _count(of)
    if count > of:
        raise ValueError(f"{key}: a share of {count} out of {of} is more than the whole")
    if of < MINIMUM:
        return _suppressed(key, label, "share", "percent")
    value = round(100 * count / of, 1)
    display = f"{_number(value)}%"
    return Figure(key=key, label=label, kind="share", value=value, suppressed=False, display=display, unit="percent", of=of)


def sum_figure(key: str, label: str, total: Any, of: Any, unit: str = "") -> Figure:
    """A total (dollars awarded) drawn from `of` cases: hidden like a median when they are fewer than 5."""
    of = _count(of)
    if of < MINIMUM:
        return _suppressed(key, label, "sum", unit)
    value = int(Decimal(total).quantize(Decimal("1"), rounding=ROUND_HALF_UP)) if unit == "dollars" else total
    display = f"${value:,}" if unit == "dollars" else f"{_number(value)} {unit}".strip()
    return Figure(key=key, label=label, kind="sum", value=value, suppressed=False, display=display, unit=unit, of=of)


def breakdown_figure(
    key: str,
    label: str,
    rows: list[dict[str, Any]],
    *,
    total_label: str = "Total",
    row_heading: str = "Category",
    unit: str = "count",
) -> Figure:
    published = [count_figure(str(row["key"]), str(row["label"]), row["count"]) for row in rows]
    hidden = [row for row in published if row.suppressed]
    shown = [row for row in published if not row.suppressed]
    total = count_figure("total", total_label, sum(_count(row["count"]) for row in rows))
    if not total.suppressed and len(hidden) == 1 and shown:
        # The total minus the shown rows would give the one hidden row away: hide the smallest shown row too.
        smallest = min(shown, key=lambda row: row.value)
        published = [_suppressed(row.key, row.label, "count") if row is smallest else row for row in published]
    return replace(
        total,
        key=key,
        label=label,
        kind="breakdown",
        unit=unit,
        rows=tuple(published),
        total_label=total_label,
        row_heading=row_heading,
    )


def publish(raw: dict[str, Any]) -> tuple[Figure, ...]:
    """A program's raw figures as they may be shown; a malformed figure is a bug, raised loudly."""
    figures = []
    for item in raw.get("figures", []):
        key, label, kind = str(item["key"]), str(item["label"]), item["kind"]
        if kind == "count":
            figures.append(count_figure(key, label, item["count"]))
        elif kind == "median":
            figures.append(median_figure(key, label, item.get("median"), item.get("of", 0), item.get("unit", "")))
        elif kind == "share":
            figures.append(share_figure(key, label, item["count"], item.get("of", 0)))
        elif kind == "sum":
            figures.append(sum_figure(key, label, item["sum"], item.get("of", 0), item.get("unit", "")))
        elif kind == "breakdown":
            figures.append(
                breakdown_figure(
                    key,
                    label,
                    item["rows"],
                    total_label=item.get("total_label", "Total"),
                    row_heading=item.get("row_heading", "Category"),
                    unit=item.get("unit", "count"),
                )
            )
        else:
            raise ValueError(f"{key}: unknown kind of figure {kind!r}; use one of {', '.join(KINDS)}")
    return tuple(figures)


# ---------------------------------------------------------------------------
# Gathering the report


def programs() -> tuple[Program, ...]:
    """Every program, in the portal's order, with what it registered (or that it registered nothing)."""
    raw = registry.public_aggregates()
    known = [(url_name.split(":")[0], label) for url_name, label, _ in PROGRAMS]
    known += [(key, key.replace("_", " ").capitalize()) for key in sorted(set(raw) - {key for key, _ in known})]
    return tuple(
        Program(key=key, title=title, published=True, figures=publish(raw[key]))
        if key in raw
        else Program(key=key, title=title, published=False)
        for key, title in known
    )


def status_text(mandate: dict[str, Any]) -> str:
    """The mandate's status as words, saying "overdue" whenever it is, so colour never carries it alone."""
    status = str(mandate["status_label"])
    if mandate.get("overdue") and "overdue" not in status.lower():
        status += " (overdue)"
    return status


def mandates() -> tuple[dict[str, Any], ...]:
    """The order's mandates and where each stands, from the core's mandates tracker."""
    return tuple(mandate | {"status_text": status_text(mandate)} for mandate in public_mandates())


def build() -> Report:
    return Report(programs=programs(), mandates=mandates(), generated_at=timezone.now())


# ---------------------------------------------------------------------------
# The page and the CSV


def _chart(program: Program, figure: Figure) -> str:
    return charts.bar_chart(
        chart_id=f"chart-{program.key}-{figure.key}",
        title=f"{program.title}: {figure.label}",
        description="; ".join(f"{row.label}: {row.display}" for row in figure.rows)
        + f"; {figure.total_label}: {figure.display}. Counts below {MINIMUM} are shown as “{SUPPRESSED_TEXT}”, with no bar.",
        bars=[(row.label, row.value) for row in figure.rows],
        missing_text=SUPPRESSED_TEXT,
    )


@require_safe
def page(request: HttpRequest) -> HttpResponse:
    report = build()
    sections = [
        {
            "program": program,
            "breakdowns": [{"figure": figure, "chart": _chart(program, figure)} for figure in program.breakdowns],
        }
        for program in report.programs
    ]
    context = {
        "report": report,
        "sections": sections,
        "no_deadline_text": NO_DEADLINE_TEXT,
        "not_published_text": NOT_PUBLISHED_TEXT,
    }
    return render(request, "eo_portal/transparency.html", context)


def _csv_cell(value: object) -> object:
    # A cell a spreadsheet would read as a formula is written as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_value(figure: Figure) -> object:
    if figure.suppressed:
        return SUPPRESSED_TEXT
    return f"{figure.value}%" if figure.kind == "share" else figure.value


def csv_rows(report: Report) -> list[tuple[object, object, object]]:
    """(program, figure, value) for every figure of every program, then the order's mandates."""
    rows: list[tuple[object, object, object]] = []
    for program in report.programs:
        if not program.published:
            rows.append((program.key, "", NOT_PUBLISHED_TEXT))
        for figure in program.figures:
            if figure.kind == "breakdown":
                rows += [(program.key, f"{figure.label}: {row.label}", _csv_value(row)) for row in figure.rows]
                rows.append((program.key, f"{figure.label}: {figure.total_label}", _csv_value(figure)))
            else:
                label = f"{figure.label} ({figure.unit})" if figure.kind == "median" and figure.unit else figure.label
                rows.append((program.key, label, _csv_value(figure)))
    for mandate in report.mandates:
        due = mandate["due_date"].isoformat() if mandate.get("due_date") else NO_DEADLINE_TEXT
        figure = f"{mandate['section']}: {mandate['action']} (responsible: {mandate['responsible']}; due: {due})"
        rows.append(("mandates", figure, mandate["status_text"]))
    return rows


@require_safe
def csv_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="eo-portal-transparency.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    writer = csv.writer(response)
    writer.writerow(["program", "figure", "value"])
    for row in csv_rows(build()):
        writer.writerow([_csv_cell(cell) for cell in row])
    return response
