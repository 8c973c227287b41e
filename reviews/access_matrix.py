"""Who reaches each page and API route of the review program (checked by tests/security).

The cases belong to lab A. Access to a case, from most to least (reviews/selectors.py):
the assigned agencies (CISA, NSA, NIST) and administrators see everything once it is submitted;
lab A sees its case but not draft findings, agency-only messages or the determination's rationale;
partner A, past the non-disclosure terms, sees the summary and shared documents; the White House,
reviews coordinator, sees that the case exists. Everyone else, partner B before accepting the
terms included, gets 404. A draft is lab A's alone.
"""

from datetime import timedelta

from eo_portal import deadlines
from eo_portal.access_expectations import (
    ACTORS,
    BAD_REQUEST,
    FORBIDDEN,
    OK,
    PDF_UPLOAD,
    REDIRECT,
    SIGNED_IN_API,
    SUPERUSER,
    Secret,
    api,
    api_get,
    api_patch,
    api_post,
    check,
    everyone,
    get,
    group,
    members_of,
    of_kind,
    page,
    post,
)
from eo_portal.models import OrganisationKind, Role

LAB = members_of("lab-a")
LAB_ACTORS = members_of("lab-a", roles=ACTORS)
LAB_MANAGER = members_of("lab-a", roles=[Role.MANAGER])
LAB_VIEWER = LAB - LAB_ACTORS
AGENCIES = members_of("cisa", "nsa", "nist")
AGENCY_ACTORS = members_of("cisa", "nsa", "nist", roles=ACTORS)
# Administrators act as the agencies do.
GOVERNMENT = AGENCIES | SUPERUSER
REVIEWERS = AGENCY_ACTORS | SUPERUSER
# Any lab's members and managers file cases, for their own lab.
FILERS = of_kind(OrganisationKind.LAB, roles=ACTORS)
PARTNER = members_of("partner-a")
COORDINATOR = group("white_house_member")
INVITED = group("partner_b_manager")
# Who sees the case in full, as its lab or its reviewers.
PARTICIPANTS = LAB | GOVERNMENT
# Who sees its summary and shared documents.
SUMMARY_READERS = PARTICIPANTS | PARTNER
# Who knows the case exists (the case in screening has no partner).
CASE_KNOWERS = SUMMARY_READERS | COORDINATOR
SCREENING_KNOWERS = PARTICIPANTS | COORDINATOR

TODAY = deadlines.today()
CASE_FORM = {
    "model_name": "Orion",
    "model_version": "1.0",
    "capability_summary": "General-purpose assistant.",
    "access_method": "hosted_api",
}
FINDING_FORM = {
    "title": "Exploit chaining",
    "severity": "high",
    "category": "exploit_development",
    "description": "Chains known flaws into exploits.",
}
DETERMINATION_FORM = {
    "outcome": "meets_threshold",
    "rationale": "The benchmark results call for a voluntary review.",
    "classified_reference": "BM-2026-0043",
}

ROUTES = {
    # Signed out: what the program is; signed in: the cases one may see.
    "reviews:index": check(None, get(everyone(OK))),
    "reviews:case-create": check(
        None,
        get(page((FILERS, OK), otherwise=FORBIDDEN)),
        post(page((FILERS, REDIRECT), otherwise=FORBIDDEN), CASE_FORM),
    ),
    # Partner B's invitation: its manager alone reads the terms and accepts them.
    "reviews:invitation": check("review_invitation", get(page((INVITED, OK))), post(page((INVITED, REDIRECT)))),
    "reviews:case-detail": check("review_case", get(page((CASE_KNOWERS, OK)))),
    "reviews:case-edit": check(
        "review_draft",
        get(page((LAB_ACTORS | SUPERUSER, OK), (LAB_VIEWER, FORBIDDEN))),
        post(page((LAB_ACTORS | SUPERUSER, REDIRECT), (LAB_VIEWER, FORBIDDEN)), CASE_FORM),
    ),
    "reviews:case-government-access": check(
        "review_case",
        post(
            page((LAB_MANAGER | REVIEWERS, REDIRECT), (PARTICIPANTS, FORBIDDEN)),
            {"government_access_date": (TODAY - timedelta(days=5)).isoformat()},
        ),
    ),
    # An administrator is no assigned agency: the form says only an agency's member records it.
    "reviews:case-determination": check(
        "review_screening",
        get(page((REVIEWERS, OK), (PARTICIPANTS, FORBIDDEN))),
        post(page((AGENCY_ACTORS, REDIRECT), (SUPERUSER, OK), (PARTICIPANTS, FORBIDDEN)), DETERMINATION_FORM),
    ),
    # Both partners already have their access row: a second proposal is answered on the page.
    "reviews:case-partners": check(
        "review_case",
        get(page((PARTICIPANTS, OK))),
        post(page((LAB_MANAGER | SUPERUSER, OK), (PARTICIPANTS, FORBIDDEN)), {"purpose": "Red-teaming"}),
    ),
    "reviews:partner-action": check(
        "review_invited_partner",
        post(page((LAB_MANAGER | REVIEWERS, REDIRECT), (PARTICIPANTS, FORBIDDEN))),
        action="revoke",
    ),
    "reviews:case-findings": check(
        "review_case",
        get(page((PARTICIPANTS, OK))),
        post(page((AGENCY_ACTORS, REDIRECT), (SUPERUSER, OK), (PARTICIPANTS, FORBIDDEN)), FINDING_FORM),
    ),
    # A draft finding is the agencies' alone: to the lab it is not there.
    "reviews:finding-edit": check(
        "review_draft_finding",
        get(page((REVIEWERS, OK), (GOVERNMENT, FORBIDDEN))),
        post(page((REVIEWERS, REDIRECT), (GOVERNMENT, FORBIDDEN)), FINDING_FORM),
    ),
    "reviews:finding-respond": check(
        "review_issued_finding",
        post(page((LAB_ACTORS, REDIRECT), (PARTICIPANTS, FORBIDDEN)), {"finding-1-body": "Mitigated in 4.2."}),
    ),
    "reviews:case-messages": check(
        "review_case",
        get(page((PARTICIPANTS, OK))),
        post(
            page((LAB_ACTORS | REVIEWERS, REDIRECT), (PARTICIPANTS, FORBIDDEN)),
            {"body": "When is access?", "audience": "participants"},
        ),
    ),
    "reviews:case-documents": check(
        "review_case",
        get(page((SUMMARY_READERS, OK))),
        post(
            page((LAB_ACTORS | REVIEWERS, REDIRECT), (SUMMARY_READERS, FORBIDDEN)),
            {"kind": "other", "title": "Notes", "file": PDF_UPLOAD},
        ),
    ),
    "reviews:document-download": (
        check("review_lab_document", get(page((PARTICIPANTS, OK)))),
        check("review_shared_document", get(page((SUMMARY_READERS, OK)))),
    ),
    "reviews:document-shareable": check(
        "review_lab_document",
        post(page((LAB_ACTORS, REDIRECT), (PARTICIPANTS, FORBIDDEN)), {"shareable": "true"}),
    ),
    "reviews:case-history": check("review_case", get(page((PARTICIPANTS, OK)))),
    # Only the lab's managers withdraw; whoever knows of the case and may not is refused.
    "reviews:case-transition": (
        check(
            "review_case",
            get(page((LAB_MANAGER | SUPERUSER, OK), (CASE_KNOWERS, FORBIDDEN))),
            post(page((LAB_MANAGER | SUPERUSER, REDIRECT), (CASE_KNOWERS, FORBIDDEN))),
            transition="withdraw",
        ),
        # The agencies do not know of a draft: starting its screening finds nothing.
        check(
            "review_draft",
            post(page((SUPERUSER, REDIRECT), (LAB, FORBIDDEN))),
            transition="start-screening",
        ),
    ),
    # The API
    "reviews-api:api-root": check(None, api_get(SIGNED_IN_API)),
    "reviews-api:case-list": check(
        None,
        api_get(SIGNED_IN_API),
        api_post(api((FILERS, OK), otherwise=FORBIDDEN), CASE_FORM),
    ),
    "reviews-api:case-detail": (
        check("review_case", api_get(api((CASE_KNOWERS, OK)))),
        check(
            "review_draft",
            api_patch(api((LAB_ACTORS | SUPERUSER, OK), (LAB_VIEWER, FORBIDDEN)), {"model_version": "4.2"}),
        ),
    ),
    "reviews-api:case-determination": check(
        "review_screening",
        api_post(
            api((AGENCY_ACTORS, OK), (SUPERUSER, BAD_REQUEST), (SCREENING_KNOWERS, FORBIDDEN)), DETERMINATION_FORM
        ),
    ),
    "reviews-api:case-document-download": check("review_lab_document", api_get(api((PARTICIPANTS, OK)))),
    "reviews-api:case-documents": check(
        "review_case",
        api_get(api((SUMMARY_READERS, OK))),
        post(
            api((LAB_ACTORS | REVIEWERS, OK), (SUMMARY_READERS, FORBIDDEN)),
            {"kind": "other", "title": "Notes", "file": PDF_UPLOAD},
        ),
    ),
    "reviews-api:case-finding": check(
        "review_draft_finding",
        api_patch(api((REVIEWERS, OK), (GOVERNMENT, FORBIDDEN)), {"title": "Exploit chaining, confirmed"}),
    ),
    "reviews-api:case-finding-responses": check(
        "review_issued_finding",
        api_post(api((LAB_ACTORS, OK), (PARTICIPANTS, FORBIDDEN)), {"body": "Mitigated in 4.2."}),
    ),
    "reviews-api:case-findings": check(
        "review_case",
        api_get(api((PARTICIPANTS, OK))),
        api_post(api((AGENCY_ACTORS, OK), (SUPERUSER, BAD_REQUEST), (PARTICIPANTS, FORBIDDEN)), FINDING_FORM),
    ),
    "reviews-api:case-government-access": check(
        "review_case",
        api_post(
            api((LAB_MANAGER | REVIEWERS, OK), (CASE_KNOWERS, FORBIDDEN)),
            {"on": (TODAY - timedelta(days=5)).isoformat()},
        ),
    ),
    "reviews-api:case-history": check("review_case", api_get(api((PARTICIPANTS, OK)))),
    "reviews-api:case-issue-findings": check("review_case", api_post(api((REVIEWERS, OK), (CASE_KNOWERS, FORBIDDEN)))),
    "reviews-api:case-messages": check(
        "review_case",
        api_get(api((PARTICIPANTS, OK))),
        api_post(api((LAB_ACTORS | REVIEWERS, OK), (PARTICIPANTS, FORBIDDEN)), {"body": "When is access?"}),
    ),
    "reviews-api:case-partner-decision": check(
        "review_invited_partner",
        api_post(api((LAB_MANAGER | REVIEWERS, OK), (PARTICIPANTS, FORBIDDEN))),
        verb="revoke",
    ),
    "reviews-api:case-partners": check(
        "review_case",
        api_get(api((PARTICIPANTS, OK))),
        api_post(api((LAB_MANAGER | SUPERUSER, BAD_REQUEST), (PARTICIPANTS, FORBIDDEN)), {"partner": "partner-b"}),
    ),
    "reviews-api:case-step": check(
        "review_case",
        api_post(api((LAB_MANAGER | SUPERUSER, OK), (CASE_KNOWERS, FORBIDDEN))),
        step="withdraw",
    ),
    "reviews-api:invitation-list": check(None, api_get(SIGNED_IN_API)),
    "reviews-api:invitation-accept-terms": check("review_invitation", api_post(api((INVITED, OK)))),
}

SECRETS = {
    "review-case-model": Secret(SUMMARY_READERS, "reviews:case-detail", "partner_manager"),
    "review-case-summary": Secret(SUMMARY_READERS, "reviews:case-detail", "partner_viewer"),
    "review-case-access-notes": Secret(SUMMARY_READERS, "reviews:case-detail", "lab_viewer"),
    "review-rationale": Secret(GOVERNMENT, "reviews:case-detail", "nsa_member"),
    "review-issued-finding": Secret(PARTICIPANTS, "reviews:case-findings", "lab_viewer"),
    "review-draft-finding": Secret(GOVERNMENT, "reviews:case-findings", "cisa_viewer"),
    "review-participants-message": Secret(PARTICIPANTS, "reviews:case-messages", "lab_member"),
    "review-government-message": Secret(GOVERNMENT, "reviews:case-messages", "nist_member"),
    "review-shared-document": Secret(SUMMARY_READERS, "reviews:case-documents", "partner_member"),
    "review-lab-document": Secret(PARTICIPANTS, "reviews:case-documents", "lab_member"),
    "review-lab-document-content": Secret(PARTICIPANTS, "reviews:document-download", "cisa_member"),
    "review-draft-model": Secret(LAB | SUPERUSER, "reviews:case-detail", "lab_viewer", on="review_draft"),
    "review-draft-summary": Secret(LAB | SUPERUSER, "reviews:case-detail", "lab_member", on="review_draft"),
    "review-draft-access-notes": Secret(LAB | SUPERUSER, "reviews:case-detail", "lab_manager", on="review_draft"),
    "review-screening-model": Secret(PARTICIPANTS, "reviews:case-detail", "nist_member", on="review_screening"),
    "review-screening-summary": Secret(PARTICIPANTS, "reviews:case-detail", "cisa_viewer", on="review_screening"),
    "review-screening-access-notes": Secret(PARTICIPANTS, "reviews:case-detail", "nsa_member", on="review_screening"),
}
