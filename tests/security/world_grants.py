"""Grants objects for the permission matrix: OMB's posted opportunity (with a pass-through share and
its notice attached) and a forecast, and three applications of the State of Franklin to it:

- a draft, the applicant's alone;
- a submitted one, NIST's member assigned to review it but not yet attested, with a document;
- an awarded one, reviewed and scored by NIST's member, passed through in part to Harbor County.

The state's manager keeps a saved search.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from eo_portal import deadlines
from eo_portal import services as core
from eo_portal.access_expectations import marker
from eo_portal.audit import system_user
from grants import services
from grants.models import Application, Opportunity
from tests.security.builders import World, pdf_upload

CRITERIA = [("Need and risk reduction", 60, "The risk the project removes."), ("Plan", 40, "Can they deliver.")]
REQUESTED, COST_SHARE = Decimal("90000.00"), Decimal("10000.00")
BUDGET = [("personnel", Decimal("50000.00")), ("equipment", Decimal("30000.00")), ("contractual", Decimal("20000.00"))]
REPRESENTATIVE = {"role": "authorized_representative", "name": "Parker Franklin", "email": "cio@franklin.example.gov"}


def _opportunity(world: World, number: str, **fields) -> Opportunity:
    return services.create_opportunity(
        by=world.people["omb_member"],
        awarding_agency=world.organisations["omb"],
        criteria=CRITERIA,
        opportunity_number=number,
        title="AI-enabled security operations for state and local governments",
        assistance_listing="97.137",
        description="Funds for AI-assisted detection and response.",
        eligible_types=["state", "county", "tribal", "territorial"],
        funding_instrument="grant",
        award_floor=Decimal("10000.00"),
        award_ceiling=Decimal("500000.00"),
        expected_awards=10,
        total_funding=Decimal("5000000.00"),
        cost_share_percent=Decimal("10"),
        close_at=timezone.now() + timedelta(days=30),
        **fields,
    )


def _application(world: World, opportunity: Opportunity, key: str) -> Application:
    return services.create_application(
        by=world.people["state_manager"],
        opportunity=opportunity,
        applicant=world.organisations["state-franklin"],
        project_title="Franklin AI-assisted monitoring",
        abstract=marker(key),
        period_start=deadlines.today() + timedelta(days=60),
        period_end=deadlines.today() + timedelta(days=425),
        requested_amount=REQUESTED,
        cost_share=COST_SHARE,
        budget_lines=BUDGET,
        contacts=[REPRESENTATIVE],
    )


def _eligible_applicants(world: World) -> None:
    by, today = system_user(), deadlines.today()
    world.organisations["state-franklin"] = core.update_organisation(
        world.organisations["state-franklin"],
        by=by,
        uei="FRNKLN2STATE",
        sam_registration_expires=today + timedelta(days=300),
    )
    world.organisations["harbor-county"] = core.update_organisation(
        world.organisations["harbor-county"],
        by=by,
        local_government_type="county",
        uei="HRBRC2UNTY12",
        sam_registration_expires=today + timedelta(days=200),
    )


def _opportunities(world: World) -> Opportunity:
    omb = world.people["omb_member"]
    posted = _opportunity(world, "OMB-AICS-2027-001", pass_through_percent=Decimal("80"))
    services.attach_to_opportunity(posted, by=omb, title="Notice of funding opportunity", upload=pdf_upload("nofo.pdf"))
    services.post_opportunity(posted, by=omb)
    forecast = _opportunity(world, "OMB-AICS-2027-002")
    document = posted.documents.get()
    missing = {"number": "OMB-AICS-2099-999", "opportunity_number": "OMB-AICS-2099-999"}
    for key, opportunity in (("opportunity", posted), ("opportunity_forecast", forecast)):
        number = opportunity.opportunity_number
        world.add_target(key, {"number": number, "opportunity_number": number}, missing)
    world.add_numbered("opportunity_document", document.pk, "document_id", within={"number": posted.opportunity_number})
    return posted


def _applications(world: World, opportunity: Opportunity) -> None:
    state, omb, nist = (world.people[name] for name in ("state_manager", "omb_member", "nist_member"))
    draft = _application(world, opportunity, "grant-draft")

    submitted = _application(world, opportunity, "grant-submitted")
    services.attach_to_application(submitted, by=state, title=marker("grant-document"), upload=pdf_upload("plan.pdf"))
    services.submit_application(submitted, by=state)
    unattested = services.assign_reviewer(submitted, by=omb, reviewer=nist)

    awarded = _application(world, opportunity, "grant-awarded")
    services.submit_application(awarded, by=state)
    attested = services.attest_no_conflict(services.assign_reviewer(awarded, by=omb, reviewer=nist), by=nist)
    services.score_application(attested, by=nist, scores={1: 90, 2: 80}, comment=marker("grant-review-comment"))
    award = services.award_application(awarded, by=omb, amount=REQUESTED, award_number="OMB-27-0001")
    subaward = services.record_subaward(
        award,
        by=state,
        recipient=world.organisations["harbor-county"],
        amount=Decimal("50000.00"),
        purpose=marker("grant-subaward"),
    )

    for key, application in (("grant_draft", draft), ("grant_submitted", submitted), ("grant_awarded", awarded)):
        world.add_referenced(key, application.tracking_number, "tracking_number")
    document = submitted.documents.get()
    world.add_numbered(
        "grant_document", document.pk, "document_id", within={"tracking_number": submitted.tracking_number}
    )
    world.add_numbered("grant_unattested_review", unattested.pk, "assignment_id", "pk")
    world.add_numbered("grant_attested_review", attested.pk, "assignment_id", "pk")
    world.add_numbered("grant_subaward", subaward.pk, "subaward_id")


def build(world: World) -> None:
    _eligible_applicants(world)
    _applications(world, _opportunities(world))
    search = services.save_search(
        by=world.people["state_manager"], name=marker("grant-search"), query={"keyword": "AI"}
    )
    world.add_numbered("grant_saved_search", search.pk, "search_id")
