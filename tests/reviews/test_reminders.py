"""Reminders: 7 days before and on the day the 30-day window ends, and when a submitted case has
waited 5 days for a determination; each once per case and milestone, to the lab's managers and the
assigned agencies' staff, from a daily django-q2 schedule."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_q.models import Schedule

from eo_portal import deadlines
from eo_portal.models import Notification
from reviews import services, tasks
from reviews.models import Milestone, ReminderSent, ReviewCase
from tests.reviews.support import days_from_today

DAY = timedelta(days=1)
# (milestone, the stage of the case, days since access was given or None, the day it falls due)
MILESTONES = [
    (Milestone.WINDOW_ENDS_IN_7_DAYS, "under_review", 10, lambda case: case.earliest_release_date - 7 * DAY),
    (Milestone.WINDOW_ENDS_TODAY, "under_review", 10, lambda case: case.earliest_release_date),
    (
        Milestone.AWAITING_DETERMINATION,
        "screening",
        None,
        lambda case: case.submitted_at.astimezone(deadlines.EASTERN).date() + 5 * DAY,
    ),
]
RECIPIENTS = {"lab-a-manager", "cisa-reviewer", "nsa-reviewer", "nist-reviewer"}


@pytest.fixture
def bystanders(lab_a_member, lab_a_viewer, treasury_member, lab_b_manager):
    """People who must not be reminded: lab members who do not manage, and everyone outside the case."""


def subject(case: ReviewCase, milestone: str) -> str:
    return f"{case.reference}: {Milestone(milestone).label.lower()}"


def reminded(case: ReviewCase, milestone: str) -> set[str]:
    rows = Notification.objects.filter(subject=subject(case, milestone)).values_list("recipient__username", flat=True)
    assert len(rows) == len(set(rows)), "one notification per person"
    return set(rows)


@pytest.mark.parametrize("milestone, stage, access_days_ago, due", MILESTONES, ids=[m[0] for m in MILESTONES])
def test_each_reminder_is_sent_once_on_its_day_to_lab_managers_and_assigned_agencies(
    milestone, stage, access_days_ago, due, make_case, lab_a_manager, system, bystanders,
    django_capture_on_commit_callbacks,
):
    case = make_case(stage)
    if access_days_ago is not None:
        case = services.record_government_access(case, by=lab_a_manager, on=days_from_today(-access_days_ago))
    day = due(case)

    with django_capture_on_commit_callbacks(execute=True):
        sent = [services.send_due_reminders(by=system, on=on) for on in (day - DAY, day, day, day + DAY)]

    assert sent == [0, 1, 0, 0]
    assert list(ReminderSent.objects.filter(case=case).values_list("milestone", flat=True)) == [milestone]
    assert reminded(case, milestone) == RECIPIENTS
    assert sorted(m.to[0] for m in mail.outbox if m.subject == subject(case, milestone)) == sorted(
        f"{username}@example.test" for username in RECIPIENTS
    )


def test_a_case_with_a_determination_gets_no_determination_reminder(make_case, system):
    case = make_case("determined")

    assert services.send_due_reminders(by=system, on=days_from_today(6)) == 0
    assert not ReminderSent.objects.filter(case=case).exists()


@pytest.mark.parametrize("stage, end", [("submitted", "withdraw_case"), ("findings_issued", "close_case")])
def test_an_ended_case_gets_no_reminders(stage, end, make_case, lab_a_manager, nsa_member, system):
    case = services.record_government_access(make_case(stage), by=lab_a_manager, on=days_from_today(-10))
    getattr(services, end)(case, by=lab_a_manager if end == "withdraw_case" else nsa_member)

    for days in range(0, 31):
        assert services.send_due_reminders(by=system, on=days_from_today(days)) == 0
    assert not ReminderSent.objects.exists()


def test_the_daily_task_sends_what_is_due_today_once(
    make_case, lab_a_manager, django_capture_on_commit_callbacks
):
    ends_today = services.record_government_access(make_case("under_review"), by=lab_a_manager, on=days_from_today(-30))
    waiting = make_case("submitted")
    ReviewCase.objects.filter(pk=waiting.pk).update(submitted_at=timezone.now() - 6 * DAY)

    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.send_review_reminders()
    emails = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.send_review_reminders()

    assert (first, second) == (2, 0)
    assert len(mail.outbox) == emails > 0
    assert set(ReminderSent.objects.values_list("case__reference", "milestone")) == {
        (ends_today.reference, Milestone.WINDOW_ENDS_TODAY),
        (waiting.reference, Milestone.AWAITING_DETERMINATION),
    }
    assert reminded(ends_today, Milestone.WINDOW_ENDS_TODAY) == RECIPIENTS


def test_the_reminders_run_daily_from_a_django_q_schedule(db):
    schedule = Schedule.objects.get(func="reviews.tasks.send_review_reminders")

    assert schedule.schedule_type == Schedule.DAILY
    assert schedule.repeats == -1
