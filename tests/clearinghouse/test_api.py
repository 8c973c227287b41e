"""The clearinghouse's API contract under /api/v1/clearinghouse/: the fields each endpoint answers
with, who sees what (anything else answers 404, as if it did not exist), who may change what
(403 for a visible object, 404 for an invisible one), 409 for a step the state does not allow,
and lists that cost the same number of queries whatever their length."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import clearinghouse
from clearinghouse import services
from clearinghouse.models import (
    AdvisoryRevision,
    ComplianceReport,
    Delivery,
    DirectiveKind,
    Tlp,
    ToolRequest,
    Vulnerability,
    VulnerabilityReport,
)
from clearinghouse.workflow import AdvisoryStatus, DeliveryStatus, ToolRequestStatus, VulnerabilityStatus
from eo_portal import deadlines
from eo_portal.models import OrganisationKind, Sector
from reviews import services as review_services
from tests.clearinghouse.conftest import ADVISORY, CVSS_MEDIUM, PRODUCT, VULNERABILITY, refresh
from tests.eo_portal.test_layering import layering_violations

# Some tests here take their personas by name (request.getfixturevalue): the mark tells
# pytest-django they use the database, so they run before the tests that empty it.
pytestmark = pytest.mark.django_db

BASE = "/api/v1/clearinghouse/"
SIGNED_OUT = (401, 403)
ENERGY = [Sector.ENERGY]


def url(*parts: object) -> str:
    return BASE + "".join(f"{quote(str(part))}/" for part in parts)


def refs(response, key: str = "reference") -> list[str]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    return [row[key] for row in rows]


# ---------------------------------------------------------------------------
# Fixtures of this module: deliveries, directives and tools, made through the services.


@pytest.fixture
def energy_advisory(published, grid_energy, plains_power, water_works):
    """A published TLP:GREEN advisory for the energy sector: Grid Energy and Plains Power receive it,
    Water Works does not."""
    return published(Tlp.GREEN, audience_sectors=ENERGY)


@pytest.fixture
def deliveries_of():
    def find(advisory) -> dict[str, Delivery]:
        return {
            d.organisation.slug: d for d in Delivery.objects.filter(advisory=advisory).select_related("organisation")
        }

    return find


@pytest.fixture
def make_directive(agency_staff):
    def make(identifier: str = "CG 27-01", *, kind: str = DirectiveKind.GUIDANCE, issued: bool = True, **fields):
        directive = services.create_directive(
            by=agency_staff,
            identifier=identifier,
            kind=kind,
            title=fields.pop("title", "Inventory AI-enabled systems exposed to the internet"),
            summary=fields.pop("summary", "List them, then patch or isolate each."),
            applicable_kinds=fields.pop("applicable_kinds", [OrganisationKind.OPERATOR]),
            required_actions=fields.pop("required_actions", [("Inventory the systems.", 30), ("Patch them.", 60)]),
        )
        if issued:
            directive = services.issue_directive(directive, by=agency_staff)
        return directive

    return make


@pytest.fixture
def make_tool(agency_staff, cisa):
    def make(slug: str = "ai-log-triage", **fields):
        return services.create_tool(
            by=agency_staff,
            provider=cisa,
            name=fields.pop("name", slug.replace("-", " ").title()),
            slug=slug,
            capability=fields.pop("capability", "Triage of security logs with a language model"),
            description=fields.pop("description", "A hosted service that ranks alerts."),
            eligible_kinds=fields.pop("eligible_kinds", [OrganisationKind.OPERATOR]),
            delivery_method=fields.pop("delivery_method", "hosted"),
        )

    return make


def intake(**changes) -> dict:
    return {
        "source": "researcher",
        "credit": "Grid Energy security team",
        "products": [PRODUCT],
        **VULNERABILITY,
        **changes,
    }


# ---------------------------------------------------------------------------
# Rule 2 of DESIGN.md for this module, with the core's own check.


def test_the_api_module_neither_writes_nor_queries_models_directly():
    source = (Path(clearinghouse.__file__).parent / "api.py").read_text()

    assert layering_violations(source) == []


# ---------------------------------------------------------------------------
# Vulnerabilities


def test_a_vulnerability_answers_with_its_scores_products_reporters_and_priority(api, treasury_analyst, report, triage):
    vulnerability = triage(
        report(cve_id="CVE-2027-0001", known_exploited=True, known_exploited_date=timezone.localdate()), "act"
    )

    body = api(treasury_analyst).get(url("vulnerabilities", vulnerability.reference)).json()

    assert {
        key: body[key]
        for key in (
            "reference",
            "cve_id",
            "cvss_score",
            "cvss_version",
            "cvss_severity",
            "status",
            "ssvc_decision",
            "exploitation",
            "automatable",
            "technical_impact",
            "mission_impact",
            "merged_into",
            "source_case",
        )
    } == {
        "reference": vulnerability.reference,
        "cve_id": "CVE-2027-0001",
        "cvss_score": 9.8,
        "cvss_version": "3.1",
        "cvss_severity": "Critical",
        "status": VulnerabilityStatus.TRIAGED,
        "ssvc_decision": "act",
        "exploitation": "active",
        "automatable": True,
        "technical_impact": "total",
        "mission_impact": "high",
        "merged_into": None,
        "source_case": None,
    }
    assert body["products"] == [{"fixed_version": "", **PRODUCT}]
    assert [(r["organisation"], r["source"]) for r in body["reporters"]] == [("lab-a", "ai_model_evaluation")]
    assert {
        "title",
        "description",
        "cwe_ids",
        "cvss_vector",
        "known_exploited",
        "known_exploited_date",
        "known_ransomware_use",
        "source",
        "required_action",
        "remediation_due",
    } <= set(body)


def test_the_source_review_case_shows_only_to_those_who_may_see_the_case(
    api, lab_a, lab_a_manager, lab_a_member, treasury_analyst
):
    case = review_services.create_case(
        by=lab_a_manager, lab=lab_a, model_name="Frontier-1", model_version="1.0", capability_summary="Agents."
    )
    vulnerability = services.report_vulnerability(
        by=lab_a_member,
        organisation=lab_a,
        source="ai_model_evaluation",
        source_case=case,
        products=[PRODUCT],
        **VULNERABILITY,
    )
    path = url("vulnerabilities", vulnerability.reference)

    # The case is still the lab's draft: the coordinator sees the vulnerability, not where it came from.
    assert api(lab_a_member).get(path).json()["source_case"] == case.reference
    assert api(treasury_analyst).get(path).json()["source_case"] is None
    assert refs(api(lab_a_member).get(url("vulnerabilities")), "source_case") == [case.reference]


def test_an_operator_reports_a_vulnerability_and_reads_it_back(api, operator):
    response = api(operator).post(url("vulnerabilities"), intake(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["cvss_score"], body["ssvc_decision"]) == ("new", 9.8, "")
    assert [(r["credit"], r["organisation"]) for r in body["reporters"]] == [
        ("Grid Energy security team", "grid-energy")
    ]
    assert refs(api(operator).get(url("vulnerabilities"))) == [body["reference"]]


def test_an_invalid_cvss_vector_answers_400_naming_the_field_and_creates_nothing(api, operator):
    response = api(operator).post(url("vulnerabilities"), intake(cvss_vector="CVSS:3.1/AV:Q"), format="json")

    assert response.status_code == 400
    assert "cvss_vector" in response.json()
    assert (Vulnerability.objects.count(), VulnerabilityReport.objects.count()) == (0, 0)


def test_a_report_for_an_organisation_the_reporter_does_not_act_for_is_a_field_error(api, operator):
    response = api(operator).post(url("vulnerabilities"), intake(organisation="lab-a"), format="json")

    assert response.status_code == 400
    assert "organisation" in response.json()
    assert Vulnerability.objects.count() == 0


def test_signed_out_people_cannot_report_or_list_vulnerabilities(api, anonymous):
    assert api(anonymous).post(url("vulnerabilities"), intake(), format="json").status_code in SIGNED_OUT
    assert api(anonymous).get(url("vulnerabilities")).status_code in SIGNED_OUT
    assert Vulnerability.objects.count() == 0


@pytest.mark.parametrize("outsider", ["operator", "county_applicant", "lab_b_manager", "partner_manager"])
def test_a_vulnerability_is_hidden_from_everyone_but_its_reporters_and_coordinators(
    api, request, report, lab_a_member, treasury_analyst, outsider
):
    vulnerability = report()
    person = request.getfixturevalue(outsider)

    assert api(person).get(url("vulnerabilities", vulnerability.reference)).status_code == 404
    assert refs(api(person).get(url("vulnerabilities"))) == []
    for reader in (lab_a_member, treasury_analyst):
        assert api(reader).get(url("vulnerabilities", vulnerability.reference)).status_code == 200


def test_a_reporter_may_not_correct_triage_move_or_merge_but_sees_403_and_an_outsider_404(
    api, report, lab_a_member, operator
):
    vulnerability, other = report(), report(title="Another flaw")
    writes = [
        ("patch", url("vulnerabilities", vulnerability.reference), {"title": "Renamed"}),
        (
            "post",
            url("vulnerabilities", vulnerability.reference, "triage"),
            {"exploitation": "none", "automatable": False, "technical_impact": "partial", "mission_impact": "low"},
        ),
        ("post", url("vulnerabilities", vulnerability.reference, "move"), {"status": "closed"}),
        ("post", url("vulnerabilities", vulnerability.reference, "merge"), {"into": other.reference}),
    ]

    reporter = [
        getattr(api(lab_a_member), method)(path, data, format="json").status_code for method, path, data in writes
    ]
    outsider = [getattr(api(operator), method)(path, data, format="json").status_code for method, path, data in writes]

    assert reporter == [403, 403, 403, 403]
    assert outsider == [404, 404, 404, 404]
    assert refresh(vulnerability).title == VULNERABILITY["title"]
    assert refresh(vulnerability).status == VulnerabilityStatus.NEW
    assert api(lab_a_member).get(url("vulnerabilities", vulnerability.reference, "duplicates")).status_code == 404


def test_a_coordinator_corrects_triages_and_moves_a_vulnerability_and_a_wrong_move_is_a_conflict(
    api, report, treasury_analyst
):
    vulnerability = report()
    client = api(treasury_analyst)
    detail = url("vulnerabilities", vulnerability.reference)

    patched = client.patch(
        detail, {"cvss_vector": CVSS_MEDIUM, "products": [{"vendor": "Acme", "product": "Hub"}]}, format="json"
    )
    early_move = client.post(detail + "move/", {"status": "remediated"}, format="json")
    triaged = client.post(
        detail + "triage/",
        {
            "exploitation": "active",
            "automatable": True,
            "technical_impact": "total",
            "mission_impact": "high",
            "required_action": "Upgrade to 3.0.",
        },
        format="json",
    )
    wrong = client.post(detail + "move/", {"status": "remediated"}, format="json")
    moved = client.post(detail + "move/", {"status": "remediation_in_progress"}, format="json")
    retriage = client.post(
        detail + "triage/",
        {"exploitation": "none", "automatable": False, "technical_impact": "partial", "mission_impact": "low"},
        format="json",
    )

    assert (patched.status_code, patched.json()["cvss_score"], patched.json()["products"][0]["product"]) == (
        200,
        4.3,
        "Hub",
    )
    assert early_move.status_code == 409
    assert (triaged.status_code, triaged.json()["ssvc_decision"], triaged.json()["status"]) == (200, "act", "triaged")
    assert wrong.status_code == 409
    assert "triaged" in wrong.json()["detail"]
    assert (moved.status_code, moved.json()["status"]) == (200, "remediation_in_progress")
    assert retriage.status_code == 409


def test_bad_triage_input_is_a_field_error(api, report, treasury_analyst):
    vulnerability = report()

    response = api(treasury_analyst).post(
        url("vulnerabilities", vulnerability.reference, "triage"), {"exploitation": "rumoured"}, format="json"
    )

    assert response.status_code == 400
    assert {"exploitation", "automatable", "technical_impact", "mission_impact"} <= set(response.json())


def test_a_coordinator_merges_a_duplicate_and_the_survivor_credits_both_reporters(
    api, report, operator, grid_energy, treasury_analyst
):
    survivor = report(cve_id="CVE-2027-0042")
    duplicate = report(by=operator, organisation=grid_energy, credit="Grid Energy", cvss_vector="")
    client = api(treasury_analyst)

    listed = client.get(url("vulnerabilities", duplicate.reference, "duplicates"))
    merged = client.post(
        url("vulnerabilities", duplicate.reference, "merge"), {"into": survivor.reference}, format="json"
    )
    again = client.post(
        url("vulnerabilities", duplicate.reference, "merge"), {"into": survivor.reference}, format="json"
    )

    assert refs(listed) == [survivor.reference]
    assert merged.status_code == 200
    assert merged.json()["reference"] == survivor.reference
    assert sorted(r["organisation"] for r in merged.json()["reporters"]) == ["grid-energy", "lab-a"]
    assert client.get(url("vulnerabilities", duplicate.reference)).json()["merged_into"] == survivor.reference
    assert again.status_code == 409
    # The operator now sees the survivor it was merged into.
    assert api(operator).get(url("vulnerabilities", survivor.reference)).status_code == 200


def test_merging_into_an_unknown_vulnerability_is_a_field_error(api, report, treasury_analyst):
    vulnerability = report()

    response = api(treasury_analyst).post(
        url("vulnerabilities", vulnerability.reference, "merge"), {"into": "CHV-2027-9999"}, format="json"
    )

    assert response.status_code == 400
    assert "into" in response.json()
    assert refresh(vulnerability).merged_into is None


def test_the_queue_lists_open_vulnerabilities_most_urgent_first(api, report, triage, treasury_analyst):
    track = triage(report(title="Track me"), "track")
    act = triage(report(title="Act on me"), "act")
    untriaged = report(title="Not yet triaged")
    closed = triage(report(title="Closed"), "act")
    services.move_vulnerability(closed, by=treasury_analyst, status=VulnerabilityStatus.CLOSED)

    queue = refs(api(treasury_analyst).get(url("vulnerabilities"), {"queue": "1"}))

    assert queue == [act.reference, track.reference, untriaged.reference]


# ---------------------------------------------------------------------------
# Advisories


def test_an_advisory_answers_with_its_marking_contents_and_revisions(
    api, treasury_analyst, operator, published, triaged_vulnerability
):
    vulnerability = triaged_vulnerability("act")
    advisory = published(
        Tlp.GREEN,
        vulnerabilities=[vulnerability],
        audience_sectors=ENERGY,
        remediations=[{"category": "vendor_fix", "details": "Upgrade to 3.0.", "vulnerability": vulnerability}],
    )

    coordinator_view = api(treasury_analyst).get(url("advisories", advisory.reference)).json()
    recipient_view = api(operator).get(url("advisories", advisory.reference)).json()

    assert {
        key: coordinator_view[key]
        for key in (
            "reference",
            "tlp",
            "status",
            "revision",
            "ssvc_decision",
            "vulnerabilities",
            "audience_sectors",
            "named_organisations",
            "named_people",
        )
    } == {
        "reference": advisory.reference,
        "tlp": "GREEN",
        "status": "published",
        "revision": 1,
        "ssvc_decision": "act",
        "vulnerabilities": [vulnerability.reference],
        "audience_sectors": ["energy"],
        "named_organisations": [],
        "named_people": [],
    }
    assert coordinator_view["tlp_meaning"].startswith("Recipients may share this within their community")
    assert coordinator_view["remediations"] == [
        {
            "category": "vendor_fix",
            "details": "Upgrade to 3.0.",
            "product_scope": "",
            "vulnerability": vulnerability.reference,
        }
    ]
    assert [(r["number"], r["change_summary"], r["tlp"]) for r in coordinator_view["revisions"]] == [
        (1, "First publication.", "GREEN")
    ]
    assert coordinator_view["published_at"] is not None
    assert (recipient_view["named_organisations"], recipient_view["named_people"]) == (None, None)


def test_anonymous_reads_only_published_clear_advisories_past_their_embargo(api, anonymous, published, make_advisory):
    public = published(Tlp.CLEAR, audience_sectors=ENERGY)
    draft = make_advisory(Tlp.CLEAR, audience_sectors=ENERGY)
    green = published(Tlp.GREEN, audience_sectors=ENERGY)
    embargoed = published(Tlp.CLEAR, audience_sectors=ENERGY, release_at=timezone.now() + timedelta(days=3))
    client = api(anonymous)

    assert refs(client.get(url("advisories"))) == [public.reference]
    assert client.get(url("advisories", public.reference)).status_code == 200
    assert [client.get(url("advisories", a.reference)).status_code for a in (draft, green, embargoed)] == [404] * 3


def test_a_green_advisory_reaches_the_operators_of_its_sectors_only(
    api, energy_advisory, operator, plains_operator, water_operator, county_applicant, lab_b_manager
):
    for recipient in (operator, plains_operator):
        assert api(recipient).get(url("advisories", energy_advisory.reference)).status_code == 200
    for outsider in (water_operator, county_applicant, lab_b_manager):
        assert api(outsider).get(url("advisories", energy_advisory.reference)).status_code == 404
        assert refs(api(outsider).get(url("advisories"))) == []


def test_coordinators_draft_submit_and_a_second_coordinator_publishes_over_the_api(
    api, treasury_analyst, nsa_analyst, triaged_vulnerability, operator, django_capture_on_commit_callbacks
):
    vulnerability = triaged_vulnerability("attend")
    drafter, reviewer = api(treasury_analyst), api(nsa_analyst)

    created = drafter.post(
        url("advisories"),
        {
            **ADVISORY,
            "tlp": "AMBER",
            "vulnerabilities": [vulnerability.reference],
            "named_organisations": ["grid-energy"],
            "remediations": [
                {
                    "category": "mitigation",
                    "details": "Turn off automatic tool calls.",
                    "vulnerability": vulnerability.reference,
                }
            ],
        },
        format="json",
    )
    reference = created.json()["reference"]
    patched = drafter.patch(url("advisories", reference), {"title": "Patch the router today"}, format="json")
    submitted = drafter.post(url("advisories", reference, "submit"))
    own_publication = drafter.post(url("advisories", reference, "publish"))
    with django_capture_on_commit_callbacks(execute=True):
        published = reviewer.post(url("advisories", reference, "publish"))
    twice = reviewer.post(url("advisories", reference, "publish"))

    assert created.status_code == 201, created.json()
    assert (created.json()["status"], created.json()["named_organisations"]) == ("draft", ["grid-energy"])
    assert (patched.status_code, patched.json()["title"]) == (200, "Patch the router today")
    assert (submitted.status_code, submitted.json()["status"]) == (200, "in_review")
    assert own_publication.status_code == 403
    assert (published.status_code, published.json()["status"], published.json()["revision"]) == (200, "published", 1)
    assert twice.status_code == 409
    assert refs(api(operator).get(url("deliveries")), "advisory") == [reference]


def test_an_advisory_in_review_returns_to_draft_and_a_draft_does_not(api, treasury_analyst, make_advisory):
    advisory = make_advisory(Tlp.CLEAR, audience_sectors=ENERGY)
    client = api(treasury_analyst)

    not_in_review = client.post(url("advisories", advisory.reference, "return"))
    client.post(url("advisories", advisory.reference, "submit"))
    returned = client.post(url("advisories", advisory.reference, "return"))

    assert not_in_review.status_code == 409
    assert (returned.status_code, returned.json()["status"]) == (200, "draft")


def test_unknown_names_in_an_advisory_answer_400_naming_the_field(api, treasury_analyst):
    client = api(treasury_analyst)
    cases = {
        "vulnerabilities": {"vulnerabilities": ["CHV-2027-9999"]},
        "named_organisations": {"tlp": "AMBER", "named_organisations": ["no-such-organisation"]},
        "named_people": {"tlp": "RED", "named_people": ["nobody-at-all"]},
        "tlp": {"tlp": "PURPLE"},
    }

    answers = {
        field: client.post(url("advisories"), {**ADVISORY, **body}, format="json") for field, body in cases.items()
    }

    assert {field: response.status_code for field, response in answers.items()} == dict.fromkeys(cases, 400)
    assert {field: field in response.json() for field, response in answers.items()} == dict.fromkeys(cases, True)


def test_a_red_advisory_names_people_by_user_name(api, treasury_analyst, operator, triaged_vulnerability):
    vulnerability = triaged_vulnerability()

    response = api(treasury_analyst).post(
        url("advisories"),
        {**ADVISORY, "tlp": "RED", "vulnerabilities": [vulnerability.reference], "named_people": [operator.username]},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["named_people"] == [operator.username]


def test_only_coordinators_draft_and_change_advisories(
    api, operator, nist_member, treasury_viewer, energy_advisory, make_advisory, county_applicant
):
    draft = make_advisory(Tlp.CLEAR, audience_sectors=ENERGY)
    for person in (operator, nist_member, treasury_viewer):
        assert api(person).post(url("advisories"), ADVISORY, format="json").status_code == 403
    recipient = api(operator)
    assert (
        recipient.patch(url("advisories", energy_advisory.reference), {"title": "x"}, format="json").status_code == 403
    )
    assert (
        recipient.post(
            url("advisories", energy_advisory.reference, "withdraw"), {"reason": "x"}, format="json"
        ).status_code
        == 403
    )
    assert (
        recipient.post(
            url("advisories", energy_advisory.reference, "revise"), {"change_summary": "x"}, format="json"
        ).status_code
        == 403
    )
    for path in (url("advisories", draft.reference), url("advisories", energy_advisory.reference)):
        assert api(county_applicant).patch(path, {"title": "x"}, format="json").status_code == 404
    assert api(operator).post(url("advisories", draft.reference, "submit")).status_code == 404
    assert refresh(draft).status == AdvisoryStatus.DRAFT
    assert refresh(energy_advisory).title == ADVISORY["title"]


def test_a_published_advisory_is_revised_not_edited_and_withdrawn_with_a_reason(
    api, nsa_analyst, energy_advisory, make_advisory, django_capture_on_commit_callbacks
):
    draft = make_advisory(Tlp.CLEAR, audience_sectors=ENERGY)
    client = api(nsa_analyst)
    detail = url("advisories", energy_advisory.reference)

    edited = client.patch(detail, {"title": "Quietly changed"}, format="json")
    draft_revised = client.post(url("advisories", draft.reference, "revise"), {"change_summary": "x"}, format="json")
    draft_withdrawn = client.post(url("advisories", draft.reference, "withdraw"), {"reason": "x"}, format="json")
    no_summary = client.post(detail + "revise/", {"title": "New title"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        revised = client.post(
            detail + "revise/",
            {"change_summary": "Widened to water.", "audience_sectors": ["energy", "water"]},
            format="json",
        )
    no_reason = client.post(detail + "withdraw/", {}, format="json")
    withdrawn = client.post(detail + "withdraw/", {"reason": "Superseded by a vendor advisory."}, format="json")
    twice = client.post(detail + "withdraw/", {"reason": "Again."}, format="json")

    assert edited.status_code == 409
    assert (draft_revised.status_code, draft_withdrawn.status_code) == (409, 409)
    assert no_summary.status_code == 400
    assert "change_summary" in no_summary.json()
    assert revised.status_code == 200
    assert (revised.json()["revision"], [r["number"] for r in revised.json()["revisions"]]) == (2, [2, 1])
    assert no_reason.status_code == 400
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    assert twice.status_code == 409
    assert AdvisoryRevision.objects.filter(advisory=energy_advisory).count() == 2


def test_the_csaf_export_is_json_tracked_by_the_advisory_reference(api, anonymous, treasury_analyst, published):
    advisory = published(Tlp.CLEAR, audience_sectors=ENERGY)

    for reader in (anonymous, treasury_analyst):
        response = api(reader).get(url("advisories", advisory.reference, "csaf"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["document"]["tracking"]["id"] == advisory.reference


def test_the_csaf_export_of_an_advisory_you_cannot_see_is_404(api, anonymous, operator, energy_advisory, make_advisory):
    draft = make_advisory(Tlp.CLEAR, audience_sectors=ENERGY)

    assert api(anonymous).get(url("advisories", energy_advisory.reference, "csaf")).status_code == 404
    assert api(operator).get(url("advisories", draft.reference, "csaf")).status_code == 404


def test_the_distribution_summary_is_for_coordinators_only(api, treasury_analyst, operator, energy_advisory):
    summary = api(treasury_analyst).get(url("advisories", energy_advisory.reference, "distribution"))

    assert summary.status_code == 200
    assert (summary.json()["received"], summary.json()["acknowledged"]) == (2, 0)
    assert [row["sector"] for row in summary.json()["lagging"]] == ["energy"]
    assert api(operator).get(url("advisories", energy_advisory.reference, "distribution")).status_code == 404


# ---------------------------------------------------------------------------
# Deliveries


def test_a_delivery_answers_with_the_advisory_and_the_recipients_report(api, operator, energy_advisory, deliveries_of):
    own = deliveries_of(energy_advisory)["grid-energy"]

    body = api(operator).get(url("deliveries", own.pk)).json()

    assert {
        key: body[key]
        for key in (
            "id",
            "advisory",
            "title",
            "tlp",
            "organisation",
            "delivered_revision",
            "acknowledged_at",
            "status",
            "in_estate",
            "exposed",
            "timeline",
            "due_date",
            "ssvc_decision",
        )
    } == {
        "id": own.pk,
        "advisory": energy_advisory.reference,
        "title": energy_advisory.title,
        "tlp": "GREEN",
        "organisation": "grid-energy",
        "delivered_revision": 1,
        "acknowledged_at": None,
        "status": "not_started",
        "in_estate": None,
        "exposed": None,
        "timeline": "",
        "due_date": None,
        "ssvc_decision": "attend",
    }
    assert {"delivered_at", "note"} <= set(body)


def test_an_operator_reports_on_its_own_delivery_and_the_report_acknowledges_it(
    api, operator, energy_advisory, deliveries_of
):
    own = deliveries_of(energy_advisory)["grid-energy"]

    response = api(operator).patch(
        url("deliveries", own.pk),
        {"status": "in_progress", "in_estate": True, "exposed": True, "note": "Patching."},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["in_estate"], body["exposed"], body["note"]) == (
        "in_progress",
        True,
        True,
        "Patching.",
    )
    assert body["acknowledged_at"] is not None
    assert body["timeline"] != "" and body["due_date"] is not None


def test_an_operator_acknowledges_a_delivery(api, plains_operator, energy_advisory, deliveries_of):
    own = deliveries_of(energy_advisory)["plains-power"]

    response = api(plains_operator).post(url("deliveries", own.pk, "acknowledge"))

    assert response.status_code == 200
    assert response.json()["acknowledged_at"] is not None
    assert response.json()["status"] == "not_started"


def test_an_operator_cannot_see_or_patch_another_operators_delivery(api, operator, energy_advisory, deliveries_of):
    others = deliveries_of(energy_advisory)["plains-power"]
    client = api(operator)

    read = client.get(url("deliveries", others.pk))
    patched = client.patch(url("deliveries", others.pk), {"status": "remediated"}, format="json")
    acknowledged = client.post(url("deliveries", others.pk, "acknowledge"))

    assert (read.status_code, patched.status_code, acknowledged.status_code) == (404, 404, 404)
    assert others.pk not in refs(client.get(url("deliveries")), "id")
    unchanged = refresh(others)
    assert (unchanged.status, unchanged.acknowledged_at) == (DeliveryStatus.NOT_STARTED, None)


def test_coordinators_see_every_delivery_but_report_on_none(api, treasury_analyst, energy_advisory, deliveries_of):
    received = deliveries_of(energy_advisory)
    client = api(treasury_analyst)

    listed = sorted(refs(client.get(url("deliveries")), "organisation"))
    patched = client.patch(url("deliveries", received["grid-energy"].pk), {"status": "remediated"}, format="json")

    assert listed == ["grid-energy", "plains-power"]
    assert patched.status_code == 403
    assert refresh(received["grid-energy"]).status == DeliveryStatus.NOT_STARTED


def test_anonymous_and_outsiders_get_none_of_the_deliveries(
    api, anonymous, water_operator, county_applicant, energy_advisory, deliveries_of
):
    delivery = deliveries_of(energy_advisory)["grid-energy"]

    assert api(anonymous).get(url("deliveries")).status_code in SIGNED_OUT
    assert api(anonymous).get(url("deliveries", delivery.pk)).status_code in SIGNED_OUT
    for outsider in (water_operator, county_applicant):
        assert refs(api(outsider).get(url("deliveries")), "id") == []
        assert api(outsider).get(url("deliveries", delivery.pk)).status_code == 404


def test_a_bad_delivery_status_is_a_field_error(api, operator, energy_advisory, deliveries_of):
    own = deliveries_of(energy_advisory)["grid-energy"]

    response = api(operator).patch(url("deliveries", own.pk), {"status": "ignored"}, format="json")

    assert response.status_code == 400
    assert "status" in response.json()


# ---------------------------------------------------------------------------
# Directives


def test_cisa_drafts_issues_and_revokes_a_directive_and_a_wrong_step_is_a_conflict(api, agency_staff, anonymous):
    client = api(agency_staff)
    identifier = "BOD 27-01"

    created = client.post(
        url("directives"),
        {
            "identifier": identifier,
            "kind": "bod",
            "title": "Patch AI gateways",
            "summary": "Within the due dates.",
            "applicable_kinds": ["agency"],
            "required_actions": [{"text": "Inventory gateways.", "due_in_days": 14}],
        },
        format="json",
    )
    hidden_draft = api(anonymous).get(url("directives", identifier)).status_code
    revoked_draft = client.post(url("directives", identifier, "revoke"))
    issued = client.post(url("directives", identifier, "issue"))
    twice = client.post(url("directives", identifier, "issue"))
    public = api(anonymous).get(url("directives", identifier))
    revoked = client.post(url("directives", identifier, "revoke"))

    assert created.status_code == 201, created.json()
    assert (created.json()["status"], created.json()["issued_date"]) == ("draft", None)
    assert hidden_draft == 404
    assert revoked_draft.status_code == 409
    assert issued.status_code == 200
    assert (issued.json()["status"], issued.json()["issued_date"]) == ("issued", str(deadlines.today()))
    assert issued.json()["required_actions"] == [
        {
            "number": 1,
            "text": "Inventory gateways.",
            "due_in_days": 14,
            "due_date": str(deadlines.today() + timedelta(days=14)),
        }
    ]
    assert twice.status_code == 409
    assert (public.status_code, public.json()["identifier"], public.json()["kind"]) == (200, identifier, "bod")
    assert (revoked.status_code, revoked.json()["status"]) == (200, "revoked")


def test_a_directive_answers_with_its_required_actions_and_due_dates(api, anonymous, make_directive):
    directive = make_directive("CG 27-02")

    body = api(anonymous).get(url("directives", directive.identifier)).json()

    assert {key: body[key] for key in ("identifier", "kind", "title", "summary", "applicable_kinds", "status")} == {
        "identifier": "CG 27-02",
        "kind": "guidance",
        "title": directive.title,
        "summary": directive.summary,
        "applicable_kinds": ["operator"],
        "status": "issued",
    }
    issued = directive.issued_date
    assert [(a["number"], a["due_in_days"], a["due_date"]) for a in body["required_actions"]] == [
        (1, 30, str(issued + timedelta(days=30))),
        (2, 60, str(issued + timedelta(days=60))),
    ]


def test_a_bad_directive_is_a_field_error(api, agency_staff):
    response = api(agency_staff).post(
        url("directives"),
        {
            "identifier": "BOD 27-09",
            "kind": "guidance",
            "title": "t",
            "summary": "s",
            "applicable_kinds": ["operator"],
            "required_actions": [{"text": "Do it.", "due_in_days": 5}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert "identifier" in response.json()


def test_only_cisa_drafts_issues_or_sees_draft_directives(api, treasury_analyst, operator, make_directive):
    draft = make_directive("CG 27-03", issued=False)
    body = {
        "identifier": "CG 27-04",
        "kind": "guidance",
        "title": "t",
        "summary": "s",
        "applicable_kinds": ["operator"],
        "required_actions": [{"text": "Do it.", "due_in_days": 5}],
    }

    for person in (treasury_analyst, operator):
        assert api(person).post(url("directives"), body, format="json").status_code == 403
        assert api(person).get(url("directives", draft.identifier)).status_code == 404
        assert api(person).post(url("directives", draft.identifier, "issue")).status_code == 404
        assert refs(api(person).get(url("directives")), "identifier") == []
    issued = make_directive("CG 27-05")
    assert api(treasury_analyst).post(url("directives", issued.identifier, "revoke")).status_code == 403


def test_an_operator_reports_compliance_and_sees_only_its_own_reports(
    api, operator, plains_operator, agency_staff, make_directive
):
    directive = make_directive("CG 27-06")
    today = str(timezone.localdate())

    reported = api(operator).post(
        url("directives", directive.identifier, "compliance"),
        {"action": 1, "status": "completed", "completed_on": today, "note": "Done."},
        format="json",
    )
    own = api(operator).get(url("directives", directive.identifier, "compliance")).json()
    others = api(plains_operator).get(url("directives", directive.identifier, "compliance")).json()
    overview = api(agency_staff).get(url("directives", directive.identifier, "compliance")).json()

    assert reported.status_code == 200, reported.json()
    assert {key: reported.json()[key] for key in ("directive", "action", "organisation", "status", "on_time")} == {
        "directive": "CG 27-06",
        "action": 1,
        "organisation": "grid-energy",
        "status": "completed",
        "on_time": True,
    }
    assert (own["overview"], [(r["organisation"], r["action"]) for r in own["reports"]]) == (None, [("grid-energy", 1)])
    assert (others["overview"], others["reports"]) == (None, [])
    assert overview["reports"] is None
    assert [(row["action"], row["completed"], row["on_time"]) for row in overview["overview"]] == [(1, 1, 1), (2, 0, 0)]
    assert overview["overview"][0]["applicable"] >= 2


def test_compliance_by_someone_the_directive_does_not_bind_is_refused(api, county_applicant, operator, make_directive):
    directive = make_directive("CG 27-07")
    path = url("directives", directive.identifier, "compliance")

    refused = api(county_applicant).post(path, {"action": 1, "status": "in_progress"}, format="json")
    no_action = api(operator).post(path, {"action": 9, "status": "in_progress"}, format="json")
    wrong_org = api(operator).post(
        path, {"action": 1, "status": "in_progress", "organisation": "plains-power"}, format="json"
    )
    not_done = api(operator).post(path, {"action": 1, "status": "completed"}, format="json")

    assert refused.status_code == 403
    assert (no_action.status_code, "action" in no_action.json()) == (400, True)
    assert (wrong_org.status_code, "organisation" in wrong_org.json()) == (400, True)
    assert (not_done.status_code, "completed_on" in not_done.json()) == (400, True)
    assert ComplianceReport.objects.count() == 0


# ---------------------------------------------------------------------------
# Defensive tools and requests for them


def test_the_tools_catalogue_is_public(api, anonymous, make_tool, agency_staff):
    tool = make_tool()
    hidden = make_tool("withdrawn-scanner")
    services.update_tool(hidden, by=agency_staff, is_available=False)

    listed = api(anonymous).get(url("tools"))
    body = api(anonymous).get(url("tools", tool.slug)).json()

    assert refs(listed, "slug") == [tool.slug]
    assert body == {
        "slug": "ai-log-triage",
        "name": "Ai Log Triage",
        "provider": "cisa",
        "capability": tool.capability,
        "description": tool.description,
        "eligible_kinds": ["operator"],
        "delivery_method": "hosted",
        "is_available": True,
    }
    assert api(anonymous).get(url("tools", hidden.slug)).status_code == 404
    assert api(agency_staff).get(url("tools", hidden.slug)).status_code == 200


def test_an_operator_requests_a_tool_and_the_provider_approves_it(api, operator, agency_staff, make_tool):
    tool = make_tool()

    requested = api(operator).post(
        url("tool-requests"), {"tool": tool.slug, "justification": "Too many alerts."}, format="json"
    )
    pk = requested.json()["id"]
    self_approved = api(operator).post(url("tool-requests", pk, "approve"), {}, format="json")
    approved = api(agency_staff).post(url("tool-requests", pk, "approve"), {"note": "Welcome."}, format="json")
    twice = api(agency_staff).post(url("tool-requests", pk, "decline"), {"note": "No."}, format="json")
    late_withdrawal = api(operator).post(url("tool-requests", pk, "withdraw"))

    assert requested.status_code == 201, requested.json()
    assert {key: requested.json()[key] for key in ("tool", "organisation", "status", "requested_by")} == {
        "tool": tool.slug,
        "organisation": "grid-energy",
        "status": "requested",
        "requested_by": operator.username,
    }
    assert self_approved.status_code == 403
    assert (approved.status_code, approved.json()["status"], approved.json()["decided_by"]) == (
        200,
        "approved",
        agency_staff.username,
    )
    assert (twice.status_code, late_withdrawal.status_code) == (409, 409)


def test_a_declined_tool_request_needs_a_note_and_an_open_one_can_be_withdrawn(
    api, operator, grid_energy, agency_staff, make_tool
):
    tool = make_tool()
    tool_request = services.request_tool(tool, by=operator, organisation=grid_energy, justification="Alerts.")

    bare = api(agency_staff).post(url("tool-requests", tool_request.pk, "decline"), {}, format="json")
    withdrawn = api(operator).post(url("tool-requests", tool_request.pk, "withdraw"))

    assert bare.status_code == 400
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    assert refresh(tool_request).status == ToolRequestStatus.WITHDRAWN


def test_tool_requests_are_seen_only_by_the_requester_and_the_provider(
    api, anonymous, operator, plains_operator, treasury_analyst, agency_staff, make_tool, grid_energy
):
    tool = make_tool()
    tool_request = services.request_tool(tool, by=operator, organisation=grid_energy, justification="Alerts.")

    assert api(anonymous).get(url("tool-requests")).status_code in SIGNED_OUT
    for reader in (operator, agency_staff):
        assert refs(api(reader).get(url("tool-requests")), "id") == [tool_request.pk]
    for outsider in (plains_operator, treasury_analyst):
        assert refs(api(outsider).get(url("tool-requests")), "id") == []
        assert api(outsider).get(url("tool-requests", tool_request.pk)).status_code == 404
        assert api(outsider).post(url("tool-requests", tool_request.pk, "withdraw")).status_code == 404
    assert refresh(tool_request).status == ToolRequestStatus.REQUESTED


def test_a_tool_request_by_an_ineligible_organisation_is_refused_and_an_unknown_tool_is_a_field_error(
    api, county_applicant, operator, make_tool
):
    tool = make_tool()

    ineligible = api(county_applicant).post(
        url("tool-requests"), {"tool": tool.slug, "justification": "x"}, format="json"
    )
    unknown = api(operator).post(url("tool-requests"), {"tool": "no-such-tool", "justification": "x"}, format="json")

    assert ineligible.status_code == 403
    assert (unknown.status_code, "tool" in unknown.json()) == (400, True)
    assert ToolRequest.objects.count() == 0


# ---------------------------------------------------------------------------
# Lists run a fixed number of queries (rule 7 of DESIGN.md)


@pytest.fixture
def add_rows(report, triage, published, operator, grid_energy, agency_staff, make_directive, make_tool, cisa):
    """`add_rows(kind, n)`: n more rows of what the endpoint lists, each with its own related rows."""
    made = {"count": 0}

    def add(kind: str, count: int) -> None:
        for _ in range(count):
            made["count"] += 1
            n = made["count"]
            if kind in ("vulnerabilities", "queue"):
                vulnerability = report(title=f"Flaw {n}", products=[PRODUCT, {"vendor": "Acme", "product": f"P{n}"}])
                triage(vulnerability, "act")
            elif kind in ("advisories", "deliveries"):
                published(
                    Tlp.CLEAR,
                    audience_sectors=ENERGY,
                    remediations=[{"category": "workaround", "details": f"Step {n}."}],
                )
            elif kind == "directives":
                make_directive(f"CG 26-{n:02d}")
            elif kind == "tools":
                make_tool(f"tool-{n}")
            elif kind == "tool-requests":
                services.request_tool(
                    make_tool(f"requested-{n}"), by=operator, organisation=grid_energy, justification="Alerts."
                )

    return add


# Pinned at today's counts. Signed-in readers pay for the session, the user, their groups and role
# permissions, and those who must use MFA (agency staff, managers: not lab_a_member) for the
# session's authenticator (django-otp); an operator, the advisories granted to it (up to the list's
# limit: bench/README.md, 17 and, for its deliveries, 18); then the count, the page and one query per prefetched
# relation (vulnerabilities: products, reports, their organisations; advisories: vulnerabilities,
# their products, remediations, revisions, named organisations and people). A new query here is a
# choice, not an accident.
MAX_QUERIES = {
    ("vulnerabilities", "treasury_analyst"): 10,
    ("vulnerabilities", "lab_a_member"): 10,
    ("queue", "treasury_analyst"): 10,
    ("advisories", "treasury_analyst"): 13,
    ("advisories", "operator"): 15,
    ("advisories", "anonymous"): 8,
    ("deliveries", "operator"): 9,
    ("deliveries", "treasury_analyst"): 7,
    ("directives", "anonymous"): 3,
    ("tools", "anonymous"): 2,
    ("tool-requests", "operator"): 6,
}
LISTS = [
    ("vulnerabilities", "treasury_analyst", {}),
    ("vulnerabilities", "lab_a_member", {}),
    ("queue", "treasury_analyst", {"queue": "1"}),
    ("advisories", "treasury_analyst", {}),
    ("advisories", "operator", {}),
    ("advisories", "anonymous", {}),
    ("deliveries", "operator", {}),
    ("deliveries", "treasury_analyst", {}),
    ("directives", "anonymous", {}),
    ("tools", "anonymous", {}),
    ("tool-requests", "operator", {}),
]


@pytest.mark.parametrize("kind, reader, params", LISTS, ids=[f"{kind}-{reader}" for kind, reader, _ in LISTS])
def test_a_list_costs_the_same_number_of_queries_for_1_and_5_rows(api, request, add_rows, kind, reader, params):
    client = api(request.getfixturevalue(reader))
    path = url("vulnerabilities" if kind == "queue" else kind)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, params)
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    add_rows(kind, 1)
    queries()  # warm the caches a first request fills
    one = queries()
    add_rows(kind, 4)
    five = queries()

    assert (one[1], five[1]) == (1, 5)
    assert one[0] == five[0]
    assert five[0] <= MAX_QUERIES[kind, reader]


# ---------------------------------------------------------------------------
# The schema


ROUTES = {
    "vulnerabilities/": {"get", "post"},
    "vulnerabilities/{reference}/": {"get", "patch"},
    "vulnerabilities/{reference}/triage/": {"post"},
    "vulnerabilities/{reference}/move/": {"post"},
    "vulnerabilities/{reference}/merge/": {"post"},
    "vulnerabilities/{reference}/duplicates/": {"get"},
    "advisories/": {"get", "post"},
    "advisories/{reference}/": {"get", "patch"},
    "advisories/{reference}/submit/": {"post"},
    "advisories/{reference}/return/": {"post"},
    "advisories/{reference}/publish/": {"post"},
    "advisories/{reference}/withdraw/": {"post"},
    "advisories/{reference}/revise/": {"post"},
    "advisories/{reference}/csaf/": {"get"},
    "advisories/{reference}/distribution/": {"get"},
    "deliveries/": {"get"},
    "deliveries/{id}/": {"get", "patch"},
    "deliveries/{id}/acknowledge/": {"post"},
    "directives/": {"get", "post"},
    "directives/{identifier}/": {"get", "patch"},
    "directives/{identifier}/issue/": {"post"},
    "directives/{identifier}/revoke/": {"post"},
    "directives/{identifier}/compliance/": {"get", "post"},
    "tools/": {"get"},
    "tools/{slug}/": {"get"},
    "tool-requests/": {"get", "post"},
    "tool-requests/{id}/": {"get"},
    "tool-requests/{id}/approve/": {"post"},
    "tool-requests/{id}/decline/": {"post"},
    "tool-requests/{id}/withdraw/": {"post"},
}


def test_the_schema_lists_every_clearinghouse_route_with_its_methods(client):
    schema = client.get("/api/schema/?format=json").json()

    listed = {
        path.removeprefix(BASE): set(operations) & {"get", "post", "patch", "put", "delete"}
        for path, operations in schema["paths"].items()
        if path.startswith(BASE)
    }

    assert listed == ROUTES


def test_a_draft_edit_from_an_older_edit_version_is_refused_with_409(api, treasury_analyst, nsa_analyst, make_advisory):
    draft = make_advisory()
    path = url("advisories", draft.reference)
    read = api(treasury_analyst).get(path).json()["edit_version"]

    first = api(nsa_analyst).patch(path, {"title": "Patch the router today", "edit_version": read}, format="json")
    second = api(treasury_analyst).patch(path, {"title": "Patch it this week", "edit_version": read}, format="json")

    assert first.status_code == 200 and first.json()["edit_version"] == read + 1
    assert second.status_code == 409 and "Someone else saved this draft" in second.json()["detail"]
    assert (refresh(draft).title, refresh(draft).edit_version) == ("Patch the router today", read + 1)
