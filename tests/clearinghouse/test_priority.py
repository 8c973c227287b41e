"""Priority by CISA's published tables, CVSS scoring and vendors' version strings.

The expected tables are written out here, row by row, from CISA's published SSVC coordinator
table 2.0.3 and the BOD 26-04 remediation timelines 1.0.0 (CERT/CC's SSVC repository,
data/csv/cisa/). They are deliberately not read from clearinghouse/reference/: a corrupted or
edited data file must fail these tests.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clearinghouse import priority, scoring
from clearinghouse.priority import Timeline
from clearinghouse.versions import version_key

# Exploitation, Automatable, Technical Impact, Mission and Well-Being Impact -> CISA level.
CISA_COORDINATOR_2_0_3 = [
    ("none", False, "partial", "low", "track"),
    ("none", False, "partial", "medium", "track"),
    ("none", False, "partial", "high", "track"),
    ("none", False, "total", "low", "track"),
    ("none", False, "total", "medium", "track"),
    ("none", False, "total", "high", "track*"),
    ("none", True, "partial", "low", "track"),
    ("none", True, "partial", "medium", "track"),
    ("none", True, "partial", "high", "attend"),
    ("none", True, "total", "low", "track"),
    ("none", True, "total", "medium", "track"),
    ("none", True, "total", "high", "attend"),
    ("public_poc", False, "partial", "low", "track"),
    ("public_poc", False, "partial", "medium", "track"),
    ("public_poc", False, "partial", "high", "track*"),
    ("public_poc", False, "total", "low", "track"),
    ("public_poc", False, "total", "medium", "track*"),
    ("public_poc", False, "total", "high", "attend"),
    ("public_poc", True, "partial", "low", "track"),
    ("public_poc", True, "partial", "medium", "track"),
    ("public_poc", True, "partial", "high", "attend"),
    ("public_poc", True, "total", "low", "track"),
    ("public_poc", True, "total", "medium", "track*"),
    ("public_poc", True, "total", "high", "attend"),
    ("active", False, "partial", "low", "track"),
    ("active", False, "partial", "medium", "track"),
    ("active", False, "partial", "high", "attend"),
    ("active", False, "total", "low", "track"),
    ("active", False, "total", "medium", "attend"),
    ("active", False, "total", "high", "act"),
    ("active", True, "partial", "low", "attend"),
    ("active", True, "partial", "medium", "attend"),
    ("active", True, "partial", "high", "act"),
    ("active", True, "total", "low", "attend"),
    ("active", True, "total", "medium", "act"),
    ("active", True, "total", "high", "act"),
]

# In KEV, Asset Exposure, Automatable, Technical Impact -> BOD 26-04 remediation timeline.
CISA_BOD_26_04_1_0_0 = [
    (False, False, False, "partial", Timeline.NEXT_UPGRADE),
    (True, False, False, "partial", Timeline.DAYS_14),
    (False, True, False, "partial", Timeline.DAYS_60),
    (False, False, True, "partial", Timeline.DAYS_60),
    (False, False, False, "total", Timeline.NEXT_UPGRADE),
    (True, True, False, "partial", Timeline.DAYS_14),
    (True, False, True, "partial", Timeline.DAYS_14),
    (False, True, True, "partial", Timeline.DAYS_14),
    (True, False, False, "total", Timeline.DAYS_14),
    (False, True, False, "total", Timeline.DAYS_14),
    (False, False, True, "total", Timeline.DAYS_60),
    (True, True, True, "partial", Timeline.DAYS_3),
    (True, True, False, "total", Timeline.DAYS_3_FORENSIC),
    (True, False, True, "total", Timeline.DAYS_3_FORENSIC),
    (False, True, True, "total", Timeline.DAYS_3),
    (True, True, True, "total", Timeline.DAYS_3_FORENSIC),
]


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


# ---------------------------------------------------------------------------
# SSVC


def test_the_expected_ssvc_table_covers_every_combination_once():
    keys = {row[:4] for row in CISA_COORDINATOR_2_0_3}
    assert len(CISA_COORDINATOR_2_0_3) == len(keys) == 3 * 2 * 2 * 3


@pytest.mark.parametrize(
    "exploitation, automatable, technical_impact, mission_impact, decision",
    [
        pytest.param(*row, id=f"row {index}: {row[0]}, automatable {_yes_no(row[1])}, {row[2]}, {row[3]} -> {row[4]}")
        for index, row in enumerate(CISA_COORDINATOR_2_0_3)
    ],
)
def test_the_ssvc_decision_is_cisas_coordinator_table_row(
    exploitation, automatable, technical_impact, mission_impact, decision
):
    assert (
        priority.ssvc_decision(
            exploitation=exploitation,
            automatable=automatable,
            technical_impact=technical_impact,
            mission_impact=mission_impact,
        )
        == decision
    )


def test_the_ssvc_table_holds_no_row_beyond_cisas_36():
    assert len(priority.ssvc_table()) == 36


def test_a_decision_point_outside_the_table_is_an_error_not_a_guess():
    with pytest.raises(KeyError):
        priority.ssvc_decision(
            exploitation="rumoured", automatable=True, technical_impact="total", mission_impact="high"
        )


def test_the_queue_ranks_act_above_attend_above_track_star_above_track():
    rank = priority.DECISION_RANK
    assert rank["act"] > rank["attend"] > rank["track*"] > rank["track"] > 0


# ---------------------------------------------------------------------------
# BOD 26-04 remediation timelines


def test_the_expected_bod_26_04_table_covers_every_combination_once():
    keys = {row[:4] for row in CISA_BOD_26_04_1_0_0}
    assert len(CISA_BOD_26_04_1_0_0) == len(keys) == 2 * 2 * 2 * 2


@pytest.mark.parametrize(
    "known_exploited, exposed, automatable, technical_impact, timeline",
    [
        pytest.param(
            *row,
            id=f"row {index}: KEV {_yes_no(row[0])}, exposed {_yes_no(row[1])}, "
            f"automatable {_yes_no(row[2])}, {row[3]} -> {row[4].value}",
        )
        for index, row in enumerate(CISA_BOD_26_04_1_0_0)
    ],
)
def test_the_remediation_timeline_is_the_bod_26_04_table_row(
    known_exploited, exposed, automatable, technical_impact, timeline
):
    assert (
        priority.remediation_timeline(
            known_exploited=known_exploited,
            exposed=exposed,
            automatable=automatable,
            technical_impact=technical_impact,
        )
        == timeline
    )


def test_the_bod_26_04_table_holds_no_row_beyond_its_16():
    assert len(priority.bod_26_04_table()) == 16


@pytest.mark.parametrize(
    "timeline, start, due",
    [
        pytest.param(Timeline.DAYS_3, date(2027, 1, 30), date(2027, 2, 2), id="3 days across a month end"),
        pytest.param(Timeline.DAYS_3_FORENSIC, date(2027, 12, 30), date(2028, 1, 2), id="3 days across a year end"),
        pytest.param(Timeline.DAYS_14, date(2028, 2, 20), date(2028, 3, 5), id="14 days across leap day 2028-02-29"),
        pytest.param(Timeline.DAYS_14, date(2027, 2, 20), date(2027, 3, 6), id="14 days across February 2027"),
        pytest.param(Timeline.DAYS_60, date(2028, 1, 15), date(2028, 3, 15), id="60 days through leap February"),
        pytest.param(Timeline.DAYS_3, date(2028, 2, 27), date(2028, 3, 1), id="3 days landing after leap day"),
        pytest.param(Timeline.DAYS_3, date(2028, 2, 26), date(2028, 2, 29), id="3 days landing on leap day"),
    ],
)
def test_a_timeline_due_date_counts_calendar_days(timeline, start, due):
    assert priority.timeline_due_date(timeline, start) == due


def test_fix_at_next_upgrade_has_no_due_date():
    assert priority.timeline_due_date(Timeline.NEXT_UPGRADE, date(2028, 2, 28)) is None


# ---------------------------------------------------------------------------
# CVSS


@pytest.mark.parametrize(
    "vector, version, base_score, severity",
    [
        pytest.param("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.1", "9.8", "Critical", id="3.1 critical"),
        pytest.param("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", "3.1", "4.3", "Medium", id="3.1 medium"),
        pytest.param("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", "3.1", "0.0", "None", id="3.1 none"),
        pytest.param(
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            "4.0",
            "9.3",
            "Critical",
            id="4.0 critical",
        ),
    ],
)
def test_a_valid_cvss_vector_is_scored(vector, version, base_score, severity):
    scored = scoring.score(vector)

    assert (scored.version, scored.base_score, scored.severity) == (version, Decimal(base_score), severity)
    assert scored.vector == vector


def test_a_vector_is_kept_without_surrounding_spaces():
    assert scoring.score("  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H \n").vector == (
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    )


@pytest.mark.parametrize(
    "vector",
    [
        pytest.param("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", id="no version prefix"),
        pytest.param("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", id="unsupported 3.0"),
        pytest.param("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", id="unknown value"),
        pytest.param("CVSS:3.1/AV:N/AC:L", id="3.1 missing metrics"),
        pytest.param("CVSS:4.0/AV:N", id="4.0 missing metrics"),
        pytest.param("high", id="free text"),
    ],
)
def test_an_invalid_cvss_vector_is_a_validation_error_on_the_cvss_vector_field(vector):
    with pytest.raises(ValidationError) as caught:
        scoring.score(vector)

    assert list(caught.value.message_dict) == ["cvss_vector"]


# ---------------------------------------------------------------------------
# Versions


@pytest.mark.parametrize(
    "lower, higher",
    [
        pytest.param("2.9", "2.10", id="2.10 comes after 2.9"),
        pytest.param("2.4.1", "2.4.10", id="numbers, not text"),
        pytest.param("10.0.19044", "10.0.19045", id="build numbers"),
        pytest.param("R2023b", "R2024a", id="letters and digits"),
        pytest.param("7.2p2", "7.2p3", id="patch letters"),
        pytest.param("", "0.1", id="blank sorts first"),
    ],
)
def test_version_keys_order_vendors_versions(lower, higher):
    assert version_key(lower) < version_key(higher)


def test_version_keys_ignore_letter_case():
    assert version_key("R2024A") == version_key("r2024a")
