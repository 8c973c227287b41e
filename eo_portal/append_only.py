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
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION eo_portal_refuse_history_change() RETURNS trigger AS $$
BEGIN
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
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {quote(TRIGGER + '_' + table)} BEFORE UPDATE ON {quote(table)} "
                    f"BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"
                )
    return len(tables)


def install_after_migrate(sender, app_config=None, using: str = "default", apps=None, **kwargs) -> None:
    from django.apps import apps as global_apps

    install_triggers(append_only_tables((apps or global_apps).get_models()), using=using)


def refuse_change(sender, instance, **kwargs) -> None:
    if is_history_model(sender) and not instance._state.adding:
        raise HistoryIsAppendOnly(f"{REFUSED}: {sender.__name__} rows are never changed")


def refuse_delete(sender, instance, **kwargs) -> None:
    if is_history_model(sender):
        raise HistoryIsAppendOnly(f"{REFUSED}: {sender.__name__} rows are never deleted")
