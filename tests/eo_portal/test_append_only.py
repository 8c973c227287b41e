"""History is append-only (AU-9): the database refuses changing a history row, and the ORM
refuses changing or deleting one; `audit_report` prints who changed what as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from eo_portal import services
from eo_portal.append_only import HistoryIsAppendOnly, append_only_tables, is_history_model
from eo_portal.models import Organisation

pytestmark = pytest.mark.django_db


def history_row(organisation):
    return Organisation.history.filter(id=organisation.pk).order_by("history_id").first()


def test_every_history_table_of_every_program_is_covered():
    tables = append_only_tables(apps.get_models())

    for app in ("eo_portal", "reviews", "clearinghouse", "grants", "workforce"):
        assert any(table.startswith(f"{app}_historical") for table in tables), app
    assert "eo_portal_historicalorganisation" in tables
    assert "clearinghouse_historicaladvisory" in tables
    assert "grants_historicalapplication" in tables
    assert "eo_portal_organisation" not in tables


def test_the_database_refuses_to_change_a_history_row(lab_a):
    table = Organisation.history.model._meta.db_table
    row = history_row(lab_a)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(table)} SET name = %s WHERE history_id = %s",
            ["Forged", row.history_id],
        )

    assert history_row(lab_a).name == lab_a.name


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite empties tables with DELETE; see append_only.py")
def test_postgresql_refuses_to_delete_a_history_row(lab_a):
    table = Organisation.history.model._meta.db_table
    row = history_row(lab_a)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)} WHERE history_id = %s", [row.history_id])

    assert history_row(lab_a) is not None


def test_the_orm_refuses_to_save_or_delete_a_history_row(lab_a):
    row = history_row(lab_a)

    row.name = "Forged"
    with pytest.raises(HistoryIsAppendOnly):
        row.save()
    # Django deletes inside an atomic block that does not roll back alone: give it its own.
    with pytest.raises(HistoryIsAppendOnly), transaction.atomic():
        row.delete()
    assert history_row(lab_a).name == lab_a.name


def test_new_history_rows_are_still_written(lab_a, lab_a_manager):
    before = Organisation.history.filter(id=lab_a.pk).count()

    services.update_organisation(lab_a, by=lab_a_manager, description="New description")

    assert Organisation.history.filter(id=lab_a.pk).count() == before + 1
    assert is_history_model(Organisation.history.model)
    assert not is_history_model(Organisation)


def test_the_audit_report_lists_who_changed_which_fields_since_a_date(lab_a, lab_a_manager):
    services.update_organisation(lab_a, by=lab_a_manager, description="Changed for the report")
    out = io.StringIO()

    call_command("audit_report", since="2000-01-01", stdout=out)

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    change = [r for r in rows if r["model"] == "organisation" and r["object_id"] == str(lab_a.pk) and r["action"] == "changed"]
    assert change and change[-1]["who"] == "lab-a-manager"
    assert "description" in change[-1]["fields"].split()
    assert change[-1]["reason"] == "profile updated"


def test_the_audit_report_names_a_bad_date():
    with pytest.raises(Exception, match="--since must be a date"):
        call_command("audit_report", since="yesterday")


def test_the_audit_report_since_a_future_date_is_only_its_header():
    out = io.StringIO()
    call_command("audit_report", since="2999-01-01", stdout=out)
    assert out.getvalue().strip().splitlines() == [",".join(
        ["when_utc", "who", "app", "model", "object_id", "action", "fields", "reason"]
    )]
