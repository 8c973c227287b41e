"""Every mandate the order's text names, with its deadline where the text gives one.

The text (as reported) gives two deadlines: 60 days for the review framework and 30 days for
CISA's cyber guidance and directives. The others have none, and none is invented here.
"""

from django.db import migrations

from eo_portal.migration_history import grant_role_in_migration, record_created, record_related, system_user_for

REASON = "loaded from the order"
SCHEDULE_NAME = "mandates: reminders before due dates"

# code, section, action, responsible, supporting, days after signing
MANDATES = [
    (
        "review-framework",
        "Voluntary framework for frontier AI model review",
        "Develop a voluntary framework under which developers give the government access to leading-edge "
        "models 30 calendar days before any other release, with trusted partners chosen with the government; "
        "never a mandatory pre-clearance.",
        ["nsa", "cisa", "nist"],
        [],
        60,
    ),
    (
        "classified-benchmarking",
        "Classified benchmarking process",
        "Establish a classified benchmarking process that decides when a model meets the threshold for "
        "voluntary review.",
        ["nsa", "cisa", "nist"],
        [],
        None,
    ),
    (
        "cyber-guidance",
        "Cyber guidance and binding operational directives",
        "Issue new cyber guidance, including binding operational directives, to protect critical systems.",
        ["cisa"],
        ["white-house"],
        30,
    ),
    (
        "defensive-tools",
        "AI-enabled defensive tools",
        "Establish or expand programmes that make AI-enabled defensive tools available to state and local "
        "governments and critical-infrastructure operators.",
        ["cisa"],
        ["white-house"],
        None,
    ),
    (
        "clearinghouse",
        "AI cybersecurity clearinghouse",
        "Form a clearinghouse between the AI industry and critical-infrastructure operators to identify new "
        "software vulnerabilities, prioritise patching and remediation, and share remediation guidance.",
        ["treasury"],
        ["nsa", "cisa"],
        None,
    ),
    (
        "grant-opportunities",
        "Grant opportunities for AI cybersecurity",
        "Identify grant opportunities for advanced AI cybersecurity capabilities.",
        ["omb"],
        [],
        None,
    ),
    (
        "cyber-hiring",
        "Federal cyber hiring and placement pathways (Tech Force)",
        "Expand federal cybersecurity hiring and placement pathways under the Tech Force initiative.",
        ["opm"],
        [],
        None,
    ),
]


def load(apps, schema_editor):
    by = system_user_for(apps)
    mandate_model = apps.get_model("eo_portal", "Mandate")
    organisations = {o.slug: o for o in apps.get_model("eo_portal", "Organisation").objects.all()}
    for code, section, action, responsible, supporting, days in MANDATES:
        if mandate_model.objects.filter(code=code).exists():
            continue
        mandate = mandate_model.objects.create(code=code, section=section, action=action, days_after_signing=days)
        mandate.responsible_agencies.set([organisations[slug] for slug in responsible if slug in organisations])
        mandate.supporting_agencies.set([organisations[slug] for slug in supporting if slug in organisations])
        history = record_created(apps, "eo_portal", "Mandate", mandate, by, REASON)
        for field in ("responsible_agencies", "supporting_agencies"):
            record_related(apps, "eo_portal", "Mandate", field, mandate, history)
    # The White House oversees every mandate of the order.
    grant_role_in_migration(apps, "white-house", "eo_portal", "change_mandate", by, "White House oversees mandates")
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": "eo_portal.tasks.send_mandate_reminders", "schedule_type": "D", "repeats": -1},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("eo_portal", "0004_mandates"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
