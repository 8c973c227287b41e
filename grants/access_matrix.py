"""Who reaches each page and API route of the grants program (checked by tests/security).

Opportunities are public. OMB's grant staff created and administer the opportunity. The State of
Franklin's applications are its own: a draft only it sees; a submitted one its grant staff see too;
NIST's member reviews the awarded one (attested) and is assigned the submitted one (not yet
attested, so sees nothing of it). Harbor County received a pass-through subaward.
Anything else answers 404.
"""

from eo_portal.access_expectations import (
    ACTORS,
    ANYONE,
    BAD_REQUEST,
    CONFLICT,
    FORBIDDEN,
    LOGIN,
    OK,
    PDF_UPLOAD,
    PUBLIC,
    REDIRECT,
    SENT_BACK,
    SIGNED_IN_API,
    SIGNED_IN_PAGE,
    SIGNED_OUT,
    SUPERUSER,
    Secret,
    api,
    api_get,
    api_patch,
    api_post,
    check,
    get,
    group,
    members_of,
    of_kind,
    page,
    post,
)
from eo_portal.models import OrganisationKind

GRANT_STAFF = group("omb_member") | SUPERUSER
STATE = members_of("state-franklin")
STATE_ACTORS = members_of("state-franklin", roles=ACTORS)
REVIEWER = group("nist_member")
COUNTY = members_of("harbor-county")
# Agency staff draft opportunities for their own agency; OMB's for any.
OPPORTUNITY_CREATORS = of_kind(OrganisationKind.AGENCY, roles=ACTORS) | SUPERUSER
# Governments and operators act for their organisation; the posted opportunity is for states,
# counties, tribes and territories.
APPLYING = of_kind(
    OrganisationKind.STATE,
    OrganisationKind.LOCAL,
    OrganisationKind.TRIBAL,
    OrganisationKind.TERRITORIAL,
    OrganisationKind.OPERATOR,
    roles=ACTORS,
)
ELIGIBLE_TYPES = APPLYING - of_kind(OrganisationKind.OPERATOR)
# Of those, only the state and the county have the UEI and SAM.gov registration the page asks for.
ELIGIBLE = STATE_ACTORS | members_of("harbor-county", roles=ACTORS)

DRAFT_READERS = STATE | SUPERUSER
SUBMITTED_READERS = STATE | GRANT_STAFF
AWARDED_READERS = SUBMITTED_READERS | REVIEWER
SUBAWARD_READERS = AWARDED_READERS | COUNTY

APPLICATION = {
    "project_title": "AI-assisted monitoring",
    "abstract": "Around-the-clock monitoring.",
    "period_start": "2027-01-01",
    "period_end": "2027-12-31",
    "requested_amount": "90000.00",
}
AWARD = {"amount": "90000.00", "award_number": "OMB-27-0002"}
SCORES = {"scores": {"1": 80, "2": 70}, "comment": "Sound plan."}

ROUTES = {
    # Anyone searches; a signed-in person saves the search.
    # A signed-in person saves the search they see; with no search given, the page says so.
    "grants:index": check(None, get(PUBLIC), post({SIGNED_OUT: LOGIN, ANYONE: OK}, {"name": "AI grants"})),
    "grants:saved-searches": check(None, get(SIGNED_IN_PAGE)),
    "grants:saved-search-delete": check(
        "grant_saved_search",
        post(page((group("state_manager"), REDIRECT))),
    ),
    "grants:opportunity-create": check(
        None,
        get(page((OPPORTUNITY_CREATORS, OK), otherwise=FORBIDDEN)),
        post(page((OPPORTUNITY_CREATORS, OK), otherwise=FORBIDDEN), {"title": "AI security operations"}),
    ),
    "grants:opportunity-detail": (
        check("opportunity", get(PUBLIC)),
        check("opportunity_forecast", get(PUBLIC)),
    ),
    "grants:opportunity-document": check("opportunity_document", get(PUBLIC)),
    # Opportunities are public: who may not run one sees it and is refused.
    "grants:opportunity-attach": check(
        "opportunity",
        post(
            page((GRANT_STAFF, REDIRECT), otherwise=FORBIDDEN), {"title": "Questions and answers", "file": PDF_UPLOAD}
        ),
    ),
    "grants:opportunity-edit": check(
        "opportunity_forecast",
        get(page((GRANT_STAFF, OK), otherwise=FORBIDDEN)),
        post(page((GRANT_STAFF, OK), otherwise=FORBIDDEN), {"title": "AI security operations"}),
    ),
    "grants:opportunity-amend": check(
        "opportunity",
        get(page((GRANT_STAFF, OK), otherwise=FORBIDDEN)),
        post(page((GRANT_STAFF, OK), otherwise=FORBIDDEN), {"summary": "Longer period."}),
    ),
    "grants:opportunity-applications": check("opportunity", get(page((GRANT_STAFF, OK)))),
    # Who may not apply is sent back to the opportunity, which says why.
    "grants:application-create": check(
        "opportunity",
        get(page((ELIGIBLE, OK), otherwise=SENT_BACK)),
        post(page((ELIGIBLE, OK), otherwise=SENT_BACK), APPLICATION),
    ),
    "grants:opportunity-move": check(
        "opportunity_forecast", post(page((GRANT_STAFF, REDIRECT), otherwise=FORBIDDEN)), move="post"
    ),
    "grants:application-list": check(None, get(SIGNED_IN_PAGE)),
    "grants:application-detail": (
        check("grant_draft", get(page((DRAFT_READERS, OK)))),
        check("grant_submitted", get(page((SUBMITTED_READERS, OK)))),
        check("grant_awarded", get(page((AWARDED_READERS, OK)))),
    ),
    # The reviewer reads the application, not its history.
    "grants:application-history": check("grant_awarded", get(page((SUBMITTED_READERS, OK)))),
    "grants:application-edit": check(
        "grant_draft",
        get(page((STATE_ACTORS, OK), (DRAFT_READERS, FORBIDDEN))),
        post(page((STATE_ACTORS, REDIRECT), (DRAFT_READERS, FORBIDDEN)), APPLICATION),
    ),
    "grants:application-document": check("grant_document", get(page((SUBMITTED_READERS, OK)))),
    "grants:application-attach": check(
        "grant_draft",
        post(page((STATE_ACTORS, REDIRECT), (DRAFT_READERS, FORBIDDEN)), {"title": "Budget", "file": PDF_UPLOAD}),
    ),
    "grants:application-submit": check(
        "grant_draft",
        post(page((STATE_ACTORS, REDIRECT), (DRAFT_READERS, FORBIDDEN))),
    ),
    "grants:application-withdraw": check(
        "grant_submitted",
        post(page((STATE_ACTORS, REDIRECT), (SUBMITTED_READERS, FORBIDDEN))),
    ),
    "grants:application-assign": check(
        "grant_submitted",
        post(page((GRANT_STAFF, OK), (SUBMITTED_READERS, FORBIDDEN)), {"reviewer": "cisa-member"}),
    ),
    "grants:application-award": check(
        "grant_submitted",
        post(page((GRANT_STAFF, REDIRECT), (SUBMITTED_READERS, FORBIDDEN)), AWARD),
    ),
    "grants:application-decline": check(
        "grant_submitted",
        post(page((GRANT_STAFF, REDIRECT), (SUBMITTED_READERS, FORBIDDEN)), {"note": "Others scored higher."}),
    ),
    "grants:application-subaward": check(
        "grant_awarded",
        post(page((STATE_ACTORS, OK), (AWARDED_READERS, FORBIDDEN)), {"amount": "1000.00", "purpose": "Sensors"}),
    ),
    "grants:review-list": check(None, get(SIGNED_IN_PAGE)),
    # An assignment is its reviewer's alone.
    "grants:review-detail": check("grant_unattested_review", get(page((REVIEWER, OK)))),
    "grants:review-attest": check(
        "grant_unattested_review",
        post(page((REVIEWER, REDIRECT)), {"no_conflict": "on"}),
    ),
    "grants:review-score": check(
        "grant_unattested_review",
        post(page((REVIEWER, SENT_BACK)), {"comment": "Sound plan."}),
    ),
    "grants:subaward-detail": check("grant_subaward", get(page((SUBAWARD_READERS, OK)))),
    # The API
    "grants-api:api-root": check(None, api_get(SIGNED_IN_API)),
    "grants-api:opportunity-list": check(
        None,
        api_get(PUBLIC),
        api_post(api((OPPORTUNITY_CREATORS, BAD_REQUEST), otherwise=FORBIDDEN), {"title": "AI security operations"}),
    ),
    "grants-api:opportunity-detail": (
        check("opportunity", api_get(PUBLIC)),
        check(
            "opportunity_forecast",
            api_patch(api((GRANT_STAFF, OK), otherwise=FORBIDDEN), {"title": "AI security operations"}),
        ),
    ),
    "grants-api:opportunity-amend": check(
        "opportunity", api_post(api((GRANT_STAFF, OK), otherwise=FORBIDDEN), {"summary": "Longer period."})
    ),
    "grants-api:opportunity-move": check(
        "opportunity_forecast", api_post(api((GRANT_STAFF, OK), otherwise=FORBIDDEN)), move="post"
    ),
    "grants-api:application-list": check(
        None,
        api_get(SIGNED_IN_API),
        api_post(
            api((ELIGIBLE_TYPES, OK), (APPLYING, BAD_REQUEST), otherwise=FORBIDDEN),
            APPLICATION | {"opportunity": "OMB-AICS-2027-001"},
        ),
    ),
    "grants-api:application-detail": (
        check("grant_submitted", api_get(api((SUBMITTED_READERS, OK)))),
        check(
            "grant_draft",
            api_patch(api((STATE_ACTORS, OK), (DRAFT_READERS, FORBIDDEN)), {"project_title": "Monitoring"}),
        ),
    ),
    "grants-api:application-assign-reviewer": check(
        "grant_submitted", api_post(api((GRANT_STAFF, OK), (SUBMITTED_READERS, FORBIDDEN)), {"reviewer": "cisa-member"})
    ),
    "grants-api:application-award": check(
        "grant_submitted", api_post(api((GRANT_STAFF, OK), (SUBMITTED_READERS, FORBIDDEN)), AWARD)
    ),
    "grants-api:application-decline": check(
        "grant_submitted", api_post(api((GRANT_STAFF, OK), (SUBMITTED_READERS, FORBIDDEN)), {"note": "Others first."})
    ),
    # Only the assigned, attested reviewer scores; after the award it is too late.
    "grants-api:application-score": check("grant_awarded", api_post(api((REVIEWER, CONFLICT)), SCORES)),
    "grants-api:application-submit": check(
        "grant_draft", api_post(api((STATE_ACTORS, OK), (DRAFT_READERS, FORBIDDEN)))
    ),
    "grants-api:application-withdraw": check(
        "grant_submitted", api_post(api((STATE_ACTORS, OK), (SUBMITTED_READERS, FORBIDDEN)))
    ),
    "grants-api:review-list": check(None, api_get(SIGNED_IN_API)),
    "grants-api:review-detail": check("grant_unattested_review", api_get(api((REVIEWER, OK)))),
    # Attesting shows the reviewer the application.
    "grants-api:review-attest": check(
        "grant_unattested_review", api_post(api((REVIEWER, OK)), reveals=["grant-submitted"])
    ),
    "grants-api:review-score": check("grant_attested_review", api_post(api((REVIEWER, CONFLICT)), SCORES)),
}

SECRETS = {
    "grant-draft": Secret(DRAFT_READERS, "grants:application-detail", "state_viewer"),
    "grant-submitted": Secret(SUBMITTED_READERS, "grants:application-detail", "omb_member", on="grant_submitted"),
    "grant-awarded": Secret(AWARDED_READERS, "grants:application-detail", "nist_member", on="grant_awarded"),
    "grant-document": Secret(SUBMITTED_READERS, "grants:application-detail", "state_member", on="grant_submitted"),
    "grant-review-comment": Secret(
        GRANT_STAFF | REVIEWER, "grants:application-detail", "omb_member", on="grant_awarded"
    ),
    "grant-subaward": Secret(SUBAWARD_READERS, "grants:subaward-detail", "local_viewer"),
    "grant-search": Secret(group("state_manager"), "grants:saved-searches", "state_manager"),
}
