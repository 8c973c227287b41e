"""A whole case, step by step through the API by the people who take each step: its history names
every step with its user and reason, and nothing it says reads as approval, clearance or
authorisation (review is voluntary and never permits or blocks a release)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from eo_portal import deadlines
from eo_portal.models import Notification
from reviews import services
from reviews.models import Audience, FindingStatus, Milestone, Outcome, PartnerStatus, ReviewCase
from reviews.workflow import TRANSITIONS, Status
from tests.factories import signed_in
from tests.reviews.support import CASE_FIELDS, CASES_URL, DETERMINATION, FINDING, INVITATIONS_URL, case_url

FORBIDDEN = re.compile(r"approv|\bclear(?:ed|ance|ances|s)?\b|authori[sz]", re.IGNORECASE)
MEETS = Outcome.MEETS_THRESHOLD.label
# (who, the reason the case's history gives), oldest first: one row per step.
CASE_HISTORY = [
    ("lab-a-member", "draft created"),
    ("lab-a-member", "draft edited"),
    ("lab-a-manager", TRANSITIONS["submit"].label),
    ("nist-reviewer", "government access recorded"),
    ("cisa-reviewer", TRANSITIONS["start_screening"].label),
    ("nsa-reviewer", f"determination: {MEETS}"),
    ("nist-reviewer", TRANSITIONS["start_review"].label),
    ("cisa-reviewer", TRANSITIONS["issue_findings"].label),
    ("nsa-reviewer", TRANSITIONS["close"].label),
]


@pytest.fixture
def journey(
    api, lab_a_member, lab_a_manager, cisa_member, nsa_member, nist_member, partner_a, partner_a_manager, system,
    django_capture_on_commit_callbacks,
):
    """The whole journey through the API, with reminders on their days; returns the closed case."""

    def ok(response, status=200):
        assert response.status_code == status, response.content
        return response.json()

    actors = (lab_a_member, lab_a_manager, cisa_member, nsa_member, nist_member)
    lab, manager, cisa, nsa, nist = (api(actor) for actor in actors)
    with django_capture_on_commit_callbacks(execute=True):
        reference = ok(lab.post(CASES_URL, CASE_FIELDS, format="json"), 201)["reference"]
        case = ReviewCase.objects.get(reference=reference)
        ok(lab.patch(case_url(case), {"model_version": "4.2"}, format="json"))
        partner_id = ok(manager.post(case_url(case, "partners/"), {"partner": "partner-a"}, format="json"), 201)["id"]
        ok(manager.post(case_url(case, "submit/")))
        access = deadlines.today() - timedelta(days=3)
        ok(nist.post(case_url(case, "government-access/"), {"on": access.isoformat()}, format="json"))
        ok(cisa.post(case_url(case, "start-screening/")))
        ok(cisa.post(case_url(case, f"partners/{partner_id}/concur/")))
        ok(api(partner_a_manager).post(f"{INVITATIONS_URL}{partner_id}/accept-terms/"))
        services.send_due_reminders(by=system, on=deadlines.today() + timedelta(days=5))
        body = {"outcome": "meets_threshold", **DETERMINATION}
        ok(nsa.post(case_url(case, "determination/"), body, format="json"))
        ok(nist.post(case_url(case, "start-review/")))
        ok(cisa.post(case_url(case, "findings/"), FINDING, format="json"), 201)
        ok(cisa.post(case_url(case, "messages/"), {"body": "Agencies only.", "audience": "government"}), 201)
        ok(lab.post(case_url(case, "messages/"), {"body": "Access is live for the team."}), 201)
        ok(cisa.post(case_url(case, "issue-findings/")))
        ok(lab.post(case_url(case, "findings/1/responses/"), {"body": "Mitigated in 4.2.1."}), 201)
        for days_before_end in (7, 0):
            services.send_due_reminders(by=system, on=access + timedelta(days=30 - days_before_end))
        ok(nsa.post(case_url(case, "close/")))
    return ReviewCase.objects.get(pk=case.pk)


def test_the_history_has_one_row_per_step_with_its_user_and_reason(journey, lab_a_manager, cisa_member, api):
    model_history = [
        (row.history_user.username, row.history_change_reason)
        for row in journey.history.order_by("history_date", "history_id")
    ]

    assert journey.status == Status.CLOSED
    assert model_history == CASE_HISTORY
    for reader in (lab_a_manager, cisa_member):
        entries = api(reader).get(case_url(journey, "history/")).json()
        assert [(entry["who"], entry["reason"]) for entry in reversed(entries)] == CASE_HISTORY
    submit = next(entry for entry in entries if entry["reason"] == TRANSITIONS["submit"].label)
    assert {"field": "status", "old": "Draft", "new": "Submitted"} in submit["changes"]


def test_the_journey_left_its_other_records_with_their_users(journey, partner_a_manager):
    finding = journey.findings.get()
    partner = journey.partners.get()

    assert (finding.status, finding.drafted_by.username, finding.issued_by.username) == (
        FindingStatus.ISSUED, "cisa-reviewer", "cisa-reviewer"
    )
    assert finding.responses.get().author.username == "lab-a-member"
    assert (partner.status, partner.terms_accepted_by) == (PartnerStatus.ACTIVE, partner_a_manager)
    assert [row.history_user.username for row in partner.history.order_by("history_date")] == [
        "lab-a-manager", "cisa-reviewer", "partner-a-manager"
    ]
    assert set(journey.reminders.values_list("milestone", flat=True)) == set(Milestone.values)
    assert journey.determination.recorded_by.username == "nsa-reviewer"


@pytest.mark.parametrize(
    "text, forbidden",
    [
        ("Approved for release", True),
        ("pre-release approval", True),
        ("Cleared", True),
        ("security clearance", True),
        ("Authorised", True),
        ("authorization to release", True),
        ("Nuclear sector impact", False),
        ("Clearly explained", False),
        ("Findings issued", False),
    ],
)
def test_the_wording_check_catches_what_it_must(text, forbidden):
    assert bool(FORBIDDEN.search(text)) is forbidden


def labels_of(choices) -> list[str]:
    return [str(label) for _, label in choices]


def test_no_state_or_label_reads_as_approval_clearance_or_authorisation():
    labels = (
        labels_of(Status.choices)
        + [t.label for t in TRANSITIONS.values()]
        + labels_of(Outcome.choices)
        + labels_of(PartnerStatus.choices)
        + labels_of(Milestone.choices)
        + labels_of(FindingStatus.choices)
        + labels_of(Audience.choices)
    )

    assert [label for label in labels if FORBIDDEN.search(label)] == []


def test_no_notification_or_email_of_the_journey_reads_as_approval_clearance_or_authorisation(
    journey, make_case, lab_a_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_case(make_case("submitted"), by=lab_a_manager)
    texts = [f"{n.subject}\n{n.body}" for n in Notification.objects.all()] + [
        f"{m.subject}\n{m.body}" for m in mail.outbox
    ]

    assert len(texts) > 20, "the journey notified the people who act next"
    assert {n.subject.split(": ", 1)[-1] for n in Notification.objects.all()} >= {
        "benchmark determination recorded", "review closed", "new message", "1 finding(s) issued",
    }
    assert [text for text in texts if FORBIDDEN.search(text)] == []


def test_every_notification_of_the_journey_links_to_a_page_its_recipient_can_open(journey):
    failures = []
    for notification in Notification.objects.select_related("recipient"):
        client = signed_in(Client(), notification.recipient)
        status = client.get(notification.link, follow=True).status_code
        if status != 200:
            failures.append((notification.recipient.username, notification.subject, notification.link, status))

    assert failures == []
