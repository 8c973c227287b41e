"""A frontier model review in the browser: the lab files and submits a case with its model card and
a trusted partner; an agency reviewer takes it to an issued finding; the lab answers it; the
partner accepts the terms and sees the summary alone; the lab withdraws another case."""

from eo_portal import deadlines
from reviews.models import ReviewCase
from tests.browser import data
from tests.browser.support import PDF, Person

FINDING_TITLE = "Autonomous exploit chaining"


def file_a_case(lab: Person) -> str:
    lab.follow_link("Model reviews", "model reviews")
    lab.follow_link("File a new case", "new case form")
    lab.fill(
        {
            "Model name": "Atlas",
            "Model version": "4.1",
            "Capability summary": "General-purpose model with strong code generation and tool use.",
            "Access notes": "Hosted API access for the review team; credentials sent out of band.",
        }
    )
    lab.tick("Code")
    lab.press_button("Create the draft", "draft case")
    reference = lab.reference()

    lab.open_tab("Documents", "documents")
    lab.choose({"Kind": "Model card"})
    lab.fill({"Title": "Atlas 4.1 model card"})
    lab.upload("File", "atlas-model-card.pdf", PDF)
    lab.tick("Share with the case's trusted partners")
    lab.press_button("Upload", "model card uploaded")
    lab.sees("“Atlas 4.1 model card” was uploaded.")

    lab.open_tab("Partners")
    lab.choose({"Trusted-partner organisation": "Trusted Partner A"})
    lab.fill({"Purpose of the early access": "Red-team evaluation of tool use."})
    lab.press_button("Propose the partner", "partner proposed")

    lab.open_tab("Summary")
    lab.press_button("Submit for voluntary review", "case submitted")
    lab.sees("The case was submitted for voluntary review.")
    return reference


def review_to_an_issued_finding(reviewer: Person, reference: str) -> None:
    reviewer.follow_link("Model reviews", "queue")
    reviewer.follow_link(reference, "submitted case")
    reviewer.fill({"Date access was given to the government": deadlines.today().isoformat()})
    reviewer.press_button("Record the access date")
    reviewer.press_button("Start screening", "screening")

    reviewer.open_tab("Partners")
    reviewer.press_button("Concur with Partner A", "partner concurred")

    reviewer.open_tab("Summary")
    reviewer.follow_link("Record the determination", "determination form")
    reviewer.choose({"Outcome": "Meets the benchmark threshold for voluntary review"})
    reviewer.fill(
        {
            "Unclassified rationale": "Unclassified summary: the benchmark results call for a voluntary review.",
            "Reference of the classified record": "BM-2026-0042",
        }
    )
    reviewer.press_button("Record the determination", "determination recorded")
    reviewer.press_button("Start the review")

    reviewer.open_tab("Findings", "findings")
    reviewer.fill({"Title": FINDING_TITLE})
    reviewer.choose({"Severity": "High", "Category": "Exploit development"})
    reviewer.fill(
        {
            "Description": "The model chains known vulnerabilities into working exploits without help.",
            "Recommended mitigations": "Refuse multi-step exploit requests; log and rate-limit tool use.",
        }
    )
    reviewer.press_button("Save the draft finding", "finding drafted")
    reviewer.press_button("Issue the draft findings to the lab", "finding issued")


def test_a_lab_files_a_case_an_agency_issues_a_finding_and_the_lab_answers(
    portal, lab_a, lab_a_manager, cisa_reviewer, partner_manager
):
    lab = portal.sign_in(lab_a_manager)
    reference = file_a_case(lab)

    reviewer = portal.sign_in(cisa_reviewer)
    review_to_an_issued_finding(reviewer, reference)

    lab.visit(f"/reviews/cases/{reference}/")
    lab.open_tab("Findings", "issued finding")
    lab.sees(f"Finding 1: {FINDING_TITLE}")
    lab.fill({"The lab's response": "Mitigated in 4.1.1: multi-step exploit requests are refused."})
    lab.press_button("Respond to finding 1", "finding answered")
    lab.sees("Mitigated in 4.1.1")

    partner = portal.sign_in(partner_manager)
    partner.follow_link("Model reviews", "invitation")
    partner.click(partner.page.get_by_role("link", name=f"{reference}: Frontier Lab A invites Partner A"), "terms")
    partner.press_button("I accept the terms for Partner A", "summary for the partner")
    partner.sees("Capability summary")
    tabs = partner.page.get_by_role("navigation", name=f"Sections of case {reference}").get_by_role("link")
    assert tabs.all_inner_texts() == ["Summary", "Documents"]
    partner.sees_no(FINDING_TITLE)
    partner.sees_no("BM-2026-0042")
    partner.open_tab("Documents", "shared documents")
    partner.sees("Atlas 4.1 model card")
    partner.visit_missing(f"/reviews/cases/{reference}/findings/", "findings refused")

    other = data.submitted_case(lab_a_manager, lab_a, "Borealis")
    lab.visit(f"/reviews/cases/{other.reference}/", "second case")
    lab.follow_link("Withdraw the case", "withdrawal confirmation")
    lab.press_button(f"Yes, withdraw {other.reference}", "case withdrawn")
    lab.sees("The case was withdrawn.")
    assert ReviewCase.objects.get(pk=other.pk).get_status_display() == "Withdrawn by the lab"
