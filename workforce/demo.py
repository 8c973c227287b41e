"""Demo Tech Force openings for `manage.py seed_demo`: posted by OPM and DHS, with one draft and
an application from the demo job seeker. Safe to run again."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from eo_portal import deadlines
from eo_portal.models import Organisation
from workforce import services
from workforce.models import Opening, Pathway, WorkRole

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# title, agency slug, pathway slug, series, pay plan, grades, salary, remote, clearance, paths, roles, places, post?
OPENINGS = [
    ("Vulnerability Analyst (Tech Force Fellow)", "opm", "tech-force-fellowship", "2210", "GS", (11, 12),
     (86962, 135987), True, "public_trust", ["public", "graduates"], ["PD-WRL-007"], [("Washington", "DC")], True),
    ("AI Red Team Engineer", "dhs", "ctms", "1550", "CTMS", (None, None),
     (120000, 195200), False, "top_secret", ["public", "vet"], ["EO-AI-002", "PD-WRL-006"],
     [("Arlington", "VA"), ("Pensacola", "FL")], True),
    ("Incident Responder", "dhs", "direct-hire-it", "2210", "GS", (12, 13),
     (104604, 161486), False, "secret", ["public", "vet", "fed-competitive"], ["PD-WRL-003"],
     [("Idaho Falls", "ID")], True),
    ("Secure Software Developer (draft)", "opm", "pathways-recent-graduates", "1550", "GS", (7, 9),
     (56983, 90925), True, "none", ["graduates"], ["DD-WRL-003"], [("Macon", "GA")], False),
]


def seed(by: User) -> int:
    if Opening.objects.filter(title=OPENINGS[0][0]).exists():
        return 0
    users = get_user_model()._default_manager
    staff = {"opm": users.get(username="opm-hiring"), "dhs": users.get(username="dhs-hiring")}
    agencies = {o.slug: o for o in Organisation.objects.filter(slug__in=staff)}
    pathways = {p.slug: p for p in Pathway.objects.all()}
    roles = {r.code: r for r in WorkRole.objects.all()}
    today = deadlines.today()
    created = []
    for (title, agency, pathway, series, plan, (low, high), (pay_min, pay_max), remote, clearance, paths, codes,
         places, post) in OPENINGS:
        opening = services.create_opening(
            by=staff[agency],
            agency=agencies[agency],
            hiring_paths=paths,
            locations=places,
            work_roles=[roles[code] for code in codes],
            title=title,
            pathway=pathways[pathway],
            series=series,
            pay_plan=plan,
            grade_low=low,
            grade_high=high,
            salary_min=pay_min,
            salary_max=pay_max,
            remote=remote,
            telework_eligible=remote,
            clearance=clearance,
            open_date=today - timedelta(days=3),
            close_date=today + timedelta(days=27),
            duties="Find, analyse and help remediate vulnerabilities in federal systems, working with the "
            "AI cybersecurity clearinghouse.",
            qualifications="One year of specialized experience equivalent to the next lower grade, or the "
            "education the pathway names.",
        )
        if post:
            services.post_opening(opening, by=staff[agency])
        created.append(opening)
    cohort = services.create_opening(
        by=staff["opm"],
        agency=agencies["opm"],
        hiring_paths=["public", "vet", "graduates"],
        locations=[("Washington", "DC")],
        work_roles=[roles["PD-WRL-001"], roles["PD-WRL-007"]],
        considering_agencies=list(Organisation.objects.filter(slug__in=["dhs", "cisa"])),
        title="Tech Force Cyber Specialist Cohort 2027 (pooled)",
        pathway=pathways["tech-force-fellowship"],
        series="2210",
        pay_plan="GS",
        grade_low=13,
        grade_high=14,
        salary_min=120579,
        salary_max=185867,
        remote=False,
        telework_eligible=True,
        clearance="secret",
        open_date=today - timedelta(days=1),
        close_date=today + timedelta(days=45),
        duties="A two-year cohort: one application, considered by OPM, DHS and CISA for cyber defence teams.",
        qualifications="One year of specialized experience at GS-12, or equivalent.",
    )
    services.post_opening(cohort, by=staff["opm"])
    jobseeker = users.get(username="jobseeker")
    services.apply(created[0], by=jobseeker, cover_note="I analyse vulnerabilities daily.")
    services.apply(cohort, by=jobseeker, cover_note="I would like to join the 2027 cohort.")
    return len(created) + 3
