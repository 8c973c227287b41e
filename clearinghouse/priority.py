"""Priority by CISA's published decision tables, kept as data in `clearinghouse/reference/`.

- SSVC (CISA coordinator tree 2.0.3): exploitation, automatable, technical impact and mission
  and well-being give Track, Track*, Attend or Act.
- BOD 26-04 remediation timelines: in KEV, asset exposure, automatable and technical impact
  give the time a recipient has to remediate.

Each table is read once from its CSV; nothing here restates a row of it.
"""

from __future__ import annotations

import csv
from datetime import date
from functools import cache
from pathlib import Path

from django.db import models

from eo_portal import deadlines

REFERENCE = Path(__file__).resolve().parent / "reference"


class Exploitation(models.TextChoices):
    NONE = "none", "None"
    PUBLIC_POC = "public_poc", "Public proof of concept"
    ACTIVE = "active", "Active"


class TechnicalImpact(models.TextChoices):
    PARTIAL = "partial", "Partial"
    TOTAL = "total", "Total"


class MissionImpact(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Decision(models.TextChoices):
    TRACK = "track", "Track"
    TRACK_STAR = "track*", "Track*"
    ATTEND = "attend", "Attend"
    ACT = "act", "Act"


# The queue sorts by this: Act first, then Attend, Track*, Track, and undecided last.
DECISION_RANK = {Decision.ACT: 4, Decision.ATTEND: 3, Decision.TRACK_STAR: 2, Decision.TRACK: 1}


class Timeline(models.TextChoices):
    """BOD 26-04 remediation timelines; the days are in `TIMELINE_DAYS`."""

    NEXT_UPGRADE = "next_upgrade", "Fix at next system upgrade"
    DAYS_60 = "60_days", "60 days"
    DAYS_14 = "14_days", "14 days"
    DAYS_3 = "3_days", "3 days"
    DAYS_3_FORENSIC = "3_days_forensic", "3 days, with forensic triage"


TIMELINE_DAYS = {
    Timeline.NEXT_UPGRADE: None,
    Timeline.DAYS_60: 60,
    Timeline.DAYS_14: 14,
    Timeline.DAYS_3: 3,
    Timeline.DAYS_3_FORENSIC: 3,
}
TIMELINE_RANK = {timeline: rank for rank, timeline in enumerate(Timeline.values)}
_TIMELINE_LABELS = {
    "fix on system upgrade": Timeline.NEXT_UPGRADE,
    "60 days": Timeline.DAYS_60,
    "14 days": Timeline.DAYS_14,
    "3 days": Timeline.DAYS_3,
    "3 days & forensic investigation": Timeline.DAYS_3_FORENSIC,
}


def _rows(filename: str) -> list[list[str]]:
    with (REFERENCE / filename).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    # The first column numbers the rows; the header names the decision points.
    return [[cell.strip().lower() for cell in row[1:]] for row in rows[1:]]


def _yes(value: str) -> bool:
    return value == "yes"


@cache
def ssvc_table() -> dict[tuple[str, bool, str, str], str]:
    table = {}
    for exploitation, automatable, impact, mission, decision in _rows("cisa_coordinator_2_0_3.csv"):
        key = (exploitation.replace(" ", "_"), _yes(automatable), impact, mission)
        table[key] = Decision(decision)
    return table


@cache
def bod_26_04_table() -> dict[tuple[bool, bool, bool, str], str]:
    table = {}
    for in_kev, exposed, automatable, impact, timeline in _rows("cisa_bod_26_04_1_0_0.csv"):
        table[(_yes(in_kev), _yes(exposed), _yes(automatable), impact)] = _TIMELINE_LABELS[timeline]
    return table


def ssvc_decision(*, exploitation: str, automatable: bool, technical_impact: str, mission_impact: str) -> str:
    """CISA's decision for these decision points; a value outside the table is a KeyError (a bug)."""
    return ssvc_table()[(exploitation, automatable, technical_impact, mission_impact)]


def remediation_timeline(*, known_exploited: bool, exposed: bool, automatable: bool, technical_impact: str) -> str:
    return bod_26_04_table()[(known_exploited, exposed, automatable, technical_impact)]


def timeline_due_date(timeline: str, start: date) -> date | None:
    """The due date of a timeline counted in calendar days from `start`; none for the next upgrade."""
    days = TIMELINE_DAYS[Timeline(timeline)]
    return None if days is None else deadlines.add_calendar_days(start, days)
