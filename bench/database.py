"""The benchmark's database: set Django up, migrate, tell whether the data set is there, and
start again from empty when asked (only on a database the generator made)."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
MARKER_SLUG = "bench-lab-0000"  # the first organisation the generator makes carries the marker


def setup_django() -> None:
    """For `python bench/run.py` and `python bench/generate.py`: the project on the path, the
    benchmark's settings unless others are named."""
    if str(PROJECT) not in sys.path:
        sys.path.insert(0, str(PROJECT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def marker(scale: float, seed: int) -> str:
    return f"bench data set: scale={scale} seed={seed}"


def dataset_marker() -> str | None:
    """The marker of the data set in the database, or None when the generator has not run."""
    from eo_portal.models import Organisation

    return Organisation.objects.filter(slug=MARKER_SLUG).values_list("description", flat=True).first()


def holds_other_data() -> bool:
    """Whether the database has organisations besides the order's agencies and the generator's,
    which a regeneration must never wipe."""
    from eo_portal.models import Organisation

    return Organisation.objects.exclude(slug__startswith="bench-").exclude(slug__in=order_agencies()).exists()


def order_agencies() -> list[str]:
    from importlib import import_module

    agencies = import_module("eo_portal.migrations.0002_order_agencies").AGENCIES
    return [slug for _, _, slug in agencies]


def wipe() -> None:
    """Drop every table and migrate again: faster than deleting millions of rows."""
    from django.db import connection

    if holds_other_data():
        raise SystemExit("This database holds data the benchmark did not make; use a database of its own.")
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f'DROP TABLE "{table}"')
            cursor.execute("PRAGMA foreign_keys = ON")
    migrate()


def analyse() -> None:
    """After a bulk load, what autovacuum does to a live database's tables: fresh planner
    statistics and, on PostgreSQL, the visibility map that lets an index-only scan skip the table
    (without it every index-only scan of the freshly loaded rows reads each row's page too)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


@contextmanager
def bulk_load():
    """On PostgreSQL, skip the per-row foreign-key triggers while the generator loads: they
    doubled its time, and the generator makes every reference from rows it has just written."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
