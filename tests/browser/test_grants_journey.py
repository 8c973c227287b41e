"""A grant application in the browser: a county finds the opportunity by searching, sees it may
apply, fills an application whose budget does not add up and is told so at the budget's fields,
fixes it, submits and gets its tracking number; OMB's grant staff assign a reviewer, who attests
to having no conflict of interest and scores it."""

from datetime import timedelta

import pytest

from eo_portal import deadlines
from grants.models import Application, Opportunity
from grants.workflow import ApplicationStatus
from tests.browser import data
from tests.browser.support import Person

TITLE = "AI-enabled security operations for state and local governments"


@pytest.fixture
def opportunity(omb_grants, harbor_county) -> Opportunity:
    """The county's opportunity, among others it is not eligible for."""
    data.eligible_county(harbor_county)
    data.posted_opportunity(
        omb_grants,
        "OMB-AICS-2027-002",
        "Tribal cyber workforce pilots",
        "Training for tribal IT staff in AI-assisted defence.",
        ["tribal"],
    )
    return data.posted_opportunity(
        omb_grants,
        "OMB-AICS-2027-001",
        TITLE,
        "Funds for AI-assisted detection and response in state and county governments.",
        ["county", "state"],
    )


def find_and_apply(applicant: Person) -> None:
    applicant.follow_link("Grants", "grant search")
    applicant.fill({"Keywords": "detection and response"})
    applicant.choose({"Eligible applicants": "County governments"})
    applicant.press_button("Search", "search results")
    applicant.sees("1 opportunity match your search")
    applicant.sees_no("Tribal cyber workforce pilots")
    applicant.follow_link(TITLE, "opportunity")
    applicant.sees("Harbor County: Eligible")
    applicant.follow_link("Start an application", "application form")
    today = deadlines.today()
    applicant.fill(
        {
            "Project title": "Harbor County AI-assisted monitoring",
            "Project abstract": "Around-the-clock AI-assisted monitoring of county water and election systems.",
            "Period of performance starts": (today + timedelta(days=60)).isoformat(),
            "Period of performance ends": (today + timedelta(days=425)).isoformat(),
            "Federal funds requested (US dollars)": "90000",
            "Cost share (US dollars)": "10000",
            "Personnel": "50000",
            "Equipment": "30000",
        }
    )
    applicant.fill(
        {"Name": "Riley Harbor", "E-mail address": "cio@harbor.example.gov"}, within="Authorized representative"
    )


def test_a_county_applies_with_a_budget_fixed_at_its_fields_and_a_reviewer_scores_it(
    portal, opportunity, county_applicant, omb_grants, nist_reviewer
):
    applicant = portal.sign_in(county_applicant)
    find_and_apply(applicant)
    applicant.press_button("Save the draft", "budget does not add up")
    error = applicant.error_at(applicant.field("Personnel"))
    assert "add up to $80,000.00" in error and "$100,000.00" in error
    assert applicant.error_at(applicant.field("Equipment")) == error
    assert not Application.objects.exists()

    applicant.fill({"Contractual": "20000"})
    applicant.press_button("Save the draft", "draft saved")
    tracking_number = Application.objects.get().tracking_number
    applicant.sees(f"Its tracking number is {tracking_number}")
    applicant.press_button("Submit the application", "receipt")
    assert tracking_number in applicant.page.get_by_role("region", name="Submission receipt").inner_text()

    staff = portal.sign_in(omb_grants)
    staff.visit(f"/grants/opportunities/{opportunity.opportunity_number}/")
    staff.follow_link("See the applications", "applications received")
    staff.follow_link(tracking_number, "submitted application")
    staff.choose({"Reviewer": "Nia Reviewer (nist-reviewer)"})
    staff.press_button("Assign the reviewer", "reviewer assigned")

    reviewer = portal.sign_in(nist_reviewer)
    reviewer.follow_link("Grants")
    reviewer.follow_link("My reviews", "reviews assigned")
    reviewer.follow_link(tracking_number, "attestation")
    reviewer.sees_no("Around-the-clock AI-assisted monitoring")
    reviewer.tick(
        "I have no conflict of interest with this applicant or this application: no financial, "
        "employment, family or other interest in its outcome."
    )
    reviewer.press_button("Attest and see the application", "application for review")
    reviewer.sees("Around-the-clock AI-assisted monitoring")
    reviewer.fill(
        {
            "Need and risk reduction (weight 60)": "80",
            "Plan and capacity (weight 40)": "70",
            "Comment": "A clear plan; the staffing costs are well argued.",
        }
    )
    reviewer.press_button("Save my scores", "scored")
    application = Application.objects.get()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert application.assignments.get().scored_at is not None
