"""Grant opportunities (a few hundred, run by the awarding agency and OMB) and a hundred thousand
applications, each with its applicant's `view_application` and `change_application` grants."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from bench.bulk import write
from bench.data_core import REASON, World, generated, permission_ids, write_grants
from bench.plan import Plan
from eo_portal import deadlines
from eo_portal.models import OrganisationKind as Kind
from grants.models import (
    ApplicantType,
    Application,
    ApplicationGroupObjectPermission,
    FundingInstrument,
    Opportunity,
    OpportunityGroupObjectPermission,
)
from grants.selectors import ADMINISTER
from grants.workflow import ApplicationStatus, OpportunityStatus

APPLICANT_KINDS = (Kind.STATE, Kind.LOCAL, Kind.TRIBAL, Kind.TERRITORIAL, Kind.OPERATOR)
APPLICATION_STATUS_WEIGHTS = {
    ApplicationStatus.DRAFT: 15,
    ApplicationStatus.SUBMITTED: 30,
    ApplicationStatus.UNDER_REVIEW: 25,
    ApplicationStatus.AWARDED: 10,
    ApplicationStatus.NOT_SELECTED: 15,
    ApplicationStatus.WITHDRAWN: 5,
}
APPLICANT_GRANTS = ("view_application", "change_application")


def _opportunity(number: int, agency_pk: int, author: int, rng: random.Random, year: int) -> Opportunity:
    return Opportunity(
        opportunity_number=f"BENCH-AICS-{year}-{number:03d}",
        title=f"Bench AI cybersecurity capabilities programme {number}",
        awarding_agency_id=agency_pk,
        assistance_listing=f"97.{100 + number % 900:03d}",
        description="Advanced AI cybersecurity capabilities for state, local, tribal and territorial governments.",
        eligible_types=rng.sample(ApplicantType.values, 3),
        funding_instrument=rng.choice(FundingInstrument.values),
        award_floor=Decimal("50000.00"),
        award_ceiling=Decimal("2000000.00"),
        expected_awards=rng.randint(5, 50),
        total_funding=Decimal("50000000.00"),
        close_at=timezone.now() + timedelta(days=rng.randint(-60, 120)),
        status=OpportunityStatus.POSTED,
        posted_date=deadlines.today() - timedelta(days=rng.randint(30, 200)),
        created_by_id=author,
    )


def _application(number: int, opportunity_pk: int, applicant, rng: random.Random, year: int) -> Application:
    status = rng.choices(list(APPLICATION_STATUS_WEIGHTS), weights=list(APPLICATION_STATUS_WEIGHTS.values()))[0]
    start = deadlines.today() + timedelta(days=rng.randint(30, 180))
    return Application(
        tracking_number=f"GRANT-{year}-{number:04d}",
        opportunity_id=opportunity_pk,
        applicant_id=applicant.pk,
        project_title=f"Bench project {number}: AI-assisted security operations",
        abstract="A shared security operations centre using AI-enabled defensive tools.",
        period_start=start,
        period_end=start + timedelta(days=730),
        requested_amount=Decimal(rng.randint(50, 2000) * 1000),
        status=status,
        created_by_id=applicant.users[0],
        submitted_at=timezone.now() if status != ApplicationStatus.DRAFT else None,
        submitted_by_id=applicant.users[0] if status != ApplicationStatus.DRAFT else None,
    )


def generate_grants(plan: Plan, world: World, rng: random.Random) -> None:
    agencies, omb = world.of_kind(Kind.AGENCY), world.by_slug("omb")
    applicants = world.of_kind(*APPLICANT_KINDS)
    year = deadlines.today().year
    opportunities = write(
        Opportunity,
        [_opportunity(n + 1, rng.choice(agencies).pk, omb.users[0], rng, year) for n in range(plan.opportunities)],
        by=world.by,
        reason=REASON,
    )
    group_of = {org.pk: org.group_id for org in world.orgs}
    administer = permission_ids(Opportunity, ADMINISTER)[ADMINISTER]
    staff = [
        (o.pk, group, administer) for o in opportunities for group in {group_of[o.awarding_agency_id], omb.group_id}
    ]
    write_grants(OpportunityGroupObjectPermission, staff, world.by)
    perms = permission_ids(Application, *APPLICANT_GRANTS)

    def make(number: int) -> Application:
        return _application(number, rng.choice(opportunities).pk, rng.choice(applicants), rng, year)

    for saved in generated(Application, plan.applications, make, world.by):
        grants = [(a.pk, group_of[a.applicant_id], perms[codename]) for a in saved for codename in APPLICANT_GRANTS]
        write_grants(ApplicationGroupObjectPermission, grants, world.by)
