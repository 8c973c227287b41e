"""Reminders and saved searches: an organisation with an unsubmitted draft is reminded once when
the opportunity closes within 7 days and once more within 1 day, from a daily schedule; nothing
submitted, withdrawn or closed is reminded. A saved search is checked when saved, and posting a
new opportunity that matches it e-mails its owner once, and nobody whose search it does not match."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_q.models import Schedule

from eo_portal.models import Notification, Role
from grants import services, tasks
from grants.models import DraftReminder, SavedSearch
from grants.workflow import MoveNotAllowed
from tests.factories import UserFactory, person_in
from tests.grants.conftest import notified, refresh

DAY = timedelta(days=1)


def reminder_subject(application, days: int) -> str:
    plural = "s" if days > 1 else ""
    return (
        f"{application.tracking_number} is not submitted: "
        f"{application.opportunity.opportunity_number} closes in {days} day{plural}"
    )


# ---------------------------------------------------------------------------
# Reminders of unsubmitted drafts


def test_the_reminders_run_from_a_daily_schedule(db):
    schedule = Schedule.objects.get(name="grants: reminders of unsubmitted drafts")

    assert (schedule.func, schedule.schedule_type, schedule.repeats) == (
        "grants.tasks.send_draft_reminders",
        Schedule.DAILY,
        -1,
    )


def test_a_draft_is_reminded_once_within_seven_days_of_closing_and_once_more_within_one_day(
    clock, make_opportunity, make_application, system, harbor_viewer, django_capture_on_commit_callbacks
):
    opportunity = make_opportunity(close_at=clock.now + 6 * DAY)
    draft = make_application(opportunity=opportunity)

    with django_capture_on_commit_callbacks(execute=True):
        first_runs = [services.send_draft_reminders(by=system) for _ in range(2)]
    assert first_runs == [1, 0]
    assert sorted(notified(reminder_subject(draft, 7))) == ["county-applicant", "harbor-viewer"]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "county-applicant@example.test",
        "harbor-viewer@example.test",
    ]

    clock.set(opportunity.close_at - 12 * timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        last_runs = [services.send_draft_reminders(by=system) for _ in range(2)]

    assert last_runs == [1, 0]
    assert sorted(notified(reminder_subject(draft, 1))) == ["county-applicant", "harbor-viewer"]
    assert len(notified("is not submitted")) == 4
    assert len(mail.outbox) == 4
    assert set(DraftReminder.objects.filter(application=draft).values_list("days_before", flat=True)) == {7, 1}


def test_the_daily_task_sends_the_reminders_as_the_system_user(
    make_opportunity, make_application, system, django_capture_on_commit_callbacks
):
    draft = make_application(opportunity=make_opportunity(close_at=timezone.now() + 3 * DAY))

    with django_capture_on_commit_callbacks(execute=True):
        sent = [tasks.send_draft_reminders(), tasks.send_draft_reminders()]

    assert sent == [1, 0]
    reminder = Notification.objects.get(subject=reminder_subject(draft, 7))
    assert reminder.history.get(history_type="+").history_user == system
    assert [message.subject for message in mail.outbox] == [reminder_subject(draft, 7)]


def test_only_unsubmitted_drafts_of_opportunities_still_open_and_closing_soon_are_reminded(
    clock,
    make_opportunity,
    make_application,
    make_county,
    state_government,
    omb_staff,
    system,
    django_capture_on_commit_callbacks,
):
    closing_soon = make_opportunity(close_at=clock.now + 6 * DAY)
    closing_later = make_opportunity(close_at=clock.now + 8 * DAY)
    closed_early = make_opportunity(close_at=clock.now + 5 * DAY)
    due = make_application(opportunity=closing_soon)
    make_application("submitted", opportunity=closing_soon, applicant=state_government)
    make_application("withdrawn", opportunity=closing_soon, applicant=make_county("withdrawn-county"))
    make_application(opportunity=closing_later, applicant=make_county("early-county"))
    make_application(opportunity=closed_early, applicant=make_county("closed-county"))
    services.close_opportunity(closed_early, by=omb_staff)

    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_draft_reminders(by=system)

    assert sent == 1
    assert list(DraftReminder.objects.values_list("application", flat=True)) == [due.pk]
    assert sorted(notified("is not submitted")) == ["county-applicant"]
    assert [message.to for message in mail.outbox] == [["county-applicant@example.test"]]


def test_a_draft_first_found_within_one_day_of_closing_gets_the_one_day_reminder_only(
    clock, make_opportunity, make_application, system
):
    # Started 12 hours before the close: "closes in 7 days" would be wrong, and two reminders at once noise.
    draft = make_application(opportunity=make_opportunity(close_at=clock.now + 12 * timedelta(hours=1)))

    sent = services.send_draft_reminders(by=system)

    assert notified("is not submitted") == ["county-applicant"]
    assert notified(reminder_subject(draft, 1)) == ["county-applicant"]
    assert sent == 1


def test_a_draft_whose_close_time_has_passed_is_not_reminded(clock, make_opportunity, make_application, system):
    opportunity = make_opportunity(close_at=clock.now + 6 * DAY)
    make_application(opportunity=opportunity)
    clock.set(opportunity.close_at + timedelta(seconds=1))

    assert services.send_draft_reminders(by=system) == 0
    assert not Notification.objects.filter(subject__contains="is not submitted").exists()


def test_a_draft_submitted_after_its_first_reminder_gets_no_second(
    clock, make_opportunity, make_application, county_applicant, system
):
    opportunity = make_opportunity(close_at=clock.now + 6 * DAY)
    draft = make_application(opportunity=opportunity)
    services.send_draft_reminders(by=system)
    services.submit_application(draft, by=county_applicant)

    clock.set(opportunity.close_at - 12 * timedelta(hours=1))

    assert services.send_draft_reminders(by=system) == 0
    assert notified("is not submitted") == ["county-applicant"]


# ---------------------------------------------------------------------------
# Saved searches


@pytest.mark.parametrize(
    "query, field",
    [
        ({"eligibility": "city"}, "eligibility"),
        ({"status": "open"}, "status"),
        ({"sort": "random"}, "sort"),
        ({"closing_within": "0"}, "closing_within"),
        ({"closing_within": "soon"}, "closing_within"),
        ({"closing_within": "²"}, "closing_within"),
        ({"closing_within": "3651"}, "closing_within"),
    ],
)
def test_a_saved_search_with_a_bad_value_is_refused_naming_the_field(jobseeker, query, field):
    with pytest.raises(ValidationError) as refused:
        services.save_search(by=jobseeker, name="Bad", query=query)

    assert list(refused.value.message_dict) == [field]
    assert not SavedSearch.objects.exists()


def test_a_saved_search_needs_a_name(jobseeker):
    with pytest.raises(ValidationError) as refused:
        services.save_search(by=jobseeker, name="   ", query={"keyword": "ransomware"})

    assert list(refused.value.message_dict) == ["name"]


def test_posting_a_new_matching_opportunity_emails_the_saver_once_and_nobody_else(
    make_opportunity, omb_staff, jobseeker, county_applicant, django_capture_on_commit_callbacks
):
    other = UserFactory(username="otto-seeker")
    services.save_search(by=jobseeker, name="Ransomware", query={"keyword": "ransomware"})
    services.save_search(by=jobseeker, name="For counties", query={"eligibility": "county", "agency": "cisa"})
    services.save_search(by=other, name="Tribal only", query={"eligibility": "tribal"})
    services.save_search(by=county_applicant, name="NSA programmes", query={"agency": "nsa"})
    title = "Ransomware recovery with AI for counties"
    with django_capture_on_commit_callbacks(execute=True):
        forecast = make_opportunity("forecasted", title=title)
    assert (notified("New grant opportunity"), mail.outbox) == ([], [])

    with django_capture_on_commit_callbacks(execute=True):
        services.post_opportunity(forecast, by=omb_staff)

    assert notified("New grant opportunity") == ["jobseeker"]
    [message] = mail.outbox
    assert (message.to, message.subject) == ([jobseeker.email], f"New grant opportunity: {title}")
    assert f"{forecast.opportunity_number} matches a search you saved." in message.body
    assert f"/grants/opportunities/{forecast.opportunity_number}/" in message.body

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(MoveNotAllowed):
        services.post_opportunity(forecast, by=omb_staff)

    assert (notified("New grant opportunity"), len(mail.outbox)) == (["jobseeker"], 1)


def test_posting_an_opportunity_no_saved_search_matches_emails_nobody(
    make_opportunity, omb_staff, jobseeker, django_capture_on_commit_callbacks
):
    services.save_search(by=jobseeker, name="Tribes", query={"eligibility": "tribal"})
    services.save_search(by=jobseeker, name="Closing this week", query={"closing_within": "7"})
    services.save_search(by=jobseeker, name="Phishing", query={"keyword": "phishing"})
    forecast = make_opportunity("forecasted")

    with django_capture_on_commit_callbacks(execute=True):
        services.post_opportunity(forecast, by=omb_staff)

    assert refresh(forecast).status == "posted"
    assert (notified("New grant opportunity"), mail.outbox) == ([], [])


def test_the_alert_task_reports_how_many_people_it_told(make_opportunity, jobseeker, harbor_county):
    services.save_search(by=jobseeker, name="Posted", query={"status": "posted"})
    seeker = person_in(harbor_county, Role.MEMBER, username="harbor-seeker")
    services.save_search(by=seeker, name="Counties", query={"eligibility": "county"})
    opportunity = make_opportunity()  # its on-commit alert never runs here: the test calls the task itself

    assert tasks.alert_saved_searches(opportunity.pk) == 2
    assert sorted(notified("New grant opportunity")) == ["harbor-seeker", "jobseeker"]
    assert tasks.alert_saved_searches(opportunity.pk + 1000) == 0
