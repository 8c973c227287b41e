"""Demo grants for `manage.py seed_demo`: OMB's State and Local AI Cybersecurity Grant Program
(awarded to the State of Franklin, which passed money through to Harbor County and rural
Millbrook), a posted opportunity for local and tribal governments with Harbor County's draft,
and a forecast for operators. The Cedar River Tribe's SAM.gov registration has lapsed, so the
portal tells it why it cannot apply. Made through the services, as the demo accounts. Safe to
run again."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.utils import timezone

from eo_portal import deadlines
from eo_portal import services as core
from eo_portal.models import Organisation
from grants import services
from grants.models import Opportunity

if TYPE_CHECKING:
    from django.contrib.auth.models import User

FIRST_NUMBER = "OMB-AICS-2027-001"
# slug: (local government type, rural, days until the SAM.gov registration expires)
APPLICANT_DETAILS = {
    "state-franklin": ("", False, 300),
    "harbor-county": ("county", False, 200),
    "millbrook": ("city_township", True, 150),
    "cedar-river-tribe": ("", False, -20),
    "clearwater": ("", False, 90),
    "grid-energy": ("", False, 250),
}
CRITERIA = [
    ("Need and risk reduction", 40, "The threats the project answers and how much risk it removes."),
    ("Plan and capacity", 35, "Whether the applicant can deliver the plan on time."),
    ("Budget and sustainability", 25, "Reasonable costs, and how the capability lasts after the grant."),
]


def _applicant_details(by: User) -> dict[str, Organisation]:
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=APPLICANT_DETAILS)}
    today = deadlines.today()
    for slug, (local_type, rural, days) in APPLICANT_DETAILS.items():
        organisations[slug] = core.update_organisation(
            organisations[slug], by=by, local_government_type=local_type, is_rural=rural,
            sam_registration_expires=today + timedelta(days=days),
        )
    return organisations


def _budget(requested: str, cost_share: str) -> list[tuple[str, Decimal]]:
    total = Decimal(requested) + Decimal(cost_share)
    personnel = (total * Decimal("0.5")).quantize(Decimal("0.01"))
    equipment = (total * Decimal("0.3")).quantize(Decimal("0.01"))
    return [("personnel", personnel), ("equipment", equipment), ("contractual", total - personnel - equipment)]


def seed(by: User) -> int:
    if Opportunity.objects.filter(opportunity_number=FIRST_NUMBER).exists():
        return 0
    users = {u.username: u for u in get_user_model()._default_manager.filter(
        username__in=["omb-grants", "nist-reviewer", "state-applicant", "county-applicant"]
    )}
    staff = users["omb-grants"]
    orgs = _applicant_details(by)
    omb = Organisation.objects.get(slug="omb")
    closes = timezone.now() + timedelta(days=45)
    state_program = services.create_opportunity(
        by=staff, awarding_agency=omb, opportunity_number=FIRST_NUMBER,
        title="State and Local AI Cybersecurity Grant Program", assistance_listing="97.137",
        description="Funds for states to build AI-enabled detection and response with their local governments. "
        "80% of each award passes through to local governments, a quarter of it to rural areas.",
        eligible_types=["state", "territorial"], funding_instrument="grant", award_floor=Decimal("250000"),
        award_ceiling=Decimal("5000000"), expected_awards=20, total_funding=Decimal("60000000"),
        cost_share_percent=Decimal("10"), pass_through_percent=Decimal("80"), rural_percent=Decimal("25"),
        close_at=closes, criteria=CRITERIA,
    )
    services.post_opportunity(state_program, by=staff)
    local_program = services.create_opportunity(
        by=staff, awarding_agency=omb, opportunity_number="OMB-AICS-2027-002",
        title="AI-enabled security operations for local and tribal governments", assistance_listing="97.138",
        description="Shared AI-assisted security operations for counties, cities, special districts and tribes.",
        eligible_types=["county", "city_township", "special_district", "tribal"], funding_instrument="grant",
        award_floor=Decimal("50000"), award_ceiling=Decimal("750000"), expected_awards=40,
        total_funding=Decimal("20000000"), close_at=timezone.now() + timedelta(days=6), criteria=CRITERIA,
    )
    services.post_opportunity(local_program, by=staff)
    services.create_opportunity(
        by=staff, awarding_agency=omb, opportunity_number="OMB-AICS-2027-003",
        title="AI vulnerability discovery for critical-infrastructure operators (forecast)",
        assistance_listing="97.139", description="A cooperative agreement for operators to test their own systems "
        "with AI-assisted tools.", eligible_types=["operator"], funding_instrument="cooperative_agreement",
        award_floor=Decimal("100000"), award_ceiling=Decimal("1000000"), expected_awards=10,
        total_funding=Decimal("8000000"), cost_share_percent=Decimal("25"),
        close_at=timezone.now() + timedelta(days=120), criteria=CRITERIA,
    )
    state = users["state-applicant"]
    application = services.create_application(
        by=state, opportunity=state_program, applicant=orgs["state-franklin"],
        project_title="Franklin shared AI security operations centre",
        abstract="A state-run, AI-assisted SOC that Franklin's counties and towns join at no cost.",
        period_start=deadlines.today() + timedelta(days=90), period_end=deadlines.today() + timedelta(days=820),
        requested_amount=Decimal("2000000"), cost_share=Decimal("250000"),
        budget_lines=_budget("2000000", "250000"),
        contacts=[{"role": "authorized_representative", "name": "Parker Franklin", "email": "cio@franklin.example.gov"}],
    )
    services.submit_application(application, by=state)
    reviewer = users["nist-reviewer"]
    assignment = services.assign_reviewer(application, by=staff, reviewer=reviewer)
    services.attest_no_conflict(assignment, by=reviewer)
    services.score_application(assignment, by=reviewer, scores={1: 90, 2: 80, 3: 85}, comment="Strong local reach.")
    award = services.award_application(application, by=staff, amount=Decimal("1800000"), award_number="OMB-27-0001")
    services.record_subaward(award, by=state, recipient=orgs["harbor-county"], amount=Decimal("900000"),
                             purpose="County share of the SOC and analysts")
    services.record_subaward(award, by=state, recipient=orgs["millbrook"], amount=Decimal("300000"),
                             purpose="Rural town endpoint sensors")
    county = users["county-applicant"]
    services.create_application(
        by=county, opportunity=local_program, applicant=orgs["harbor-county"],
        project_title="Harbor County AI-assisted monitoring", abstract="Draft: 24x7 monitoring of county systems.",
        period_start=deadlines.today() + timedelta(days=60), period_end=deadlines.today() + timedelta(days=425),
        requested_amount=Decimal("400000"), cost_share=Decimal("0"), budget_lines=_budget("400000", "0"),
    )
    return 1
