"""Personas, vulnerabilities and advisories for the clearinghouse's rule tests.

Everything is made the way the portal makes it: organisations and memberships through the core's
services as the system user (tests/factories.py), vulnerabilities and advisories walked through
`clearinghouse.services` by the people who would take each step. The agencies the order names
(Treasury, NSA, CISA) come from the data migrations, and their members are clearinghouse
coordinators by the role grants of migration clearinghouse/0002.

    report(title=..., products=[...])      a vulnerability reported by lab A's member
    triage(vulnerability, "act")           triaged by a Treasury analyst to that SSVC decision
    make_advisory(Tlp.AMBER, named_organisations=[...])   a draft by a Treasury analyst
    publish(advisory)                      sent for review by Treasury, published by NSA, distributed
    revise(advisory, change_summary=..., **changes)       a new revision by NSA, distributed
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User

from clearinghouse import services
from clearinghouse.models import Advisory, Source, Tlp, Vulnerability
from eo_portal import deadlines
from eo_portal.models import Notification, Organisation, OrganisationKind, Role, Sector
from tests.factories import OrganisationFactory, person_in

CVSS_CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8
CVSS_HIGH = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"  # 7.5
CVSS_MEDIUM = "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N"  # 4.3

VULNERABILITY = {
    "title": "Prompt injection in the agent tool router",
    "description": "Instructions hidden in fetched pages make the router call tools the user never asked for.",
    "cwe_ids": ["CWE-77"],
    "cvss_vector": CVSS_CRITICAL,
}
PRODUCT = {"vendor": "Acme", "product": "Agent Router", "version_start": "2.0", "version_end": "2.9"}

# SSVC decision points that give each of CISA's decisions (coordinator table 2.0.3).
POINTS = {
    "track": {"exploitation": "none", "automatable": False, "technical_impact": "partial", "mission_impact": "low"},
    "track*": {"exploitation": "none", "automatable": False, "technical_impact": "total", "mission_impact": "high"},
    "attend": {"exploitation": "active", "automatable": False, "technical_impact": "partial", "mission_impact": "high"},
    "act": {"exploitation": "active", "automatable": True, "technical_impact": "total", "mission_impact": "high"},
}

ADVISORY = {
    "title": "Patch the agent tool router now",
    "summary": "Upgrade Acme Agent Router to 3.0; until then turn off automatic tool calls.",
}


def refresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def subjects_of(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("subject", flat=True))


def days_from_today(days: int) -> date:
    return deadlines.today() + timedelta(days=days)


# ---------------------------------------------------------------------------
# Organisations


def _agency(slug: str) -> Organisation:
    """Loaded by the core's data migration."""
    return Organisation.objects.get(slug=slug, kind=OrganisationKind.AGENCY)


@pytest.fixture
def treasury(db):
    return _agency("treasury")


@pytest.fixture
def nsa(db):
    return _agency("nsa")


@pytest.fixture
def nist(db):
    return _agency("nist")


@pytest.fixture
def water_works(db):
    return OrganisationFactory(
        slug="water-works",
        name="Metro Water Works",
        short_name="Water Works",
        kind=OrganisationKind.OPERATOR,
        sectors=[Sector.WATER],
    )


@pytest.fixture
def plains_power(db):
    return OrganisationFactory(
        slug="plains-power",
        name="Plains Power Authority",
        short_name="Plains Power",
        kind=OrganisationKind.OPERATOR,
        sectors=[Sector.ENERGY],
    )


@pytest.fixture
def lakeshore_state(db):
    return OrganisationFactory(
        slug="lakeshore-state", name="State of Lakeshore", short_name="Lakeshore", kind=OrganisationKind.STATE
    )


# ---------------------------------------------------------------------------
# People


@pytest.fixture
def treasury_analyst(treasury):
    """A clearinghouse coordinator: drafts advisories and sends them for review."""
    return person_in(treasury, Role.MEMBER, username="treasury-analyst")


@pytest.fixture
def treasury_viewer(treasury):
    """Sees what coordinators see, may change nothing."""
    return person_in(treasury, Role.VIEWER, username="treasury-viewer")


@pytest.fixture
def nsa_analyst(nsa):
    """The second coordinator, who publishes what Treasury sent for review."""
    return person_in(nsa, Role.MEMBER, username="nsa-analyst")


@pytest.fixture
def nist_member(nist):
    """An agency that is no clearinghouse coordinator."""
    return person_in(nist, Role.MEMBER, username="nist-member")


@pytest.fixture
def grid_energy_member(grid_energy):
    """The operator persona's colleague."""
    return person_in(grid_energy, Role.MEMBER, username="grid-energy-member")


@pytest.fixture
def grid_energy_viewer(grid_energy):
    return person_in(grid_energy, Role.VIEWER, username="grid-energy-viewer")


@pytest.fixture
def water_operator(water_works):
    return person_in(water_works, Role.MANAGER, username="water-operator")


@pytest.fixture
def plains_operator(plains_power):
    return person_in(plains_power, Role.MANAGER, username="plains-operator")


@pytest.fixture
def state_official(lakeshore_state):
    return person_in(lakeshore_state, Role.MANAGER, username="state-official")


# ---------------------------------------------------------------------------
# Vulnerabilities and advisories, through the services


@pytest.fixture
def report(lab_a, lab_a_member) -> Callable[..., Vulnerability]:
    """`report(**fields)`: a vulnerability reported by lab A's member (override `by`, `organisation`)."""

    def make(*, by=None, organisation=None, products=None, source=Source.AI_MODEL_EVALUATION, **fields):
        return services.report_vulnerability(
            by=by or lab_a_member,
            organisation=organisation or lab_a,
            source=source,
            products=[PRODUCT] if products is None else products,
            **{**VULNERABILITY, **fields},
        )

    return make


@pytest.fixture
def triage(treasury_analyst) -> Callable[..., Vulnerability]:
    """`triage(vulnerability, "act", **extra)`: triaged by a Treasury analyst to that decision."""

    def run(vulnerability, decision: str = "attend", **extra):
        return services.triage_vulnerability(vulnerability, by=treasury_analyst, **{**POINTS[decision], **extra})

    return run


@pytest.fixture
def triaged_vulnerability(report, triage) -> Callable[..., Vulnerability]:
    """`triaged_vulnerability("act", **report_fields)`."""

    def make(decision: str = "attend", **fields):
        return triage(report(**fields), decision)

    return make


@pytest.fixture
def make_advisory(treasury_analyst, triaged_vulnerability) -> Callable[..., Advisory]:
    """`make_advisory(tlp, vulnerabilities=[...], **fields)`: a draft; one triaged vulnerability by default."""

    def make(tlp: str = Tlp.CLEAR, *, vulnerabilities=None, **fields):
        if vulnerabilities is None:
            vulnerabilities = [triaged_vulnerability()]
        return services.create_advisory(
            by=treasury_analyst, tlp=tlp, vulnerabilities=vulnerabilities, **{**ADVISORY, **fields}
        )

    return make


@pytest.fixture
def publish(treasury_analyst, nsa_analyst, django_capture_on_commit_callbacks) -> Callable[[Advisory], Advisory]:
    """Sent for review by Treasury, published by NSA (the two-person rule); the distribution task
    runs on commit, as django-q2 runs it (Q_SYNC in tests)."""

    def run(advisory: Advisory) -> Advisory:
        services.submit_advisory(advisory, by=treasury_analyst)
        with django_capture_on_commit_callbacks(execute=True):
            services.publish_advisory(advisory, by=nsa_analyst)
        return refresh(advisory)

    return run


@pytest.fixture
def revise(nsa_analyst, django_capture_on_commit_callbacks) -> Callable[..., Advisory]:
    def run(advisory: Advisory, *, change_summary: str = "Corrected the affected versions.", **changes) -> Advisory:
        with django_capture_on_commit_callbacks(execute=True):
            services.revise_advisory(advisory, by=nsa_analyst, change_summary=change_summary, **changes)
        return refresh(advisory)

    return run


@pytest.fixture
def published(make_advisory, publish) -> Callable[..., Advisory]:
    """`published(tlp, **fields)`: an advisory made, reviewed, published and distributed."""

    def make(tlp: str = Tlp.CLEAR, **fields) -> Advisory:
        return publish(make_advisory(tlp, **fields))

    return make
