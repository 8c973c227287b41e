"""Who may reach which URL: the terms the access tables are written in.

Each app keeps its table next to it (`<app>/access_matrix.py`): for every named route, the object
its URL names and, for each method, what each persona gets. The permission matrix test
(tests/security/test_permission_matrix.py) builds the organisations and personas declared here and
the objects the tables name, requests every route as every persona and compares; a route with no
entry fails it, so no view escapes.

Plain data and small helpers only: nothing here runs a query or imports test code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from eo_portal.models import OrganisationKind, Role, Sector

# ---------------------------------------------------------------------------
# Outcomes: what a response's status says, as the tables write it.

OK = "ok"  # 2xx
REDIRECT = "redirect"  # 3xx, anywhere but the sign-in page
# A 3xx back to the object's page with a message saying why nothing was done (the object's state
# does not allow it, or the person may not apply): a refusal, though a redirect.
SENT_BACK = "sent back"
LOGIN = "login"  # 3xx to the sign-in page: a signed-out visitor of a page
ADMIN_LOGIN = "admin login"  # 3xx to the admin's sign-in page
BAD_REQUEST = "400"
UNAUTHENTICATED = "401"  # the API without credentials
FORBIDDEN = "403"  # sees the object, but the role does not allow the action
NOT_FOUND = "404"  # may not see it: the same answer as for an object that does not exist
NOT_ALLOWED = "405"
CONFLICT = "409"

# A body value standing for a small PDF file (a form with it is posted as multipart).
PDF_UPLOAD = "<a small PDF>"


@dataclass(frozen=True)
class FromTarget:
    """A body value naming an object of the tests' world: the URL argument `name` of target `on`."""

    on: str
    name: str


# Outcomes that refuse the request: nothing may change and no e-mail may go.
REFUSALS = frozenset(
    {LOGIN, ADMIN_LOGIN, SENT_BACK, BAD_REQUEST, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, CONFLICT}
)


def matches(actual: str, expected: str) -> bool:
    """Whether a response's outcome is the declared one (a refusal by redirect is a redirect)."""
    return actual == expected or (expected == SENT_BACK and actual == REDIRECT)


# ---------------------------------------------------------------------------
# The organisations and personas the tables speak of (the tests build exactly these).


@dataclass(frozen=True)
class OrganisationSpec:
    slug: str
    kind: str
    sectors: tuple[str, ...] = ()
    # Loaded by the core's data migration rather than built by the tests.
    from_migration: bool = False


ORGANISATIONS = {
    organisation.slug: organisation
    for organisation in (
        OrganisationSpec("lab-a", OrganisationKind.LAB),
        OrganisationSpec("lab-b", OrganisationKind.LAB),
        OrganisationSpec("partner-a", OrganisationKind.PARTNER),
        OrganisationSpec("partner-b", OrganisationKind.PARTNER),
        OrganisationSpec("cisa", OrganisationKind.AGENCY, from_migration=True),
        OrganisationSpec("nsa", OrganisationKind.AGENCY, from_migration=True),
        OrganisationSpec("nist", OrganisationKind.AGENCY, from_migration=True),
        OrganisationSpec("treasury", OrganisationKind.AGENCY, from_migration=True),
        OrganisationSpec("omb", OrganisationKind.AGENCY, from_migration=True),
        OrganisationSpec("opm", OrganisationKind.AGENCY, from_migration=True),
        OrganisationSpec("white-house", OrganisationKind.AGENCY, from_migration=True),
        OrganisationSpec("state-franklin", OrganisationKind.STATE),
        OrganisationSpec("harbor-county", OrganisationKind.LOCAL),
        OrganisationSpec("cedar-river-tribe", OrganisationKind.TRIBAL),
        OrganisationSpec("pacific-territory", OrganisationKind.TERRITORIAL),
        OrganisationSpec("grid-energy", OrganisationKind.OPERATOR, (Sector.ENERGY,)),
        OrganisationSpec("clearwater", OrganisationKind.OPERATOR, (Sector.WATER,)),
    )
}


@dataclass(frozen=True)
class Persona:
    name: str
    organisation: str | None = None
    role: str | None = None
    staff: bool = False
    superuser: bool = False
    # Signed in, then deactivated: the session it holds must no longer work.
    deactivated: bool = False
    signed_in: bool = True


def _roles_of(prefix: str, organisation: str, *, staff: bool = False) -> list[Persona]:
    return [
        Persona(f"{prefix}_{role}", organisation, role, staff=staff)
        for role in (Role.MANAGER, Role.MEMBER, Role.VIEWER)
    ]


PERSONAS = {
    persona.name: persona
    for persona in (
        Persona("anonymous", signed_in=False),
        Persona("inactive", "lab-a", Role.MEMBER, deactivated=True),
        *_roles_of("lab", "lab-a"),
        Persona("lab_b_manager", "lab-b", Role.MANAGER),
        *_roles_of("partner", "partner-a"),
        Persona("partner_b_manager", "partner-b", Role.MANAGER),
        # Agency accounts are staff, as in the demo: they work in the admin too.
        *_roles_of("cisa", "cisa", staff=True),
        *(
            Persona(f"{slug.replace('-', '_')}_member", slug, Role.MEMBER, staff=True)
            for slug in ("nsa", "nist", "treasury", "omb", "opm", "white-house")
        ),
        *_roles_of("state", "state-franklin"),
        *_roles_of("local", "harbor-county"),
        *_roles_of("tribal", "cedar-river-tribe"),
        *_roles_of("territorial", "pacific-territory"),
        *_roles_of("operator", "grid-energy"),
        Persona("operator_b_manager", "clearwater", Role.MANAGER),
        # Job seekers have no organisation: `applicant` applied to an opening, `jobseeker` did not.
        Persona("applicant"),
        Persona("jobseeker"),
        Persona("superuser", staff=True, superuser=True),
    )
}


# ---------------------------------------------------------------------------
# Groups of personas, for the tables. A group is a frozenset of persona names.

Group = frozenset[str]


def group(*names: str) -> Group:
    unknown = set(names) - set(PERSONAS)
    if unknown:
        raise ValueError(f"no such persona: {sorted(unknown)}")
    return frozenset(names)


def members_of(*slugs: str, roles: Iterable[str] = tuple(Role)) -> Group:
    """The (active) personas of these organisations with these roles."""
    wanted = set(roles)
    return frozenset(
        p.name for p in PERSONAS.values() if p.organisation in slugs and p.role in wanted and not p.deactivated
    )


def of_kind(*kinds: str, roles: Iterable[str] = tuple(Role)) -> Group:
    return members_of(*(o.slug for o in ORGANISATIONS.values() if o.kind in kinds), roles=roles)


ACTORS = (Role.MANAGER, Role.MEMBER)  # a viewer may only view
SIGNED_OUT = group("anonymous", "inactive")
SUPERUSER = group("superuser")
STAFF = frozenset(p.name for p in PERSONAS.values() if p.staff)
# Matches every persona; put it last.
ANYONE = frozenset({"*"})


# ---------------------------------------------------------------------------
# Routes


@dataclass(frozen=True)
class Call:
    """One request: its method, its body, and the outcome per persona group. The first group in
    `expect` that holds the persona decides; `ANYONE` catches the rest. `reveals` names the secrets
    that doing it lets the persona read (attesting no conflict shows the application)."""

    method: str
    expect: Mapping[Group, str]
    body: Mapping[str, object] | None = None
    # "json" for the API; pages post forms.
    encoding: str = "form"
    reveals: frozenset[str] = frozenset()

    def outcome_for(self, persona: str) -> str:
        for members, outcome in self.expect.items():
            if persona in members or members == ANYONE:
                return outcome
        raise LookupError(f"{self.method}: no outcome declared for {persona}; end the table with ANYONE")


@dataclass(frozen=True)
class Check:
    """The calls made on one URL of a route: `on` names the object its URL names (None: no
    object), `params` the URL's other parts (a step's name)."""

    on: str | None
    calls: tuple[Call, ...]
    params: Mapping[str, str] = field(default_factory=dict)


def get(expect: Mapping[Group, str]) -> Call:
    return Call("GET", expect)


def post(expect: Mapping[Group, str], body: Mapping[str, object] | None = None, *, reveals=()) -> Call:
    return Call("POST", expect, body or {}, reveals=frozenset(reveals))


def api_get(expect: Mapping[Group, str]) -> Call:
    return Call("GET", expect, encoding="json")


def api_post(expect: Mapping[Group, str], body: Mapping[str, object] | None = None, *, reveals=()) -> Call:
    return Call("POST", expect, body or {}, encoding="json", reveals=frozenset(reveals))


def api_patch(expect: Mapping[Group, str], body: Mapping[str, object]) -> Call:
    return Call("PATCH", expect, body, encoding="json")


def api_delete(expect: Mapping[Group, str]) -> Call:
    return Call("DELETE", expect, encoding="json")


def check(on: str | None, *calls: Call, **params: str) -> Check:
    return Check(on, calls, params)


def everyone(outcome: str) -> dict[Group, str]:
    return {ANYONE: outcome}


def page(*groups_and_outcomes: tuple[Group, str], otherwise: str = NOT_FOUND) -> dict[Group, str]:
    """A page behind sign-in: the signed-out are sent to sign in, then each (group, outcome) in
    turn, then `otherwise` (by default: it is not there for you)."""
    return {SIGNED_OUT: LOGIN, **dict(groups_and_outcomes), ANYONE: otherwise}


def public(*groups_and_outcomes: tuple[Group, str], otherwise: str = NOT_FOUND) -> dict[Group, str]:
    """A page anyone may open: what the object is to the persona decides, signed in or not."""
    return {**dict(groups_and_outcomes), ANYONE: otherwise}


def api(*groups_and_outcomes: tuple[Group, str], otherwise: str = NOT_FOUND) -> dict[Group, str]:
    """An API route behind sign-in: no credentials is a 401, then as `page`."""
    return {SIGNED_OUT: UNAUTHENTICATED, **dict(groups_and_outcomes), ANYONE: otherwise}


PUBLIC = everyone(OK)
SIGNED_IN_PAGE = page(otherwise=OK)
SIGNED_IN_API = api(otherwise=OK)


# ---------------------------------------------------------------------------
# Confidential text


@dataclass(frozen=True)
class Secret:
    """A confidential field that carries a unique marker in the tests' objects: no response to a
    persona outside `readers` may contain it. The page of `route` (for the object `on`, by default
    the route's own) must show it to `shown_to`, so the marker is known to be really in place."""

    readers: Group
    route: str
    shown_to: str
    on: str | None = None


def marker(key: str) -> str:
    """The text put into a secret's field: letters and hyphens only, so no field's validators
    mistake it for a credential or a classification marking."""
    return f"hush-{key}-mark"


# ---------------------------------------------------------------------------
# The admin: one rule for every registered model's list, change and history pages.


def admin_outcome(persona: str, view: str, *, may_view_model: bool, sees_object: bool, portal_admin: bool) -> str:
    """Only active staff reach the admin; the others are sent to its sign-in page. A list shows what
    the model's selector gives, to staff with the model's view permission (the others are refused).
    An object outside the list is missing, as one that does not exist: its change page sends to the
    admin's index, its history answers 404 in the portal's admins (Django's own send to the index
    too). Administrators see every history."""
    who = PERSONAS[persona]
    if not (who.signed_in and who.staff and not who.deactivated):
        return ADMIN_LOGIN
    if view == "history" and not sees_object and not who.superuser:
        return NOT_FOUND if portal_admin else REDIRECT
    if not may_view_model:
        return FORBIDDEN
    if view == "change" and not sees_object:
        return REDIRECT
    return OK
