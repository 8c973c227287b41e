"""OMB identifies the grant opportunities (the order): its grant staff create them for any
awarding agency. Unsubmitted drafts get reminders from a daily schedule."""

from django.db import migrations

from eo_portal.migration_history import grant_role_in_migration, system_user_for

SCHEDULE_NAME = "grants: reminders of unsubmitted drafts"


def forward(apps, schema_editor):
    by = system_user_for(apps)
    grant_role_in_migration(apps, "omb", "grants", "add_opportunity", by, "OMB identifies grant opportunities (the order)")
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": "grants.tasks.send_draft_reminders", "schedule_type": "D", "repeats": -1},
    )


def backward(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0001_initial"),
        ("eo_portal", "0006_grant_applicant_details"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(forward, backward)]
