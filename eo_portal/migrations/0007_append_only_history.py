"""History tables refuse UPDATE and DELETE (see eo_portal/append_only.py); later history tables
are covered by the same installation after every migrate."""

from django.db import migrations

from eo_portal.append_only import append_only_tables, install_triggers


def install(apps, schema_editor):
    install_triggers(append_only_tables(apps.get_models()), using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("eo_portal", "0006_grant_applicant_details")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
