"""Who reaches each page and API route of the clearinghouse (checked by tests/security).

Treasury, NSA and CISA coordinate it: their members and managers triage, draft and publish, and
all their people, viewers too, read every published advisory, vulnerability and delivery; only
CISA drafts and issues directives. Lab A reported the vulnerability. The TLP:AMBER advisory goes to
Grid Energy; the TLP:RED one to Grid Energy's manager alone, not to their colleagues. Harbor County
asked for CISA's tool. Published TLP:CLEAR advisories, issued directives and the tools are public.
Anything else answers 404, signed in or not.
"""

from eo_portal.access_expectations import (
    ACTORS,
    BAD_REQUEST,
    FORBIDDEN,
    OK,
    ORGANISATIONS,
    PUBLIC,
    REDIRECT,
    SIGNED_IN_API,
    SIGNED_IN_PAGE,
    SUPERUSER,
    FromTarget,
    Secret,
    api,
    api_get,
    api_patch,
    api_post,
    check,
    get,
    group,
    members_of,
    of_kind,
    page,
    post,
    public,
)
from eo_portal.models import OrganisationKind, Role

COORDINATING = ("treasury", "nsa", "cisa")
# Draft, triage, publish: the coordinating agencies' members and managers, and administrators.
COORDINATORS = members_of(*COORDINATING, roles=ACTORS) | SUPERUSER
# Read every published advisory, every vulnerability and delivery: viewers of those agencies too.
COORDINATING_READERS = members_of(*COORDINATING) | SUPERUSER
DIRECTIVE_ISSUERS = members_of("cisa", roles=ACTORS) | SUPERUSER
LAB = members_of("lab-a")
GRID = members_of("grid-energy")
GRID_ACTORS = members_of("grid-energy", roles=ACTORS)
GRID_MANAGER = members_of("grid-energy", roles=[Role.MANAGER])
COUNTY = members_of("harbor-county")
COUNTY_ACTORS = members_of("harbor-county", roles=ACTORS)
CISA = members_of("cisa")
CISA_ACTORS = members_of("cisa", roles=ACTORS)
# Guidance CG 27-01 applies to states, local governments and operators; their members and managers report.
GUIDANCE_REPORTERS = of_kind(OrganisationKind.STATE, OrganisationKind.LOCAL, OrganisationKind.OPERATOR, roles=ACTORS)
# The tool is for states, local governments and operators.
TOOL_REQUESTERS = GUIDANCE_REPORTERS
# Anyone who acts for some organisation may report a vulnerability.
REPORTERS = members_of(*ORGANISATIONS, roles=ACTORS)

AMBER_READERS = GRID | COORDINATING_READERS
RED_READERS = GRID_MANAGER | COORDINATING_READERS
VULNERABILITY_READERS = LAB | COORDINATING_READERS
TOOL_REQUEST_READERS = COUNTY | CISA

ADVISORY = {"title": "Patch the router", "summary": "Upgrade the router.", "tlp": "CLEAR", "audience_kinds": "state"}
ADVISORY_JSON = ADVISORY | {"audience_kinds": ["state"]}
TRIAGE = {"exploitation": "active", "automatable": "yes", "technical_impact": "total", "mission_impact": "high"}
TRIAGE_JSON = TRIAGE | {"automatable": True}
REPORT = {"source": "researcher", "title": "Router flaw", "description": "The router runs injected tool calls."}
REPORT_FORM = REPORT | {"products_1_vendor": "Acme", "products_1_product": "Router"}
DIRECTIVE = {
    "identifier": "BOD 27-03",
    "kind": "bod",
    "title": "Patch the router",
    "summary": "Agencies patch the router.",
    "applicable_kinds": ["agency"],
    "required_actions": [{"text": "Patch the router.", "due_in_days": 14}],
}
TOOL_REQUEST = {"justification": "We run 40 public services."}

ROUTES = {
    "clearinghouse:index": check(None, get(PUBLIC)),
    "clearinghouse:advisory-list": check(None, get(PUBLIC)),
    "clearinghouse:advisory-create": check(
        None,
        get(page((COORDINATORS, OK), otherwise=FORBIDDEN)),
        post(page((COORDINATORS, REDIRECT), otherwise=FORBIDDEN), ADVISORY),
    ),
    "clearinghouse:advisory-detail": (
        check("advisory_amber", get(public((AMBER_READERS, OK)))),
        check("advisory_red", get(public((RED_READERS, OK)))),
        check("advisory_draft", get(public((COORDINATORS, OK)))),
        check("advisory_clear", get(PUBLIC)),
    ),
    "clearinghouse:advisory-edit": check(
        "advisory_draft",
        get(page((COORDINATORS, OK))),
        post(page((COORDINATORS, REDIRECT)), ADVISORY),
    ),
    # A recipient sees the advisory, and may not revise it.
    "clearinghouse:advisory-revise": check(
        "advisory_amber",
        get(page((COORDINATORS, OK), (AMBER_READERS, FORBIDDEN))),
        post(page((COORDINATORS, OK), (AMBER_READERS, FORBIDDEN)), {"change_summary": "Corrected versions."}),
    ),
    "clearinghouse:advisory-revisions": check("advisory_amber", get(public((AMBER_READERS, OK)))),
    # The coordinators' tabs do not exist for anyone else.
    "clearinghouse:advisory-distribution": check("advisory_amber", get(page((COORDINATORS, OK)))),
    "clearinghouse:advisory-history": check("advisory_amber", get(page((COORDINATORS, OK)))),
    "clearinghouse:advisory-withdraw": check(
        "advisory_amber",
        post(page((COORDINATORS, REDIRECT), (AMBER_READERS, FORBIDDEN)), {"reason": "Superseded."}),
    ),
    "clearinghouse:advisory-move": (
        check("advisory_draft", post(page((COORDINATORS, REDIRECT))), move="submit"),
        # Two people: who sent it for review does not publish it.
        check(
            "advisory_in_review",
            post(page((group("treasury_member"), FORBIDDEN), (COORDINATORS, REDIRECT))),
            move="publish",
        ),
    ),
    "clearinghouse:queue": check(None, get(SIGNED_IN_PAGE)),
    "clearinghouse:delivery-detail": check(
        "delivery",
        get(page((GRID | COORDINATING_READERS, OK))),
        post(
            page((GRID_ACTORS, REDIRECT), (GRID | COORDINATING_READERS, FORBIDDEN)),
            {"acknowledge": "on", "in_estate": "yes", "exposed": "no", "status": "in_progress"},
        ),
    ),
    "clearinghouse:vulnerability-list": check(None, get(SIGNED_IN_PAGE)),
    "clearinghouse:vulnerability-report": check(
        None,
        get(page((REPORTERS, OK), otherwise=FORBIDDEN)),
        post(page((REPORTERS, REDIRECT), otherwise=FORBIDDEN), REPORT_FORM),
    ),
    "clearinghouse:vulnerability-detail": check("vulnerability", get(page((VULNERABILITY_READERS, OK)))),
    "clearinghouse:vulnerability-history": check("vulnerability", get(page((COORDINATORS, OK)))),
    "clearinghouse:vulnerability-triage": check(
        "vulnerability",
        post(page((COORDINATORS, REDIRECT), (VULNERABILITY_READERS, FORBIDDEN)), TRIAGE),
    ),
    "clearinghouse:vulnerability-move": check(
        "vulnerability",
        post(page((COORDINATORS, REDIRECT), (VULNERABILITY_READERS, FORBIDDEN)), {"status": "remediation_in_progress"}),
    ),
    # Lab B's report is lab B's and the coordinators': lab A cannot name it, nor lab B lab A's.
    "clearinghouse:vulnerability-merge": check(
        "vulnerability_duplicate",
        post(page((COORDINATORS, REDIRECT), (COORDINATING_READERS, FORBIDDEN))),
    ),
    "clearinghouse:directive-list": check(None, get(PUBLIC)),
    "clearinghouse:directive-create": check(
        None,
        get(page((DIRECTIVE_ISSUERS, OK), otherwise=FORBIDDEN)),
        post(page((DIRECTIVE_ISSUERS, OK), otherwise=FORBIDDEN), {"identifier": "BOD 27-03"}),
    ),
    # A draft directive is CISA's alone; issued ones are public.
    "clearinghouse:directive-detail": (
        check("directive_draft", get(public((DIRECTIVE_ISSUERS, OK)))),
        check("directive_issued", get(PUBLIC)),
    ),
    "clearinghouse:directive-edit": check(
        "directive_draft",
        get(page((DIRECTIVE_ISSUERS, OK))),
        post(page((DIRECTIVE_ISSUERS, OK)), {"title": "Restrict agent tools"}),
    ),
    "clearinghouse:compliance-report": check(
        "required_action",
        post(page((GUIDANCE_REPORTERS, REDIRECT), otherwise=FORBIDDEN), {"action-1-status": "in_progress"}),
    ),
    "clearinghouse:directive-move": check("directive_draft", post(page((DIRECTIVE_ISSUERS, REDIRECT))), move="issue"),
    "clearinghouse:tool-list": check(None, get(PUBLIC)),
    "clearinghouse:tool-detail": check("tool", get(PUBLIC)),
    "clearinghouse:tool-request": check(
        "tool",
        # Harbor County has asked already: the form says so.
        post(page((COUNTY_ACTORS, OK), (TOOL_REQUESTERS, REDIRECT), otherwise=FORBIDDEN), TOOL_REQUEST),
    ),
    "clearinghouse:tool-request-list": check(None, get(SIGNED_IN_PAGE)),
    "clearinghouse:tool-request-detail": check("tool_request", get(page((TOOL_REQUEST_READERS, OK)))),
    "clearinghouse:tool-request-decide": check(
        "tool_request",
        post(page((CISA_ACTORS, REDIRECT), (TOOL_REQUEST_READERS, FORBIDDEN)), {"decision": "approve"}),
    ),
    "clearinghouse:tool-request-withdraw": check(
        "tool_request",
        post(page((COUNTY_ACTORS, REDIRECT), (TOOL_REQUEST_READERS, FORBIDDEN))),
    ),
    "clearinghouse:advisory-csaf": check("advisory_amber", get(public((AMBER_READERS, OK)))),
    "clearinghouse:kev-json": check(None, get(PUBLIC)),
    "clearinghouse:kev-csv": check(None, get(PUBLIC)),
    "clearinghouse:feed-atom": check(None, get(PUBLIC)),
    "clearinghouse:feed-json": check(None, get(PUBLIC)),
    "clearinghouse:priority-csv": check(None, get(SIGNED_IN_PAGE)),
    # The API
    "clearinghouse-api:api-root": check(None, api_get(SIGNED_IN_API)),
    "clearinghouse-api:vulnerability-list": check(
        None,
        api_get(SIGNED_IN_API),
        api_post(
            api((REPORTERS, OK), otherwise=FORBIDDEN),
            REPORT | {"products": [{"vendor": "Acme", "product": "Router"}]},
        ),
    ),
    "clearinghouse-api:vulnerability-detail": check(
        "vulnerability",
        api_get(api((VULNERABILITY_READERS, OK))),
        api_patch(api((COORDINATORS, OK), (VULNERABILITY_READERS, FORBIDDEN)), {"title": "Router flaw"}),
    ),
    "clearinghouse-api:vulnerability-duplicates": check("vulnerability", api_get(api((COORDINATORS, OK)))),
    "clearinghouse-api:vulnerability-merge": check(
        "vulnerability",
        api_post(
            # Lab A may not name lab B's report: it is not there for them.
            api((COORDINATORS, OK), (COORDINATING_READERS, FORBIDDEN), (VULNERABILITY_READERS, BAD_REQUEST)),
            {"into": FromTarget("vulnerability_duplicate", "duplicate")},
        ),
    ),
    "clearinghouse-api:vulnerability-move": check(
        "vulnerability",
        api_post(api((COORDINATORS, OK), (VULNERABILITY_READERS, FORBIDDEN)), {"status": "remediation_in_progress"}),
    ),
    "clearinghouse-api:vulnerability-triage": check(
        "vulnerability", api_post(api((COORDINATORS, OK), (VULNERABILITY_READERS, FORBIDDEN)), TRIAGE_JSON)
    ),
    "clearinghouse-api:advisory-list": check(
        None, api_get(PUBLIC), api_post(api((COORDINATORS, OK), otherwise=FORBIDDEN), ADVISORY_JSON)
    ),
    "clearinghouse-api:advisory-detail": (
        check("advisory_amber", api_get(public((AMBER_READERS, OK)))),
        check("advisory_red", api_get(public((RED_READERS, OK)))),
        check("advisory_draft", api_patch(api((COORDINATORS, OK)), {"title": "Patch the router now"})),
    ),
    "clearinghouse-api:advisory-csaf": check("advisory_amber", api_get(public((AMBER_READERS, OK)))),
    "clearinghouse-api:advisory-distribution": check("advisory_amber", api_get(api((COORDINATORS, OK)))),
    "clearinghouse-api:advisory-publish": check(
        "advisory_in_review",
        api_post(api((group("treasury_member"), FORBIDDEN), (COORDINATORS, OK))),
    ),
    "clearinghouse-api:advisory-return": check("advisory_in_review", api_post(api((COORDINATORS, OK)))),
    "clearinghouse-api:advisory-revise": check(
        "advisory_amber",
        api_post(api((COORDINATORS, OK), (AMBER_READERS, FORBIDDEN)), {"change_summary": "Corrected versions."}),
    ),
    "clearinghouse-api:advisory-submit": check("advisory_draft", api_post(api((COORDINATORS, OK)))),
    "clearinghouse-api:advisory-withdraw": check(
        "advisory_amber", api_post(api((COORDINATORS, OK), (AMBER_READERS, FORBIDDEN)), {"reason": "Superseded."})
    ),
    "clearinghouse-api:delivery-list": check(None, api_get(SIGNED_IN_API)),
    "clearinghouse-api:delivery-detail": check(
        "delivery",
        api_get(api((GRID | COORDINATING_READERS, OK))),
        api_patch(api((GRID_ACTORS, OK), (GRID | COORDINATING_READERS, FORBIDDEN)), {"status": "remediated"}),
    ),
    "clearinghouse-api:delivery-acknowledge": check(
        "delivery", api_post(api((GRID_ACTORS, OK), (GRID | COORDINATING_READERS, FORBIDDEN)))
    ),
    "clearinghouse-api:directive-list": check(
        None, api_get(PUBLIC), api_post(api((DIRECTIVE_ISSUERS, OK), otherwise=FORBIDDEN), DIRECTIVE)
    ),
    "clearinghouse-api:directive-detail": (
        check("directive_draft", api_get(public((DIRECTIVE_ISSUERS, OK)))),
        check("directive_draft", api_patch(api((DIRECTIVE_ISSUERS, OK)), {"title": "Restrict agent tools"})),
        check("directive_issued", api_get(PUBLIC)),
    ),
    "clearinghouse-api:directive-compliance": check(
        "directive_issued",
        api_get(SIGNED_IN_API),
        api_post(api((GUIDANCE_REPORTERS, OK), otherwise=FORBIDDEN), {"action": 1, "status": "in_progress"}),
    ),
    "clearinghouse-api:directive-issue": check("directive_draft", api_post(api((DIRECTIVE_ISSUERS, OK)))),
    "clearinghouse-api:directive-revoke": check(
        "directive_issued", api_post(api((DIRECTIVE_ISSUERS, OK), otherwise=FORBIDDEN))
    ),
    "clearinghouse-api:tool-list": check(None, api_get(PUBLIC)),
    "clearinghouse-api:tool-detail": check("tool", api_get(PUBLIC)),
    "clearinghouse-api:tool-request-list": check(
        None,
        api_get(SIGNED_IN_API),
        api_post(
            api((COUNTY_ACTORS, BAD_REQUEST), (TOOL_REQUESTERS, OK), otherwise=FORBIDDEN),
            TOOL_REQUEST | {"tool": "attack-surface-scan"},
        ),
    ),
    "clearinghouse-api:tool-request-detail": check("tool_request", api_get(api((TOOL_REQUEST_READERS, OK)))),
    "clearinghouse-api:tool-request-approve": check(
        "tool_request", api_post(api((CISA_ACTORS, OK), (TOOL_REQUEST_READERS, FORBIDDEN)))
    ),
    "clearinghouse-api:tool-request-decline": check(
        "tool_request", api_post(api((CISA_ACTORS, OK), (TOOL_REQUEST_READERS, FORBIDDEN)), {"note": "No capacity."})
    ),
    "clearinghouse-api:tool-request-withdraw": check(
        "tool_request", api_post(api((COUNTY_ACTORS, OK), (TOOL_REQUEST_READERS, FORBIDDEN)))
    ),
}

SECRETS = {
    "vulnerability-description": Secret(VULNERABILITY_READERS, "clearinghouse:vulnerability-detail", "lab_viewer"),
    "vulnerability-duplicate": Secret(
        members_of("lab-b") | COORDINATING_READERS,
        "clearinghouse:vulnerability-detail",
        "lab_b_manager",
        on="vulnerability_of_lab_b",
    ),
    "advisory-amber": Secret(AMBER_READERS, "clearinghouse:advisory-detail", "operator_viewer"),
    "advisory-red": Secret(RED_READERS, "clearinghouse:advisory-detail", "operator_manager", on="advisory_red"),
    "advisory-draft": Secret(COORDINATORS, "clearinghouse:advisory-detail", "treasury_member", on="advisory_draft"),
    "advisory-in-review": Secret(COORDINATORS, "clearinghouse:advisory-detail", "nsa_member", on="advisory_in_review"),
    "delivery-note": Secret(GRID | COORDINATING_READERS, "clearinghouse:delivery-detail", "operator_viewer"),
    "compliance-note": Secret(
        GRID | DIRECTIVE_ISSUERS, "clearinghouse:directive-detail", "operator_member", on="directive_issued"
    ),
    "directive-draft": Secret(DIRECTIVE_ISSUERS, "clearinghouse:directive-detail", "cisa_member"),
    "tool-request": Secret(TOOL_REQUEST_READERS, "clearinghouse:tool-request-detail", "local_viewer"),
}
