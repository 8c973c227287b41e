"""The grants program's portal pages: the public search, an opportunity and who may apply, the
application from draft to receipt, review behind the conflict-of-interest attestation, and what
grant staff see. Everything is set up through the services, as the people who would do it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import grants
from eo_portal import deadlines
from eo_portal import services as core
from eo_portal.models import Organisation, OrganisationKind, Role
from grants import services
from grants.models import Application, Opportunity
from grants.workflow import ApplicationStatus
from tests.eo_portal.test_layering import layering_violations
from tests.factories import OrganisationFactory, person_in

CRITERIA = [
    ("Need and risk reduction", 60, "The threats the project answers."),
    ("Plan and capacity", 40, "Whether the applicant can deliver."),
]
# Requested 90,000 plus a cost share of 10,000: a total project cost of 100,000.
BUDGET = [("personnel", Decimal("50000.00")), ("equipment", Decimal("30000.00")), ("contractual", Decimal("20000.00"))]
REPRESENTATIVE = {"role": "authorized_representative", "name": "Riley Harbor", "email": "cio@harbor.example.gov"}
ABSTRACT = "Around-the-clock AI-assisted monitoring of county water and election systems."


def opportunity_fields(number: str, **changes) -> dict:
    return {
        "opportunity_number": number,
        "title": "AI-enabled security operations for counties and states",
        "assistance_listing": "97.137",
        "description": "Funds for AI-assisted detection and response.",
        "eligible_types": ["county", "state"],
        "funding_instrument": "grant",
        "award_floor": Decimal("10000.00"),
        "award_ceiling": Decimal("500000.00"),
        "expected_awards": 10,
        "total_funding": Decimal("5000000.00"),
        "cost_share_percent": Decimal("10"),
        "close_at": timezone.now() + timedelta(days=30),
    } | changes


def application_post(organisation: Organisation, **changes) -> dict:
    """The application form as a browser posts it: every field, empty ones as ""."""
    today = deadlines.today()
    data = {
        "applicant": str(organisation.pk),
        "project_title": "Harbor County AI-assisted monitoring",
        "abstract": ABSTRACT,
        "period_start": (today + timedelta(days=60)).isoformat(),
        "period_end": (today + timedelta(days=425)).isoformat(),
        "requested_amount": "90000.00",
        "cost_share": "10000",
        "budget_personnel": "50000",
        "budget_equipment": "30000.00",
        "budget_contractual": "20000",
        "authorized_representative_name": "Riley Harbor",
        "authorized_representative_email": "cio@harbor.example.gov",
        "authorized_representative_phone": "",
    }
    return data | changes


def queries_for(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


# ---------------------------------------------------------------------------
# Page fixtures


@pytest.fixture
def page_omb_staff(db):
    """OMB's grant staff: may create opportunities for any agency and runs every one."""
    return person_in(Organisation.objects.get(slug="omb"), Role.MEMBER, username="page-omb-grants")


@pytest.fixture
def page_reviewer(db):
    """A federal reviewer from an agency that neither awards nor applies."""
    return person_in(Organisation.objects.get(slug="nist"), Role.MEMBER, username="page-nist-reviewer")


@pytest.fixture
def page_county(harbor_county, county_applicant):
    """Harbor County with what an applicant needs: a county, a UEI, an unexpired SAM.gov registration."""
    return core.update_organisation(
        harbor_county,
        by=county_applicant,
        local_government_type="county",
        uei="PGHARBRC0001",
        sam_registration_expires=deadlines.today() + timedelta(days=200),
    )


@pytest.fixture
def page_post(django_capture_on_commit_callbacks):
    """`page_post(opportunity, by)`: post it, running the saved-search alert it queues on commit."""

    def post(opportunity: Opportunity, by) -> Opportunity:
        with django_capture_on_commit_callbacks(execute=True):
            return services.post_opportunity(opportunity, by=by)

    return post


@pytest.fixture
def page_opportunity(page_omb_staff, cisa, page_post):
    """A posted CISA opportunity for counties and states closing in 30 days."""
    opportunity = services.create_opportunity(
        by=page_omb_staff, awarding_agency=cisa, criteria=CRITERIA, **opportunity_fields("OMB-PAGE-2027-001")
    )
    return page_post(opportunity, page_omb_staff)


@pytest.fixture
def page_make_draft(page_opportunity, page_county, county_applicant):
    """`page_make_draft(budget_lines=BUDGET)`: a draft of Harbor County's to the posted opportunity."""

    def make(budget_lines=BUDGET, **fields) -> Application:
        data = {
            "project_title": "Harbor County AI-assisted monitoring",
            "abstract": ABSTRACT,
            "period_start": deadlines.today() + timedelta(days=60),
            "period_end": deadlines.today() + timedelta(days=425),
            "requested_amount": Decimal("90000.00"),
            "cost_share": Decimal("10000.00"),
        } | fields
        return services.create_application(
            by=county_applicant,
            opportunity=page_opportunity,
            applicant=page_county,
            budget_lines=budget_lines,
            contacts=[REPRESENTATIVE],
            **data,
        )

    return make


@pytest.fixture
def page_draft(page_make_draft):
    return page_make_draft()


@pytest.fixture
def page_scored(page_draft, county_applicant, page_omb_staff, page_reviewer):
    """The draft submitted, assigned to the reviewer, attested and scored with a comment."""
    services.submit_application(page_draft, by=county_applicant)
    assignment = services.assign_reviewer(page_draft, by=page_omb_staff, reviewer=page_reviewer)
    services.attest_no_conflict(assignment, by=page_reviewer)
    services.score_application(
        assignment, by=page_reviewer, scores={1: 80, 2: 70}, comment="Reviewer remark: staffing plan is thin."
    )
    return Application.objects.get(pk=page_draft.pk)


def detail_url(application: Application, name: str = "application-detail") -> str:
    return reverse(f"grants:{name}", args=[application.tracking_number])


# ---------------------------------------------------------------------------
# The public search


def test_anyone_can_search_the_opportunities_without_signing_in_and_filter_them(
    web, anonymous, page_opportunity, page_omb_staff, cisa
):
    services.create_opportunity(
        by=page_omb_staff,
        awarding_agency=cisa,
        criteria=CRITERIA,
        **opportunity_fields("OMB-PAGE-2027-002", title="Operators forecast", eligible_types=["operator"]),
    )
    client = web(anonymous)

    everything = client.get(reverse("grants:index"))
    filtered = client.get(
        reverse("grants:index"), {"eligibility": "county", "status": "posted", "agency": "cisa", "closing_within": "45"}
    )

    assert everything.status_code == filtered.status_code == 200
    assert "OMB-PAGE-2027-001" in everything.text and "OMB-PAGE-2027-002" in everything.text
    assert "OMB-PAGE-2027-001" in filtered.text and "OMB-PAGE-2027-002" not in filtered.text
    assert "$500,000.00" in filtered.text
    assert "County governments, State governments" in filtered.text
    zone = page_opportunity.close_at.astimezone(deadlines.EASTERN).strftime("%Z")
    assert f"{page_opportunity.close_at.astimezone(deadlines.EASTERN):%b %-d, %Y} " in filtered.text
    assert zone in filtered.text
    assert "Save this search" not in filtered.text


def test_a_bad_filter_is_named_at_its_field_and_nothing_is_searched(web, anonymous, page_opportunity):
    response = web(anonymous).get(reverse("grants:index"), {"closing_within": "soon", "status": "pending"})

    assert response.status_code == 200
    assert "Give a number of days from 1 to 3650." in response.text
    assert "Choose one of: forecasted, posted, closed, archived." in response.text
    assert 'id="id_closing_within_error"' in response.text
    assert "OMB-PAGE-2027-001" not in response.text


def test_a_signed_in_person_saves_the_search_they_see_runs_it_and_deletes_it(web, county_applicant, page_opportunity):
    client = web(county_applicant)
    url = reverse("grants:index") + "?eligibility=county&status=posted&page=1"

    response = client.post(url, {"name": "County money"})

    assert response.status_code == 302
    saved = county_applicant.grant_searches.get()
    assert (saved.name, saved.query) == ("County money", {"eligibility": "county", "status": "posted"})
    page = client.get(reverse("grants:saved-searches"))
    assert "County money" in page.text and "eligibility=county&amp;status=posted" in page.text
    delete = client.post(reverse("grants:saved-search-delete", args=[saved.pk]))
    assert delete.status_code == 302 and not county_applicant.grant_searches.exists()


def test_someone_elses_saved_search_cannot_be_deleted_and_answers_404(web, county_applicant, operator):
    saved = services.save_search(by=county_applicant, name="Mine", query={"status": "posted"})

    response = web(operator).post(reverse("grants:saved-search-delete", args=[saved.pk]))

    assert response.status_code == 404
    assert county_applicant.grant_searches.count() == 1


# ---------------------------------------------------------------------------
# An opportunity and who may apply


def test_the_opportunity_page_is_public_with_its_criteria_weights_and_amendments(
    web, anonymous, page_opportunity, page_omb_staff
):
    services.amend_opportunity(page_opportunity, by=page_omb_staff, summary="The award ceiling is unchanged; FAQ added.")

    response = web(anonymous).get(reverse("grants:opportunity-detail", args=["OMB-PAGE-2027-001"]))

    assert response.status_code == 200
    assert "Need and risk reduction" in response.text and ">60<" in response.text
    assert "FAQ added" in response.text
    assert "Sign in" in response.text and "Start an application" not in response.text
    assert "Manage the opportunity" not in response.text


def test_the_opportunity_page_says_not_eligible_with_every_reason(web, county_applicant, harbor_county, page_opportunity):
    core.update_organisation(
        harbor_county,
        by=county_applicant,
        local_government_type="county",
        uei="",
        sam_registration_expires=deadlines.today() - timedelta(days=3),
    )

    response = web(county_applicant).get(reverse("grants:opportunity-detail", args=["OMB-PAGE-2027-001"]))

    assert response.status_code == 200
    assert "Harbor County: Not eligible" in response.text
    assert "SAM.gov registration expired on" in response.text
    assert "no Unique Entity ID (UEI)" in response.text
    assert "Start an application" not in response.text


def test_the_opportunity_page_says_eligible_and_offers_to_start_an_application(web, county_applicant, page_county, page_opportunity):
    response = web(county_applicant).get(reverse("grants:opportunity-detail", args=["OMB-PAGE-2027-001"]))

    assert "Harbor County: Eligible" in response.text
    assert "Start an application" in response.text
    assert reverse("grants:application-create", args=["OMB-PAGE-2027-001"]) in response.text


def test_grant_staff_manage_the_opportunity_from_its_page_and_others_may_not(
    web, page_omb_staff, county_applicant, page_opportunity
):
    staff_page = web(page_omb_staff).get(reverse("grants:opportunity-detail", args=["OMB-PAGE-2027-001"]))
    close = reverse("grants:opportunity-move", args=["OMB-PAGE-2027-001", "close"])

    refused = web(county_applicant).post(close)
    closed = web(page_omb_staff).post(close, follow=True)
    again = web(page_omb_staff).post(close, follow=True)

    assert "Manage the opportunity" in staff_page.text and "Close to applications" in staff_page.text
    assert refused.status_code == 403
    assert "The opportunity was closed to applications." in closed.text
    assert "An opportunity that is closed cannot be closed." in again.text


def test_a_nofo_pdf_is_attached_by_grant_staff_and_downloaded_by_anyone(
    web, anonymous, page_omb_staff, page_opportunity, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("nofo.pdf", b"%PDF-1.7 notice of funding opportunity", content_type="application/pdf")

    response = web(page_omb_staff).post(
        reverse("grants:opportunity-attach", args=["OMB-PAGE-2027-001"]), {"title": "NOFO", "file": upload}
    )
    document = page_opportunity.documents.get()
    download = web(anonymous).get(reverse("grants:opportunity-document", args=["OMB-PAGE-2027-001", document.pk]))

    assert response.status_code == 302
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_omb_staff_forecast_an_opportunity_with_money_as_decimal_and_the_close_time_in_eastern(web, page_omb_staff):
    data = {
        "opportunity_number": "OMB-PAGE-2027-009",
        "title": "Regional AI SOC pilots",
        "awarding_agency": "cisa",
        "assistance_listing": "97.140",
        "description": "Pilots of shared AI-assisted security operations.",
        "eligible_types": ["county", "tribal"],
        "funding_instrument": "grant",
        "award_floor": "10000",
        "award_ceiling": "250000.10",
        "expected_awards": "5",
        "total_funding": "1000000",
        "cost_share_percent": "",
        "pass_through_percent": "",
        "rural_percent": "",
        "close_at": "2027-01-15T17:00",
        "criterion_1_name": "Need",
        "criterion_1_weight": "70",
        "criterion_1_description": "",
        "criterion_2_name": "Plan",
        "criterion_2_weight": "30",
        "criterion_2_description": "Delivery.",
    }

    response = web(page_omb_staff).post(reverse("grants:opportunity-create"), data)

    assert response.status_code == 302
    opportunity = Opportunity.objects.get(opportunity_number="OMB-PAGE-2027-009")
    assert opportunity.award_ceiling == Decimal("250000.10")
    # 5 p.m. Eastern Standard Time is 22:00 UTC.
    assert opportunity.close_at == datetime(2027, 1, 15, 22, 0, tzinfo=UTC)
    assert [(c.name, c.weight) for c in opportunity.criteria.all()] == [("Need", 70), ("Plan", 30)]
    page = web(page_omb_staff).get(reverse("grants:opportunity-detail", args=["OMB-PAGE-2027-009"]))
    assert "Jan 15, 2027 5:00 PM EST" in page.text


def test_the_opportunity_form_shows_the_services_errors_at_their_fields(web, page_omb_staff):
    data = {
        "opportunity_number": "bad number",
        "title": "Pilots",
        "awarding_agency": "cisa",
        "assistance_listing": "97.140",
        "description": "Pilots.",
        "eligible_types": ["county"],
        "funding_instrument": "grant",
        "award_floor": "300000",
        "award_ceiling": "250000",
        "expected_awards": "5",
        "total_funding": "1000000",
        "close_at": "2027-01-15T17:00",
        "criterion_1_name": "Need",
        "criterion_1_weight": "70",
    }

    response = web(page_omb_staff).post(reverse("grants:opportunity-create"), data)

    assert response.status_code == 200
    assert "The award floor cannot be above the ceiling." in response.text
    assert "Use capital letters, digits and hyphens" in response.text
    assert not Opportunity.objects.filter(title="Pilots").exists()


def test_someone_who_may_not_create_opportunities_is_refused_with_403(web, county_applicant, agency_staff, cisa):
    assert web(county_applicant).get(reverse("grants:opportunity-create")).status_code == 403
    # An agency's own staff may forecast for their agency only.
    page = web(agency_staff).get(reverse("grants:opportunity-create"))
    assert page.status_code == 200 and cisa.name in page.text and "Office of Management and Budget" not in page.text


def test_grant_staff_amend_a_posted_opportunity_and_its_page_lists_the_amendment(web, page_omb_staff, page_opportunity):
    from grants.forms import OpportunityForm

    initial = OpportunityForm.initial_for(page_opportunity)
    data = {name: value for name, value in initial.items() if value is not None and name != "eligible_types"}
    data |= {
        "eligible_types": ["county", "state"],
        "close_at": page_opportunity.close_at.astimezone(deadlines.EASTERN).strftime("%Y-%m-%dT%H:%M"),
        "award_ceiling": "600000",
        "total_funding": "5000000.00",
        "summary": "The award ceiling rises to $600,000.",
    }

    response = web(page_omb_staff).post(reverse("grants:opportunity-amend", args=["OMB-PAGE-2027-001"]), data)

    assert response.status_code == 302, response.content
    opportunity = Opportunity.objects.get(pk=page_opportunity.pk)
    assert (opportunity.award_ceiling, opportunity.amendment_count) == (Decimal("600000.00"), 1)
    assert opportunity.close_at == page_opportunity.close_at  # unchanged to the minute: not rewritten
    assert "The award ceiling rises to $600,000." in web(page_omb_staff).get(response["Location"]).text


# ---------------------------------------------------------------------------
# Applying


def test_the_application_form_saves_a_draft_with_its_budget_and_contacts(web, county_applicant, page_county, page_opportunity):
    client = web(county_applicant)
    url = reverse("grants:application-create", args=["OMB-PAGE-2027-001"])

    form = client.get(url)
    response = client.post(url, application_post(page_county), follow=True)

    assert form.status_code == 200 and "Budget by object class (SF-424A)" in form.text
    application = Application.objects.get(applicant=page_county)
    assert application.status == ApplicationStatus.DRAFT
    assert "Draft saved" in response.text and application.tracking_number in response.text
    assert sorted((line.object_class, line.amount) for line in application.budget_lines.all()) == sorted(BUDGET)
    assert application.requested_amount == Decimal("90000.00")
    assert [c.role for c in application.contacts.all()] == ["authorized_representative"]
    assert "The budget lines add up to the total project cost." in response.text
    assert "$100,000.00" in response.text


def test_the_application_form_shows_field_errors_and_saves_nothing(web, county_applicant, page_county, page_opportunity):
    client = web(county_applicant)
    url = reverse("grants:application-create", args=["OMB-PAGE-2027-001"])
    today = deadlines.today()

    missing = client.post(url, application_post(page_county, project_title="", budget_travel="-5"))
    backwards = client.post(
        url,
        application_post(page_county, period_end=(today + timedelta(days=10)).isoformat()),
    )
    half_contact = client.post(url, application_post(page_county, financial_email="money@harbor.example.gov"))

    assert missing.status_code == backwards.status_code == half_contact.status_code == 200
    assert 'id="id_project_title_error"' in missing.text and 'id="id_budget_travel_error"' in missing.text
    assert "The period of performance must end after it starts." in backwards.text
    assert 'id="id_period_end_error"' in backwards.text
    assert "Give the financial contact&#x27;s name" in half_contact.text and 'id="id_financial_name_error"' in half_contact.text
    assert not Application.objects.exists()


def test_an_organisation_that_may_not_apply_is_sent_back_to_the_reasons(web, operator, page_opportunity):
    response = web(operator).get(reverse("grants:application-create", args=["OMB-PAGE-2027-001"]), follow=True)

    assert "None of your organisations may apply" in response.text
    assert "Grid Energy Cooperative: Not eligible" in response.text


def test_a_submission_whose_budget_does_not_add_up_shows_the_budget_message_and_leaves_the_draft_as_it_was(
    web, county_applicant, page_make_draft
):
    draft = page_make_draft(budget_lines=[("personnel", Decimal("60000.00"))])
    history_before = draft.history.count()

    response = web(county_applicant).post(detail_url(draft, "application-submit"))

    assert response.status_code == 200
    assert "Your application was not submitted" in response.text
    assert "<strong>Budget</strong>: The budget lines add up to $60,000.00; they must equal" in response.text
    stored = Application.objects.get(pk=draft.pk)
    assert (stored.status, stored.submitted_at) == (ApplicationStatus.DRAFT, None)
    assert stored.history.count() == history_before


def test_a_successful_submission_shows_the_receipt_with_the_tracking_number(web, county_applicant, page_draft):
    response = web(county_applicant).post(detail_url(page_draft, "application-submit"), follow=True)

    stored = Application.objects.get(pk=page_draft.pk)
    assert stored.status == ApplicationStatus.SUBMITTED
    assert "Submission receipt" in response.text
    assert f"Tracking number <strong>{page_draft.tracking_number}</strong>" in response.text
    assert stored.submitted_at.astimezone(deadlines.EASTERN).strftime("%Z") in response.text
    assert "A copy was e-mailed" in response.text
    assert "Edit the draft" not in response.text and "Withdraw application" in response.text


def test_another_organisations_application_answers_404_on_every_page(web, operator, lab_a_member, page_draft):
    for user in (operator, lab_a_member):
        client = web(user)
        for name in ("application-detail", "application-history", "application-edit"):
            assert client.get(detail_url(page_draft, name)).status_code == 404
        for name in ("application-submit", "application-withdraw"):
            assert client.post(detail_url(page_draft, name)).status_code == 404
    assert web(operator).get(detail_url(page_draft).replace(page_draft.tracking_number, "GRANT-1999-9999")).status_code == 404


def test_the_applicant_never_sees_reviewers_scores_or_comments(web, county_applicant, page_scored, page_omb_staff):
    applicant_page = web(county_applicant).get(detail_url(page_scored))
    history = web(county_applicant).get(detail_url(page_scored, "application-history"))
    staff_page = web(page_omb_staff).get(detail_url(page_scored))

    assert applicant_page.status_code == history.status_code == 200
    for text in (applicant_page.text, history.text):
        assert "staffing plan is thin" not in text
        assert "page-nist-reviewer" not in text
        assert "Weighted total" not in text
    assert "staffing plan is thin" in staff_page.text
    assert "page-nist-reviewer" in staff_page.text
    # 80 × 0.6 + 70 × 0.4 = 76
    assert "<strong>Average weighted total:</strong> 76.00" in staff_page.text


def test_the_applicant_sees_the_decision_only_once_it_is_made(web, county_applicant, page_scored, page_omb_staff):
    before = web(county_applicant).get(detail_url(page_scored))
    response = web(page_omb_staff).post(
        detail_url(page_scored, "application-award"),
        {"amount": "85000.50", "award_number": "OMB-27-0042", "award_date": ""},
    )
    after = web(county_applicant).get(detail_url(page_scored))

    assert "OMB-27-0042" not in before.text and "Awarded" not in before.text
    assert response.status_code == 302
    assert Application.objects.get(pk=page_scored.pk).award.amount == Decimal("85000.50")
    assert "Award number <strong>OMB-27-0042</strong> of $85,000.50" in after.text


def test_a_declined_application_shows_not_selected_with_the_note(web, county_applicant, page_scored, page_omb_staff):
    web(page_omb_staff).post(detail_url(page_scored, "application-decline"), {"note": "Other plans scored higher."})

    response = web(county_applicant).get(detail_url(page_scored))

    assert "Not selected" in response.text and "Other plans scored higher." in response.text


def test_the_applicant_edits_the_draft_and_the_history_tab_shows_the_change(web, county_applicant, page_county, page_draft):
    client = web(county_applicant)
    url = detail_url(page_draft, "application-edit")
    data = application_post(page_county, project_title="Harbor County 24x7 AI monitoring")
    data.pop("applicant")

    form = client.get(url)
    response = client.post(url, data, follow=True)
    history = client.get(detail_url(page_draft, "application-history"))

    assert 'value="Harbor County AI-assisted monitoring"' in form.text
    assert "Draft saved" in response.text and "Harbor County 24x7 AI monitoring" in response.text
    assert "Harbor County 24x7 AI monitoring" in history.text and "draft saved" in history.text


# ---------------------------------------------------------------------------
# Review


def test_a_reviewer_sees_no_application_data_before_attesting_and_sees_it_after(
    web, county_applicant, page_draft, page_omb_staff, page_reviewer
):
    services.submit_application(page_draft, by=county_applicant)
    assignment = services.assign_reviewer(page_draft, by=page_omb_staff, reviewer=page_reviewer)
    client = web(page_reviewer)
    url = reverse("grants:review-detail", args=[assignment.pk])

    before = client.get(url)
    unticked = client.post(reverse("grants:review-attest", args=[assignment.pk]), {})
    application_before = client.get(detail_url(page_draft))
    attested = client.post(reverse("grants:review-attest", args=[assignment.pk]), {"no_conflict": "on"})
    after = client.get(url)

    assert before.status_code == 200
    assert page_draft.tracking_number in before.text and "OMB-PAGE-2027-001" in before.text
    assert ABSTRACT not in before.text and "Harbor County" not in before.text
    assert "Tick the box to attest" in unticked.text and ABSTRACT not in unticked.text
    assert application_before.status_code == 404
    assert attested.status_code == 302
    assert ABSTRACT in after.text and 'name="criterion_1"' in after.text and 'name="criterion_2"' in after.text


def test_a_reviewer_scores_each_criterion_and_a_bad_score_is_named_at_its_field(
    web, county_applicant, page_draft, page_omb_staff, page_reviewer
):
    services.submit_application(page_draft, by=county_applicant)
    assignment = services.assign_reviewer(page_draft, by=page_omb_staff, reviewer=page_reviewer)
    services.attest_no_conflict(assignment, by=page_reviewer)
    client = web(page_reviewer)
    url = reverse("grants:review-score", args=[assignment.pk])

    bad = client.post(url, {"criterion_1": "101", "criterion_2": "50", "comment": ""})
    good = client.post(url, {"criterion_1": "90", "criterion_2": "50", "comment": "Solid."}, follow=True)

    assert bad.status_code == 200 and 'id="id_criterion_1_error"' in bad.text
    assert sorted(assignment.scores.values_list("score", flat=True)) == [50, 90]
    # 90 × 0.6 + 50 × 0.4 = 74
    assert "Your weighted total: <strong>74.00</strong>" in good.text
    assert web(county_applicant).get(reverse("grants:review-detail", args=[assignment.pk])).status_code == 404


# ---------------------------------------------------------------------------
# Grant staff


def test_grant_staff_see_the_applications_list_with_the_average_and_others_get_404(
    web, page_scored, page_omb_staff, agency_staff, county_applicant, operator
):
    url = reverse("grants:opportunity-applications", args=["OMB-PAGE-2027-001"])

    for staff in (page_omb_staff, agency_staff):
        response = web(staff).get(url)
        assert response.status_code == 200
        assert page_scored.tracking_number in response.text and "76.00" in response.text
        assert "Harbor County" in response.text and "$90,000.00" in response.text
    assert web(county_applicant).get(url).status_code == 404
    assert web(operator).get(url).status_code == 404


def test_grant_staff_assign_a_reviewer_from_the_candidates(web, county_applicant, page_draft, page_omb_staff, page_reviewer):
    services.submit_application(page_draft, by=county_applicant)

    page = web(page_omb_staff).get(detail_url(page_draft))
    response = web(page_omb_staff).post(
        detail_url(page_draft, "application-assign"), {"reviewer": str(page_reviewer.pk)}
    )
    refused = web(county_applicant).post(detail_url(page_draft, "application-assign"), {"reviewer": str(page_reviewer.pk)})

    assert "page-nist-reviewer" in page.text
    assert response.status_code == 302
    assert Application.objects.get(pk=page_draft.pk).status == ApplicationStatus.UNDER_REVIEW
    assert refused.status_code == 403


def test_a_state_records_a_subaward_that_its_local_recipient_then_sees(
    web, page_omb_staff, page_opportunity, page_reviewer, county_applicant, page_county, operator
):
    state = OrganisationFactory(
        slug="page-state", name="State of Page", short_name="Page State", kind=OrganisationKind.STATE,
        uei="PGSTATE00001", sam_registration_expires=deadlines.today() + timedelta(days=300),
    )
    state_member = person_in(state, Role.MANAGER, username="page-state-applicant")
    application = services.create_application(
        by=state_member, opportunity=page_opportunity, applicant=state, project_title="Statewide SOC",
        abstract="A shared SOC.", period_start=deadlines.today() + timedelta(days=30),
        period_end=deadlines.today() + timedelta(days=400), requested_amount=Decimal("90000"),
        cost_share=Decimal("10000"), budget_lines=BUDGET, contacts=[REPRESENTATIVE],
    )
    services.submit_application(application, by=state_member)
    services.assign_reviewer(application, by=page_omb_staff, reviewer=page_reviewer)
    services.award_application(application, by=page_omb_staff, amount=Decimal("80000"), award_number="OMB-27-0777")

    form_page = web(state_member).get(detail_url(application))
    response = web(state_member).post(
        detail_url(application, "application-subaward"),
        {"recipient": str(page_county.pk), "amount": "20000.25", "purpose": "County sensors", "subaward_date": ""},
        follow=True,
    )
    subaward = application.award.subawards.get()
    recipient_page = web(county_applicant).get(reverse("grants:subaward-detail", args=[subaward.pk]))

    assert "Record a subaward" in form_page.text
    assert subaward.amount == Decimal("20000.25")
    assert "County sensors" in response.text and "$20,000.25" in response.text
    assert recipient_page.status_code == 200 and "County sensors" in recipient_page.text
    assert web(operator).get(reverse("grants:subaward-detail", args=[subaward.pk])).status_code == 404


# ---------------------------------------------------------------------------
# Fixed query counts and the layering rule


def test_list_pages_run_the_same_number_of_queries_for_one_row_and_three(
    web, anonymous, page_omb_staff, county_applicant, page_reviewer, page_make_draft, page_opportunity, cisa
):
    def add_scored_application():
        application = page_make_draft()
        services.submit_application(application, by=county_applicant)
        assignment = services.assign_reviewer(application, by=page_omb_staff, reviewer=page_reviewer)
        services.attest_no_conflict(assignment, by=page_reviewer)
        services.score_application(assignment, by=page_reviewer, scores={1: 50, 2: 60}, comment="ok")
        services.save_search(by=county_applicant, name=f"Search {application.pk}", query={"status": "posted"})
        services.create_opportunity(
            by=page_omb_staff, awarding_agency=cisa, criteria=CRITERIA,
            **opportunity_fields(f"OMB-PAGE-2028-{application.pk:03d}"),
        )

    pages = [
        (anonymous, reverse("grants:index"), {"eligibility": "county"}),
        (county_applicant, reverse("grants:index"), {}),
        (county_applicant, reverse("grants:application-list"), {}),
        (county_applicant, reverse("grants:saved-searches"), {}),
        (page_omb_staff, reverse("grants:application-list"), {}),
        (page_omb_staff, reverse("grants:opportunity-applications", args=["OMB-PAGE-2027-001"]), {}),
        (page_reviewer, reverse("grants:review-list"), {}),
    ]
    add_scored_application()
    clients = {user: web(user) for user, _, _ in pages}
    for user, url, params in pages:
        queries_for(clients[user], url, params)  # warm the per-process caches
    one = [queries_for(clients[user], url, params) for user, url, params in pages]
    add_scored_application()
    add_scored_application()
    three = [queries_for(clients[user], url, params) for user, url, params in pages]

    assert one == three


def test_the_grants_pages_neither_write_nor_query_models_directly():
    source = (Path(grants.__file__).parent / "views.py").read_text()

    assert layering_violations(source) == []


def test_a_stale_save_of_the_edit_page_is_refused_and_the_typed_text_is_kept(
    web, county_applicant, page_county, page_draft
):
    client = web(county_applicant)
    url = detail_url(page_draft, "application-edit")
    form = client.get(url)
    services.update_application(page_draft, by=county_applicant, project_title="Saved in another tab")
    data = application_post(page_county, project_title="Typed here", edit_version="1")
    data.pop("applicant")

    response = client.post(url, data)

    assert 'name="edit_version" value="1"' in form.text
    assert response.status_code == 200
    assert "Someone else saved this draft after you opened it" in response.text
    assert 'value="Typed here"' in response.text
    assert Application.objects.get(pk=page_draft.pk).project_title == "Saved in another tab"
