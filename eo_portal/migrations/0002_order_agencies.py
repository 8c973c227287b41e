"""The agencies the order names, and the system account that data loads and tasks act as.

Written against the historical models, so it keeps working as the models change; every
row it creates gets its history row, as the services would write.
"""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone

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


def _history(apps, model_name, obj, system_user, when):
    historical = apps.get_model("eo_portal", f"Historical{model_name}")
    columns = {field.attname for field in historical._meta.concrete_fields}
    values = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    return historical.objects.create(
        **{name: value for name, value in values.items() if name in columns},
        history_date=when,
        history_type="+",
        history_user_id=system_user.pk,
        history_change_reason=REASON,
    )


def load_agencies(apps, schema_editor):
    app_config = apps.get_app_config("eo_portal")
    app_config.models_module = True  # create_permissions skips apps without one
    create_permissions(app_config, apps=apps, verbosity=0)

    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    organisation_model = apps.get_model("eo_portal", "Organisation")
    grant_model = apps.get_model("eo_portal", "OrganisationGroupObjectPermission")
    group_permissions_history = apps.get_model("eo_portal", "HistoricalGroup_permissions")
    now = timezone.now()

    system_user, created = user_model.objects.get_or_create(
        username=settings.SYSTEM_USERNAME,
        defaults={
            "password": make_password(None),
            "is_superuser": True,
            "first_name": "EO Portal",
            "last_name": "system",
        },
    )
    if created:
        _history(apps, "User", system_user, system_user, now)

    perms = {
        p.codename: p
        for p in permission_model.objects.filter(content_type__app_label="eo_portal", content_type__model="organisation")
    }
    for name, short_name, slug in AGENCIES:
        if organisation_model.objects.filter(slug=slug).exists():
            continue
        group = group_model.objects.create(name=f"organisation:{slug}")
        group.permissions.add(*(perms[codename] for codename in AGENCY_ROLE_PERMISSIONS))
        group_history = _history(apps, "Group", group, system_user, now)
        for link in group_model.permissions.through.objects.filter(group=group):
            group_permissions_history.objects.create(
                id=link.pk, history=group_history, group_id=link.group_id, permission_id=link.permission_id
            )
        organisation = organisation_model.objects.create(
            name=name, short_name=short_name, slug=slug, kind="agency", group=group
        )
        _history(apps, "Organisation", organisation, system_user, now)
        for codename in OWN_ORGANISATION_PERMISSIONS:
            grant = grant_model.objects.create(content_object=organisation, group=group, permission=perms[codename])
            _history(apps, "OrganisationGroupObjectPermission", grant, system_user, now)


class Migration(migrations.Migration):
    dependencies = [
        ("eo_portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(load_agencies, migrations.RunPython.noop)]
