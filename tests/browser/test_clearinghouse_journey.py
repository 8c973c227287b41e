"""A clearinghouse advisory in the browser: a coordinator reports a vulnerability with its CVSS
vector, triages it to an SSVC decision and drafts a TLP:GREEN advisory for the energy sector; a
second coordinator publishes it (two people) and it is delivered; an operator in that sector
acknowledges it and reports it remediated; an anonymous visitor finds the TLP:CLEAR advisory and
the public feed, and nothing of the TLP:GREEN one."""

import pytest

from clearinghouse.models import Advisory, Delivery
from clearinghouse.workflow import DeliveryStatus
from tests.browser import data
from tests.browser.support import Person

GREEN_TITLE = "Patch the agent tool router now"
CLEAR_TITLE = "Turn off automatic tool calls in chat assistants"


@pytest.fixture
def public_advisory(treasury_analyst, nsa_analyst) -> Advisory:
    return data.public_advisory(treasury_analyst, nsa_analyst, CLEAR_TITLE)


def report_and_triage(coordinator: Person) -> str:
    coordinator.follow_link("Clearinghouse", "clearinghouse")
    coordinator.follow_link("Report a vulnerability", "report form")
    coordinator.choose({"How it was found": "AI model evaluation"})
    coordinator.fill(
        {
            "Title": "Prompt injection in the agent tool router",
            "Description": "Instructions hidden in fetched pages make the router call tools the user never asked for.",
            "CWE IDs": "CWE-77",
            "CVSS vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        }
    )
    coordinator.fill({"Vendor": "Acme", "Product": "Agent Router", "Affected up to version": "2.9"}, within="Product 1")
    coordinator.press_button("Send the report", "vulnerability reported")
    coordinator.sees("9.8 (Critical), CVSS 3.1")
    reference = coordinator.reference()

    coordinator.choose(
        {
            "Exploitation": "Active",
            "Automatable": "Yes",
            "Technical impact": "Total",
            "Mission and well-being impact": "High",
        }
    )
    coordinator.press_button("Record the triage", "triaged")
    coordinator.sees("Triage recorded: the SSVC decision is Act.")
    return reference


def draft_green_advisory(coordinator: Person, vulnerability: str) -> str:
    coordinator.follow_link("Clearinghouse")
    coordinator.follow_link("New advisory", "new advisory form")
    coordinator.fill(
        {
            "Title": GREEN_TITLE,
            "Summary": "Upgrade Acme Agent Router to 3.0; until then turn off automatic tool calls.",
        }
    )
    coordinator.choose({"TLP marking": "TLP:GREEN"})
    coordinator.tick("Energy", within="Audience: critical-infrastructure sectors")
    coordinator.choose(
        {"Vulnerabilities covered": [option_starting(coordinator, "Vulnerabilities covered", vulnerability)]}
    )
    coordinator.choose({"Category": "Vendor fix"}, within="Remediation 1")
    coordinator.fill({"Details": "Upgrade to Acme Agent Router 3.0."}, within="Remediation 1")
    coordinator.press_button("Create the draft", "draft advisory")
    reference = coordinator.reference()
    coordinator.press_button("Send for review", "sent for review")
    # Two people: whoever sent it for review cannot publish it.
    coordinator.sees("You sent this advisory for review: a second coordinator publishes it")
    assert coordinator.page.get_by_role("button", name="Publish", exact=True).count() == 0
    return reference


def option_starting(person: Person, label: str, text: str) -> str:
    options = person.field(label).locator("option").all_inner_texts()
    return next(option for option in options if option.startswith(text))


def test_an_advisory_goes_from_report_to_remediation_and_only_the_clear_one_is_public(
    portal, treasury_analyst, nsa_analyst, operator, public_advisory
):
    coordinator = portal.sign_in(treasury_analyst)
    vulnerability = report_and_triage(coordinator)
    reference = draft_green_advisory(coordinator, vulnerability)

    second = portal.sign_in(nsa_analyst)
    second.visit(f"/clearinghouse/advisories/{reference}/", "advisory in review")
    second.press_button("Publish", "published")
    second.open_tab("Distribution", "distribution")
    delivery = Delivery.objects.get(advisory__reference=reference, organisation__slug="grid-energy")

    energy = portal.sign_in(operator)
    energy.follow_link("Clearinghouse")
    energy.follow_link("My organisation's advisories", "operator's queue")
    energy.click(energy.page.get_by_role("link", name=f"{reference}: {GREEN_TITLE}"), "delivered advisory")
    energy.choose(
        {"Is an affected product in your estate?": "Yes", "Is the affected system exposed to the internet?": "No"}
    )
    energy.choose({"Remediation status": "In progress"})
    assert energy.field("We acknowledge receipt of this advisory").is_checked()
    energy.press_button("Save the report", "acknowledged")
    energy.sees("Your report was saved.")
    energy.choose({"Remediation status": "Remediated"})
    energy.fill({"Note": "Upgraded every router to 3.0."})
    energy.press_button("Save the report", "remediated")
    delivery.refresh_from_db()
    assert delivery.acknowledged_by == operator and delivery.status == DeliveryStatus.REMEDIATED

    visitor = portal.anonymous("visitor")
    visitor.visit("/")
    visitor.follow_link("Clearinghouse", "public clearinghouse")
    visitor.follow_link("All advisories", "public advisories")
    visitor.sees(CLEAR_TITLE)
    visitor.sees_no(GREEN_TITLE)
    visitor.follow_link(public_advisory.reference, "public advisory")
    visitor.sees("TLP:CLEAR")
    visitor.follow_link("Clearinghouse")
    feed = visitor.page.get_by_role("link", name="Public advisories as a JSON feed").get_attribute("href")
    titles = [item["title"] for item in visitor.page.request.get(visitor.url(feed)).json()["items"]]
    assert any(CLEAR_TITLE in title for title in titles) and not any(GREEN_TITLE in title for title in titles)
    visitor.visit_missing(f"/clearinghouse/advisories/{reference}/", "green advisory refused")
