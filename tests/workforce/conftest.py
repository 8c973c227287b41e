"""Agencies, people, openings and applications for the hiring program's tests.

Everything is made the way the portal makes it: organisations and memberships through the core's
services as the system user, openings and applications walked through `workforce.services` by the
people who would take each step, so every persona holds exactly the grants a real account holds.

    make_opening("closed", agency=dhs, series="1550")   an opening of DHS, posted then closed
    make_application("offer", opening=...)              an application walked to an offer
    catalogue                                           the known search data set (CATALOGUE)
    api(user)                                           DRF's APIClient signed in (tests/conftest.py)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from eo_portal import deadlines
from eo_portal import services as core
from eo_portal.audit import system_user
from eo_portal.models import Organisation, OrganisationKind, Role
from tests.factories import UserFactory, person_in
from workforce import services, workflow
from workforce.models import Application, Opening, Pathway, WorkRole
from workforce.workflow import ApplicationStatus

OPENINGS_URL = "/api/v1/workforce/openings/"
APPLICATIONS_URL = "/api/v1/workforce/applications/"
METRICS_URL = "/api/v1/workforce/metrics/"

OPENING = {
    "title": "Cyber Defense Analyst",
    "pathway": "tech-force-fellowship",
    "series": "2210",
    "pay_plan": "GS",
    "grade_low": 11,
    "grade_high": 12,
    "salary_min": 86962,
    "salary_max": 135987,
    "remote": False,
    "clearance": "none",
    "hiring_paths": ["public"],
    "work_roles": ["PD-WRL-001"],
    "locations": [("Washington", "DC")],
    "duties": "Protect federal systems and share remediation guidance with the AI cybersecurity clearinghouse.",
    "qualifications": "One year of specialized experience equivalent to the next lower grade.",
}
OPENING_STATES = ("draft", "open", "closed", "filled", "cancelled", "past_close", "not_yet_open")

# The known search data set. Each public opening differs from the others in the filters that pick it
# out; the draft and the cancelled one match almost everything, so a leak shows in every filter.
CATALOGUE = {
    "analyst": dict(
        agency="opm",
        title="Vulnerability Analyst",
        remote=True,
        clearance="public_trust",
        hiring_paths=["public", "graduates"],
        work_roles=["PD-WRL-007"],
        close_in=10,
        posted_days_ago=1,
    ),
    "red_team": dict(
        agency="dhs",
        title="AI Red Team Engineer",
        pathway="ctms",
        series="1550",
        pay_plan="CTMS",
        grade_low=None,
        grade_high=None,
        salary_min=120000,
        salary_max=195200,
        clearance="top_secret",
        hiring_paths=["public", "vet"],
        work_roles=["EO-AI-002", "PD-WRL-006"],
        locations=[("Arlington", "VA"), ("Pensacola", "FL")],
        close_in=20,
        posted_days_ago=5,
    ),
    "responder": dict(
        agency="dhs",
        title="Incident Responder",
        pathway="direct-hire-it",
        grade_low=12,
        grade_high=13,
        salary_min=104604,
        salary_max=161486,
        clearance="secret",
        hiring_paths=["public", "vet", "fed-competitive"],
        work_roles=["PD-WRL-003"],
        locations=[("Idaho Falls", "ID")],
        close_in=5,
        posted_days_ago=3,
        duties="Hunt intruders with honeypots and lead the response to incidents on federal networks.",
    ),
    "scientist": dict(
        agency="cisa",
        title="Data Scientist",
        pathway="pathways-recent-graduates",
        series="1560",
        grade_low=7,
        grade_high=9,
        salary_min=56983,
        salary_max=90925,
        remote=True,
        hiring_paths=["graduates", "student"],
        work_roles=["IO-WRL-001"],
        locations=[("Arlington", "VA")],
        close_in=30,
        posted_days_ago=9,
        state="closed",
    ),
    "examiner": dict(
        agency="opm",
        title="Forensics Examiner",
        pathway="direct-hire-it",
        series="0855",
        grade_low=13,
        grade_high=14,
        salary_min=99000,
        salary_max=128000,
        clearance="top_secret",
        hiring_paths=["public", "fed-transition"],
        work_roles=["PD-WRL-002", "PD-WRL-003"],
        locations=[("Fort Meade", "MD")],
        posted_days_ago=7,
        state="past_close",
    ),
    "draft": dict(
        agency="opm", title="Secure Software Developer", remote=True, hiring_paths=["public", "vet"], state="draft"
    ),
    "cancelled": dict(
        agency="dhs",
        title="Threat Hunter",
        clearance="secret",
        hiring_paths=["public", "vet"],
        locations=[("Arlington", "VA")],
        state="cancelled",
    ),
}
PUBLIC = ("analyst", "red_team", "responder", "scientist", "examiner")


def days_from_today(days: int):
    return deadlines.today() + timedelta(days=days)


def refresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def path_to(status: str) -> list[str]:
    """The agency's moves from received to `status`, shortest first, read from workflow.AGENCY_MOVES."""
    routes = deque([[ApplicationStatus.RECEIVED.value]])
    while routes:
        route = routes.popleft()
        if route[-1] == status:
            return route[1:]
        routes.extend([*route, str(step)] for step in workflow.AGENCY_MOVES.get(route[-1], ()) if step not in route)
    raise ValueError(f"the agency cannot move an application to {status!r}")


# ---------------------------------------------------------------------------
# Agencies and people


@pytest.fixture
def opm(db) -> Organisation:
    """Loaded by the core's data migration; holds workforce.view_hiring_metrics."""
    return Organisation.objects.get(slug="opm")


@pytest.fixture
def dhs(db) -> Organisation:
    return core.create_organisation(
        by=system_user(),
        name="Department of Homeland Security",
        short_name="DHS",
        slug="dhs",
        kind=OrganisationKind.AGENCY,
    )


@pytest.fixture
def staff_of(db) -> Callable[[Organisation], User]:
    """`staff_of(agency)`: the agency's hiring member (one per agency, made on first use)."""
    made: dict[str, User] = {}

    def get(agency: Organisation) -> User:
        if agency.slug not in made:
            made[agency.slug] = person_in(agency, Role.MEMBER, username=f"{agency.slug}-hiring", is_staff=True)
        return made[agency.slug]

    return get


@pytest.fixture
def opm_staff(opm, staff_of) -> User:
    return staff_of(opm)


@pytest.fixture
def dhs_staff(dhs, staff_of) -> User:
    return staff_of(dhs)


@pytest.fixture
def applicant(db) -> User:
    return UserFactory(username="uma-applicant", first_name="Uma", last_name="Public")


@pytest.fixture
def other_applicant(db) -> User:
    return UserFactory(username="otto-applicant", first_name="Otto", last_name="Seeker")


@pytest.fixture
def people(request) -> Callable[[str], User]:
    """`people("dhs_staff")`: a persona by fixture name, for parametrized tests."""
    return request.getfixturevalue


# ---------------------------------------------------------------------------
# Openings and applications


@pytest.fixture
def make_opening(opm, staff_of) -> Callable[..., Opening]:
    """`make_opening(state="open", agency=opm, **fields)`: an opening created and moved by its agency's staff.

    Fields take slugs and codes (pathway, work_roles); `close_in` is days from today. States beyond
    the workflow's: "past_close" (posted, then its close date passed) and "not_yet_open".
    """

    def make(state: str = "open", *, agency: Organisation | None = None, close_in: int = 27, **fields) -> Opening:
        if state not in OPENING_STATES:
            raise ValueError(f"unknown state {state!r}; choose from {OPENING_STATES}")
        agency = agency or opm
        by = staff_of(agency)
        data = {**OPENING, **fields}
        opening = services.create_opening(
            by=by,
            agency=agency,
            hiring_paths=data.pop("hiring_paths"),
            locations=data.pop("locations"),
            work_roles=list(WorkRole.objects.filter(code__in=data.pop("work_roles"))),
            pathway=Pathway.objects.get(slug=data.pop("pathway")),
            open_date=days_from_today(2 if state == "not_yet_open" else -3),
            close_date=days_from_today(close_in),
            **data,
        )
        if state != "draft":
            services.post_opening(opening, by=by)
        moves = {
            "closed": services.close_opening,
            "filled": services.fill_opening,
            "cancelled": services.cancel_opening,
        }
        if state in moves:
            moves[state](opening, by=by)
        if state == "past_close":
            # Time passing, not a user's write: the one way to get an open opening past its close date.
            Opening.objects.filter(pk=opening.pk).update(close_date=days_from_today(-1))
        return refresh(opening)

    return make


@pytest.fixture
def make_application(make_opening, applicant, staff_of) -> Callable[..., Application]:
    """`make_application(status="received", opening=None, by=applicant)`: applied, then walked to `status`
    by the hiring agency (placed: from an offer; withdrawn: by the applicant)."""

    def make(status: str = "received", *, opening: Opening | None = None, by: User | None = None) -> Application:
        opening = opening or make_opening()
        by = by or applicant
        hiring = staff_of(opening.agency)
        application = services.apply(opening, by=by, cover_note="I defend federal networks.")
        target = {"placed": "offer", "withdrawn": "received"}.get(status, status)
        for step in path_to(target):
            services.advance_application(application, by=hiring, status=step, note=f"moved to {step}")
        if status == "placed":
            services.place_applicant(application, by=hiring, start_date=days_from_today(45), office="Cyber Division")
        if status == "withdrawn":
            services.withdraw_application(application, by=by)
        return refresh(application)

    return make


@pytest.fixture
def catalogue(make_opening, opm, dhs, cisa) -> dict[str, Opening]:
    """The known search data set (CATALOGUE), by name; posting dates set as each spec says."""
    agencies = {"opm": opm, "dhs": dhs, "cisa": cisa}
    made = {}
    for name, spec in CATALOGUE.items():
        fields = dict(spec)
        agency, state = agencies[fields.pop("agency")], fields.pop("state", "open")
        posted_days_ago = fields.pop("posted_days_ago", None)
        made[name] = make_opening(state, agency=agency, **fields)
        if posted_days_ago is not None:
            posted = made[name].posted_at - timedelta(days=posted_days_ago)
            Opening.objects.filter(pk=made[name].pk).update(posted_at=posted)
    return made
