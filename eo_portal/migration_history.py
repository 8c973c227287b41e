"""History rows for data that migrations load, written as the services would write them.

Works on the historical models a migration receives, so it keeps working as models change.
"""

from django.conf import settings
from django.contrib.auth.hashers import make_password


def system_user_for(apps):
    """The system account, created here if the migration runs before any other did."""
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    user, created = user_model.objects.get_or_create(
        username=settings.SYSTEM_USERNAME,
        defaults={
            "password": make_password(None),
            "is_superuser": True,
            "first_name": "EO Portal",
            "last_name": "system",
        },
    )
    if created:
        record_created(apps, "eo_portal", "User", user, user, "loaded from the order")
    return user


def record_created(apps, app_label, model_name, obj, by, reason, when=None, history_type="+"):
    """Write the history row ("+" by default) of a row a migration created or changed."""
    from django.utils import timezone

    historical = apps.get_model(app_label, f"Historical{model_name}")
    columns = {field.attname for field in historical._meta.concrete_fields}
    values = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    return historical.objects.create(
        **{name: value for name, value in values.items() if name in columns},
        history_date=when or timezone.now(),
        history_type=history_type,
        history_user_id=by.pk,
        history_change_reason=reason,
    )


def grant_role_in_migration(apps, organisation_slug, app_label, codename, by, reason):
    """Give an organisation's group a whole-class (model-level) permission, with its history rows."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    app_config.models_module = True  # create_permissions skips apps without one
    create_permissions(app_config, apps=apps, verbosity=0)
    organisation = apps.get_model("eo_portal", "Organisation").objects.filter(slug=organisation_slug).first()
    if organisation is None:
        return
    group = organisation.group
    permission = apps.get_model("auth", "Permission").objects.get(content_type__app_label=app_label, codename=codename)
    group.permissions.add(permission)
    # History is append-only: the row is written as a change ("~") at once, never updated.
    group_history = record_created(apps, "eo_portal", "Group", group, by, reason, history_type="~")
    record_related(apps, "auth", "Group", "permissions", group, group_history, history_app="eo_portal")


def record_related(apps, app_label, model_name, field_name, obj, history_row, history_app=None):
    """Copy a many-to-many relation's rows into its history table, tied to `history_row`."""
    through = getattr(apps.get_model(app_label, model_name), field_name).through
    historical = apps.get_model(history_app or app_label, f"Historical{model_name}_{field_name}")
    for link in through.objects.filter(**{model_name.lower(): obj}):
        values = {field.attname: getattr(link, field.attname) for field in through._meta.concrete_fields}
        historical.objects.create(history=history_row, **values)
