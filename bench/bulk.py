"""Bulk writes for the generator: batches of rows with their history rows, in a fixed number of
statements per batch.

On PostgreSQL the rows go in by COPY, with primary keys taken from the table's sequence first so
that the history rows can name them: at a million rows, `bulk_create_with_history` managed about
10,000 rows a second here (a million deliveries with their grants and history: over 15 minutes),
COPY several times that. Elsewhere (SQLite, for a quick look) it is simple-history's
`bulk_create_with_history`, as the services write in bulk.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice
from operator import attrgetter
from typing import TYPE_CHECKING, TypeVar

from django.db import connection, models, reset_queries, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

if TYPE_CHECKING:
    from django.contrib.auth.models import User

M = TypeVar("M", bound=models.Model)

BATCH = 5_000
# Seconds spent writing each table, for the generator's report of where its time goes.
SECONDS: Counter[str] = Counter()


def batches(rows: Iterable[M], size: int = BATCH) -> Iterator[list[M]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _values(model: type[models.Model], rows: list[models.Model]) -> list[list]:
    """Each row's column values, in `concrete_fields` order, as psycopg adapts them. Read straight
    off the instances (Django's per-field preparation was most of the time at a million rows);
    only JSON needs wrapping, and `auto_now_add` columns get the time save() would give them."""
    fields = model._meta.concrete_fields
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for row in rows:
                setattr(row, field.attname, now)
    get = attrgetter(*(field.attname for field in fields))
    values = [list(get(row)) for row in rows]
    for index, field in enumerate(fields):
        if isinstance(field, models.JSONField):
            for value in values:
                value[index] = Jsonb(value[index])
    return values


def _copy(model: type[models.Model], values: list[list]) -> None:
    columns = ", ".join(connection.ops.quote_name(field.column) for field in model._meta.concrete_fields)
    with connection.cursor() as cursor, cursor.cursor.copy(
        f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    ) as copy:
        for value in values:
            copy.write_row(value)


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _history_values(model: type[models.Model], values: list[list], by: User | None, reason: str) -> None:
    """COPY the "created" history rows simple-history's bulk helper would write, built from the
    rows' own values."""
    history_model = get_history_manager_for_model(model).model
    source = {field.attname: index for index, field in enumerate(model._meta.concrete_fields)}
    ids = iter(_next_ids(history_model, len(values)))
    fixed = {
        "history_date": timezone.now(),
        "history_user_id": getattr(by, "pk", None),
        "history_change_reason": reason,
        "history_type": "+",
    }
    pk = history_model._meta.pk.attname
    plan = [(field.attname, source.get(field.attname)) for field in history_model._meta.concrete_fields]
    rows = [
        [next(ids) if name == pk else fixed[name] if index is None else value[index] for name, index in plan]
        for value in values
    ]
    _copy(history_model, rows)


def _copy_with_history(model: type[M], rows: list[M], by: User | None, reason: str, history: bool) -> None:
    for row, pk in zip(rows, _next_ids(model, len(rows)), strict=True):
        row.pk = pk
    values = _values(model, rows)
    _copy(model, values)
    if history:
        _history_values(model, values, by, reason)


def write(model: type[M], rows: Iterable[M], *, by: User | None, reason: str, history: bool = True) -> list[M]:
    """Insert `rows` in batches; with `history`, each gets its "created" history row naming `by`.

    Returns the saved rows, with their primary keys. Each batch is its own transaction, so a
    large table never holds one huge transaction open."""
    saved: list[M] = []
    started = time.perf_counter()
    for chunk in batches(rows):
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _copy_with_history(model, chunk, by, reason, history)
            elif history:
                chunk = bulk_create_with_history(chunk, model, default_user=by, default_change_reason=reason)
            else:
                chunk = model._default_manager.bulk_create(chunk)
        saved += chunk
        # Query logging may be on (DEBUG); a million rows of SQL text must not pile up in memory.
        reset_queries()
    SECONDS[model._meta.label] += time.perf_counter() - started
    return saved
