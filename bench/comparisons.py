"""Our selector against guardian's shortcut and against no filter at all, on the same query:
page 1 of 50 review cases by newest first, plus its count (what a list page costs), for the
personas of DESIGN.md's table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from bench.lists import PAGE_SIZE
from bench.measure import time_runs
from bench.personas import user_for
from eo_portal import permissions
from reviews.models import ReviewCase, ReviewCaseGroupObjectPermission, ReviewCaseUserObjectPermission
from reviews.selectors import SEE_CASE

PERSONAS = ("lab member", "agency (NSA)", "partner")
PERMS = [f"reviews.{codename}" for codename in SEE_CASE]


@contextmanager
def guardian_generic_tables() -> Iterator[None]:
    """Make guardian ignore the direct-foreign-key tables of review cases, as if they had never
    been declared: it then reads its generic tables (object_pk as text), which the generator
    filled with the same grants."""
    models = (ReviewCaseGroupObjectPermission, ReviewCaseUserObjectPermission)
    for model in models:
        model.enabled = False
    try:
        yield
    finally:
        for model in models:
            del model.enabled


def _page_and_count(queryset: Callable[[], QuerySet[ReviewCase]]) -> Callable[[], Any]:
    def run() -> tuple[list[ReviewCase], int]:
        visible = queryset()
        return list(visible.order_by("-created_at", "-id")[:PAGE_SIZE]), visible.count()

    return run


def variants(user) -> dict[str, Callable[[], QuerySet[ReviewCase]]]:
    def guardian() -> QuerySet[ReviewCase]:
        return get_objects_for_user(user, PERMS, klass=ReviewCase, any_perm=True, with_superuser=False,
                                    accept_global_perms=False)

    return {
        "no filter (floor)": ReviewCase.objects.all,
        "ours: permissions.restrict (semi-join, direct FK)": lambda: permissions.restrict(
            ReviewCase.objects.all(), user, SEE_CASE
        ),
        "ours, for a list: keys first up to a limit": lambda: permissions.restrict(
            ReviewCase.objects.all(), user, SEE_CASE, for_list=True
        ),
        "guardian get_objects_for_user, direct FK": guardian,
        "guardian get_objects_for_user, generic tables": guardian,
    }


def compare_selectors(*, runs: int, warmup: int, log=print) -> list[dict[str, Any]]:
    rows = []
    for persona in PERSONAS:
        user = user_for(persona)
        for name, queryset in variants(user).items():
            generic = "generic" in name
            with guardian_generic_tables() if generic else nullcontext():
                visible = queryset().count()
                timing = time_runs(_page_and_count(queryset), runs=runs, warmup=warmup)
            rows.append({"persona": persona, "variant": name, "visible": visible, **timing.as_dict()})
            log(f"  {persona:14} {name:48} sees {visible:7}: median {timing.median_ms:8.1f} ms, "
                f"p95 {timing.p95_ms:8.1f} ms")
    return rows
