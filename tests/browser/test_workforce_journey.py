"""Tech Force hiring in the browser: an anonymous job seeker narrows the openings to series 2210,
remote, public trust; opens the one left; creates an account (verifying the e-mail address from
the link in the message), puts a PDF résumé on file and applies; follows the status; the hiring
agency moves the application on and the seeker sees it."""

import re

import pytest
from django.core import mail

from tests.browser import data
from tests.browser.support import PDF, Person
from workforce.models import Application, Opening
from workforce.workflow import ApplicationStatus

TITLE = "AI Security Engineer"
# Each of the others differs from the one sought in exactly one of the filters.
OTHERS = {
    "Network Defense Analyst": {"remote": False},
    "Cloud Security Architect": {"clearance": "secret"},
    "Machine Learning Scientist": {"series": "1550"},
}
VERIFY_LINK = re.compile(r"/accounts/verify/[^/\s]+/[^/\s]+/")


@pytest.fixture
def openings(opm_hiring) -> Opening:
    for title, differences in OTHERS.items():
        data.open_opening(opm_hiring, title, **differences)
    return data.open_opening(opm_hiring, TITLE)


def search(seeker: Person) -> None:
    seeker.visit("/")
    seeker.follow_link("Tech Force hiring", "openings")
    seeker.choose(
        {
            "Occupational series": "2210 Information technology management",
            "Remote": "Remote only",
            "Security clearance": "Public trust",
        }
    )
    seeker.press_button("Search", "filtered openings")
    seeker.sees(TITLE)
    for title in OTHERS:
        seeker.sees_no(title)


def sign_up(seeker: Person) -> None:
    seeker.follow_link("Sign in", "sign-in page")
    seeker.follow_link("Create an account", "sign-up form")
    seeker.fill(
        {
            "User name": "sam-seeker",
            "E-mail address": "sam.seeker@example.test",
            "First name": "Sam",
            "Last name": "Seeker",
            "Password": "Blue-heron-canal-2026",
            "Password again": "Blue-heron-canal-2026",
        }
    )
    seeker.press_button("Create account", "verification sent")
    link = VERIFY_LINK.search(mail.outbox[-1].body).group(0)
    seeker.visit(link, "verify the address")
    seeker.press_button("Verify my e-mail address", "signed in")


def test_a_job_seeker_finds_an_opening_signs_up_applies_with_a_resume_and_is_moved_on(portal, openings, opm_hiring):
    seeker = portal.anonymous("job-seeker")
    search(seeker)
    seeker.follow_link(TITLE, "opening")
    sign_up(seeker)

    seeker.follow_link("Tech Force hiring")
    seeker.follow_link("My profile", "profile")
    seeker.fill({"City": "Baltimore", "State": "MD", "Summary": "Five years of security engineering."})
    seeker.upload("Résumé (PDF)", "sam-seeker-resume.pdf", PDF)
    seeker.press_button("Save my profile", "resume on file")
    seeker.sees("A PDF résumé is on file")

    seeker.follow_link("Tech Force hiring")
    seeker.follow_link(TITLE)
    seeker.fill({"Cover note (optional)": "I secure model-serving platforms for a living."})
    seeker.press_button(f"Apply to {openings.control_number}", "application received")
    seeker.sees(f"Your application to {openings.control_number} was received.")
    assert seeker.fact("Status") == "Received"

    hiring = portal.sign_in(opm_hiring)
    hiring.visit(f"/workforce/openings/{openings.control_number}/")
    hiring.open_tab("Applicants", "applicants")
    hiring.choose({"New status": "Qualified"})
    hiring.fill({"Note": "Meets the specialized experience."})
    hiring.press_button("Move the application of Sam Seeker", "application moved")
    assert Application.objects.get().status == ApplicationStatus.QUALIFIED

    seeker.follow_link("Tech Force hiring")
    seeker.follow_link("My applications", "my applications")
    seeker.sees("Qualified")
