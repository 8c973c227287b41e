"""What the permission matrix needs besides the declared tables: the URL configuration walked, the
world of personas and objects built through the services, requests sent as each persona, and the
answer read back (its outcome, its body without per-request tokens, every table's row count).

The world's objects belong to the organisations of `eo_portal.access_expectations.ORGANISATIONS`; each
program adds its own in `tests/security/world_<program>.py`. A route's table names an object by a
target: the URL's arguments for it, and the same arguments naming an object that does not exist.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from eo_portal import access_expectations as declared
from eo_portal import services as core
from eo_portal.access_expectations import PDF_UPLOAD, PERSONAS, Call, FromTarget, Persona
from eo_portal.audit import save_audited, system_user
from eo_portal.models import Organisation
from tests.factories import UserFactory, add_member, signed_in

# The apps whose tables the matrix reads.
PROGRAMS = ("eo_portal", "reviews", "clearinghouse", "grants", "workforce")
ADMIN_NAMESPACE = "admin"
# A number no object of the world has.
MISSING_ID = 999_999
EMPTY: Mapping[str, object] = MappingProxyType({})
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# ---------------------------------------------------------------------------
# The URL configuration


@dataclass(frozen=True)
class Route:
    name: str
    # The arguments of each pattern of that name (one, unless a variant such as a format suffix).
    patterns: tuple[frozenset[str], ...]

    @property
    def kwargs(self) -> frozenset[str]:
        return min(self.patterns, key=len)


def _pattern_kwargs(pattern: URLPattern | URLResolver) -> frozenset[str]:
    # Both path() and re_path() patterns compile to a regular expression with named groups.
    return frozenset(pattern.pattern.regex.groupindex)


def _walk(resolver: URLResolver, namespace: str, outer: frozenset[str]) -> Iterator[tuple[str, frozenset[str]]]:
    for pattern in resolver.url_patterns:
        kwargs = outer | _pattern_kwargs(pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, inner, kwargs)
        else:
            # A pattern without a name cannot be declared by name; it fails the test as itself.
            yield f"{namespace}{pattern.name or '<unnamed> ' + str(pattern.pattern)}", kwargs


def all_routes() -> dict[str, Route]:
    """Every named route of the URL configuration, the admin's included."""
    found: dict[str, list[frozenset[str]]] = {}
    for name, kwargs in _walk(get_resolver(), "", frozenset()):
        found.setdefault(name, []).append(kwargs)
    return {name: Route(name, tuple(patterns)) for name, patterns in found.items()}


def portal_routes() -> dict[str, Route]:
    """The routes the tables declare: all but the admin's, which one rule covers."""
    return {name: route for name, route in all_routes().items() if not name.startswith(f"{ADMIN_NAMESPACE}:")}


# ---------------------------------------------------------------------------
# The world


@dataclass(frozen=True)
class Target:
    """The URL arguments naming an object, under every name routes give them (`reference`, `pk`),
    and `missing`: the arguments that, put in their place, name an object that does not exist."""

    kwargs: Mapping[str, object]
    missing: Mapping[str, object]


@dataclass
class World:
    organisations: dict[str, Organisation]
    people: dict[str, User]
    # Each signed-in persona's session key: a test's client carries it as a browser would.
    sessions: dict[str, str]
    targets: dict[str, Target] = field(default_factory=dict)
    # Every table's row count once built: each test starts from it, as it rolls back to it.
    rows: dict[str, int] = field(default_factory=dict)

    def add_target(self, name: str, kwargs: Mapping[str, object], missing: Mapping[str, object]) -> None:
        if name in self.targets:
            raise ValueError(f"target {name} is built twice")
        self.targets[name] = Target(dict(kwargs), dict(missing))

    def add_numbered(self, name: str, number: int, *arguments: str, within: Mapping[str, object] = EMPTY) -> None:
        """An object named by its number under each of `arguments` (its routes say `request_id` or
        `pk`), inside the URL of the object `within` names (a case's finding)."""
        self.add_target(name, {**within, **dict.fromkeys(arguments, number)}, dict.fromkeys(arguments, MISSING_ID))

    def add_referenced(self, name: str, reference: str, argument: str = "reference") -> None:
        """An object named by a reference such as MRC-2026-0001 (the missing one: MRC-2026-99999)."""
        prefix = reference.rsplit("-", 1)[0]
        self.add_target(name, {argument: reference}, {argument: f"{prefix}-99999"})

    def client(self, persona: str) -> Client:
        client = Client()
        if persona in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[persona]
        return client


def build_organisations() -> dict[str, Organisation]:
    by = system_user()
    organisations = {}
    for spec in declared.ORGANISATIONS.values():
        if spec.from_migration:
            organisations[spec.slug] = Organisation.objects.get(slug=spec.slug, kind=spec.kind)
        else:
            name = spec.slug.replace("-", " ").title()
            organisations[spec.slug] = core.create_organisation(
                by=by, slug=spec.slug, name=name, short_name=name, kind=spec.kind, sectors=list(spec.sectors)
            )
    return organisations


def _account(persona: Persona, organisations: dict[str, Organisation]) -> User:
    user = UserFactory(username=persona.name.replace("_", "-"), is_staff=persona.staff, is_superuser=persona.superuser)
    if persona.organisation:
        add_member(organisations[persona.organisation], user, role=persona.role)
    return user


def _sign_in(user: User) -> str:
    """A session as the sign-in pages leave it (past the code step for who must use one)."""
    return signed_in(Client(), user).session.session_key


def build_people(organisations: dict[str, Organisation]) -> tuple[dict[str, User], dict[str, str]]:
    people, sessions = {}, {}
    for persona in PERSONAS.values():
        if not persona.signed_in:
            continue
        people[persona.name] = user = _account(persona, organisations)
        sessions[persona.name] = _sign_in(user)
        if persona.deactivated:
            user.is_active = False
            save_audited(user, by=system_user(), reason="account deactivated", validate=False)
    return people, sessions


def on_commit_run():
    """Run what services leave for the end of the transaction (distribution tasks, e-mail), as a
    commit would: the world is built, and each request made, inside a transaction never committed."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def pdf_upload(name: str = "document.pdf", text: str = "") -> SimpleUploadedFile:
    """A small PDF; `text` (a secret's marker) rides in a comment, so a download shows it."""
    content = PDF + (f"% {text}\n".encode() if text else b"")
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# ---------------------------------------------------------------------------
# Requests and answers


def url_of(route: Route, target: Target | None, params: Mapping[str, str], *, missing: bool = False) -> str:
    """The route's URL for the target (or, with `missing`, for an object that does not exist)."""
    arguments = {**target.kwargs, **(target.missing if missing else {})} if target else {}
    chosen = {name: value for name, value in {**arguments, **params}.items() if name in route.kwargs}
    absent = route.kwargs - set(chosen)
    if absent:
        raise LookupError(f"{route.name} needs {sorted(absent)}, which its target does not give")
    return reverse(route.name, kwargs=chosen)


def _value(value: object, world: World) -> object:
    if isinstance(value, FromTarget):
        return world.targets[value.on].kwargs[value.name]
    return value


def send(client: Client, url: str, call: Call, world: World) -> HttpResponse:
    if call.method == "GET":
        return client.get(url)
    body = {name: _value(value, world) for name, value in (call.body or {}).items()}
    if call.encoding == "json":
        return client.generic(call.method, url, json.dumps(body), content_type="application/json")
    return client.post(url, {name: pdf_upload() if value == PDF_UPLOAD else value for name, value in body.items()})


def outcome_of(response: HttpResponse) -> str:
    status = response.status_code
    if 200 <= status < 300:
        return declared.OK
    if 300 <= status < 400:
        path = urlsplit(response["Location"]).path
        if path == settings.LOGIN_URL:
            return declared.LOGIN
        if path == reverse("admin:login"):
            return declared.ADMIN_LOGIN
        return declared.REDIRECT
    return str(status)


def text_of(response: HttpResponse) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


# What differs from one request to the next on the same page: CSRF tokens and CSP nonces.
PER_REQUEST = [
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*'),
    re.compile(r'(name="csrf-token" content=")[^"]*'),
    re.compile(r'(nonce=")[^"]*'),
]


def without_per_request_parts(text: str) -> str:
    for pattern in PER_REQUEST:
        text = pattern.sub(r"\1", text)
    return text


def describe(response: HttpResponse) -> str:
    where = f" to {response['Location']}" if response.has_header("Location") else ""
    return f"{response.status_code}{where}"


# ---------------------------------------------------------------------------
# Effects


@cache
def _count_rows_sql() -> tuple[list[str], str]:
    """The tables (the schema is fixed while the tests run) and one query counting each one's rows."""
    tables = sorted(connection.introspection.table_names())
    quote = connection.ops.quote_name
    return tables, "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)


def row_counts() -> dict[str, int]:
    """Every table's row count, history tables included, in one query."""
    tables, sql = _count_rows_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def changed_tables(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {table: (before[table], after[table]) for table in before if before[table] != after[table]}


def build_world(programs: Iterable[Callable[[World], None]]) -> World:
    """The organisations and personas, then each program's objects (in order: later ones use earlier)."""
    organisations = build_organisations()
    people, sessions = build_people(organisations)
    world = World(organisations, people, sessions)
    for build_program in programs:
        build_program(world)
    world.rows = row_counts()
    return world
