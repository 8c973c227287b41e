"""Review cases as the review services leave them: the lab's grants from the draft, the assigned
agencies' (NSA, CISA, NIST) from submission, a trusted partner's when it accepted the terms; about
ten group grants per case. Also the same grants in guardian's generic table, for the comparison."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from guardian.models import GroupObjectPermission

from bench.bulk import write
from bench.data_core import REASON, World, generated, permission_ids, write_grants
from bench.plan import Plan
from eo_portal import deadlines
from eo_portal.models import OrganisationKind as Kind
from reviews.models import (
    AccessMethod,
    AgencyAssignment,
    PartnerAccess,
    PartnerStatus,
    ReviewCase,
    ReviewCaseGroupObjectPermission,
)
from reviews.services import AGENCY_GRANTS, DEFAULT_AGENCIES, LAB_GRANTS, PARTNER_GRANT
from reviews.workflow import Status

STATUS_WEIGHTS = {
    Status.DRAFT: 10,
    Status.SUBMITTED: 15,
    Status.SCREENING: 15,
    Status.UNDER_REVIEW: 25,
    Status.FINDINGS_ISSUED: 10,
    Status.CLOSED: 15,
    Status.NOT_WARRANTED: 5,
    Status.WITHDRAWN: 5,
}
PARTNER_SHARE = 0.25


def _case(number: int, lab, rng: random.Random, year: int) -> ReviewCase:
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    submitted = status != Status.DRAFT
    today = deadlines.today()
    return ReviewCase(
        reference=f"MRC-{year}-{number:04d}",
        lab_id=lab.pk,
        model_name=f"Bench model {number}",
        model_version=f"{rng.randint(1, 9)}.{rng.randint(0, 9)}",
        capability_summary="Code generation and agentic tool use, evaluated for cyber capability.",
        modalities=rng.sample(["text", "code", "image", "tool_use"], 2),
        access_method=rng.choice(AccessMethod.values),
        planned_release_date=today + timedelta(days=rng.randint(-30, 120)),
        government_access_date=today - timedelta(days=rng.randint(0, 90)) if submitted and rng.random() < 0.7 else None,
        status=status,
        created_by_id=lab.users[0],
        submitted_at=timezone.now() - timedelta(days=rng.randint(0, 365)) if submitted else None,
    )


def generate_reviews(plan: Plan, world: World, rng: random.Random) -> None:
    labs, partners = world.of_kind(Kind.LAB), world.of_kind(Kind.PARTNER)
    agencies = [world.by_slug(slug) for slug in DEFAULT_AGENCIES]
    perms = permission_ids(ReviewCase, *LAB_GRANTS, *AGENCY_GRANTS, PARTNER_GRANT)
    year = deadlines.today().year
    lab_of = {lab.pk: lab for lab in labs}

    def make(number: int) -> ReviewCase:
        return _case(number, labs[(number - 1) % len(labs)], rng, year)

    for cases in generated(ReviewCase, plan.cases, make, world.by):
        assignments, partner_rows, grants = [], [], []
        for case in cases:
            lab = lab_of[case.lab_id]
            grants += [(case.pk, lab.group_id, perms[codename]) for codename in LAB_GRANTS]
            assignments += [AgencyAssignment(case_id=case.pk, agency_id=agency.pk) for agency in agencies]
            if case.status == Status.DRAFT:
                continue
            grants += [(case.pk, a.group_id, perms[codename]) for a in agencies for codename in AGENCY_GRANTS]
            if rng.random() < PARTNER_SHARE:
                for partner in rng.sample(partners, min(len(partners), rng.choice((1, 2)))):
                    partner_rows.append(
                        PartnerAccess(
                            case_id=case.pk,
                            partner_id=partner.pk,
                            status=PartnerStatus.ACTIVE,
                            proposed_by_id=lab.users[0],
                            terms_accepted_by_id=partner.users[0],
                            terms_accepted_at=timezone.now(),
                        )
                    )
                    grants.append((case.pk, partner.group_id, perms[PARTNER_GRANT]))
        write(AgencyAssignment, assignments, by=world.by, reason=REASON)
        write(PartnerAccess, partner_rows, by=world.by, reason=REASON)
        write_grants(ReviewCaseGroupObjectPermission, grants, world.by)
    copy_to_generic_table()


def copy_to_generic_table() -> None:
    """The same grants in guardian's generic GroupObjectPermission (object_pk as text), so the
    benchmark can compare guardian used naively with our EXISTS on the direct-FK table. One
    INSERT … SELECT, on SQLite and PostgreSQL alike."""
    content_type = ContentType.objects.get_for_model(ReviewCase)
    generic = GroupObjectPermission._meta.db_table
    direct = ReviewCaseGroupObjectPermission._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {generic} WHERE content_type_id = %s", [content_type.pk])
        cursor.execute(
            f"INSERT INTO {generic} (permission_id, content_type_id, object_pk, group_id) "
            f"SELECT permission_id, %s, CAST(content_object_id AS VARCHAR(255)), group_id FROM {direct}",
            [content_type.pk],
        )
