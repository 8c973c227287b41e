"""The order's mandates: due dates from the signing date, overdue derived, who updates, reminders."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from eo_portal import deadlines, mandates
from eo_portal.models import Mandate, MandateReminder, MandateStatus, Organisation
from tests.factories import person_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def white_house_staff(db):
    return person_in(Organisation.objects.get(slug="white-house"))


@pytest.fixture
def omb_staff(db):
    return person_in(Organisation.objects.get(slug="omb"))


def mandate(code: str) -> Mandate:
    return Mandate.objects.get(code=code)


def test_every_mandate_the_order_names_is_loaded_with_its_agencies():
    loaded = {m.code: sorted(a.slug for a in m.responsible_agencies.all()) for m in Mandate.objects.all()}

    assert loaded == {
        "review-framework": ["cisa", "nist", "nsa"],
        "classified-benchmarking": ["cisa", "nist", "nsa"],
        "cyber-guidance": ["cisa"],
        "defensive-tools": ["cisa"],
        "clearinghouse": ["treasury"],
        "grant-opportunities": ["omb"],
        "cyber-hiring": ["opm"],
    }
    assert [a.slug for a in mandate("cyber-guidance").supporting_agencies.all()] == ["white-house"]


def test_due_dates_count_calendar_days_from_the_signing_date(settings):
    settings.EO_SIGNED_DATE = date(2026, 6, 2)

    assert mandate("review-framework").due_date == date(2026, 8, 1)
    assert mandate("cyber-guidance").due_date == date(2026, 7, 2)


def test_a_mandate_without_a_deadline_in_the_text_has_none_and_is_never_overdue(settings):
    settings.EO_SIGNED_DATE = date(2020, 1, 1)

    assert mandate("clearinghouse").days_after_signing is None
    assert mandate("clearinghouse").due_date is None
    assert not mandate("clearinghouse").is_overdue


def test_overdue_is_derived_from_the_due_date_and_never_stored(settings):
    guidance = mandate("cyber-guidance")
    settings.EO_SIGNED_DATE = deadlines.today() - timedelta(days=31)
    assert guidance.is_overdue and guidance.status_label == "Overdue"
    assert guidance.status == MandateStatus.NOT_STARTED

    settings.EO_SIGNED_DATE = deadlines.today() + timedelta(days=1)
    assert not guidance.is_overdue and guidance.status_label == "Not started"


def test_a_delivered_mandate_is_not_overdue_and_points_to_its_evidence(settings, agency_staff):
    settings.EO_SIGNED_DATE = date(2026, 1, 1)

    delivered = mandates.update_mandate(
        mandate("cyber-guidance"), by=agency_staff, status="delivered", evidence_path="/clearinghouse/"
    )

    assert not delivered.is_overdue


def test_delivering_without_evidence_is_refused_naming_the_field_and_nothing_changes(agency_staff):
    with pytest.raises(ValidationError) as refused:
        mandates.update_mandate(mandate("cyber-guidance"), by=agency_staff, status="delivered")

    assert "evidence_path" in refused.value.message_dict
    assert mandate("cyber-guidance").status == MandateStatus.NOT_STARTED


def test_the_responsible_agency_and_the_white_house_update_a_mandate_and_others_cannot(
    agency_staff, white_house_staff, omb_staff
):
    guidance = mandate("cyber-guidance")
    mandates.update_mandate(guidance, by=agency_staff, status="in_progress")
    mandates.update_mandate(guidance, by=white_house_staff, notes="Draft directive under review.")

    with pytest.raises(PermissionDenied):
        mandates.update_mandate(guidance, by=omb_staff, status="delivered", evidence_path="/x/")

    history = list(mandate("cyber-guidance").history.order_by("history_date"))
    assert [row.history_user for row in history[-2:]] == [agency_staff, white_house_staff]


def test_the_edit_page_answers_403_to_another_agency_and_saves_for_the_responsible_one(
    web, agency_staff, omb_staff
):
    assert web(omb_staff).get("/mandates/cyber-guidance/edit/").status_code == 403

    response = web(agency_staff).post(
        "/mandates/cyber-guidance/edit/",
        {"status": "in_progress", "evidence_path": "", "evidence_label": "", "notes": "Drafting."},
    )

    assert response.status_code == 302
    assert mandate("cyber-guidance").status == MandateStatus.IN_PROGRESS


def test_the_api_lists_mandates_to_anyone_and_refuses_an_update_from_another_agency(api, omb_staff):
    listed = api(None).get("/api/v1/mandates/")
    assert listed.status_code == 200
    assert {row["code"] for row in listed.json()} >= {"review-framework", "cyber-hiring"}

    refused = api(omb_staff).patch("/api/v1/mandates/cyber-guidance/", {"status": "delivered"}, format="json")
    assert refused.status_code == 403


def test_the_dashboard_shows_an_agency_its_mandates_overdue_first(settings, web, agency_staff):
    settings.EO_SIGNED_DATE = deadlines.today() - timedelta(days=45)  # guidance overdue, framework due in 15 days

    titles = [item.title for item in mandates.open_work_for(agency_staff)]

    assert titles[:2] == ["Cyber guidance and binding operational directives",
                          "Voluntary framework for frontier AI model review"]
    assert "AI cybersecurity clearinghouse" not in titles
    assert "Cyber guidance and binding operational directives" in web(agency_staff).get("/").content.decode()


@pytest.mark.parametrize("days_before", [7, 1])
def test_reminders_go_once_to_the_responsible_agency_days_before_the_due_date(
    settings, days_before, system, agency_staff, omb_staff, django_capture_on_commit_callbacks
):
    settings.EO_SIGNED_DATE = date(2026, 6, 2)
    due = mandate("cyber-guidance").due_date

    with django_capture_on_commit_callbacks(execute=True):
        sent = [mandates.send_mandate_reminders(by=system, on=due - timedelta(days=days_before)) for _ in range(2)]

    assert sent[1] == 0 and sent[0] >= 1
    assert MandateReminder.objects.filter(mandate__code="cyber-guidance", days_before=days_before).count() == 1
    recipients = {m.to[0] for m in mail.outbox if "Cyber guidance" in m.subject}
    assert agency_staff.email in recipients
    assert omb_staff.email not in recipients


def test_no_reminder_on_other_days_or_for_a_delivered_mandate(settings, system, agency_staff):
    settings.EO_SIGNED_DATE = date(2026, 6, 2)
    due = mandate("cyber-guidance").due_date
    assert mandates.send_mandate_reminders(by=system, on=due - timedelta(days=3)) == 0

    mandates.update_mandate(mandate("cyber-guidance"), by=agency_staff, status="delivered", evidence_path="/c/")
    assert mandates.send_mandate_reminders(by=system, on=due - timedelta(days=7)) == 0


def test_the_mandate_list_runs_a_fixed_number_of_queries(web):
    client = web(None)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/mandates/").status_code == 200

    assert len(queries) <= 4


def test_classified_markings_in_notes_are_refused(agency_staff):
    with pytest.raises(ValidationError) as refused:
        mandates.update_mandate(mandate("cyber-guidance"), by=agency_staff, notes="SECRET//NOFORN details")

    assert "notes" in refused.value.message_dict
