"""Demo clearinghouse content for `manage.py seed_demo`: reported and triaged vulnerabilities
(one reported twice, to show a likely duplicate), a public TLP:CLEAR advisory, a TLP:AMBER
advisory for one operator, a draft, a directive, CISA guidance and the defensive-tools catalogue.
Everything is made through the services, as the demo accounts. Safe to run again."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from clearinghouse import services
from clearinghouse.models import DefensiveTool, Tlp, Vulnerability
from eo_portal import deadlines
from eo_portal.models import Organisation, OrganisationKind, Sector

if TYPE_CHECKING:
    from django.contrib.auth.models import User

FIRST_TITLE = "Prompt injection in Acme Assist lets a web page run agent tools"


def _people() -> dict[str, User]:
    names = [
        "lab-a-member", "lab-b-manager", "treasury-coordinator", "cisa-coordinator", "nsa-reviewer",
        "operator-energy", "county-applicant",
    ]
    return {user.username: user for user in get_user_model()._default_manager.filter(username__in=names)}


def _organisations() -> dict[str, Organisation]:
    slugs = ["lab-a", "lab-b", "grid-energy", "harbor-county", "cisa", "nsa"]
    return {organisation.slug: organisation for organisation in Organisation.objects.filter(slug__in=slugs)}


def _vulnerabilities(people: dict, orgs: dict) -> list[Vulnerability]:
    today = deadlines.today()
    agent = services.report_vulnerability(
        by=people["lab-a-member"], organisation=orgs["lab-a"], source="ai_model_evaluation", credit="Frontier Lab A red team",
        title=FIRST_TITLE,
        description="Text on a visited web page is treated as instructions and can call the agent's e-mail tool.",
        cve_id="CVE-2026-41001", cwe_ids=["CWE-1427"], cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:N",
        known_exploited=True, known_exploited_date=today - timedelta(days=3),
        products=[{"vendor": "Acme", "product": "Assist", "version_start": "3.0", "version_end": "3.4.2",
                   "fixed_version": "3.4.3"}],
    )
    scada = services.report_vulnerability(
        by=people["lab-a-member"], organisation=orgs["lab-a"], source="ai_model_evaluation",
        title="Out-of-bounds write in Gridline RTU firmware parser",
        description="A crafted DNP3 frame overflows a fixed buffer in the firmware's parser.",
        cwe_ids=["CWE-787"], cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        products=[{"vendor": "Gridline", "product": "RTU-5", "version_start": "2.0", "version_end": "2.8"}],
    )
    # Another lab's scanner finds the same flaw: the clearinghouse proposes merging the two.
    services.report_vulnerability(
        by=people["lab-b-manager"], organisation=orgs["lab-b"], source="ai_model_evaluation",
        title="Heap overflow in RTU-5 DNP3 handling",
        description="Fuzzing with model-written inputs crashes the RTU-5 DNP3 parser.",
        cwe_ids=["CWE-787"], products=[{"vendor": "gridline", "product": "rtu-5", "version_start": "2.5"}],
    )
    coordinator = people["treasury-coordinator"]
    agent = services.triage_vulnerability(
        agent, by=coordinator, exploitation="active", automatable=True, technical_impact="total",
        mission_impact="medium", remediation_due=today + timedelta(days=14),
        required_action="Upgrade Acme Assist to 3.4.3, or turn off its e-mail tool.",
    )
    scada = services.triage_vulnerability(
        scada, by=coordinator, exploitation="public_poc", automatable=False, technical_impact="total",
        mission_impact="high", remediation_due=today + timedelta(days=30),
    )
    return [agent, scada]


def _publish(advisory, people: dict) -> None:
    services.submit_advisory(advisory, by=people["treasury-coordinator"])
    services.publish_advisory(advisory, by=people["cisa-coordinator"])


def _advisories(vulnerabilities: list[Vulnerability], people: dict, orgs: dict) -> None:
    agent, scada = vulnerabilities
    coordinator = people["treasury-coordinator"]
    public = services.create_advisory(
        by=coordinator, title="Acme Assist agents follow instructions hidden in web pages", tlp=Tlp.CLEAR,
        summary="Acme Assist 3.0 to 3.4.2 can be steered by a web page into sending e-mail. Upgrade to 3.4.3.",
        audience_kinds=[OrganisationKind.STATE, OrganisationKind.LOCAL, OrganisationKind.TRIBAL],
        audience_sectors=[Sector.ENERGY, Sector.WATER], vulnerabilities=[agent],
        remediations=[
            {"category": "vendor_fix", "details": "Upgrade to Acme Assist 3.4.3.", "product_scope": "3.0 to 3.4.2"},
            {"category": "mitigation", "details": "Turn off the e-mail tool for agents that browse."},
        ],
    )
    _publish(public, people)
    amber = services.create_advisory(
        by=coordinator, title="Gridline RTU-5 firmware: parser overflow", tlp=Tlp.AMBER,
        summary="Gridline RTU-5 firmware 2.0 to 2.8 can be crashed or taken over over DNP3. No fix yet.",
        named_organisations=[orgs["grid-energy"]], vulnerabilities=[scada],
        remediations=[{"category": "workaround", "details": "Allow DNP3 only from the control centre's addresses."}],
    )
    _publish(amber, people)
    services.create_advisory(
        by=coordinator, title="Draft: RTU-5 advisory for the energy sector", tlp=Tlp.GREEN,
        summary="To follow once Gridline ships a fix.", audience_sectors=[Sector.ENERGY], vulnerabilities=[scada],
    )


def _directives(people: dict) -> None:
    cisa = people["cisa-coordinator"]
    directive = services.create_directive(
        by=cisa, identifier="BOD 27-01", kind="bod", title="Inventory and protect AI agents on federal networks",
        summary="Agencies find the AI agents they run, restrict their tools and report.",
        applicable_kinds=[OrganisationKind.AGENCY],
        required_actions=[("Inventory every AI agent with network or tool access.", 30),
                          ("Remove e-mail and code-execution tools from agents that browse the web.", 60)],
    )
    services.issue_directive(directive, by=cisa)
    guidance = services.create_directive(
        by=cisa, identifier="CG 27-01", kind="guidance", title="Using AI-assisted vulnerability findings",
        summary="How state and local governments and operators act on clearinghouse advisories.",
        applicable_kinds=[OrganisationKind.STATE, OrganisationKind.LOCAL, OrganisationKind.OPERATOR],
        required_actions=[("Name a contact who receives clearinghouse advisories.", 30)],
    )
    services.issue_directive(guidance, by=cisa)


def _tools(people: dict, orgs: dict) -> None:
    eligible = [OrganisationKind.STATE, OrganisationKind.LOCAL, OrganisationKind.TRIBAL,
                OrganisationKind.TERRITORIAL, OrganisationKind.OPERATOR]
    scanner = services.create_tool(
        by=people["cisa-coordinator"], provider=orgs["cisa"], name="AI-assisted external attack surface scan",
        slug="attack-surface-scan", capability="Finds exposed services and known-exploited flaws weekly",
        description="CISA scans your internet-facing addresses and sends a prioritised report.",
        eligible_kinds=eligible, delivery_method="hosted",
    )
    services.create_tool(
        by=people["nsa-reviewer"], provider=orgs["nsa"], name="Protective DNS with AI triage",
        slug="protective-dns", capability="Blocks malicious domains; AI ranks the alerts",
        description="A resolver that blocks known-bad domains, with model-ranked alerts for analysts.",
        eligible_kinds=[OrganisationKind.OPERATOR, OrganisationKind.STATE], delivery_method="managed",
    )
    services.request_tool(
        scanner, by=people["county-applicant"], organisation=orgs["harbor-county"],
        justification="We run 40 public services and no weekly scanning.",
    )


def seed(by: User) -> int:
    if DefensiveTool.objects.filter(slug="attack-surface-scan").exists():
        return 0
    people, orgs = _people(), _organisations()
    vulnerabilities = _vulnerabilities(people, orgs)
    _advisories(vulnerabilities, people, orgs)
    _directives(people)
    _tools(people, orgs)
    return 1
