"""Two submissions of one application at the same moment, on a real database with real threads:
exactly one Application row, and the other submission is told it was already made."""

import threading

import pytest
from django.db import connection

from workforce import services
from workforce.models import Application
from workforce.workflow import MoveNotAllowed

# Threads need committed data (transaction=True). A transactional test ends with a flush, which also
# removes what the data migrations loaded (agencies, pathways, work roles); serialized_rollback
# restores that data when the test starts.
pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite has no row locks (select_for_update is a no-op) and its shared-cache test database "
        "answers a second writer with OperationalError 'database table is locked' instead of making it wait; "
        "the race is tested on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def at_once(call, times: int = 2) -> list:
    """Run `call` in `times` threads released together by a barrier; each result or exception."""
    barrier = threading.Barrier(times)
    outcomes = []

    def run():
        try:
            barrier.wait(timeout=10)
            outcomes.append(call())
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_simultaneous_applications_by_one_applicant_leave_exactly_one(make_opening, applicant):
    opening = make_opening()

    outcomes = at_once(lambda: services.apply(opening, by=applicant, cover_note="Submitted twice"))

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Application", "MoveNotAllowed"], outcomes
    refused = next(outcome for outcome in outcomes if isinstance(outcome, MoveNotAllowed))
    assert str(refused) == "You have already applied to this opening."
    assert Application.objects.filter(opening=opening, applicant=applicant).count() == 1
