"""The clearinghouse's machine-readable exports, built from objects the caller may already see.

- `csaf_document`: an advisory as a CSAF 2.0 security advisory (OASIS). CSAF 2.0 knows the TLP 1.0
  labels only, so TLP:CLEAR is written WHITE and TLP:AMBER+STRICT is written AMBER with the
  restriction stated in the distribution text. CSAF 2.0 scores CVSS v2 and v3 only: a v4.0
  vector is given in a note.
- `kev_catalogue`: known-exploited vulnerabilities in the shape of CISA's KEV catalogue.
- `json_feed`: TLP:CLEAR advisories as a JSON Feed 1.1 (the Atom feed is in `export_views`).
- `priority_rows`: the coordinators' priority queue as CSV rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from clearinghouse.cwe import CWE_NAMES
from clearinghouse.models import Advisory, Tlp, Vulnerability
from clearinghouse.workflow import AdvisoryStatus
from eo_portal import deadlines
from eo_portal.links import absolute_url

PUBLISHER = "EO Portal AI cybersecurity clearinghouse"
TLP_URL = "https://www.first.org/tlp/"
CSAF_TLP = {Tlp.CLEAR: "WHITE", Tlp.GREEN: "GREEN", Tlp.AMBER: "AMBER", Tlp.AMBER_STRICT: "AMBER", Tlp.RED: "RED"}
CSAF_STATUS = {
    AdvisoryStatus.DRAFT: "draft",
    AdvisoryStatus.IN_REVIEW: "draft",
    AdvisoryStatus.PUBLISHED: "final",
    AdvisoryStatus.WITHDRAWN: "final",
}
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
PRIORITY_FIELDS = [
    "reference",
    "cve_id",
    "title",
    "ssvc_decision",
    "known_exploited",
    "cvss_score",
    "cvss_severity",
    "remediation_due",
    "status",
    "products",
]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def advisory_url(advisory: Advisory) -> str:
    return absolute_url(reverse("clearinghouse:advisory-detail", args=[advisory.reference]))


def distribution_text(advisory: Advisory) -> str:
    text = f"{advisory.get_tlp_display()}: {advisory.tlp_meaning}"
    if advisory.tlp == Tlp.AMBER_STRICT:
        text += " Marked TLP:AMBER+STRICT: share only within the recipient organisation, not with its clients."
    if advisory.tlp == Tlp.CLEAR:
        text += " Written as TLP:WHITE, the TLP 1.0 label CSAF 2.0 uses for TLP:CLEAR."
    return text


# ---------------------------------------------------------------------------
# CSAF 2.0


def _product_tree(vulnerabilities: list[Vulnerability]) -> tuple[dict, dict[int, list[str]], dict[int, list[str]]]:
    """Vendor, product name and version branches; returns the tree and, per vulnerability, the
    product ids known affected and fixed."""
    vendors: dict[str, dict[str, list[dict]]] = {}
    affected: dict[int, list[str]] = {}
    fixed: dict[int, list[str]] = {}
    number = 0
    for vulnerability in vulnerabilities:
        affected[vulnerability.pk], fixed[vulnerability.pk] = [], []
        for row in vulnerability.products.all():
            versions = vendors.setdefault(row.vendor, {}).setdefault(row.product, [])
            number += 1
            product_id = f"CSAFPID-{number:04d}"
            versions.append(
                {
                    "category": "product_version_range",
                    "name": row.versions,
                    "product": {"product_id": product_id, "name": f"{row.vendor} {row.product} {row.versions}"},
                }
            )
            affected[vulnerability.pk].append(product_id)
            if row.fixed_version:
                number += 1
                fixed_id = f"CSAFPID-{number:04d}"
                versions.append(
                    {
                        "category": "product_version",
                        "name": row.fixed_version,
                        "product": {"product_id": fixed_id, "name": f"{row.vendor} {row.product} {row.fixed_version}"},
                    }
                )
                fixed[vulnerability.pk].append(fixed_id)
    branches = [
        {
            "category": "vendor",
            "name": vendor,
            "branches": [
                {"category": "product_name", "name": product, "branches": versions}
                for product, versions in products.items()
            ],
        }
        for vendor, products in vendors.items()
    ]
    return {"branches": branches}, affected, fixed


def _csaf_vulnerability(
    vulnerability: Vulnerability, advisory: Advisory, affected: list[str], fixed: list[str]
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "title": vulnerability.title,
        "ids": [{"system_name": PUBLISHER, "text": vulnerability.reference}],
        "notes": [{"category": "description", "title": "Description", "text": vulnerability.description}],
    }
    if vulnerability.cve_id:
        entry["cve"] = vulnerability.cve_id
    named = [cwe for cwe in vulnerability.cwe_ids if cwe in CWE_NAMES]
    if named:
        entry["cwe"] = {"id": named[0], "name": CWE_NAMES[named[0]]}
    if vulnerability.cwe_ids:
        entry["notes"].append({"category": "other", "title": "CWE", "text": ", ".join(vulnerability.cwe_ids)})
    status = {}
    if affected:
        status["known_affected"] = affected
    if fixed:
        status["fixed"] = fixed
    if status:
        entry["product_status"] = status
    if vulnerability.cvss_version == "3.1" and affected:
        entry["scores"] = [
            {
                "products": affected,
                "cvss_v3": {
                    "version": "3.1",
                    "vectorString": vulnerability.cvss_vector,
                    "baseScore": float(vulnerability.cvss_score),
                    "baseSeverity": vulnerability.cvss_severity.upper(),
                },
            }
        ]
    elif vulnerability.cvss_version:
        entry["notes"].append(
            {
                "category": "other",
                "title": f"CVSS {vulnerability.cvss_version}",
                "text": f"{vulnerability.cvss_vector} (base score {vulnerability.cvss_score}, "
                f"{vulnerability.cvss_severity})",
            }
        )
    if vulnerability.ssvc_decision:
        entry["notes"].append(
            {
                "category": "other",
                "title": "SSVC decision (CISA)",
                "text": f"{vulnerability.get_ssvc_decision_display()}: exploitation {vulnerability.exploitation}, "
                f"automatable {'yes' if vulnerability.automatable else 'no'}, technical impact "
                f"{vulnerability.technical_impact}, mission and well-being {vulnerability.mission_impact}.",
            }
        )
    if vulnerability.known_exploited:
        entry["threats"] = [
            {
                "category": "exploit_status",
                "details": f"Known to be exploited since {vulnerability.known_exploited_date.isoformat()}.",
            }
        ]
    remediations = [
        remediation
        for remediation in advisory.remediations.all()
        if remediation.vulnerability_id in (None, vulnerability.pk)
    ]
    if remediations and affected:
        entry["remediations"] = [
            {
                "category": remediation.category,
                "details": remediation.details
                + (f" Applies to: {remediation.product_scope}." if remediation.product_scope else ""),
                "product_ids": affected,
            }
            for remediation in remediations
        ]
    return entry


def csaf_document(advisory: Advisory) -> dict[str, Any]:
    """The advisory as CSAF 2.0 JSON; pass it fetched through `selectors.with_contents`."""
    revisions = sorted(advisory.revisions.all(), key=lambda revision: revision.number)
    if revisions:
        history = [
            {"date": _iso(r.published_at), "number": str(r.number), "summary": r.change_summary} for r in revisions
        ]
        initial, current, version = revisions[0].published_at, revisions[-1].published_at, str(advisory.revision)
    else:
        history = [{"date": _iso(advisory.created_at), "number": "0", "summary": "Draft, not yet published."}]
        initial = current = advisory.created_at
        version = "0"
    notes = [{"category": "summary", "title": "Summary", "text": advisory.summary}]
    if advisory.status == AdvisoryStatus.WITHDRAWN:
        notes.append({"category": "general", "title": "Withdrawn", "text": advisory.withdrawal_reason})
    vulnerabilities = list(advisory.vulnerabilities.all())
    tree, affected, fixed = _product_tree(vulnerabilities)
    document: dict[str, Any] = {
        "document": {
            "category": "csaf_security_advisory",
            "csaf_version": "2.0",
            "title": advisory.title,
            "publisher": {"category": "coordinator", "name": PUBLISHER, "namespace": absolute_url("/")},
            "distribution": {
                "text": distribution_text(advisory),
                "tlp": {"label": CSAF_TLP[Tlp(advisory.tlp)], "url": TLP_URL},
            },
            "notes": notes,
            "references": [{"category": "self", "summary": "This advisory in the EO Portal", "url": advisory_url(advisory)}],
            "tracking": {
                "id": advisory.reference,
                "status": CSAF_STATUS[AdvisoryStatus(advisory.status)],
                "version": version,
                "initial_release_date": _iso(initial),
                "current_release_date": _iso(current),
                "revision_history": history,
                "generator": {"engine": {"name": "EO Portal"}, "date": _iso(timezone.now())},
            },
        },
        "vulnerabilities": [
            _csaf_vulnerability(v, advisory, affected[v.pk], fixed[v.pk]) for v in vulnerabilities
        ],
    }
    if tree["branches"]:
        document["product_tree"] = tree
    return document


# ---------------------------------------------------------------------------
# The KEV-style catalogue


def kev_entry(vulnerability: Vulnerability) -> dict[str, Any]:
    products = list(vulnerability.products.all())
    first = products[0] if products else None
    added = getattr(vulnerability, "date_added", None)
    return {
        "cveID": vulnerability.cve_id,
        "vendorProject": first.vendor if first else "",
        "product": first.product if first else "",
        "vulnerabilityName": vulnerability.title,
        "dateAdded": deadlines.local_date(added).isoformat() if added else "",
        "shortDescription": vulnerability.description,
        "requiredAction": vulnerability.required_action or "Apply remediations per the clearinghouse advisory.",
        "dueDate": vulnerability.remediation_due.isoformat() if vulnerability.remediation_due else "",
        "knownRansomwareCampaignUse": "Known" if vulnerability.known_ransomware_use else "Unknown",
        "notes": absolute_url(reverse("clearinghouse:advisory-list")) + f"?q={vulnerability.cve_id}",
        "cwes": list(vulnerability.cwe_ids),
    }


def kev_catalogue(vulnerabilities: Iterable[Vulnerability]) -> dict[str, Any]:
    entries = [kev_entry(v) for v in vulnerabilities]
    now = timezone.now()
    return {
        "title": "EO Portal clearinghouse catalogue of known exploited vulnerabilities",
        "catalogVersion": deadlines.local_date(now).strftime("%Y.%m.%d"),
        "dateReleased": _iso(now),
        "count": len(entries),
        "vulnerabilities": entries,
    }


def kev_rows(vulnerabilities: Iterable[Vulnerability]) -> Iterator[list[str]]:
    yield KEV_FIELDS
    for vulnerability in vulnerabilities:
        entry = kev_entry(vulnerability)
        entry["cwes"] = ", ".join(entry["cwes"])
        yield [str(entry[field] or "") for field in KEV_FIELDS]


# ---------------------------------------------------------------------------
# Feeds and the priority queue


def json_feed(advisories: Iterable[Advisory]) -> dict[str, Any]:
    items = []
    for advisory in advisories:
        items.append(
            {
                "id": advisory.reference,
                "url": advisory_url(advisory),
                "title": f"[TLP:CLEAR] {advisory.reference}: {advisory.title}",
                "content_text": f"TLP:CLEAR. {advisory.summary}",
                "date_published": _iso(advisory.published_at),
                "date_modified": _iso(advisory.updated_at),
                "tags": ["TLP:CLEAR", f"revision {advisory.revision}"],
            }
        )
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "EO Portal clearinghouse advisories (TLP:CLEAR)",
        "home_page_url": absolute_url(reverse("clearinghouse:index")),
        "feed_url": absolute_url(reverse("clearinghouse:feed-json")),
        "items": items,
    }


def priority_rows(vulnerabilities: Iterable[Vulnerability]) -> Iterator[list[str]]:
    yield PRIORITY_FIELDS
    for v in vulnerabilities:
        products = "; ".join(str(product) for product in v.products.all())
        yield [
            v.reference,
            v.cve_id or "",
            v.title,
            v.get_ssvc_decision_display() if v.ssvc_decision else "",
            "yes" if v.known_exploited else "no",
            "" if v.cvss_score is None else str(v.cvss_score),
            v.cvss_severity,
            v.remediation_due.isoformat() if v.remediation_due else "",
            v.get_status_display(),
            products,
        ]
