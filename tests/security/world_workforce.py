"""Tech Force objects for the permission matrix: OPM's posted opening and its draft, a pooled cohort
of OPM's that CISA considers too, and the applicant's applications to both, profile with résumé and
saved search. The applicant's family name is a secret too: an applicant's personal data is theirs
and the hiring agencies'."""

from __future__ import annotations

from datetime import timedelta

from eo_portal import deadlines
from eo_portal.access_expectations import marker
from eo_portal.audit import save_audited
from tests.security.builders import World, pdf_upload
from workforce import services
from workforce.models import Opening, Pathway, WorkRole

PATHWAY = "tech-force-fellowship"


def _opening(world: World, duties: str, **cohort) -> Opening:
    return services.create_opening(
        by=world.people["opm_member"],
        agency=world.organisations["opm"],
        hiring_paths=["public"],
        locations=[("Washington", "DC")],
        work_roles=list(WorkRole.objects.filter(code="PD-WRL-001")),
        title="Cyber Defense Analyst",
        pathway=Pathway.objects.get(slug=PATHWAY),
        series="2210",
        pay_plan="GS",
        grade_low=11,
        grade_high=12,
        salary_min=86962,
        salary_max=135987,
        remote=False,
        clearance="none",
        open_date=deadlines.today() - timedelta(days=3),
        close_date=deadlines.today() + timedelta(days=27),
        duties=duties,
        qualifications="One year of specialized experience equivalent to the next lower grade.",
        **cohort,
    )


def _applicant(world: World):
    applicant = world.people["applicant"]
    applicant.last_name = marker("applicant-name")
    save_audited(applicant, by=applicant, reason="name changed", validate=False)
    services.save_profile(
        by=applicant,
        city="Macon",
        state="GA",
        summary=marker("applicant-profile"),
        resume=pdf_upload("resume.pdf", marker("applicant-resume")),
    )
    return applicant


def build(world: World) -> None:
    applicant, opm = _applicant(world), world.people["opm_member"]
    posted = _opening(world, "Protect federal systems.")
    services.post_opening(posted, by=opm)
    draft = _opening(world, marker("opening-draft"))
    cohort = _opening(world, "A two-year cohort.", considering_agencies=[world.organisations["cisa"]])
    services.post_opening(cohort, by=opm)
    application = services.apply(posted, by=applicant, cover_note=marker("application-cover-note"))
    pooled = services.apply(cohort, by=applicant, cover_note=marker("pooled-cover-note"))
    search = services.save_search(by=applicant, name=marker("workforce-search"), query={"keyword": "analyst"})

    world.add_referenced("opening", posted.control_number, "control_number")
    world.add_referenced("opening_draft", draft.control_number, "control_number")
    world.add_target("pathway", {"slug": PATHWAY}, {"slug": "no-such-pathway"})
    world.add_numbered("job_application", application.pk, "application_id", "pk")
    world.add_numbered("pooled_application", pooled.pk, "application_id", "pk")
    world.add_numbered("job_search", search.pk, "saved_id")
