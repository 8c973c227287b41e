"""The order names Treasury, with NSA and CISA, to run the clearinghouse, and CISA to issue
directives: their groups hold those roles from the start, with history rows."""

from django.db import migrations

from eo_portal.migration_history import grant_role_in_migration, system_user_for

COORDINATORS = ("treasury", "nsa", "cisa")
COORDINATOR_ROLES = (
    "view_vulnerability",
    "change_vulnerability",
    "triage_vulnerability",
    "view_advisory",
    "add_advisory",
    "change_advisory",
    "publish_advisory",
    "view_delivery",
)
CISA_ROLES = ("view_directive", "add_directive", "change_directive", "issue_directive", "view_compliancereport")


def grant(apps, schema_editor):
    by = system_user_for(apps)
    for slug in COORDINATORS:
        for codename in COORDINATOR_ROLES:
            grant_role_in_migration(apps, slug, "clearinghouse", codename, by, "clearinghouse coordinator (the order)")
    for codename in CISA_ROLES:
        grant_role_in_migration(apps, "cisa", "clearinghouse", codename, by, "CISA issues directives (the order)")


class Migration(migrations.Migration):
    dependencies = [
        ("clearinghouse", "0001_initial"),
        ("eo_portal", "0005_order_mandates"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
