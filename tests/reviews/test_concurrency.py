"""Races, on a real database with real threads: two agencies issuing findings at the same moment
leave one consistent state (one issues every draft finding, the other is told there is nothing
left to issue), and two labs filing at once never share a reference."""

import threading

import pytest
from django.db import connection

from eo_portal import deadlines
from eo_portal.edit_versions import StaleEdit
from reviews import services
from reviews.models import Finding, FindingStatus
from reviews.workflow import Status, TransitionNotAllowed
from tests.reviews.support import CASE_FIELDS, FINDING, refresh


def at_once(calls: dict) -> dict:
    """Run each call in its own thread, released together by a barrier; return result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes = {}

    def run(name, call):
        try:
            barrier.wait(timeout=10)
            outcomes[name] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


# Threads need committed data (transaction=True). A transactional test ends with a flush, which
# also removes what the data migrations loaded (the agencies); serialized_rollback restores that
# data when each of these tests starts, whatever ran before.
pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite has no row locks (select_for_update is a no-op) and its shared-cache test database "
        "answers a second writer with OperationalError 'database table is locked' instead of making it wait; "
        "the race is tested on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_agencies_issuing_findings_at_once_leave_one_consistent_state(make_case, cisa_member, nsa_member):
    case = make_case("finding_drafted")
    services.draft_finding(case, by=nsa_member, **{**FINDING, "title": "Weight exfiltration path"})

    outcomes = at_once(
        {
            "cisa": lambda: services.issue_findings(case, by=cisa_member),
            "nsa": lambda: services.issue_findings(case, by=nsa_member),
        }
    )

    issued = [name for name, outcome in outcomes.items() if isinstance(outcome, list)]
    refused = [name for name, outcome in outcomes.items() if isinstance(outcome, TransitionNotAllowed)]
    assert (len(issued), len(refused)) == (1, 1), outcomes
    assert sorted(f.number for f in outcomes[issued[0]]) == [1, 2]
    findings = Finding.objects.filter(case=case)
    assert {f.status for f in findings} == {FindingStatus.ISSUED}
    assert len({(f.issued_by_id, f.issued_at) for f in findings}) == 1, "issued together, by one agency"
    for finding in findings:
        assert finding.history.filter(history_change_reason="finding issued").count() == 1
    assert refresh(case).status == Status.FINDINGS_ISSUED
    assert refresh(case).history.filter(status=Status.FINDINGS_ISSUED).count() == 1


def test_two_labs_filing_at_once_get_distinct_consecutive_references(lab_a, lab_b, lab_a_member, lab_b_manager):
    outcomes = at_once(
        {
            user.username: lambda user=user, lab=lab: services.create_case(by=user, lab=lab, **CASE_FIELDS)
            for user, lab in ((lab_a_member, lab_a), (lab_b_manager, lab_b))
        }
    )

    references = sorted(outcome.reference for outcome in outcomes.values())
    year = deadlines.today().year
    assert references == [f"MRC-{year}-0001", f"MRC-{year}-0002"], outcomes


def test_two_people_saving_the_same_draft_version_at_once_lose_no_update(make_case, lab_a_member, lab_a_manager):
    case = make_case("draft")

    outcomes = at_once(
        {
            "member": lambda: services.update_draft(case, by=lab_a_member, expected_version=1, model_version="4.2"),
            "manager": lambda: services.update_draft(case, by=lab_a_manager, expected_version=1, model_version="5.0"),
        }
    )

    saved = [name for name, outcome in outcomes.items() if not isinstance(outcome, Exception)]
    refused = [name for name, outcome in outcomes.items() if isinstance(outcome, StaleEdit)]
    assert (len(saved), len(refused)) == (1, 1), outcomes
    stored = refresh(case)
    assert stored.model_version == {"member": "4.2", "manager": "5.0"}[saved[0]]
    assert stored.edit_version == 2
    assert stored.history.filter(history_change_reason="draft edited").count() == 1
