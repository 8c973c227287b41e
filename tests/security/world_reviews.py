"""Review cases for the permission matrix, all of lab A, each step taken by its actor:

- a draft, known only to lab A;
- a case in screening, awaiting the benchmark determination;
- a case with findings issued and a second finding drafted since, a determination, a message for
  all participants and one for the agencies only, a document shared with trusted partners and one
  not, partner A concurred and past the non-disclosure terms, partner B concurred and not yet.

The White House holds the reviews-coordinator role, as in the demo: it sees that cases exist.
"""

from __future__ import annotations

from datetime import timedelta

from eo_portal import deadlines, permissions
from eo_portal.access_expectations import marker
from eo_portal.audit import system_user
from reviews import services
from reviews.models import Audience, DocumentKind, ReviewCase
from reviews.selectors import COORDINATOR_ROLE
from tests.security.builders import World, pdf_upload


def _case(world: World, key: str) -> ReviewCase:
    return services.create_case(
        by=world.people["lab_manager"],
        lab=world.organisations["lab-a"],
        model_name=marker(f"{key}-model"),
        model_version="4.1",
        capability_summary=marker(f"{key}-summary"),
        modalities=["text", "code"],
        access_notes=marker(f"{key}-access-notes"),
        planned_release_date=deadlines.today() + timedelta(days=60),
    )


def _finding(world: World, case: ReviewCase, key: str):
    return services.draft_finding(
        case,
        by=world.people["cisa_member"],
        title="Autonomous exploit chaining",
        severity="high",
        category="exploit_development",
        description=marker(key),
    )


def _walk_to_findings_issued(world: World, case: ReviewCase) -> None:
    lab, cisa, nsa, nist = (world.people[name] for name in ("lab_manager", "cisa_member", "nsa_member", "nist_member"))
    services.submit_case(case, by=lab)
    services.record_government_access(case, by=lab, on=deadlines.today() - timedelta(days=5))
    services.start_screening(case, by=cisa)
    services.record_determination(
        case,
        by=nsa,
        outcome="meets_threshold",
        rationale=marker("review-rationale"),
        classified_reference="BM-2026-0042",
    )
    services.start_review(case, by=nist)
    _finding(world, case, "review-issued-finding")
    services.issue_findings(case, by=cisa)


def _invite(world: World, case: ReviewCase, partner: str):
    access = services.propose_partner(
        case, by=world.people["lab_manager"], partner=world.organisations[partner], purpose="Red-team evaluation"
    )
    return services.decide_partner(access, by=world.people["cisa_member"], concur=True)


def _case_with_everything(world: World) -> None:
    """The case past its findings, with a finding drafted since, messages, documents and partners."""
    lab, cisa = world.people["lab_manager"], world.people["cisa_member"]
    case = _case(world, "review-case")
    _walk_to_findings_issued(world, case)
    draft_finding = _finding(world, case, "review-draft-finding")
    services.post_message(case, by=lab, body=marker("review-participants-message"))
    services.post_message(case, by=cisa, body=marker("review-government-message"), audience=Audience.GOVERNMENT)
    shared = services.upload_document(
        case,
        by=lab,
        kind=DocumentKind.MODEL_CARD,
        title=marker("review-shared-document"),
        upload=pdf_upload("card.pdf"),
        shareable=True,
    )
    unshared = services.upload_document(
        case,
        by=lab,
        kind=DocumentKind.EVALUATION_REPORT,
        title=marker("review-lab-document"),
        upload=pdf_upload("evaluation.pdf", marker("review-lab-document-content")),
    )
    accepted = _invite(world, case, "partner-a")
    services.accept_partner_terms(accepted, by=world.people["partner_manager"])
    invited = _invite(world, case, "partner-b")

    world.add_referenced("review_case", case.reference)
    within = {"reference": case.reference}
    world.add_numbered("review_draft_finding", draft_finding.number, "number", within=within)
    world.add_numbered("review_issued_finding", 1, "number", within=within)
    world.add_numbered("review_shared_document", shared.pk, "document_id", within=within)
    world.add_numbered("review_lab_document", unshared.pk, "document_id", within=within)
    world.add_numbered("review_invited_partner", invited.pk, "access_id", "partner_id", within=within)
    world.add_numbered("review_invitation", invited.pk, "invitation_id", "pk")


def build(world: World) -> None:
    permissions.grant_role_to_organisation(COORDINATOR_ROLE, world.organisations["white-house"], by=system_user())
    world.add_referenced("review_draft", _case(world, "review-draft").reference)

    screening = _case(world, "review-screening")
    services.submit_case(screening, by=world.people["lab_manager"])
    services.start_screening(screening, by=world.people["cisa_member"])
    world.add_referenced("review_screening", screening.reference)

    _case_with_everything(world)
