"""Pagination with a capped count, for every list of the portal and the API.

Counting every visible row costs what the whole list costs: at a million deliveries, or an
agency's 90,000 review cases, the exact `count(*)` of each request took longer than the page it
counted (bench/README.md). So a list counts at most `COUNT_CAP + 1` rows
(`SELECT count(*) FROM (SELECT id … LIMIT 10001)`): up to the cap the count is exact; beyond it the
list says "more than 10,000" and offers the first `COUNT_CAP` rows (200 pages of 50), which the
filters narrow. Still one count query and one page query, whatever the page.

A list whose rows are the union of sets that each have an index of their own (the advisories a
recipient sees: the public ones, and those delivered to them) may give those sets as `parts`: one
statement then adds their capped counts, each read from its own index, where PostgreSQL counted
the `OR` by fetching every matching row (bench/README.md, 18). A list whose rows were counted already,
in a statement the page needed anyway (the job search's facets), gives that number as `counted`.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A Paginator whose `count` is exact up to `COUNT_CAP` and `COUNT_CAP` beyond it, with
    `count_is_capped` telling which."""

    cap = COUNT_CAP

    def __init__(
        self,
        object_list,
        per_page,
        *args,
        parts: Sequence[QuerySet] | None = None,
        counted: int | None = None,
        **kwargs,
    ) -> None:
        """`parts`: querysets with no row in common whose rows together are `object_list`'s.
        `counted`: the number of `object_list`'s rows, when the caller has counted them."""
        super().__init__(object_list, per_page, *args, **kwargs)
        self.parts = parts
        self.counted = counted

    @cached_property
    def _counted(self) -> int:
        """At most cap + 1: the rows counted, one more than the cap meaning "more"."""
        if self.counted is not None:
            return min(self.counted, self.cap + 1)
        if self.parts:
            return min(_sum_of_capped_counts(self.parts, self.cap + 1), self.cap + 1)
        rows = self.object_list
        if isinstance(rows, QuerySet):
            if not rows.query.combinator:
                # Only the keys, no ordering, no joins of select_related: the count's subquery is
                # what the filter needs and no more.
                rows = rows.order_by().values("pk")
            return rows[: self.cap + 1].count()
        return min(len(rows), self.cap + 1)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def count_is_capped(self) -> bool:
        """Whether there are more rows than `count` says (and than the pages offer)."""
        return self._counted > self.cap


def _sum_of_capped_counts(parts: Sequence[QuerySet], limit: int) -> int:
    """The rows of each part, at most `limit` of each, added up in one statement (none when every
    part is empty by construction, as `.none()` is)."""
    counts = []
    for part in parts:
        keys = part.order_by().values("pk")[:limit]
        try:
            sql, params = keys.query.get_compiler(using=part.db).as_sql()
        except EmptyResultSet:
            continue
        counts.append((f"(SELECT COUNT(*) FROM ({sql}) AS part)", params))
    if not counts:
        return 0
    with connections[parts[0].db].cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(sql for sql, _ in counts), tuple(chain.from_iterable(p for _, p in counts)))
        return cursor.fetchone()[0]
