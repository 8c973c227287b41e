"""Personas and cases for the review program's tests.

Everything is made the way the portal makes it: organisations and memberships through the core's
services as the system user, cases moved from state to state through `reviews.services`, so every
persona holds exactly the groups and grants a real account would hold.

    make_case("under_review")              a case of lab A, walked there by the right people
    make_case("draft", planned_release_date=...)
    people("treasury_member")              any persona below, by name (for parametrized tests)
    api(user)                              DRF's APIClient signed in through the session
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser, User
from rest_framework.test import APIClient

from eo_portal import permissions
from eo_portal import services as core
from eo_portal.audit import system_user
from eo_portal.models import Organisation, OrganisationKind, Role, Sector
from reviews import services
from reviews.models import ReviewCase
from reviews.selectors import COORDINATOR_ROLE
from tests.factories import signed_in
from tests.reviews.support import BRANCHES, CASE_FIELDS, DETERMINATION, FINDING, JOURNEY, STAGES, refresh

PASSWORD = "correct-horse-battery-1"


# ---------------------------------------------------------------------------
# Organisations


def _organisation(slug: str, kind: str, **extra) -> Organisation:
    name = slug.replace("-", " ").title()
    return core.create_organisation(by=system_user(), name=name, short_name=name, slug=slug, kind=kind, **extra)


def _agency(slug: str) -> Organisation:
    """Loaded by the core's data migration."""
    return Organisation.objects.get(slug=slug, kind=OrganisationKind.AGENCY)


@pytest.fixture
def system(db):
    return system_user()


@pytest.fixture
def lab_a(db):
    return _organisation("lab-a", OrganisationKind.LAB)


@pytest.fixture
def lab_b(db):
    return _organisation("lab-b", OrganisationKind.LAB)


@pytest.fixture
def partner_a(db):
    return _organisation("partner-a", OrganisationKind.PARTNER)


@pytest.fixture
def partner_b(db):
    return _organisation("partner-b", OrganisationKind.PARTNER)


@pytest.fixture
def grid_energy(db):
    return _organisation("grid-energy", OrganisationKind.OPERATOR, sectors=[Sector.ENERGY])


@pytest.fixture
def nsa(db):
    return _agency("nsa")


@pytest.fixture
def cisa(db):
    return _agency("cisa")


@pytest.fixture
def nist(db):
    return _agency("nist")


@pytest.fixture
def treasury(db):
    return _agency("treasury")


@pytest.fixture
def omb(db):
    """OMB holds the reviews-coordinator role: it sees that every case exists, nothing more."""
    organisation = _agency("omb")
    permissions.grant_role_to_organisation(COORDINATOR_ROLE, organisation, by=system_user())
    return organisation


# ---------------------------------------------------------------------------
# People


def person(organisation: Organisation, role: str, username: str) -> User:
    user = User.objects.create_user(username=username, email=f"{username}@example.test", password=PASSWORD)
    core.add_member(organisation, user, by=system_user(), role=role)
    return user


@pytest.fixture
def lab_a_manager(lab_a):
    return person(lab_a, Role.MANAGER, "lab-a-manager")


@pytest.fixture
def lab_a_member(lab_a):
    return person(lab_a, Role.MEMBER, "lab-a-member")


@pytest.fixture
def lab_a_viewer(lab_a):
    return person(lab_a, Role.VIEWER, "lab-a-viewer")


@pytest.fixture
def lab_b_manager(lab_b):
    return person(lab_b, Role.MANAGER, "lab-b-manager")


@pytest.fixture
def partner_a_manager(partner_a):
    return person(partner_a, Role.MANAGER, "partner-a-manager")


@pytest.fixture
def partner_a_member(partner_a):
    return person(partner_a, Role.MEMBER, "partner-a-member")


@pytest.fixture
def partner_b_manager(partner_b):
    return person(partner_b, Role.MANAGER, "partner-b-manager")


@pytest.fixture
def cisa_member(cisa):
    return person(cisa, Role.MEMBER, "cisa-reviewer")


@pytest.fixture
def nsa_member(nsa):
    return person(nsa, Role.MEMBER, "nsa-reviewer")


@pytest.fixture
def nist_member(nist):
    return person(nist, Role.MEMBER, "nist-reviewer")


@pytest.fixture
def treasury_member(treasury):
    return person(treasury, Role.MEMBER, "treasury-analyst")


@pytest.fixture
def coordinator(omb):
    return person(omb, Role.MEMBER, "omb-coordinator")


@pytest.fixture
def operator_user(grid_energy):
    return person(grid_energy, Role.MANAGER, "operator-energy")


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def people(request) -> Callable[[str], User | AnonymousUser]:
    """`people("lab_b_manager")`: a persona by fixture name, made only when a test asks for it."""
    return request.getfixturevalue


# ---------------------------------------------------------------------------
# Clients and uploads


@pytest.fixture
def api(db) -> Callable[..., APIClient]:
    """`api(user)`: DRF's APIClient signed in through the session (anonymous for None), past the
    MFA step when the user must use it."""

    def make(user: User | AnonymousUser | None = None) -> APIClient:
        client = APIClient()
        if user is not None and user.is_authenticated:
            signed_in(client, user)
        return client

    return make


# ---------------------------------------------------------------------------
# Cases, walked through the services from draft to each state


@pytest.fixture
def make_case(lab_a, lab_a_manager, cisa_member, nsa_member, nist_member):
    """`make_case(stage, **fields)`: a case of lab A in `stage` (see STAGES), each step by its actor."""

    def determine(case, outcome):
        services.record_determination(case, by=nsa_member, outcome=outcome, **DETERMINATION)

    def draft_finding(case):
        services.draft_finding(case, by=cisa_member, **FINDING)

    steps = {
        "submitted": lambda case: services.submit_case(case, by=lab_a_manager),
        "screening": lambda case: services.start_screening(case, by=cisa_member),
        "determined": lambda case: determine(case, "meets_threshold"),
        "under_review": lambda case: services.start_review(case, by=nist_member),
        "finding_drafted": draft_finding,
        "findings_issued": lambda case: services.issue_findings(case, by=cisa_member),
        "closed": lambda case: services.close_case(case, by=nsa_member),
        "not_warranted": lambda case: determine(case, "below_threshold"),
        "withdrawn": lambda case: services.withdraw_case(case, by=lab_a_manager),
        "findings_issued_with_draft": draft_finding,
    }

    def path_to(stage: str) -> list[str]:
        if stage == "draft":
            return []
        if stage in BRANCHES:
            return [*path_to(BRANCHES[stage]), stage]
        return list(JOURNEY[: JOURNEY.index(stage) + 1])

    def make(stage: str = "draft", **fields) -> ReviewCase:
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}; choose from {STAGES}")
        case = services.create_case(by=lab_a_manager, lab=lab_a, **{**CASE_FIELDS, **fields})
        for step in path_to(stage):
            steps[step](case)
        return refresh(case)

    return make


@pytest.fixture
def active_partner(partner_a, partner_a_manager, lab_a_manager, cisa_member):
    """`active_partner(case)`: partner A proposed by the lab, concurred by CISA, terms accepted."""

    def make(case: ReviewCase):
        access = services.propose_partner(case, by=lab_a_manager, partner=partner_a, purpose="Red-team evaluation")
        access = services.decide_partner(access, by=cisa_member, concur=True)
        return services.accept_partner_terms(access, by=partner_a_manager)

    return make
