"""A hundred thousand Tech Force openings with locations and NICE work roles, each with its
hiring agency's four grants, for the public search and its facets."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from bench.bulk import write
from bench.data_core import REASON, World, generated, permission_ids, write_grants
from bench.plan import Plan
from eo_portal import deadlines
from eo_portal.models import OrganisationKind as Kind
from workforce.models import (
    Clearance,
    HiringPath,
    OccupationalSeries,
    Opening,
    OpeningGroupObjectPermission,
    OpeningLocation,
    Pathway,
    PayPlan,
    WorkRole,
)
from workforce.services import AGENCY_GRANTS
from workforce.workflow import OpeningStatus

STATUS_WEIGHTS = {
    OpeningStatus.OPEN: 60,
    OpeningStatus.CLOSED: 20,
    OpeningStatus.FILLED: 10,
    OpeningStatus.DRAFT: 5,
    OpeningStatus.CANCELLED: 5,
}
TITLES = (
    "IT Specialist (INFOSEC)",
    "Cybersecurity Engineer",
    "AI Red Team Operator",
    "Incident Response Analyst",
    "Machine Learning Security Scientist",
    "Vulnerability Researcher",
    "Cloud Security Architect",
    "Digital Forensics Examiner",
)
DUTIES = (
    "Hunt for threats across cloud workloads and respond to incidents.",
    "Evaluate frontier AI models for cyber capability and red team their safeguards.",
    "Design zero trust architecture and review secure software development.",
    "Analyse malware, write detections and brief agency leadership.",
)
STATES = ("VA", "MD", "DC", "TX", "CA", "CO", "GA", "FL", "WA", "NY", "IL", "UT", "AL", "OH", "MA", "NC")
CITIES = ("Arlington", "Fort Meade", "Washington", "San Antonio", "San Diego", "Denver", "Atlanta", "Pensacola")


def _opening(number: int, agency_pk: int, pathway_pk: int, rng: random.Random, year: int) -> Opening:
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    grade = rng.randint(7, 14)
    opened = deadlines.today() - timedelta(days=rng.randint(0, 120))
    salary = rng.randint(55, 160) * 1000
    return Opening(
        control_number=f"TF-{year}-{number:04d}",
        title=rng.choice(TITLES),
        agency_id=agency_pk,
        pathway_id=pathway_pk,
        series=rng.choice(OccupationalSeries.values),
        pay_plan=PayPlan.GS,
        grade_low=grade,
        grade_high=min(15, grade + rng.choice((0, 1, 2))),
        salary_min=salary,
        salary_max=salary + rng.randint(10, 60) * 1000,
        remote=rng.random() < 0.2,
        telework_eligible=rng.random() < 0.6,
        clearance=rng.choice(Clearance.values),
        hiring_paths=Opening.encode_hiring_paths(rng.sample(HiringPath.values, rng.randint(1, 3))),
        open_date=opened,
        close_date=opened + timedelta(days=rng.randint(14, 90)),
        duties=rng.choice(DUTIES),
        qualifications="One year of specialised experience at the next lower grade.",
        status=status,
        posted_at=timezone.now() if status != OpeningStatus.DRAFT else None,
    )


def generate_workforce(plan: Plan, world: World, rng: random.Random) -> None:
    agencies = world.of_kind(Kind.AGENCY)
    pathways = list(Pathway.objects.values_list("pk", flat=True))
    roles = list(WorkRole.objects.values_list("pk", flat=True))
    perms = permission_ids(Opening, *AGENCY_GRANTS)
    group_of = {org.pk: org.group_id for org in agencies}
    year = deadlines.today().year
    links = Opening.work_roles.through

    def make(number: int) -> Opening:
        return _opening(number, rng.choice(agencies).pk, rng.choice(pathways), rng, year)

    for saved in generated(Opening, plan.openings, make, world.by):
        locations = [
            OpeningLocation(opening_id=o.pk, city=rng.choice(CITIES), state=state)
            for o in saved
            for state in rng.sample(STATES, rng.choice((1, 1, 2)))
        ]
        write(OpeningLocation, locations, by=world.by, reason=REASON)
        role_links = [links(opening_id=o.pk, workrole_id=r) for o in saved for r in rng.sample(roles, rng.randint(1, 2))]
        write(links, role_links, by=world.by, reason=REASON, history=False)
        grants = [(o.pk, group_of[o.agency_id], perms[codename]) for o in saved for codename in AGENCY_GRANTS]
        write_grants(OpeningGroupObjectPermission, grants, world.by)
