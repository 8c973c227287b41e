"""The permission matrix: every URL of the portal, as every persona, against objects owned by
someone else, compared with the tables each app declares in `<app>/access_matrix.py`.

For each route, persona and declared request:
- the outcome is the declared one (allowed, 404, 403, 400/405, sign-in redirect, 401);
- a 404 reads exactly as the 404 for an object that does not exist;
- a refused request changes no table (history tables included), enqueues nothing and sends no mail;
- no response carries a secret's marker to someone outside the secret's readers.

The world is built once for the module inside a transaction that is never committed; each test
runs in a savepoint of it, so an allowed write is undone before the next test.

The admin is covered by one rule (`access_expectations.admin_outcome`), on each registered model's
list, change and history pages.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.urls import reverse

from eo_portal import access_expectations as declared
from eo_portal.access_expectations import NOT_FOUND, PERSONAS, REFUSALS, Call, Check, marker
from eo_portal.admin_base import PortalAdmin
from eo_portal.models import OrganisationKind, Role
from tests.security import builders, world_clearinghouse, world_core, world_grants, world_reviews, world_workforce
from tests.security.builders import PROGRAMS, Route, World

# Personas are built by a module-wide fixture: without this mark pytest-django would run these tests
# after the transactional ones, which on PostgreSQL empty the tables the data migrations filled.
pytestmark = pytest.mark.django_db

TABLES = {program: importlib.import_module(f"{program}.access_matrix") for program in PROGRAMS}
DECLARED: dict[str, tuple[Check, ...]] = {
    name: checks if isinstance(checks, tuple) else (checks,)
    for table in TABLES.values()
    for name, checks in table.ROUTES.items()
}
SECRETS: dict[str, declared.Secret] = {
    key: secret for table in TABLES.values() for key, secret in table.SECRETS.items()
}
ROUTES = builders.portal_routes()
WORLD_BUILDERS = (
    world_core.build,
    world_reviews.build,
    world_clearinghouse.build,
    world_grants.build,
    world_workforce.build,
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    media = tmp_path_factory.mktemp("matrix-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        yield builders.build_world(WORLD_BUILDERS)
        transaction.set_rollback(True)


# ---------------------------------------------------------------------------
# Every route is declared, and every declaration is a route


def test_every_route_of_the_url_configuration_has_a_declared_expectation():
    undeclared = sorted(set(ROUTES) - set(DECLARED))
    assert undeclared == [], "declare these routes in their app's access_matrix.py"


def test_every_declared_route_is_still_in_the_url_configuration():
    assert sorted(set(DECLARED) - set(ROUTES)) == []


def test_each_route_is_declared_in_one_table_only():
    names = [name for table in TABLES.values() for name in table.ROUTES]
    assert sorted({name for name in names if names.count(name) > 1}) == []


def test_no_route_has_a_format_suffix_variant():
    """DRF's …/cases.json variants reached actions that take no `format` argument and failed with a
    500; the API's routers make none (eo_portal.api_support.PortalRouter)."""
    assert sorted(name for name, route in ROUTES.items() if len(route.patterns) > 1) == []


def test_every_persona_of_every_organisation_kind_and_role_is_in_the_matrix():
    kinds = {declared.ORGANISATIONS[p.organisation].kind for p in PERSONAS.values() if p.organisation}
    roles = {(declared.ORGANISATIONS[p.organisation].kind, p.role) for p in PERSONAS.values() if p.organisation}
    assert kinds == set(OrganisationKind.values)
    assert all((kind, role) in roles for kind in kinds for role in Role.values)


# ---------------------------------------------------------------------------
# Each route, as each persona


@dataclass(frozen=True)
class Case:
    route: Route
    check: Check
    call: Call
    persona: str

    @property
    def expected(self) -> str:
        return self.call.outcome_for(self.persona)

    def url(self, world: World, *, missing: bool = False) -> str:
        target = world.targets[self.check.on] if self.check.on else None
        return builders.url_of(self.route, target, self.check.params, missing=missing)

    def __str__(self) -> str:
        checks = DECLARED[self.route.name]
        which = f"#{checks.index(self.check) + 1}" if len(checks) > 1 else ""
        return f"{self.route.name}{which} {self.call.method} as {self.persona}"


def _cases() -> list[Case]:
    return [
        Case(ROUTES[name], check, call, persona)
        for name, checks in DECLARED.items()
        if name in ROUTES  # else reported by test_every_declared_route_is_still_in_the_url_configuration
        for check in checks
        for call in check.calls
        for persona in PERSONAS
    ]


def _leaked(persona: str, text: str, revealed: frozenset[str] = frozenset()) -> list[str]:
    return sorted(
        key
        for key, secret in SECRETS.items()
        if persona not in secret.readers and key not in revealed and marker(key) in text
    )


@pytest.mark.parametrize("case", _cases(), ids=str)
def test_the_route_answers_as_declared(case: Case, world: World):
    client = world.client(case.persona)
    refused = case.expected in REFUSALS
    # Reads change nothing by rule; a refused write is checked to have changed nothing either.
    refused_write = refused and case.call.method != "GET"
    with builders.on_commit_run() as enqueued:
        response = builders.send(client, case.url(world), case.call, world)
    text = builders.text_of(response)

    assert declared.matches(builders.outcome_of(response), case.expected), f"{case}: got {builders.describe(response)}"
    revealed = frozenset() if refused else case.call.reveals
    assert _leaked(case.persona, text, revealed) == [], f"{case}: the response shows secrets the persona may not read"
    if refused_write:
        assert builders.changed_tables(world.rows, builders.row_counts()) == {}, f"{case}: a refused request wrote"
    if refused:
        assert (enqueued, mail.outbox) == ([], []), f"{case}: a refused request enqueued work or sent mail"
    if case.expected == NOT_FOUND and case.check.on:
        missing = builders.send(client, case.url(world, missing=True), case.call, world)
        assert missing.status_code == 404, f"{case}: a missing object answers {builders.describe(missing)}"
        assert builders.without_per_request_parts(builders.text_of(missing)) == builders.without_per_request_parts(
            text
        ), f"{case}: the 404 tells an invisible object from a missing one"


@pytest.mark.parametrize("key", SECRETS)
def test_each_secret_is_in_place_and_shown_to_its_readers(key: str, world: World):
    """Otherwise a marker that never made it into the object would make the leak check vacuous."""
    secret = SECRETS[key]
    assert secret.shown_to in secret.readers
    (check, *_) = DECLARED[secret.route]
    on = secret.on or check.on
    target = world.targets[on] if on else None
    url = builders.url_of(ROUTES[secret.route], target, check.params)
    assert marker(key) in builders.text_of(world.client(secret.shown_to).get(url))


# ---------------------------------------------------------------------------
# The admin: one rule for every registered model


# Signed out, signed in without staff status, staff of each kind of agency the admin's selectors tell
# apart (a viewer, the reviews coordinator, grant staff, the hiring agency, a grant reviewer), the superuser.
ADMIN_PERSONAS = sorted(
    declared.SIGNED_OUT
    | declared.SUPERUSER
    | declared.group(
        "lab_manager", "cisa_viewer", "cisa_member", "white_house_member", "omb_member", "opm_member", "nist_member"
    )
)
ADMIN_VIEWS = ("changelist", "change", "history")


def _admin_cases() -> list:
    return [
        pytest.param(model._meta.label, view, persona, id=f"{model._meta.label} {view} as {persona}")
        for model in admin.site._registry
        for view in ADMIN_VIEWS
        for persona in ADMIN_PERSONAS
    ]


@pytest.mark.parametrize(("label", "view", "persona"), _admin_cases())
def test_the_admin_answers_by_the_declared_rule(label: str, view: str, persona: str, world: World):
    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label == label)
    # The model's newest row: in the world, one its owner made and most personas may not see.
    obj = model_admin.model._default_manager.order_by("-pk").first()
    # Every registered model has a row in the world, so no change or history page goes unchecked.
    assert obj is not None, f"the world has no {label}: make one in tests/security/world_*.py"
    meta = model_admin.model._meta
    args = [] if view == "changelist" else [obj.pk]
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)
    request = RequestFactory().get(url)
    request.user = world.people.get(persona, AnonymousUser())
    expected = declared.admin_outcome(
        persona,
        view,
        may_view_model=model_admin.has_view_permission(request),
        sees_object=model_admin.get_queryset(request).filter(pk=obj.pk).exists(),
        portal_admin=isinstance(model_admin, PortalAdmin),
    )

    client = world.client(persona)
    response = client.get(url)
    text = builders.text_of(response)
    assert builders.outcome_of(response) == expected, f"{url} as {persona}: got {builders.describe(response)}"
    assert _leaked(persona, text) == [], f"{url} as {persona} shows secrets the persona may not read"
    if expected in (declared.NOT_FOUND, declared.REDIRECT):
        missing = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[999_999]))
        assert builders.describe(missing) == builders.describe(response)
        assert builders.without_per_request_parts(builders.text_of(missing)) == builders.without_per_request_parts(text)
