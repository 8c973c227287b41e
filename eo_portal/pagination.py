"""Pagination with a capped count, for every list of the portal and the API.

Counting every visible row costs what the whole list costs: at a million deliveries, or an
agency's 90,000 review cases, the exact `count(*)` of each request took longer than the page it
counted (bench/README.md). So a list counts at most `COUNT_CAP + 1` rows
(`SELECT count(*) FROM (SELECT id … LIMIT 10001)`): up to the cap the count is exact; beyond it the
list says "more than 10,000" and offers the first `COUNT_CAP` rows (200 pages of 50), which the
filters narrow. Still one count query and one page query, whatever the page.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A Paginator whose `count` is exact up to `COUNT_CAP` and `COUNT_CAP` beyond it, with
    `count_is_capped` telling which."""

    cap = COUNT_CAP

    @cached_property
    def _counted(self) -> int:
        """At most cap + 1: the rows counted, one more than the cap meaning "more"."""
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
