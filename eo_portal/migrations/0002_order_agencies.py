"""The agencies the order names, and the system account that data loads and tasks act as.

Written against the historical models, so it keeps working as the models change; every
row it creates gets its history row, as the services would write.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone

from eo_portal.migration_history import record_created, record_related, system_user_for

AGENCIES = [
    ("National Security Agency", "NSA", "nsa"),
    ("Cybersecurity and Infrastructure Security Agency", "CISA", "cisa"),
    ("National Institute of Standards and Technology", "NIST", "nist"),
    ("Department of the Treasury", "Treasury", "treasury"),
    ("Office of Management and Budget", "OMB", "omb"),
    ("Office of Personnel Management", "OPM", "opm"),
    ("The White House, Office of the National Cyber Director", "White House (ONCD)", "white-house"),
]
OWN_ORGANISATION_PERMISSIONS = ("view_organisation", "change_organisation", "manage_members")
AGENCY_ROLE_PERMISSIONS = ("view_organisation",)
REASON = "loaded from the order"


def load_agencies(apps, schema_editor):
    app_config = apps.get_app_config("eo_portal")
    app_config.models_module = True  # create_permissions skips apps without one
    create_permissions(app_config, apps=apps, verbosity=0)

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    organisation_model = apps.get_model("eo_portal", "Organisation")
    grant_model = apps.get_model("eo_portal", "OrganisationGroupObjectPermission")
    now = timezone.now()

    system_user = system_user_for(apps)

    perms = {
        p.codename: p
        for p in permission_model.objects.filter(content_type__app_label="eo_portal", content_type__model="organisation")
    }
    for name, short_name, slug in AGENCIES:
        if organisation_model.objects.filter(slug=slug).exists():
            continue
        group = group_model.objects.create(name=f"organisation:{slug}")
        group.permissions.add(*(perms[codename] for codename in AGENCY_ROLE_PERMISSIONS))
        group_history = record_created(apps, "eo_portal", "Group", group, system_user, REASON, now)
        record_related(apps, "auth", "Group", "permissions", group, group_history, history_app="eo_portal")
        organisation = organisation_model.objects.create(
            name=name, short_name=short_name, slug=slug, kind="agency", group=group
        )
        record_created(apps, "eo_portal", "Organisation", organisation, system_user, REASON, now)
        for codename in OWN_ORGANISATION_PERMISSIONS:
            grant = grant_model.objects.create(content_object=organisation, group=group, permission=perms[codename])
            record_created(apps, "eo_portal", "OrganisationGroupObjectPermission", grant, system_user, REASON, now)


class Migration(migrations.Migration):
    dependencies = [
        ("eo_portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(load_agencies, migrations.RunPython.noop)]
