"""Clearinghouse objects for the permission matrix, each step taken by its actor:

- a vulnerability lab A reported and Treasury triaged, and one lab B reported (a merge candidate);
- published advisories: TLP:CLEAR for everyone, TLP:AMBER named to Grid Energy, TLP:RED named to
  Grid Energy's manager alone; and TLP:GREEN ones only coordinators see, a draft and one Treasury
  sent for review. Their vulnerability is a third one, so what advisories show of it is no secret;
- Grid Energy's delivery of the AMBER advisory, with its report;
- CISA's guidance for states, local governments and operators, issued, with Grid Energy's
  compliance report, and a draft directive only CISA sees;
- CISA's defensive tool and Harbor County's request for it.
"""

from __future__ import annotations

from clearinghouse import services
from clearinghouse.models import Delivery, Source, Tlp
from eo_portal.access_expectations import marker
from eo_portal.models import OrganisationKind, Sector
from tests.security.builders import World, on_commit_run

CVSS = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
PRODUCT = {"vendor": "Acme", "product": "Agent Router", "version_start": "2.0", "version_end": "2.9"}
SSVC = {"exploitation": "active", "automatable": True, "technical_impact": "total", "mission_impact": "high"}


def _report(world: World, persona: str, organisation: str, description: str, cwe: str):
    return services.report_vulnerability(
        by=world.people[persona],
        organisation=world.organisations[organisation],
        source=Source.AI_MODEL_EVALUATION,
        title="Prompt injection in the agent tool router",
        description=description,
        cwe_ids=[cwe],
        cvss_vector=CVSS,
        products=[PRODUCT],
    )


def _draft(world: World, tlp: str, summary: str, vulnerability, **audience):
    return services.create_advisory(
        by=world.people["treasury_member"],
        title=f"Patch the agent tool router ({tlp})",
        summary=summary,
        tlp=tlp,
        vulnerabilities=[vulnerability],
        **audience,
    )


def _in_review(world: World, tlp: str, summary: str, vulnerability, **audience):
    advisory = _draft(world, tlp, summary, vulnerability, **audience)
    return services.submit_advisory(advisory, by=world.people["treasury_member"])


def _published(world: World, tlp: str, summary: str, vulnerability, **audience):
    advisory = _in_review(world, tlp, summary, vulnerability, **audience)
    with on_commit_run():
        services.publish_advisory(advisory, by=world.people["cisa_member"])
    return advisory


def _vulnerabilities(world: World):
    treasury = world.people["treasury_member"]
    reported = _report(world, "lab_member", "lab-a", marker("vulnerability-description"), "CWE-77")
    reported = services.triage_vulnerability(reported, by=treasury, **SSVC)
    duplicate = _report(world, "lab_b_manager", "lab-b", marker("vulnerability-duplicate"), "CWE-77")
    advised = _report(world, "lab_member", "lab-a", "A flaw the advisories disclose.", "CWE-787")
    return reported, duplicate, services.triage_vulnerability(advised, by=treasury, **SSVC)


def _advisories(world: World, advised) -> dict[str, object]:
    grid = world.organisations["grid-energy"]
    advisories = {
        "advisory_clear": _published(
            world, Tlp.CLEAR, "Upgrade the router.", advised, audience_kinds=[OrganisationKind.STATE]
        ),
        "advisory_amber": _published(world, Tlp.AMBER, marker("advisory-amber"), advised, named_organisations=[grid]),
        "advisory_red": _published(
            world, Tlp.RED, marker("advisory-red"), advised, named_people=[world.people["operator_manager"]]
        ),
        "advisory_draft": _draft(world, Tlp.GREEN, marker("advisory-draft"), advised, audience_sectors=[Sector.ENERGY]),
        "advisory_in_review": _in_review(
            world, Tlp.GREEN, marker("advisory-in-review"), advised, audience_sectors=[Sector.ENERGY]
        ),
    }
    delivery = Delivery.objects.get(advisory=advisories["advisory_amber"], organisation=grid)
    services.report_on_delivery(
        delivery,
        by=world.people["operator_member"],
        status="in_progress",
        note=marker("delivery-note"),
        in_estate=True,
        exposed=False,
    )
    world.add_numbered("delivery", delivery.pk, "delivery_id", "pk")
    return advisories


def _directives(world: World) -> None:
    cisa = world.people["cisa_member"]
    guidance = services.create_directive(
        by=cisa,
        identifier="CG 27-01",
        kind="guidance",
        title="Using AI-assisted vulnerability findings",
        summary="How governments and operators act on clearinghouse advisories.",
        applicable_kinds=[OrganisationKind.STATE, OrganisationKind.LOCAL, OrganisationKind.OPERATOR],
        required_actions=[("Name a contact who receives clearinghouse advisories.", 30)],
    )
    guidance = services.issue_directive(guidance, by=cisa)
    (action,) = guidance.required_actions.all()
    services.report_compliance(
        action,
        by=world.people["operator_manager"],
        organisation=world.organisations["grid-energy"],
        status="in_progress",
        note=marker("compliance-note"),
    )
    draft = services.create_directive(
        by=cisa,
        identifier="BOD 27-02",
        kind="bod",
        title="Restrict the tools of AI agents",
        summary=marker("directive-draft"),
        applicable_kinds=[OrganisationKind.AGENCY],
        required_actions=[("Remove code-execution tools from agents that browse.", 30)],
    )
    world.add_target("directive_issued", {"identifier": guidance.identifier}, {"identifier": "CG 99-99"})
    world.add_target("directive_draft", {"identifier": draft.identifier}, {"identifier": "BOD 99-99"})
    world.add_numbered("required_action", action.number, "number", within={"identifier": guidance.identifier})


def _tools(world: World) -> None:
    tool = services.create_tool(
        by=world.people["cisa_member"],
        provider=world.organisations["cisa"],
        name="AI-assisted external attack surface scan",
        slug="attack-surface-scan",
        capability="Finds exposed services weekly",
        description="CISA scans your internet-facing addresses and sends a prioritised report.",
        eligible_kinds=[OrganisationKind.STATE, OrganisationKind.LOCAL, OrganisationKind.OPERATOR],
        delivery_method="hosted",
    )
    request = services.request_tool(
        tool,
        by=world.people["local_manager"],
        organisation=world.organisations["harbor-county"],
        justification=marker("tool-request"),
    )
    world.add_target("tool", {"slug": tool.slug}, {"slug": "no-such-tool"})
    world.add_numbered("tool_request", request.pk, "request_id", "pk")


def build(world: World) -> None:
    reported, duplicate, advised = _vulnerabilities(world)
    world.add_referenced("vulnerability", reported.reference)
    world.add_referenced("vulnerability_of_lab_b", duplicate.reference)
    # Merging names two: lab A's report, and lab B's as the duplicate (missing: a number no report has).
    merge = world.targets["vulnerability"].missing["reference"]
    world.add_target(
        "vulnerability_duplicate",
        {"reference": reported.reference, "duplicate": duplicate.reference},
        {"duplicate": merge},
    )
    for key, advisory in _advisories(world, advised).items():
        world.add_referenced(key, advisory.reference)
    _directives(world)
    _tools(world)
