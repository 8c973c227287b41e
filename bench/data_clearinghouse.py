"""The clearinghouse as distribution leaves it: vulnerabilities with their reporters' grants,
advisories with their revision, and about ten deliveries per distributed advisory, each with the
recipient's `view_advisory` grant (a million of each at full size)."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from bench.bulk import write
from bench.data_core import REASON, Org, World, generated, permission_ids, write_grants
from bench.plan import Plan
from clearinghouse.models import (
    Advisory,
    AdvisoryGroupObjectPermission,
    AdvisoryRevision,
    Delivery,
    Source,
    Tlp,
    Vulnerability,
    VulnerabilityGroupObjectPermission,
    VulnerabilityReport,
)
from clearinghouse.priority import DECISION_RANK
from clearinghouse.workflow import DISTRIBUTED, AdvisoryStatus, DeliveryStatus, VulnerabilityStatus
from eo_portal import deadlines
from eo_portal.models import OrganisationKind as Kind

TLP_WEIGHTS = {Tlp.CLEAR: 20, Tlp.GREEN: 45, Tlp.AMBER: 30, Tlp.AMBER_STRICT: 5}
ADVISORY_STATUS_WEIGHTS = {
    AdvisoryStatus.PUBLISHED: 90,
    AdvisoryStatus.WITHDRAWN: 2,
    AdvisoryStatus.DRAFT: 5,
    AdvisoryStatus.IN_REVIEW: 3,
}
DELIVERY_STATUS_WEIGHTS = {
    DeliveryStatus.NOT_STARTED: 50,
    DeliveryStatus.IN_PROGRESS: 20,
    DeliveryStatus.REMEDIATED: 20,
    DeliveryStatus.NOT_AFFECTED: 10,
}
RECIPIENT_KINDS = (Kind.STATE, Kind.LOCAL, Kind.TRIBAL, Kind.TERRITORIAL, Kind.OPERATOR, Kind.LAB, Kind.PARTNER)


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _vulnerability(number: int, rng: random.Random, year: int) -> Vulnerability:
    decision, rank = rng.choice([("", 0), *DECISION_RANK.items()])
    exploited = rng.random() < 0.1
    score = Decimal(rng.randint(10, 100)) / 10
    return Vulnerability(
        reference=f"CHV-{year}-{number:04d}",
        cve_id=f"CVE-{year}-{100000 + number}",
        title=f"Bench flaw {number} in a widely used library",
        description="Out-of-bounds write found by an AI-assisted scanner.",
        cwe_ids=[f"CWE-{rng.choice((79, 89, 787, 416, 20))}"],
        cvss_version="3.1",
        cvss_score=score,
        cvss_severity="critical" if score >= 9 else "high" if score >= 7 else "medium",
        known_exploited=exploited,
        known_exploited_date=deadlines.today() - timedelta(days=rng.randint(0, 300)) if exploited else None,
        source=rng.choice(Source.values),
        status=rng.choice(VulnerabilityStatus.values),
        ssvc_decision=decision,
        ssvc_rank=rank,
    )


def generate_vulnerabilities(plan: Plan, world: World, rng: random.Random) -> list[int]:
    reporters = world.of_kind(Kind.LAB, Kind.PARTNER, Kind.OPERATOR)
    view = permission_ids(Vulnerability, "view_vulnerability")["view_vulnerability"]
    year = deadlines.today().year
    ids: list[int] = []
    for saved in generated(Vulnerability, plan.vulnerabilities, lambda n: _vulnerability(n, rng, year), world.by):
        reporter_of = {v.pk: rng.choice(reporters) for v in saved}
        reports = [
            VulnerabilityReport(
                vulnerability_id=v.pk,
                organisation_id=reporter_of[v.pk].pk,
                reported_by_id=reporter_of[v.pk].users[0],
                source=v.source,
                credit=f"Bench reporter {reporter_of[v.pk].slug}",
            )
            for v in saved
        ]
        write(VulnerabilityReport, reports, by=world.by, reason=REASON)
        grants = [(v.pk, reporter_of[v.pk].group_id, view) for v in saved]
        write_grants(VulnerabilityGroupObjectPermission, grants, world.by)
        ids += [v.pk for v in saved]
    return ids


def _advisory(number: int, rng: random.Random, year: int, author: int) -> Advisory:
    status = _pick(rng, ADVISORY_STATUS_WEIGHTS)
    distributed = status in DISTRIBUTED
    return Advisory(
        reference=f"CHA-{year}-{number:04d}",
        title=f"Bench advisory {number}: remediate the flaw in a widely used library",
        summary="Apply the vendor's fix; where that is not possible, apply the mitigation.",
        tlp=_pick(rng, TLP_WEIGHTS),
        audience_kinds=[Kind.STATE, Kind.LOCAL],
        audience_sectors=["energy", "water"],
        status=status,
        revision=1 if distributed else 0,
        ssvc_rank=rng.randint(0, 4),
        created_by_id=author,
        published_at=timezone.now() - timedelta(minutes=rng.randint(0, 525_600)) if distributed else None,
    )


def _deliveries(advisory: Advisory, recipients: list[Org], count: int, rng: random.Random) -> list[Delivery]:
    rows = []
    for recipient in rng.sample(recipients, min(count, len(recipients))):
        status = _pick(rng, DELIVERY_STATUS_WEIGHTS)
        acted = status != DeliveryStatus.NOT_STARTED
        rows.append(
            Delivery(
                advisory_id=advisory.pk,
                organisation_id=recipient.pk,
                delivered_at=advisory.published_at,
                delivered_revision=1,
                status=status,
                acknowledged_at=advisory.published_at if acted else None,
                acknowledged_by_id=recipient.users[0] if acted else None,
                in_estate=status != DeliveryStatus.NOT_AFFECTED if acted else None,
                due_date=deadlines.today() + timedelta(days=rng.randint(-30, 60)) if acted else None,
            )
        )
    return rows


def generate_advisories(plan: Plan, world: World, vulnerability_ids: list[int], rng: random.Random) -> None:
    recipients = world.of_kind(*RECIPIENT_KINDS)
    author = world.by_slug("treasury").users[0]
    view = permission_ids(Advisory, "view_advisory")["view_advisory"]
    year = deadlines.today().year
    distributed_share = sum(w for s, w in ADVISORY_STATUS_WEIGHTS.items() if s in DISTRIBUTED) / sum(
        ADVISORY_STATUS_WEIGHTS.values()
    )
    # About ten per distributed advisory, so that the total is the plan's million.
    per_advisory = plan.deliveries / (plan.advisories * distributed_share)
    links = Advisory.vulnerabilities.through
    for saved in generated(Advisory, plan.advisories, lambda n: _advisory(n, rng, year, author), world.by):
        covered = [
            links(advisory_id=a.pk, vulnerability_id=v)
            for a in saved
            for v in rng.sample(vulnerability_ids, min(len(vulnerability_ids), rng.choice((1, 1, 2))))
        ]
        write(links, covered, by=world.by, reason=REASON, history=False)
        distributed = [a for a in saved if a.status in DISTRIBUTED]
        revisions = [
            AdvisoryRevision(advisory_id=a.pk, number=1, title=a.title, summary=a.summary, tlp=a.tlp,
                             change_summary="First publication.", published_at=a.published_at, published_by_id=author)
            for a in distributed
        ]
        write(AdvisoryRevision, revisions, by=world.by, reason=REASON)
        deliveries = [
            row for a in distributed for row in _deliveries(a, recipients, round(per_advisory + rng.random() - 0.5), rng)
        ]
        write(Delivery, deliveries, by=world.by, reason=REASON)
        group_of = {org.pk: org.group_id for org in recipients}
        grants = [(d.advisory_id, group_of[d.organisation_id], view) for d in deliveries]
        write_grants(AdvisoryGroupObjectPermission, grants, world.by)
