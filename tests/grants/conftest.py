"""Agencies, applicants, opportunities and applications for the grants program's rule tests.

Everything is made the way the portal makes it: organisations and memberships through the core's
services as the system user, opportunities and applications walked through `grants.services` by
the people who would take each step, so every persona holds exactly the grants a real account holds.

    make_opportunity("posted", cost_share_percent=Decimal("0"))   posted by OMB for CISA, closing in 30 days
    make_application("submitted", applicant=state_government)     a draft walked to "submitted"
    make_county("millbrook", is_rural=True)                       another eligible county, with a manager
    clock.set(moment)                                              pin "now" (django.utils.timezone.now)

The personas of tests/conftest.py are used as they are: `county_applicant` manages `harbor_county`
(here made eligible by `eligible_county`), `agency_staff` is a CISA member and so staff of the
awarding agency, `operator`, `lab_a_member`, `jobseeker`, `anonymous`, `system`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from eo_portal import deadlines
from eo_portal import services as core
from eo_portal.audit import system_user
from eo_portal.models import Membership, Notification, Organisation, OrganisationKind, Role
from grants import services
from grants.models import Application, Opportunity
from tests.factories import OrganisationFactory, person_in

CENT = Decimal("0.01")
CLOSES_IN = timedelta(days=30)
# Two criteria weighted 60/40: a reviewer's weighted total is score1 × 0.6 + score2 × 0.4.
CRITERIA = [
    ("Need and risk reduction", 60, "The threats the project answers and how much risk it removes."),
    ("Plan and capacity", 40, "Whether the applicant can deliver the plan on time."),
]
OPPORTUNITY = {
    "title": "AI-enabled security operations for state and local governments",
    "assistance_listing": "97.137",
    "description": "Funds for AI-assisted detection and response in state and county governments.",
    "eligible_types": ["county", "state"],
    "funding_instrument": "grant",
    "award_floor": Decimal("10000.00"),
    "award_ceiling": Decimal("500000.00"),
    "expected_awards": 10,
    "total_funding": Decimal("5000000.00"),
    "cost_share_percent": Decimal("10"),
}
OPPORTUNITY_STATES = ("forecasted", "posted", "closed", "archived")
# Requested 90,000 plus a cost share of 10,000: a total project cost of 100,000, exactly 10% shared.
REQUESTED = Decimal("90000.00")
COST_SHARE = Decimal("10000.00")
AUTHORIZED_REPRESENTATIVE = {
    "role": "authorized_representative",
    "name": "Riley Harbor",
    "email": "cio@harbor-county.example.gov",
}
APPLICATION_STATES = ("draft", "submitted", "under_review", "awarded", "not_selected", "withdrawn")

_opportunity_numbers = itertools.count(1)
_award_numbers = itertools.count(1)
_ueis = itertools.count(1)


def refresh(obj):
    """The row as stored now, read afresh (never the caller's copy)."""
    return type(obj).objects.get(pk=obj.pk)


def days_from_today(days: int):
    return deadlines.today() + timedelta(days=days)


def budget_for(total: Decimal) -> list[tuple[str, Decimal]]:
    """SF-424A lines that add up to `total` exactly: half personnel, 30% equipment, the rest contractual."""
    personnel = (total * Decimal("0.5")).quantize(CENT)
    equipment = (total * Decimal("0.3")).quantize(CENT)
    return [("personnel", personnel), ("equipment", equipment), ("contractual", total - personnel - equipment)]


def member_of(organisation: Organisation) -> User:
    """A person who may act for the organisation (its first member or manager)."""
    membership = (
        Membership.objects.filter(organisation=organisation, role__in=(Role.MEMBER, Role.MANAGER))
        .select_related("user")
        .order_by("id")
        .first()
    )
    assert membership is not None, f"{organisation} has nobody who may act for it"
    return membership.user


def notified(subject_contains: str) -> list[str]:
    """Usernames notified with a subject containing the text, in the order the notifications were made."""
    return list(
        Notification.objects.filter(subject__contains=subject_contains)
        .order_by("id")
        .values_list("recipient__username", flat=True)
    )


def next_uei(prefix: str = "CNTY") -> str:
    """A fresh, valid SAM.gov Unique Entity ID (12 characters; the prefix must have no I or O)."""
    return f"{prefix}{next(_ueis):0{12 - len(prefix)}d}"


# ---------------------------------------------------------------------------
# The clock


class Clock:
    """'Now' for the code under test, pinned; moving it stands in for time passing."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return moment

    def advance(self, delta: timedelta) -> datetime:
        return self.set(self.now + delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """`clock.set(moment)` / `clock.advance(delta)`: `django.utils.timezone.now` answers the pinned moment."""
    return Clock(monkeypatch)


# ---------------------------------------------------------------------------
# Agencies and their staff


@pytest.fixture
def omb(db) -> Organisation:
    """Loaded by the core's data migration; its members hold grants.add_opportunity."""
    return Organisation.objects.get(slug="omb")


@pytest.fixture
def nist(db) -> Organisation:
    return Organisation.objects.get(slug="nist")


@pytest.fixture
def nsa(db) -> Organisation:
    return Organisation.objects.get(slug="nsa")


@pytest.fixture
def omb_staff(omb) -> User:
    """OMB's grant staff: creates opportunities for any agency and administers every one."""
    return person_in(omb, Role.MEMBER, username="omb-grants", is_staff=True)


@pytest.fixture
def awarding_staff(agency_staff) -> User:
    """Staff of the awarding agency of `make_opportunity`'s opportunities (CISA)."""
    return agency_staff


@pytest.fixture
def other_agency_staff(nsa) -> User:
    """Staff of an agency that awards none of the opportunities here (NSA)."""
    return person_in(nsa, Role.MEMBER, username="nsa-staff", is_staff=True)


@pytest.fixture
def reviewer(nist) -> User:
    """A federal reviewer from an agency that neither awards nor applies (NIST)."""
    return person_in(nist, Role.MEMBER, username="nist-reviewer", is_staff=True)


@pytest.fixture
def second_reviewer(nist) -> User:
    return person_in(nist, Role.MEMBER, username="nist-reviewer-2", is_staff=True)


# ---------------------------------------------------------------------------
# Applicants


@pytest.fixture
def eligible_county(harbor_county, county_applicant) -> Organisation:
    """Harbor County with the profile an applicant needs: a county, a UEI, an unexpired SAM.gov registration."""
    return core.update_organisation(
        harbor_county,
        by=system_user(),
        local_government_type="county",
        uei="HARBRCNTY123",
        sam_registration_expires=days_from_today(200),
    )


@pytest.fixture
def state_government(db) -> Organisation:
    """The State of Franklin: an eligible state, and a pass-through recipient of its awards.
    Its manager is `state_applicant`."""
    state = OrganisationFactory(
        slug="state-franklin",
        name="State of Franklin",
        short_name="Franklin",
        kind=OrganisationKind.STATE,
        uei="FRANKLNST456",
        sam_registration_expires=days_from_today(300),
    )
    person_in(state, Role.MANAGER, username="state-applicant")
    return state


@pytest.fixture
def state_applicant(state_government) -> User:
    return member_of(state_government)


@pytest.fixture
def make_county(db) -> Callable[..., Organisation]:
    """`make_county("millbrook", is_rural=True)`: another eligible county, with a manager `<slug>-manager`."""

    def make(slug: str, *, is_rural: bool = False, **fields) -> Organisation:
        name = slug.replace("-", " ").title()
        details = {
            "uei": next_uei(),
            "sam_registration_expires": days_from_today(365),
            "local_government_type": "county",
        } | fields
        organisation = OrganisationFactory(
            slug=slug, name=name, short_name=name, kind=OrganisationKind.LOCAL, is_rural=is_rural, **details
        )
        person_in(organisation, Role.MANAGER, username=f"{slug}-manager")
        return organisation

    return make


@pytest.fixture
def harbor_viewer(harbor_county) -> User:
    """A viewer of Harbor County: sees its applications, may not act on them."""
    return person_in(harbor_county, Role.VIEWER, username="harbor-viewer")


@pytest.fixture
def other_county(make_county) -> Organisation:
    """Bay County: a second eligible county, with its manager `bay-county-manager`."""
    return make_county("bay-county")


@pytest.fixture
def other_county_manager(other_county) -> User:
    return member_of(other_county)


# ---------------------------------------------------------------------------
# Opportunities and applications


@pytest.fixture
def make_opportunity(omb_staff, cisa) -> Callable[..., Opportunity]:
    """`make_opportunity(state="posted", *, agency=cisa, by=omb_staff, close_at=now + 30 days, **fields)`.

    Created (as a forecast) with the 60/40 criteria and OPPORTUNITY's fields, then moved to `state`.
    """

    def make(
        state: str = "posted",
        *,
        agency: Organisation | None = None,
        by: User | None = None,
        close_at: datetime | None = None,
        criteria=CRITERIA,
        **fields,
    ) -> Opportunity:
        if state not in OPPORTUNITY_STATES:
            raise ValueError(f"unknown state {state!r}; choose from {OPPORTUNITY_STATES}")
        by = by or omb_staff
        data = {
            **OPPORTUNITY,
            "opportunity_number": f"OMB-AICS-2027-{next(_opportunity_numbers):03d}",
            "close_at": close_at or timezone.now() + CLOSES_IN,
            **fields,
        }
        opportunity = services.create_opportunity(by=by, awarding_agency=agency or cisa, criteria=criteria, **data)
        moves = {
            "forecasted": [],
            "posted": [services.post_opportunity],
            "closed": [services.post_opportunity, services.close_opportunity],
            "archived": [services.post_opportunity, services.close_opportunity, services.archive_opportunity],
        }
        for move in moves[state]:
            move(opportunity, by=by)
        return refresh(opportunity)

    return make


@pytest.fixture
def opportunity(make_opportunity) -> Opportunity:
    """A posted opportunity of CISA: counties and states, $10,000 to $500,000, 10% cost share, closes in 30 days."""
    return make_opportunity()


@pytest.fixture
def make_application(request, eligible_county, omb_staff) -> Callable[..., Application]:
    """`make_application(status="draft", *, opportunity=..., applicant=eligible_county, by=a member, ...)`.

    `opportunity` defaults to the `opportunity` fixture. A draft with budget lines adding up to
    requested + cost share and an authorized representative, then walked to `status`: submitted by
    the applicant; under review once OMB assigns `reviewer`; awarded (the requested amount) or not
    selected by OMB; withdrawn by the applicant.
    """

    def make(
        status: str = "draft",
        *,
        opportunity: Opportunity | None = None,
        applicant: Organisation | None = None,
        by: User | None = None,
        requested: Decimal = REQUESTED,
        cost_share: Decimal = COST_SHARE,
        budget_lines=None,
        contacts=None,
        **fields,
    ) -> Application:
        if status not in APPLICATION_STATES:
            raise ValueError(f"unknown status {status!r}; choose from {APPLICATION_STATES}")
        opportunity = opportunity or request.getfixturevalue("opportunity")
        applicant = applicant or eligible_county
        by = by or member_of(applicant)
        data = {
            "project_title": f"{applicant.short_name} AI-assisted monitoring",
            "abstract": "Around-the-clock AI-assisted monitoring of government systems.",
            "period_start": days_from_today(60),
            "period_end": days_from_today(425),
            **fields,
        }
        application = services.create_application(
            by=by,
            opportunity=opportunity,
            applicant=applicant,
            requested_amount=requested,
            cost_share=cost_share,
            budget_lines=budget_for(Decimal(requested) + Decimal(cost_share)) if budget_lines is None else budget_lines,
            contacts=[AUTHORIZED_REPRESENTATIVE] if contacts is None else contacts,
            **data,
        )
        if status in ("submitted", "under_review", "awarded", "not_selected"):
            services.submit_application(application, by=by)
        if status in ("under_review", "awarded", "not_selected"):
            services.assign_reviewer(application, by=omb_staff, reviewer=request.getfixturevalue("reviewer"))
        if status == "awarded":
            services.award_application(
                application, by=omb_staff, amount=Decimal(requested), award_number=f"OMB-27-{next(_award_numbers):04d}"
            )
        if status == "not_selected":
            services.decline_application(application, by=omb_staff, note="Other applications scored higher.")
        if status == "withdrawn":
            services.withdraw_application(application, by=by)
        return refresh(application)

    return make


@pytest.fixture
def application(make_application) -> Application:
    """Harbor County's draft: 90,000 requested, 10,000 cost share, budget of 100,000, authorized representative."""
    return make_application()
