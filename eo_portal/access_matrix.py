"""Who reaches each page and API route of the core (checked by tests/security).

Lab A's profile is its members' and, by their whole-class role, every agency's; only its members
and managers edit it, only its manager manages its people. A notification and an API token are
their owner's alone (lab A's manager). Mandates are public; the agencies responsible for one, and
the White House, report on it. Sign-up and its pages are for people who are signed out.
"""

from eo_portal.access_expectations import (
    ACTORS,
    ANYONE,
    FORBIDDEN,
    NOT_ALLOWED,
    OK,
    ORGANISATIONS,
    PUBLIC,
    REDIRECT,
    SIGNED_IN_API,
    SIGNED_IN_PAGE,
    SIGNED_OUT,
    STAFF,
    SUPERUSER,
    Secret,
    api,
    api_delete,
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

LAB_A = members_of("lab-a")
LAB_A_ACTORS = members_of("lab-a", roles=ACTORS)
LAB_A_MANAGER = group("lab_manager")
# The organisation pages' readers: its members, and every agency by its whole-class role.
LAB_A_PROFILE_READERS = LAB_A | of_kind(OrganisationKind.AGENCY) | SUPERUSER
# The mandate of the order's review framework: NSA, CISA and NIST report on it, the White House oversees.
MANDATE_REPORTERS = members_of("nsa", "cisa", "nist", "white-house", roles=ACTORS) | SUPERUSER

SIGNED_OUT_ONLY = {SIGNED_OUT: OK, ANYONE: REDIRECT}
TOKEN = {"name": "Nightly export", "days": 30}

ROUTES = {
    "home": check(None, get(PUBLIC)),
    "transparency": check(None, get(PUBLIC)),
    "transparency-csv": check(None, get(PUBLIC)),
    "login": check(
        None,
        get(SIGNED_OUT_ONLY),
        # A wrong password is answered on the page (and recorded in the sign-in audit log).
        post(SIGNED_OUT_ONLY, {"username": "lab-manager", "password": "not the password"}),
    ),
    "logout": check(None, get(everyone(NOT_ALLOWED)), post(everyone(REDIRECT))),
    # Who has an authenticator is sent on; who has none sees a new secret to scan.
    "mfa-enrol": check(
        None, get(page((STAFF | members_of(*ORGANISATIONS, roles=[Role.MANAGER]), REDIRECT), otherwise=OK))
    ),
    "mfa-verify": check(None, get(page(otherwise=REDIRECT))),
    "password_change": check(
        None,
        get(SIGNED_IN_PAGE),
        post(SIGNED_IN_PAGE, {"old_password": "wrong", "new_password1": "x", "new_password2": "y"}),
    ),
    "password_change_done": check(None, get(SIGNED_IN_PAGE)),
    "signup": check(
        None,
        get(SIGNED_OUT_ONLY),
        post(
            {SIGNED_OUT: REDIRECT, ANYONE: REDIRECT},
            {
                "username": "new-seeker",
                "email": "new-seeker@example.test",
                "first_name": "New",
                "last_name": "Seeker",
                "password": "a long enough passphrase 42",
                "password_confirmation": "a long enough passphrase 42",
            },
        ),
    ),
    "signup-done": check(None, get(SIGNED_OUT_ONLY)),
    "verification-resent": check(None, get(SIGNED_OUT_ONLY)),
    "account-verify-resend": check(
        None, get(SIGNED_OUT_ONLY), post(everyone(REDIRECT), {"email": "awaiting@example.test"})
    ),
    # The link is the credential: whoever holds it may activate the account it names.
    "account-verify": check("verification_link", get(PUBLIC), post(everyone(REDIRECT))),
    "profile": check(None, get(SIGNED_IN_PAGE), post(SIGNED_IN_PAGE, TOKEN)),
    "api-token-revoke": check(
        "api_token",
        post(page((LAB_A_MANAGER, REDIRECT))),
    ),
    "notification-list": check(None, get(SIGNED_IN_PAGE)),
    "notifications-read-all": check(None, post(page(otherwise=REDIRECT))),
    "notification-read": check("notification", post(page((LAB_A_MANAGER, REDIRECT)))),
    "mandate-list": check(None, get(PUBLIC)),
    "mandate-detail": check("mandate", get(PUBLIC)),
    "mandate-history": check("mandate", get(PUBLIC)),
    # Mandates are public: whoever may not report on one sees it and is refused.
    "mandate-edit": check(
        "mandate",
        get(page((MANDATE_REPORTERS, OK), otherwise=FORBIDDEN)),
        post(page((MANDATE_REPORTERS, REDIRECT), otherwise=FORBIDDEN), {"status": "in_progress"}),
    ),
    "organisation-list": check(None, get(SIGNED_IN_PAGE)),
    "organisation-detail": check("organisation", get(page((LAB_A_PROFILE_READERS, OK)))),
    "organisation-history": check("organisation", get(page((LAB_A_PROFILE_READERS, OK)))),
    "organisation-edit": check(
        "organisation",
        get(page((LAB_A_ACTORS | SUPERUSER, OK), (LAB_A_PROFILE_READERS, FORBIDDEN))),
        post(
            page((LAB_A_ACTORS | SUPERUSER, REDIRECT), (LAB_A_PROFILE_READERS, FORBIDDEN)),
            {"name": "Lab A", "short_name": "Lab A"},
        ),
    ),
    "organisation-members": check(
        "organisation",
        get(page((LAB_A_MANAGER | SUPERUSER, OK), (LAB_A_PROFILE_READERS, FORBIDDEN))),
        post(
            page((LAB_A_MANAGER | SUPERUSER, REDIRECT), (LAB_A_PROFILE_READERS, FORBIDDEN)),
            {"username": "jobseeker", "role": Role.MEMBER},
        ),
    ),
    # A membership is managed by the organisation's managers alone; to anyone else it is not there.
    "membership-role": check(
        "membership",
        post(page((LAB_A_MANAGER | SUPERUSER, REDIRECT)), {"role": Role.MEMBER}),
    ),
    "membership-remove": check(
        "membership",
        post(page((LAB_A_MANAGER | SUPERUSER, REDIRECT))),
    ),
    # The API
    "api-me": check(None, api_get(SIGNED_IN_API)),
    "api-transparency": check(None, api_get(PUBLIC)),
    "api:api-root": check(None, api_get(SIGNED_IN_API)),
    "api:organisation-list": check(None, api_get(SIGNED_IN_API)),
    "api:organisation-detail": check(
        "organisation",
        api_get(api((LAB_A_PROFILE_READERS, OK))),
        api_patch(
            api((LAB_A_ACTORS | SUPERUSER, OK), (LAB_A_PROFILE_READERS, FORBIDDEN)),
            {"description": "Frontier models."},
        ),
    ),
    "api:notification-list": check(None, api_get(SIGNED_IN_API)),
    "api:notification-read": check("notification", api_post(api((LAB_A_MANAGER, OK)))),
    "api:token-list": check(None, api_get(SIGNED_IN_API), api_post(SIGNED_IN_API, TOKEN)),
    "api:token-detail": check("api_token", api_delete(api((LAB_A_MANAGER, OK)))),
    "api:mandate-list": check(None, api_get(PUBLIC)),
    "api:mandate-detail": check(
        "mandate",
        api_get(PUBLIC),
        api_patch(api((MANDATE_REPORTERS, OK), otherwise=FORBIDDEN), {"status": "in_progress"}),
    ),
    "api-schema": check(None, api_get(PUBLIC)),
    "api-docs": check(None, get(PUBLIC)),
}

SECRETS = {
    "organisation-profile": Secret(LAB_A_PROFILE_READERS, "organisation-detail", "cisa_viewer"),
    "notification": Secret(LAB_A_MANAGER, "notification-list", "lab_manager"),
    "api-token": Secret(LAB_A_MANAGER | SUPERUSER, "profile", "lab_manager"),
}
