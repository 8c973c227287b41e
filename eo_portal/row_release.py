"""Let a list's rows be freed as soon as its page is written, not at the next full garbage collection.

A prefetched row and its related rows point at each other: the row keeps the related rows'
queryset in `_prefetched_objects_cache`, and each related row keeps the row in its own field
cache (Django sets it so that `child.parent` costs no query); a `select_related` one-to-one does
the same both ways. Reference cycles are freed only by Python's cyclic garbage collector, so
each page of 50 advisories left about 5,000 objects behind, and every tenth request or so paid
for a full collection over them: 40 to 100 ms (bench/README.md, 19). Once a page is serialised
its rows are not read again, and clearing those caches leaves nothing for the collector.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model


def release(rows: Iterable[Model]) -> None:
    """Drop the prefetch and related-object caches of these rows and of every row they reach.

    Only for rows nobody reads again: a related object read after this is fetched anew. Anything
    but a model instance (a list of plain values) is left as it is."""
    seen: set[int] = set()
    pending = [row for row in rows if isinstance(row, Model)]
    while pending:
        row = pending.pop()
        if id(row) in seen:
            continue
        seen.add(id(row))
        prefetched = row.__dict__.pop("_prefetched_objects_cache", None) or {}
        for related in prefetched.values():
            pending.extend(getattr(related, "_result_cache", None) or ())
        cached = row._state.fields_cache
        pending.extend(value for value in cached.values() if isinstance(value, Model))
        cached.clear()
