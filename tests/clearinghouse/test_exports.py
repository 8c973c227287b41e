"""The clearinghouse's exports: CSAF 2.0 valid against OASIS's schema, the KEV-style catalogue,
the public feeds (TLP:CLEAR only, after the embargo), the priority queue CSV, and its figures on
the public transparency page."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT7

from clearinghouse import exports, selectors, services
from clearinghouse.models import Tlp
from eo_portal import deadlines
from eo_portal.models import Organisation, OrganisationKind, Role, Sector
from tests.factories import OrganisationFactory, person_in

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).resolve().parents[2] / "clearinghouse" / "reference"
KEV_FIELDS = [
    "cveID",
    "vendorProject",
    "product",
    "vulnerabilityName",
    "dateAdded",
    "shortDescription",
    "requiredAction",
    "dueDate",
    "knownRansomwareCampaignUse",
    "notes",
    "cwes",
]


def csaf_validator() -> Draft202012Validator:
    """OASIS's CSAF 2.0 schema, with FIRST's CVSS schemas it references served from local copies."""
    load = lambda name: json.loads((REFERENCE / name).read_text(encoding="utf-8"))  # noqa: E731
    registry = Registry().with_resources(
        [
            ("https://www.first.org/cvss/cvss-v3.1.json", Resource.from_contents(load("cvss-v3.1.json"), DRAFT7)),
            ("https://www.first.org/cvss/cvss-v3.0.json", Resource.from_contents(load("cvss-v3.0.json"), DRAFT4)),
            ("https://www.first.org/cvss/cvss-v2.0.json", Resource.from_contents(load("cvss-v2.0.json"), DRAFT4)),
        ]
    )
    schema = load("csaf_json_schema.json")
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors_of(document: dict) -> list[str]:
    return [f"{list(error.absolute_path)}: {error.message}" for error in csaf_validator().iter_errors(document)]


@pytest.fixture
def coordinators(db):
    treasury = Organisation.objects.get(slug="treasury")
    cisa = Organisation.objects.get(slug="cisa")
    return person_in(treasury, Role.MEMBER, username="treasury-one"), person_in(cisa, Role.MEMBER, username="cisa-two")


@pytest.fixture
def reported(lab_a_member, lab_a, coordinators):
    def make(title: str, *, cve_id: str | None = None, vector: str = "", exploited: bool = True, cwes=("CWE-787",)):
        vulnerability = services.report_vulnerability(
            by=lab_a_member,
            organisation=lab_a,
            source="ai_model_evaluation",
            title=title,
            description=f"{title}, found by a model evaluation.",
            cve_id=cve_id,
            cwe_ids=list(cwes),
            cvss_vector=vector,
            known_exploited=exploited,
            known_exploited_date=timezone.localdate() - timedelta(days=2) if exploited else None,
            known_ransomware_use=exploited,
            products=[
                {"vendor": "Gridline", "product": "RTU-5", "version_start": "2.0", "version_end": "2.8",
                 "fixed_version": "2.9"},
                {"vendor": "Gridline", "product": "RTU-7", "version_end": "1.4"},
            ],
        )
        return services.triage_vulnerability(
            vulnerability,
            by=coordinators[0],
            exploitation="active",
            automatable=True,
            technical_impact="total",
            mission_impact="high",
            remediation_due=timezone.localdate() + timedelta(days=14),
            required_action="Upgrade the firmware to 2.9.",
        )

    return make


@pytest.fixture
def published(coordinators, django_capture_on_commit_callbacks):
    author, second = coordinators

    def make(vulnerabilities, *, tlp=Tlp.CLEAR, release_at=None, **audience):
        audience = audience or {"audience_sectors": [Sector.ENERGY]}
        advisory = services.create_advisory(
            by=author,
            title=f"Advisory on {vulnerabilities[0].title}",
            summary="What is affected and what to do.",
            tlp=tlp,
            release_at=release_at,
            vulnerabilities=vulnerabilities,
            remediations=[
                {"category": "vendor_fix", "details": "Upgrade to 2.9.", "product_scope": "RTU-5 2.0 to 2.8"},
                {"category": "mitigation", "details": "Allow DNP3 from the control centre only.",
                 "vulnerability": vulnerabilities[0]},
            ],
            **audience,
        )
        services.submit_advisory(advisory, by=author)
        with django_capture_on_commit_callbacks(execute=True):
            services.publish_advisory(advisory, by=second)
        return advisory

    return make


def csaf_of(advisory):
    return exports.csaf_document(selectors.with_contents(type(advisory).objects.filter(pk=advisory.pk)).get())


# ---------------------------------------------------------------------------
# CSAF 2.0


def test_the_schema_check_itself_rejects_a_broken_document(reported, published):
    advisory = published([reported("Parser overflow", vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")])
    document = csaf_of(advisory)
    document["document"]["distribution"]["tlp"]["label"] = "CLEAR"
    del document["document"]["tracking"]["id"]

    assert len(errors_of(document)) >= 2


@pytest.mark.parametrize("tlp", [Tlp.CLEAR, Tlp.GREEN])
def test_a_published_advisory_exports_as_valid_csaf(reported, published, tlp):
    vulnerability = reported(
        "Parser overflow", cve_id="CVE-2026-40001", vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    )
    advisory = published([vulnerability], tlp=tlp)

    document = csaf_of(advisory)

    assert errors_of(document) == []
    tracking = document["document"]["tracking"]
    assert (tracking["id"], tracking["status"], tracking["version"]) == (advisory.reference, "final", "1")
    entry = document["vulnerabilities"][0]
    assert entry["cve"] == "CVE-2026-40001"
    assert entry["cwe"] == {"id": "CWE-787", "name": "Out-of-bounds Write"}
    assert entry["scores"][0]["cvss_v3"]["baseScore"] == 9.8
    assert {r["category"] for r in entry["remediations"]} == {"vendor_fix", "mitigation"}
    assert len(entry["product_status"]["known_affected"]) == 2
    assert len(entry["product_status"]["fixed"]) == 1


def test_tlp_clear_is_written_white_and_amber_strict_amber_with_the_restriction_stated(
    reported, published, grid_energy
):
    vulnerability = reported("Parser overflow")
    clear = csaf_of(published([vulnerability]))
    strict = csaf_of(published([vulnerability], tlp=Tlp.AMBER_STRICT, named_organisations=[grid_energy]))

    assert clear["document"]["distribution"]["tlp"]["label"] == "WHITE"
    assert strict["document"]["distribution"]["tlp"]["label"] == "AMBER"
    assert "AMBER+STRICT" in strict["document"]["distribution"]["text"]
    assert errors_of(clear) == [] and errors_of(strict) == []


def test_a_cvss_4_vector_an_unnamed_cwe_and_a_draft_still_export_as_valid_csaf(reported, coordinators):
    vulnerability = reported(
        "Model-written exploit chain",
        vector="CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        cwes=("CWE-1336",),
    )
    draft = services.create_advisory(
        by=coordinators[0], title="Draft", summary="Not yet out.", tlp=Tlp.GREEN,
        audience_sectors=[Sector.WATER], vulnerabilities=[vulnerability],
    )

    document = csaf_of(draft)

    assert errors_of(document) == []
    assert document["document"]["tracking"]["status"] == "draft"
    entry = document["vulnerabilities"][0]
    assert "scores" not in entry and "cwe" not in entry
    assert any("CVSS:4.0/" in note["text"] for note in entry["notes"])
    assert any(note["text"] == "CWE-1336" for note in entry["notes"])


def test_a_revision_adds_to_the_csaf_revision_history(reported, published, coordinators, django_capture_on_commit_callbacks):
    advisory = published([reported("Parser overflow")])
    with django_capture_on_commit_callbacks(execute=True):
        services.revise_advisory(advisory, by=coordinators[0], change_summary="Fixed version named.")

    document = csaf_of(advisory)

    assert errors_of(document) == []
    history = document["document"]["tracking"]["revision_history"]
    assert [(r["number"], r["summary"]) for r in history] == [("1", "First publication."), ("2", "Fixed version named.")]
    assert document["document"]["tracking"]["version"] == "2"


def test_the_csaf_download_answers_404_to_those_who_may_not_see_the_advisory(
    reported, published, grid_energy, web, operator, partner_manager, anonymous
):
    advisory = published([reported("Parser overflow")], tlp=Tlp.AMBER, named_organisations=[grid_energy])
    url = f"/clearinghouse/advisories/{advisory.reference}/csaf.json"

    response = web(operator).get(url)
    assert response.status_code == 200
    assert json.loads(response.content)["document"]["tracking"]["id"] == advisory.reference
    assert web(partner_manager).get(url).status_code == 404
    assert web(anonymous).get(url).status_code == 404
    assert web(anonymous).get("/clearinghouse/advisories/CHA-2099-9999/csaf.json").status_code == 404


# ---------------------------------------------------------------------------
# The KEV-style catalogue and the feeds


def test_the_kev_catalogue_lists_known_exploited_cves_of_public_advisories_only(reported, published, grid_energy, web):
    public = reported("Public flaw", cve_id="CVE-2026-40002")
    amber_only = reported("Flaw shared under AMBER", cve_id="CVE-2026-40003")
    not_exploited = reported("Not exploited", cve_id="CVE-2026-40004", exploited=False)
    advisory = published([public, not_exploited])
    published([amber_only], tlp=Tlp.AMBER, named_organisations=[grid_energy])

    catalogue = web().get("/clearinghouse/kev.json").json()

    assert [entry["cveID"] for entry in catalogue["vulnerabilities"]] == ["CVE-2026-40002"]
    entry = catalogue["vulnerabilities"][0]
    assert list(entry) == KEV_FIELDS
    assert (entry["vendorProject"], entry["product"], entry["knownRansomwareCampaignUse"]) == (
        "Gridline", "RTU-5", "Known",
    )
    assert entry["requiredAction"] == "Upgrade the firmware to 2.9."
    advisory.refresh_from_db()
    assert entry["dateAdded"] == deadlines.local_date(advisory.published_at).isoformat()
    assert catalogue["count"] == 1

    rows = list(csv.reader(io.StringIO(b"".join(web().get("/clearinghouse/kev.csv").streaming_content).decode())))
    assert rows[0] == KEV_FIELDS
    assert [row[0] for row in rows[1:]] == ["CVE-2026-40002"]


def test_feeds_carry_published_tlp_clear_advisories_after_their_embargo_only(
    reported, published, grid_energy, web
):
    vulnerability = reported("Parser overflow")
    public = published([vulnerability])
    embargoed = published([vulnerability], release_at=timezone.now() + timedelta(days=2))
    amber = published([vulnerability], tlp=Tlp.AMBER, named_organisations=[grid_energy])

    feed = web().get("/clearinghouse/feed.json").json()
    atom = web().get("/clearinghouse/feed.atom").content.decode()

    assert [item["id"] for item in feed["items"]] == [public.reference]
    assert feed["items"][0]["title"].startswith("[TLP:CLEAR]")
    assert public.reference in atom
    assert embargoed.reference not in atom and amber.reference not in atom


def test_the_priority_csv_is_for_signed_in_users_and_lists_the_queue_in_order(
    reported, web, coordinators, lab_b_manager
):
    first = reported("First", vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    second = reported("Second", exploited=False)

    response = web(coordinators[0]).get("/clearinghouse/vulnerabilities/priority.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert rows[0][:4] == ["reference", "cve_id", "title", "ssvc_decision"]
    assert [row[0] for row in rows[1:]] == [first.reference, second.reference]
    outsider_rows = b"".join(web(lab_b_manager).get("/clearinghouse/vulnerabilities/priority.csv").streaming_content)
    assert outsider_rows.decode().strip().splitlines()[1:] == []
    assert web().get("/clearinghouse/vulnerabilities/priority.csv").status_code == 302


# ---------------------------------------------------------------------------
# The transparency page


def test_the_transparency_page_shows_the_clearinghouse_rates_without_names(
    reported, published, web, lab_a
):
    vulnerability = reported("Parser overflow")
    for n in range(6):
        OrganisationFactory(
            slug=f"op-{n}", name=f"Operator {n}", short_name=f"Op {n}", kind=OrganisationKind.OPERATOR,
            sectors=[Sector.ENERGY],
        )
    for _ in range(5):
        published([vulnerability])

    data = web().get("/api/v1/transparency/").json()
    clearinghouse = next(p for p in data["programs"] if p["program"] == "clearinghouse")
    figures = {figure["key"]: figure for figure in clearinghouse["figures"]}

    assert figures["advisories_clear"]["value"] == 5
    assert figures["deliveries"]["value"] == 30
    assert figures["acknowledged"]["display"] == "0%"
    assert figures["directives"]["display"] == "fewer than 5"
    page = web().get("/transparency/").content.decode()
    assert "Gridline" not in page and lab_a.name not in page and "Operator 1" not in page
