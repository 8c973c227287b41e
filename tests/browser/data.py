"""What the journeys start from, made the way the portal makes it: through each program's
services, by the people who would take each step."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from clearinghouse import services as clearinghouse
from clearinghouse.models import Advisory, Source, Tlp
from eo_portal import deadlines
from eo_portal import services as core
from eo_portal.audit import system_user
from eo_portal.models import Organisation, OrganisationKind
from grants import services as grants
from grants.models import Opportunity
from reviews import services as reviews
from reviews.models import ReviewCase
from workforce import services as workforce
from workforce.models import Opening, Pathway, WorkRole

GRANT_TERMS = {
    "assistance_listing": "97.137",
    "funding_instrument": "grant",
    "award_floor": Decimal("10000.00"),
    "award_ceiling": Decimal("500000.00"),
    "expected_awards": 10,
    "total_funding": Decimal("5000000.00"),
    "cost_share_percent": Decimal("10"),
}
GRANT_CRITERIA = [
    ("Need and risk reduction", 60, "The threats the project answers and how much risk it removes."),
    ("Plan and capacity", 40, "Whether the applicant can deliver the plan on time."),
]


def agency(slug: str) -> Organisation:
    """Loaded by the core's data migration."""
    return Organisation.objects.get(slug=slug, kind=OrganisationKind.AGENCY)


def submitted_case(manager: User, lab: Organisation, model_name: str) -> ReviewCase:
    case = reviews.create_case(
        by=manager,
        lab=lab,
        model_name=model_name,
        model_version="1.0",
        capability_summary="A smaller model for code completion.",
    )
    return reviews.submit_case(case, by=manager)


def public_advisory(coordinator: User, publisher: User, title: str) -> Advisory:
    """A TLP:CLEAR advisory for operators, sent for review by one coordinator and published by
    another; its distribution runs when the publication commits."""
    vulnerability = clearinghouse.report_vulnerability(
        by=coordinator,
        organisation=coordinator.memberships.get().organisation,
        source=Source.RESEARCHER,
        title="Tool calls run without confirmation in chat assistants",
        description="A crafted message makes the assistant call tools the user never asked for.",
        cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N",
        products=[{"vendor": "Acme", "product": "Chat Assistant"}],
    )
    clearinghouse.triage_vulnerability(
        vulnerability,
        by=coordinator,
        exploitation="none",
        automatable=False,
        technical_impact="partial",
        mission_impact="low",
    )
    advisory = clearinghouse.create_advisory(
        by=coordinator,
        tlp=Tlp.CLEAR,
        title=title,
        vulnerabilities=[vulnerability],
        summary="Until Acme ships a fix, turn off automatic tool calls.",
        audience_kinds=[OrganisationKind.OPERATOR],
    )
    clearinghouse.submit_advisory(advisory, by=coordinator)
    return clearinghouse.publish_advisory(advisory, by=publisher)


def posted_opportunity(by: User, number: str, title: str, description: str, eligible_types: list[str]) -> Opportunity:
    """Posted by OMB's grant staff for CISA, closing in 30 days."""
    opportunity = grants.create_opportunity(
        by=by,
        awarding_agency=agency("cisa"),
        criteria=GRANT_CRITERIA,
        opportunity_number=number,
        title=title,
        description=description,
        eligible_types=eligible_types,
        close_at=timezone.now() + timedelta(days=30),
        **GRANT_TERMS,
    )
    return grants.post_opportunity(opportunity, by=by)


def eligible_county(county: Organisation) -> Organisation:
    """What a county needs to apply for a grant: its kind of local government, a UEI and an
    unexpired SAM.gov registration."""
    return core.update_organisation(
        county,
        by=system_user(),
        local_government_type="county",
        uei="HARBRCNTY123",
        sam_registration_expires=deadlines.today() + timedelta(days=200),
    )


def open_opening(
    by: User, title: str, *, series: str = "2210", remote: bool = True, clearance: str = "public_trust"
) -> Opening:
    """A Tech Force opening of OPM, open since three days ago for another 27."""
    today = deadlines.today()
    opening = workforce.create_opening(
        by=by,
        agency=agency("opm"),
        hiring_paths=["public"],
        locations=[("Washington", "DC")],
        work_roles=list(WorkRole.objects.filter(code="PD-WRL-001")),
        pathway=Pathway.objects.get(slug="tech-force-fellowship"),
        title=title,
        series=series,
        pay_plan="GS",
        grade_low=12,
        grade_high=13,
        salary_min=104604,
        salary_max=161486,
        remote=remote,
        clearance=clearance,
        duties="Secure the AI systems federal agencies run and answer the clearinghouse's advisories.",
        qualifications="One year of specialized experience equivalent to GS-11.",
        open_date=today - timedelta(days=3),
        close_date=today + timedelta(days=27),
    )
    return workforce.post_opening(opening, by=by)
