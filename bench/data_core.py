"""Organisations, their groups and grants on themselves, and their people: what every program
stands on, written as `eo_portal.services.create_organisation` and `add_member` would write it."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import models

from bench.bulk import BATCH, write
from bench.plan import Plan
from eo_portal.models import (
    LocalGovernmentType,
    Membership,
    Organisation,
    OrganisationGroupObjectPermission,
    OrganisationSector,
    Role,
    Sector,
)
from eo_portal.models import OrganisationKind as Kind
from eo_portal.services import AGENCY_ROLE_PERMISSIONS, OWN_ORGANISATION_PERMISSIONS

if TYPE_CHECKING:
    from django.contrib.auth.models import User

M = TypeVar("M", bound=models.Model)

REASON = "benchmark data"
ROLES_IN_ORDER = (Role.MANAGER, Role.MEMBER, Role.VIEWER)


@dataclass
class Org:
    pk: int
    group_id: int
    kind: str
    slug: str
    users: list[int] = field(default_factory=list)  # the first is a manager


@dataclass
class World:
    """What the program generators need to know of the organisations, without querying again."""

    by: User
    orgs: list[Org]

    def of_kind(self, *kinds: str) -> list[Org]:
        return [org for org in self.orgs if org.kind in kinds]

    def by_slug(self, slug: str) -> Org:
        return next(org for org in self.orgs if org.slug == slug)


def bench_slug(kind: str, index: int) -> str:
    return f"bench-{kind}-{index:04d}"


def permission_ids(model: type, *codenames: str) -> dict[str, int]:
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(model)
    found = dict(
        Permission.objects.filter(content_type=content_type, codename__in=codenames).values_list("codename", "pk")
    )
    missing = set(codenames) - set(found)
    if missing:
        raise LookupError(f"no such permission of {model.__name__}: {sorted(missing)}")
    return found


def _new_organisations(plan: Plan, existing: int, rng: random.Random) -> list[Organisation]:
    rows = []
    for kind, count in plan.kind_counts(existing).items():
        label = Kind(kind).label
        for index in range(count):
            slug = bench_slug(kind, index)
            rows.append(
                Organisation(
                    name=f"Bench {label} {index}",
                    short_name=f"B-{kind[:5]}-{index}",
                    slug=slug,
                    kind=kind,
                    local_government_type=rng.choice(LocalGovernmentType.values) if kind == Kind.LOCAL else "",
                    is_rural=kind == Kind.LOCAL and rng.random() < 0.4,
                    security_contact_email=f"security@{slug}.example",
                )
            )
    return rows


def save_organisations(organisations: list[Organisation], by: User, rng: random.Random) -> None:
    """Each with its group, its grants on itself, an agency's role and an operator's sectors."""
    groups = write(Group, [Group(name=f"organisation:{o.slug}") for o in organisations], by=by, reason=REASON)
    for organisation, group in zip(organisations, groups, strict=True):
        organisation.group = group
    write(Organisation, organisations, by=by, reason=REASON)
    own = permission_ids(Organisation, *OWN_ORGANISATION_PERMISSIONS)
    grants = [(o.pk, o.group_id, permission) for o in organisations for permission in own.values()]
    write_grants(OrganisationGroupObjectPermission, grants, by)
    # Every agency sees every organisation: a role (model-level) permission of its group.
    agency_role = Permission.objects.filter(
        content_type__app_label="eo_portal", codename__in=[p.split(".")[-1] for p in AGENCY_ROLE_PERMISSIONS]
    )
    through = Group.permissions.through
    write(
        through,
        [through(group_id=o.group_id, permission=p) for o in organisations if o.kind == Kind.AGENCY for p in agency_role],
        by=by,
        reason=REASON,
        history=False,
    )
    sectors = [
        OrganisationSector(organisation=o, sector=sector)
        for o in organisations
        if o.kind == Kind.OPERATOR
        for sector in rng.sample(Sector.values, rng.choice((1, 1, 2)))
    ]
    write(OrganisationSector, sectors, by=by, reason=REASON)


def add_people(orgs: list[Org], by: User, people_in: Callable[[Org], int]) -> None:
    """`people_in(org)` people in each organisation: a manager, then a member, then a viewer."""
    user_model = get_user_model()
    unusable = make_password(None)  # force_login signs them in; no one signs in with a password
    people: list[tuple[Org, str, User]] = []
    for org in orgs:
        for number in range(people_in(org)):
            username = f"{org.slug}-{number}"
            user = user_model(username=username, email=f"{username}@example.test", password=unusable)
            people.append((org, ROLES_IN_ORDER[number], user))
    users = write(user_model, [user for _, _, user in people], by=by, reason=REASON)
    memberships = []
    group_links = []
    for (org, role, _), user in zip(people, users, strict=True):
        org.users.append(user.pk)
        memberships.append(Membership(user_id=user.pk, organisation_id=org.pk, role=role))
        group_links.append(user_model.groups.through(user_id=user.pk, group_id=org.group_id))
    write(Membership, memberships, by=by, reason=REASON)
    write(user_model.groups.through, group_links, by=by, reason=REASON, history=False)


def generate_core(plan: Plan, by: User, rng: random.Random) -> World:
    """The plan's organisations, and one to three people in each (the order's agencies too); the
    first of each kind gets two, so that its member can stand for the kind in the benchmark."""
    save_organisations(_new_organisations(plan, Organisation.objects.count(), rng), by, rng)
    orgs = [Org(o.pk, o.group_id, o.kind, o.slug) for o in Organisation.objects.order_by("pk")]
    first_of_kind = {}
    for org in orgs:
        first_of_kind.setdefault(org.kind, org)
    add_people(orgs, by, lambda org: 2 if first_of_kind[org.kind] is org else rng.choice((1, 2, 3)))
    return World(by=by, orgs=orgs)


def group_grants(grant_model: type, grants: list[tuple[int, int, int]]) -> list:
    """Direct-foreign-key permission rows from (object, group, permission) triples."""
    return [grant_model(content_object_id=obj, group_id=group, permission_id=perm) for obj, group, perm in grants]


def write_grants(grant_model: type, grants: list[tuple[int, int, int]], by: User) -> None:
    write(grant_model, group_grants(grant_model, grants), by=by, reason=REASON)


def generated(model: type[M], total: int, make: Callable[[int], M], by: User) -> Iterator[list[M]]:
    """Rows numbered 1 to `total`, made by `make(number)` and written 5,000 at a time: each
    chunk is yielded saved, so the rows that hang off it can be written before the next."""
    for start in range(0, total, BATCH):
        yield write(model, [make(number) for number in range(start + 1, min(start + BATCH, total) + 1)], by=by,
                    reason=REASON)
