"""Who may do what: the one place where permissions are granted, revoked and checked.

Permissions belong to organisations (rule 3 of DESIGN.md). Each organisation has a Django
group; object permissions are granted to that group through guardian's direct-foreign-key
permission models, one pair per guarded model. A person's role in the organisation caps what
the group's grants let them do: a viewer may only view, a member may also act, and only a
manager may use `manage_*` permissions. Per-user grants are for personal roles (an assigned
reviewer) and are not capped.

Model-level ("role") permissions granted to an organisation's group, or to a user, let the
holder act on every object of a model, and are checked before any object filter so that
whole-class lists cost what an unfiltered list costs.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TypeVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import BooleanField, Expression, F, QuerySet
from guardian.models import UserObjectPermissionBase
from guardian.models.models import BaseGenericObjectPermission
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from eo_portal.models import ROLE_RANK, Membership, Organisation, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

M = TypeVar("M", bound=models.Model)


def minimum_role(codename: str) -> Role:
    """The least role whose holders may use an organisation's grant of this permission."""
    action = codename.split("_", 1)[0]
    if action == "view":
        return Role.VIEWER
    if action == "manage":
        return Role.MANAGER
    return Role.MEMBER


def roles_allowed(codename: str) -> list[str]:
    floor = ROLE_RANK[minimum_role(codename)]
    return [role for role, rank in ROLE_RANK.items() if rank >= floor]


def _is_signed_in(user: User | AnonymousUser | None) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _permission(model: type[models.Model], codename: str) -> Permission:
    content_type = ContentType.objects.get_for_model(model)
    if not _PERMISSION_IDS:
        # One query either way; the first also fills the process's table of every permission, so
        # that a grant and the lists after it cost the same queries whichever comes first.
        everything = list(Permission.objects.select_related("content_type"))
        _remember_permissions((row.pk, row.content_type_id, row.content_type.app_label, row.codename) for row in everything)
        for row in everything:
            if (row.content_type_id, row.codename) == (content_type.pk, codename):
                return row
        raise Permission.DoesNotExist(f"No permission {codename} for {model._meta.label}")
    return Permission.objects.get(content_type=content_type, codename=codename)


def _split(perm: str, model: type[models.Model]) -> str:
    """Accept 'app.codename' or 'codename'; return the codename, checking the app label."""
    if "." in perm:
        app_label, codename = perm.split(".", 1)
        if app_label != model._meta.app_label:
            raise ValueError(f"{perm} is not a permission of {model._meta.label}")
        return codename
    return perm


def group_ids_of(user: User) -> list[int]:
    """The groups of the user's active organisations, resolved once per request and kept on the
    user object (an inactive organisation's grants count for nobody)."""
    cached = getattr(user, "_eo_group_ids", None)
    if cached is None:
        cached = list(user.groups.filter(organisation__is_active=True).values_list("id", flat=True))
        user._eo_group_ids = cached
    return cached


@functools.cache
def _personal_grants_sql(vendor: str) -> str:
    """The ids of the permissions a user holds personally, each with where it is held: 'model'
    (a model-level permission) or 'object' (granted on at least one object, from the
    direct-foreign-key table of each guarded model). Raw SQL written once per process: as a
    `UNION` of querysets the ORM compiled eight joined branches on every request, which cost more
    than the query (bench/README.md, 18). Ids only, no joins: `_permission_name` names them."""
    quote = connection.ops.quote_name

    def branch(model: type[models.Model], held_as: str) -> str:
        user, permission = (quote(model._meta.get_field(name).column) for name in ("user", "permission"))
        return f"SELECT {permission}, '{held_as}' FROM {quote(model._meta.db_table)} WHERE {user} = %s"

    grant_models = [
        model
        for model in apps.get_models()
        if issubclass(model, UserObjectPermissionBase) and not issubclass(model, BaseGenericObjectPermission)
    ]
    user_permissions = get_user_model().user_permissions.through
    return " UNION ".join([branch(user_permissions, "model"), *(branch(model, "object") for model in grant_models)])


def _personal_permissions(user: User) -> tuple[frozenset[str], frozenset[str]]:
    """('app.codename' held as a model-level permission, 'app.codename' granted on at least one
    object), both from one query."""
    sql = _personal_grants_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk] * (sql.count("%s")))
        rows = cursor.fetchall()
    held: dict[str, set[str]] = {"model": set(), "object": set()}
    for permission_id, held_as in rows:
        held[held_as].add(_permission_name(permission_id))
    return frozenset(held["model"]), frozenset(held["object"])


# Counts the personal grants this process has made: a user object that resolved its personal
# permissions before the latest one looks again (one query), wherever that grant was made.
_personal_grants_made = 0


def object_permissions_held_by(user: User) -> frozenset[str]:
    """The permissions ('app.codename') granted to the user personally on at least one object:
    `restrict` looks in the personal grants' table only for these. Resolved with the role
    permissions, in the same query, once per request (again after a personal grant)."""
    role_permissions_of(user)
    if getattr(user, "_eo_personal_grants_seen", 0) != _personal_grants_made:
        user._eo_personal_object_permissions = _personal_permissions(user)[1]
        user._eo_personal_grants_seen = _personal_grants_made
    return user._eo_personal_object_permissions


def role_permissions_of(user: User) -> frozenset[str]:
    """The model-level permissions ('app.codename') the user holds, personally or through an
    active organisation whose role allows them; two queries, once per request."""
    cached = getattr(user, "_eo_role_permissions", None)
    if cached is None:
        personal, on_objects = _personal_permissions(user)
        held = set(personal)
        user._eo_personal_object_permissions = on_objects
        user._eo_personal_grants_seen = _personal_grants_made
        through_organisations = Membership.objects.filter(
            user=user, organisation__is_active=True, organisation__group__permissions__isnull=False
        ).values_list(
            "role",
            "organisation__group__permissions__content_type__app_label",
            "organisation__group__permissions__codename",
        )
        for role, app_label, codename in through_organisations:
            if ROLE_RANK[role] >= ROLE_RANK[minimum_role(codename)]:
                held.add(f"{app_label}.{codename}")
        cached = frozenset(held)
        user._eo_role_permissions = cached
    return cached


def role_in(user: User | AnonymousUser | None, organisation: Organisation) -> str | None:
    """The user's role in an active organisation, or None when they are not a member."""
    if not _is_signed_in(user) or not organisation.is_active:
        return None
    return Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True).first()


def has_role_at_least(user: User | AnonymousUser | None, organisation: Organisation, role: str) -> bool:
    held = role_in(user, organisation)
    return held is not None and ROLE_RANK[held] >= ROLE_RANK[role]


def forget_cached_permissions(user: User) -> None:
    """After a change to the user's memberships, so the same user object sees it at once."""
    for attribute in ("_eo_group_ids", "_eo_role_permissions", "_eo_personal_object_permissions", "_eo_personal_grants_seen"):
        if hasattr(user, attribute):
            delattr(user, attribute)


# ---------------------------------------------------------------------------
# Checks


def has_role_permission(user: User | AnonymousUser | None, perm: str) -> bool:
    """A model-level permission: held personally, or through an organisation whose role allows it."""
    if not _is_signed_in(user):
        return False
    return user.is_superuser or perm in role_permissions_of(user)


def has_object_permission(user: User | AnonymousUser | None, perm: str, obj: models.Model) -> bool:
    """May this user use `perm` on this object, by role permission or by a grant on the object?"""
    if not _is_signed_in(user):
        return False
    model = type(obj)
    codename = _split(perm, model)
    if has_role_permission(user, f"{model._meta.app_label}.{codename}"):
        return True
    user_model = get_user_obj_perms_model(obj)
    group_model = get_group_obj_perms_model(obj)
    personal = user_model.objects.filter(content_object=obj, user=user, permission__codename=codename)
    through_organisation = group_model.objects.filter(
        content_object=obj,
        permission__codename=codename,
        group__organisation__is_active=True,
        group__organisation__memberships__user=user,
        group__organisation__memberships__role__in=roles_allowed(codename),
    )
    return personal.exists() or through_organisation.exists()


# Every permission, both ways: (content type id, codename) -> id, and id -> 'app.codename'. Loaded
# in one query when a permission is first looked up, kept for the process like Django's content
# types, and dropped when migrations (or a test database's flush) may have made the permissions again.
_PERMISSION_IDS: dict[tuple[int, str], int] = {}
_PERMISSION_NAMES: dict[int, str] = {}


def forget_permission_ids(**kwargs) -> None:
    _PERMISSION_IDS.clear()
    _PERMISSION_NAMES.clear()


def _remember_permissions(rows: Iterable[tuple[int, int, str, str]]) -> None:
    for pk, content_type_id, app_label, codename in rows:
        _PERMISSION_IDS[(content_type_id, codename)] = pk
        _PERMISSION_NAMES[pk] = f"{app_label}.{codename}"


def _load_permissions() -> None:
    _remember_permissions(Permission.objects.values_list("pk", "content_type_id", "content_type__app_label", "codename"))


def _permission_name(permission_id: int) -> str:
    if permission_id not in _PERMISSION_NAMES:
        _load_permissions()
    return _PERMISSION_NAMES[permission_id]


def _permission_ids(model: type[models.Model], codenames: Sequence[str]) -> list[int]:
    """The ids of the model's permissions of these codenames: by content type as well, since a
    codename alone ("view_application") may name permissions of two apps. As numbers, not a
    subquery on auth_permission: PostgreSQL then estimates from its statistics how many grants
    match, and chooses between walking a list's index and hashing the grants accordingly."""
    content_type = ContentType.objects.get_for_model(model)  # cached by Django after the first call
    keys = [(content_type.pk, codename) for codename in codenames]
    if any(key not in _PERMISSION_IDS for key in keys):
        _load_permissions()
    return [_PERMISSION_IDS[key] for key in keys if key in _PERMISSION_IDS]


# A list of at most this many granted objects reads them by key (`restrict(..., for_list=True)`).
LIST_BY_KEY_LIMIT = 2_000


class KeyAmong(Expression):
    """The row's primary key is one of `keys`: on PostgreSQL `= ANY(%s)` with the keys as one array
    parameter, so a list of 2,000 keys costs Django and the driver one value to bind rather than
    2,000; `IN (…)` elsewhere."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, keys: Sequence[int], column: Expression | None = None) -> None:
        super().__init__()
        self.keys = list(keys)
        self.column = column if column is not None else F("pk")

    def get_source_expressions(self) -> list[Expression]:
        return [self.column]

    def set_source_expressions(self, expressions: Sequence[Expression]) -> None:
        (self.column,) = expressions

    def as_sql(self, compiler, connection) -> tuple[str, tuple]:
        column, params = compiler.compile(self.column)
        return f"{column} IN ({', '.join(['%s'] * len(self.keys))})", (*params, *self.keys)

    def as_postgresql(self, compiler, connection) -> tuple[str, tuple]:
        column, params = compiler.compile(self.column)
        return f"{column} = ANY(%s)", (*params, self.keys)


def restrict(
    queryset: QuerySet[M],
    user: User | AnonymousUser | None,
    perm: str | Sequence[str] = "view",
    *,
    for_list: bool = False,
) -> QuerySet[M]:
    """The rows of `queryset` on which this user may use `perm`, or any of several (by default: see).

    The rows whose primary key is among the objects granted to their groups (and, when the user
    holds any of these permissions personally on some object, to the user: personal grants UNION
    ALL the groups'): one semi-join on the direct-foreign-key permission tables, with the user's
    groups and the permissions' ids resolved once. A semi-join, not `EXISTS(personal) OR
    EXISTS(groups)`: PostgreSQL cannot turn an OR of subqueries into a join, so it scanned every
    row of the model, costed each probe so high that it compiled the query with JIT (a second per
    list at a million grants). On the groups' table alone, with the ids as numbers, PostgreSQL
    estimates the grants from its statistics: an agency that sees 90% of the cases walks the list's
    index and probes each row's grant (a lab that sees 1% now walks it too, at a cost:
    bench/README.md, 11 and 16).
    Each perm may be an action ("view") or a codename ("view_shared_reviewcase"); several must
    share the same least role.

    `for_list`, for a list that is sorted and paged: one more query first reads the ids granted,
    up to `LIST_BY_KEY_LIMIT`. A person who holds no more than that (a lab's own cases, a
    partner's shared ones) gets them as a list of keys, which PostgreSQL hashes while walking the
    list's index: no grant is probed per row (bench/README.md, 17). Beyond the limit (an agency
    that sees most cases) the semi-join stays, since walking the index finds a page at once.
    """
    if not _is_signed_in(user):
        return queryset.none()
    model = queryset.model
    wanted = [perm] if isinstance(perm, str) else list(perm)
    codenames = [p if "_" in p else f"{p}_{model._meta.model_name}" for p in wanted]
    floors = {minimum_role(codename) for codename in codenames}
    if len(floors) != 1:
        raise ValueError(f"{codenames} need different roles; restrict by each separately")
    if any(has_role_permission(user, f"{model._meta.app_label}.{codename}") for codename in codenames):
        return queryset
    permission_ids = _permission_ids(model, codenames)
    groups = get_group_obj_perms_model(model).objects.filter(permission_id__in=permission_ids)
    if floors == {Role.VIEWER}:
        # Every role may view, so membership of an active organisation's group is enough.
        groups = groups.filter(group_id__in=group_ids_of(user))
    else:
        groups = groups.filter(
            group__organisation__is_active=True,
            group__organisation__memberships__user_id=user.pk,
            group__organisation__memberships__role__in=roles_allowed(codenames[0]),
        )
    granted = groups.values("content_object_id")
    held_on_objects = object_permissions_held_by(user)
    if any(f"{model._meta.app_label}.{codename}" in held_on_objects for codename in codenames):
        personal = get_user_obj_perms_model(model).objects.filter(user_id=user.pk, permission_id__in=permission_ids)
        granted = personal.values("content_object_id").union(granted, all=True)
    if for_list:
        # Rows, not distinct ids: DISTINCT would read every grant of an agency before the limit.
        ids = [row["content_object_id"] for row in granted[: LIST_BY_KEY_LIMIT + 1]]
        if not ids:
            return queryset.none()
        if len(ids) <= LIST_BY_KEY_LIMIT:
            return queryset.filter(KeyAmong(sorted(set(ids))))
    return queryset.filter(pk__in=granted)


def listed_by_key(queryset: QuerySet) -> bool:
    """Whether `restrict(..., for_list=True)` gave this list as its keys: a person who holds few
    objects, whose rows are cheaper to read than to look for (a DISTINCT over them, say)."""
    # A filter on a boolean expression is kept as `expression = True`.
    return any(isinstance(getattr(child, "lhs", child), KeyAmong) for child in queryset.query.where.children)


# ---------------------------------------------------------------------------
# Grants and revocations. Each row written or deleted carries the acting user in its history.


def _audited(row: models.Model, by: User, reason: str) -> models.Model:
    row._history_user = by
    row._change_reason = reason
    return row


def grant_to_organisation(perm: str, obj: models.Model, organisation: Organisation, *, by: User) -> None:
    model = type(obj)
    permission = _permission(model, _split(perm, model))
    group_model = get_group_obj_perms_model(obj)
    with transaction.atomic():
        if group_model.objects.filter(content_object=obj, group=organisation.group, permission=permission).exists():
            return
        row = group_model(content_object=obj, group=organisation.group, permission=permission)
        _audited(row, by, f"granted {permission.codename} to {organisation.short_name}").save()


def grant_to_groups_in_bulk(perm: str, obj: models.Model, group_ids: Sequence[int], *, by: User) -> int:
    """Grant one permission on one object to many organisations' groups at once (an advisory's
    thousands of recipients), with their history rows, in a fixed number of queries. Groups that
    already hold it are skipped, so the grant can be repeated."""
    from simple_history.utils import bulk_create_with_history

    model = type(obj)
    permission = _permission(model, _split(perm, model))
    group_model = get_group_obj_perms_model(obj)
    held = group_model.objects.filter(content_object=obj, permission=permission).values_list("group_id", flat=True)
    missing = sorted(set(group_ids) - set(held))
    rows = [group_model(content_object=obj, group_id=group_id, permission=permission) for group_id in missing]
    bulk_create_with_history(rows, group_model, default_user=by, default_change_reason=f"granted {permission.codename}")
    return len(rows)


def revoke_from_organisation(perm: str, obj: models.Model, organisation: Organisation, *, by: User) -> None:
    model = type(obj)
    codename = _split(perm, model)
    group_model = get_group_obj_perms_model(obj)
    with transaction.atomic():
        rows = group_model.objects.select_for_update().filter(
            content_object=obj, group=organisation.group, permission__codename=codename
        )
        for row in rows:
            _audited(row, by, f"revoked {codename} from {organisation.short_name}").delete()


def revoke_from_groups_except(
    perm: str, obj: models.Model, keep_group_ids: set[int] | None, *, by: User, reason: str
) -> int:
    """Revoke `perm` on `obj` from every group but those kept (None: from all), each row audited.
    For an audience narrowed by a new revision."""
    model = type(obj)
    codename = _split(perm, model)
    group_model = get_group_obj_perms_model(obj)
    with transaction.atomic():
        rows = group_model.objects.select_for_update().filter(content_object=obj, permission__codename=codename)
        if keep_group_ids is not None:
            rows = rows.exclude(group_id__in=keep_group_ids)
        revoked = list(rows)
        for row in revoked:
            _audited(row, by, reason).delete()
    return len(revoked)


def revoke_from_users_except(perm: str, obj: models.Model, keep_user_ids: set[int], *, by: User, reason: str) -> int:
    model = type(obj)
    codename = _split(perm, model)
    user_model = get_user_obj_perms_model(obj)
    with transaction.atomic():
        rows = list(
            user_model.objects.select_for_update()
            .filter(content_object=obj, permission__codename=codename)
            .exclude(user_id__in=keep_user_ids)
        )
        for row in rows:
            _audited(row, by, reason).delete()
    return len(rows)


def grant_to_user(perm: str, obj: models.Model, user: User, *, by: User) -> None:
    model = type(obj)
    permission = _permission(model, _split(perm, model))
    user_model = get_user_obj_perms_model(obj)
    with transaction.atomic():
        if user_model.objects.filter(content_object=obj, user=user, permission=permission).exists():
            return
        row = user_model(content_object=obj, user=user, permission=permission)
        _audited(row, by, f"granted {permission.codename} to {user.get_username()}").save()
    global _personal_grants_made
    _personal_grants_made += 1


def revoke_from_user(perm: str, obj: models.Model, user: User, *, by: User) -> None:
    model = type(obj)
    codename = _split(perm, model)
    user_model = get_user_obj_perms_model(obj)
    with transaction.atomic():
        rows = user_model.objects.select_for_update().filter(
            content_object=obj, user=user, permission__codename=codename
        )
        for row in rows:
            _audited(row, by, f"revoked {codename} from {user.get_username()}").delete()


def _role_permission(perm: str) -> Permission:
    app_label, codename = perm.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _group_history_context(group: Group, by: User, reason: str) -> Group:
    # simple-history reads the acting user and reason from the instance that the
    # m2m_changed signal carries, which is the group itself.
    return _audited(group, by, reason)


def grant_role_to_organisation(perm: str, organisation: Organisation, *, by: User) -> None:
    """Let the organisation's members (as their role allows) use `perm` on every object of its model."""
    permission = _role_permission(perm)
    group = _group_history_context(organisation.group, by, f"granted role {perm}")
    group.permissions.add(permission)


def revoke_role_from_organisation(perm: str, organisation: Organisation, *, by: User) -> None:
    permission = _role_permission(perm)
    group = _group_history_context(organisation.group, by, f"revoked role {perm}")
    group.permissions.remove(permission)
