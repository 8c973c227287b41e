from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

from eo_portal.migration_history import grant_role_in_migration, record_created, system_user_for
from workforce.reference_data import PATHWAYS, WORK_ROLES

REASON = "reference data"
SEARCH_INDEX = "opening_search_idx"


def load(apps, schema_editor):
    by = system_user_for(apps)
    role_model = apps.get_model("workforce", "WorkRole")
    pathway_model = apps.get_model("workforce", "Pathway")
    for code, name, category in WORK_ROLES:
        if not role_model.objects.filter(code=code).exists():
            role = role_model.objects.create(code=code, name=name, category=category)
            record_created(apps, "workforce", "WorkRole", role, by, REASON)
    for slug, name, authority, who, description, length in PATHWAYS:
        if not pathway_model.objects.filter(slug=slug).exists():
            pathway = pathway_model.objects.create(
                slug=slug,
                name=name,
                hiring_authority=authority,
                who_may_apply=who,
                description=description,
                typical_length=length,
            )
            record_created(apps, "workforce", "Pathway", pathway, by, REASON)
    # The order gives OPM the hiring pathways; it watches whether hiring speeds up.
    grant_role_in_migration(apps, "opm", "workforce", "view_hiring_metrics", by, "OPM sees hiring figures")


def search_index(apps):
    from workforce.selectors import SEARCH_VECTOR

    return GinIndex(SEARCH_VECTOR, name=SEARCH_INDEX)


def add_search_index(apps, schema_editor):
    # Full-text search over 100,000 openings needs PostgreSQL's GIN index on the same expression
    # the search uses; SQLite falls back to a plain scan.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("workforce", "Opening"), search_index(apps))


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("workforce", "Opening"), search_index(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("workforce", "0001_initial"),
        ("eo_portal", "0002_order_agencies"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(add_search_index, drop_search_index),
    ]
