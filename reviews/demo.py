"""Demo review cases for `manage.py seed_demo`: one draft, one under review with a trusted partner
invited, and the reviews-coordinator role for the White House. Safe to run again."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from eo_portal import deadlines, permissions
from eo_portal.models import Organisation
from reviews import services
from reviews.models import ReviewCase

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DRAFT_MODEL = "Aster"
REVIEWED_MODEL = "Beacon"


def seed(by: User) -> int:
    users = get_user_model()._default_manager
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=["lab-a", "partner-a", "white-house"])}
    if len(organisations) < 3 or ReviewCase.objects.filter(model_name__in=[DRAFT_MODEL, REVIEWED_MODEL]).exists():
        return 0
    lab_manager = users.get(username="lab-a-manager")
    cisa = users.get(username="cisa-reviewer")
    nsa = users.get(username="nsa-reviewer")
    permissions.grant_role_to_organisation("reviews.coordinate_reviewcase", organisations["white-house"], by=by)

    services.create_case(
        by=users.get(username="lab-a-member"),
        lab=organisations["lab-a"],
        model_name=DRAFT_MODEL,
        model_version="0.9-preview",
        capability_summary="General-purpose assistant; early results on code repair.",
        modalities=["text", "code"],
        access_notes="Hosted API sandbox; access details sent to the agencies out of band.",
        planned_release_date=deadlines.today() + timedelta(days=60),
    )
    case = services.create_case(
        by=lab_manager,
        lab=organisations["lab-a"],
        model_name=REVIEWED_MODEL,
        model_version="2.0",
        capability_summary="Agentic coding model that finds and fixes memory-safety bugs in C code bases.",
        modalities=["text", "code", "tool_use"],
        access_method="hosted_api",
        access_notes="Dedicated hosted endpoint for the agencies; credentials issued out of band.",
        planned_release_date=deadlines.today() + timedelta(days=20),
    )
    services.submit_case(case, by=lab_manager)
    services.record_government_access(case, by=lab_manager, on=deadlines.today() - timedelta(days=12))
    services.start_screening(case, by=cisa)
    services.record_determination(
        case,
        by=nsa,
        outcome="meets_threshold",
        rationale="Benchmark results show a step change in automated vulnerability discovery.",
        classified_reference="BENCH-2026-0042",
    )
    services.start_review(case, by=cisa)
    services.draft_finding(
        case,
        by=cisa,
        title="Generates working exploits for patched kernel flaws",
        severity="high",
        category="exploit_development",
        description="Given a CVE identifier the model produced a working proof of concept in 3 of 10 trials.",
        recommended_mitigations="Refuse exploit generation for named CVEs; log and rate-limit such requests.",
    )
    access = services.propose_partner(
        case, by=lab_manager, partner=organisations["partner-a"], purpose="Defensive red-teaming of the release."
    )
    services.decide_partner(access, by=cisa, concur=True)
    return 2
