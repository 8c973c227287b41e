"""Who reaches each page and API route of Tech Force hiring (checked by tests/security).

Pathways and posted openings are public. OPM, the hiring agency, sees its draft and the
applications to its openings; CISA's members and managers also see and consider the applicants to
OPM's pooled cohort, which CISA considers. The applicant sees their own applications, profile,
résumé and saved search. Another job seeker, another agency or anyone else gets 404. OPM's figures
are OPM's.
"""

from eo_portal.access_expectations import (
    ACTORS,
    ANYONE,
    BAD_REQUEST,
    CONFLICT,
    FORBIDDEN,
    LOGIN,
    OK,
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
    public,
)
from eo_portal.models import OrganisationKind

HIRING_AGENCY = group("opm_member") | SUPERUSER
APPLICANT = group("applicant")
APPLICATION_READERS = APPLICANT | HIRING_AGENCY
# The cohort's considering agency (CISA) sees its applicants: members and managers, who act on them.
COHORT_AGENCY = members_of("cisa", roles=ACTORS)
POOLED_READERS = APPLICATION_READERS | COHORT_AGENCY
# Each agency of the cohort (OPM posts it) moves its own stand on an applicant.
COHORT_AGENCIES = group("opm_member") | COHORT_AGENCY
# Agency members and managers draft openings for their agency.
AGENCY_ACTORS = of_kind(OrganisationKind.AGENCY, roles=ACTORS)

ROUTES = {
    # A signed-in person saves the search they see; with no search given, the page says so.
    "workforce:index": check(None, get(PUBLIC), post({SIGNED_OUT: LOGIN, ANYONE: OK}, {"name": "Analyst jobs"})),
    "workforce:pathway-list": check(None, get(PUBLIC)),
    "workforce:pathway-detail": check("pathway", get(PUBLIC)),
    "workforce:opening-create": check(
        None,
        get(page((AGENCY_ACTORS, OK), otherwise=FORBIDDEN)),
        post(page((AGENCY_ACTORS, OK), otherwise=FORBIDDEN), {"title": "Cyber Defense Analyst"}),
    ),
    "workforce:opening-detail": (
        check("opening", get(PUBLIC)),
        check("opening_draft", get(public((HIRING_AGENCY, OK)))),
    ),
    "workforce:opening-edit": check(
        "opening_draft",
        get(page((HIRING_AGENCY, OK))),
        post(page((HIRING_AGENCY, OK)), {"title": "Cyber Defense Analyst"}),
    ),
    # Anyone signed in applies, once: the applicant is sent back with the reason.
    "workforce:opening-apply": check(
        "opening",
        post(page((APPLICANT, SENT_BACK), otherwise=REDIRECT), {"cover_note": "I defend networks."}),
    ),
    "workforce:opening-save": check("opening", post(page(otherwise=REDIRECT))),
    "workforce:opening-applicants": check("opening", get(page((HIRING_AGENCY, OK)))),
    "workforce:opening-history": check("opening", get(page((HIRING_AGENCY, OK)))),
    "workforce:opening-move": check("opening_draft", post(page((HIRING_AGENCY, REDIRECT))), move="post"),
    "workforce:application-list": check(None, get(SIGNED_IN_PAGE)),
    "workforce:application-detail": (
        check("job_application", get(page((APPLICATION_READERS, OK)))),
        check("pooled_application", get(page((POOLED_READERS, OK)))),
    ),
    "workforce:application-withdraw": check("job_application", post(page((APPLICANT, REDIRECT)))),
    # Each agency of a pooled cohort moves its own stand; an opening that is no cohort has none to move.
    "workforce:application-consider": (
        check("pooled_application", post(page((COHORT_AGENCIES, REDIRECT)), {"stage": "interview"})),
        check("job_application", post(page(), {"stage": "interview"})),
    ),
    "workforce:application-advance": check(
        "job_application",
        post(page((HIRING_AGENCY, OK)), {"status": "qualified"}),
    ),
    "workforce:application-place": check(
        "job_application",
        post(page((HIRING_AGENCY, OK)), {"office": "Cyber Division"}),
    ),
    "workforce:profile": check(None, get(SIGNED_IN_PAGE), post(page(otherwise=REDIRECT), {"city": "Macon"})),
    # Each person's own résumé; who has none gets 404.
    "workforce:resume-download": check(None, get(page((APPLICANT, OK)))),
    "workforce:saved": check(None, get(SIGNED_IN_PAGE)),
    "workforce:saved-search-delete": check("job_search", post(page((APPLICANT, REDIRECT)))),
    "workforce:metrics": check(None, get(page((HIRING_AGENCY, OK)))),
    "workforce:metrics-csv": check(None, get(page((HIRING_AGENCY, OK)))),
    # The API
    "workforce-api:api-root": check(None, api_get(SIGNED_IN_API)),
    "workforce-api:metrics": check(None, api_get(api((HIRING_AGENCY, OK)))),
    "workforce-api:pathway-list": check(None, api_get(PUBLIC)),
    "workforce-api:pathway-detail": check("pathway", api_get(PUBLIC)),
    "workforce-api:opening-list": check(
        None,
        api_get(PUBLIC),
        api_post(api((AGENCY_ACTORS, BAD_REQUEST), otherwise=FORBIDDEN), {"title": "Cyber Defense Analyst"}),
    ),
    "workforce-api:opening-detail": (
        check("opening", api_get(PUBLIC)),
        check("opening_draft", api_get(public((HIRING_AGENCY, OK)))),
        check("opening_draft", api_patch(api((HIRING_AGENCY, OK)), {"title": "Cyber Defense Analyst"})),
    ),
    "workforce-api:opening-apply": check(
        "opening", api_post(api((APPLICANT, CONFLICT), otherwise=OK), {"cover_note": "I defend networks."})
    ),
    "workforce-api:opening-move": check("opening_draft", api_post(api((HIRING_AGENCY, OK))), move="post"),
    "workforce-api:application-list": check(None, api_get(SIGNED_IN_API)),
    "workforce-api:application-detail": check("job_application", api_get(api((APPLICATION_READERS, OK)))),
    "workforce-api:application-advance": check(
        "job_application",
        api_post(api((HIRING_AGENCY, OK), (APPLICANT, FORBIDDEN)), {"status": "qualified"}),
    ),
    "workforce-api:application-consider": check(
        "pooled_application",
        # An administrator is no agency of the cohort: there is no stand of theirs to move.
        api_post(
            api((COHORT_AGENCIES, OK), (SUPERUSER, CONFLICT), (POOLED_READERS, FORBIDDEN)),
            {"stage": "interview"},
        ),
    ),
    "workforce-api:application-place": check(
        "job_application",
        api_post(api((HIRING_AGENCY, CONFLICT), (APPLICANT, FORBIDDEN)), {"start_date": "2027-01-04", "office": "HQ"}),
    ),
    "workforce-api:application-withdraw": check(
        "job_application", api_post(api((APPLICANT, OK), (HIRING_AGENCY, FORBIDDEN)))
    ),
}

SECRETS = {
    "applicant-name": Secret(POOLED_READERS, "workforce:opening-applicants", "opm_member"),
    "applicant-profile": Secret(APPLICATION_READERS, "workforce:profile", "applicant"),
    "applicant-resume": Secret(APPLICANT | SUPERUSER, "workforce:resume-download", "applicant"),
    "application-cover-note": Secret(APPLICATION_READERS, "workforce:application-detail", "applicant"),
    "pooled-cover-note": Secret(POOLED_READERS, "workforce:application-detail", "cisa_member", on="pooled_application"),
    "opening-draft": Secret(HIRING_AGENCY, "workforce:opening-detail", "opm_member", on="opening_draft"),
    "workforce-search": Secret(APPLICANT, "workforce:saved", "applicant"),
}
