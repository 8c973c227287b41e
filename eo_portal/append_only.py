"""History is append-only (NIST SP 800-53 AU-9): no one changes or removes a history row.

The database refuses it, so neither a bug nor someone with a shell on the application can do it:
- PostgreSQL: a trigger on every history table refuses UPDATE and DELETE.
- SQLite: a trigger refuses UPDATE; DELETE is refused by the application (below), because
  SQLite empties tables with DELETE where PostgreSQL uses TRUNCATE, and the test suite must
  still be able to empty the database between tests.
- Every database: saving an existing history row or deleting one through the ORM raises.

The triggers are installed by a migration and again after every `migrate` (post_migrate), so a
history table added by a later migration of any program is covered too.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections
from simple_history.models import HistoricalChanges

REFUSED = "history is append-only"
TRIGGER = "eo_portal_append_only"
# An UPDATE that changes nothing is let through: Django restores a test database's saved rows
# (and loads fixtures) by saving each one again, through a serializer that keeps times to the
# millisecond, so a time equal to the millisecond counts as unchanged. Anything else is refused.
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION eo_portal_refuse_history_change() RETURNS trigger AS $$
DECLARE
    new_row jsonb;
    old_row jsonb;
    column_name text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        new_row := to_jsonb(NEW);
        old_row := to_jsonb(OLD);
        FOR column_name IN SELECT jsonb_object_keys(new_row) LOOP
            CONTINUE WHEN new_row -> column_name IS NOT DISTINCT FROM old_row -> column_name;
            CONTINUE WHEN jsonb_typeof(new_row -> column_name) = 'string'
                AND (new_row ->> column_name) ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T'
                AND date_trunc('milliseconds', (new_row ->> column_name)::timestamptz)
                    = date_trunc('milliseconds', (old_row ->> column_name)::timestamptz);
            RAISE EXCEPTION '{REFUSED}: UPDATE of %.% refused', TG_TABLE_NAME, column_name USING ERRCODE = '42501';
        END LOOP;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{REFUSED}: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = '42501';
END
$$ LANGUAGE plpgsql
"""


class HistoryIsAppendOnly(Exception):
    pass


def is_history_model(model: type) -> bool:
    return issubclass(model, HistoricalChanges) or getattr(model, "append_only", False)


def append_only_tables(models: Iterable[type]) -> list[str]:
    return sorted({model._meta.db_table for model in models if is_history_model(model) and model._meta.managed})


def install_triggers(tables: Iterable[str], using: str = "default") -> int:
    connection = connections[using]
    quote = connection.ops.quote_name
    existing = set(connection.introspection.table_names())
    tables = [table for table in tables if table in existing]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
            for table in tables:
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {quote(table)} "
                    "FOR EACH ROW EXECUTE FUNCTION eo_portal_refuse_history_change()"
                )
        elif connection.vendor == "sqlite":
            for table in tables:
                columns = [column.name for column in connection.introspection.get_table_description(cursor, table)]
                changed = " OR ".join(f"NEW.{quote(c)} IS NOT OLD.{quote(c)}" for c in columns)
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {quote(TRIGGER + '_' + table)} BEFORE UPDATE ON {quote(table)} "
                    f"WHEN {changed} BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"
                )
    return len(tables)


def install_after_migrate(sender, app_config=None, using: str = "default", apps=None, **kwargs) -> None:
    from django.apps import apps as global_apps

    # Models rebuilt from migration state lose class attributes such as `append_only`, so the
    # installed models are asked too; tables not created yet are skipped by install_triggers.
    models = [*(apps or global_apps).get_models(), *global_apps.get_models()]
    install_triggers(append_only_tables(models), using=using)


def refuse_change(sender, instance, raw: bool = False, **kwargs) -> None:
    # Loading saved rows as they are (fixtures, the test database's restore) changes nothing.
    if is_history_model(sender) and not instance._state.adding and not raw:
        raise HistoryIsAppendOnly(f"{REFUSED}: {sender.__name__} rows are never changed")


def refuse_delete(sender, instance, **kwargs) -> None:
    if is_history_model(sender):
        raise HistoryIsAppendOnly(f"{REFUSED}: {sender.__name__} rows are never deleted")
