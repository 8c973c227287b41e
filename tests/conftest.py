"""Personas, as in the demo (eo_portal/demo.py), and clients signed in as them.

Organisations and memberships are made through the services, so every persona has exactly
the groups and grants a real account would have.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from rest_framework.test import APIClient

from eo_portal.audit import system_user
from eo_portal.models import Organisation, OrganisationKind, Role, Sector
from tests.factories import OrganisationFactory, UserFactory, person_in, signed_in

# ---------------------------------------------------------------------------
# Organisations


@pytest.fixture
def system(db):
    """The account tasks and data loads act as (created by the data migration)."""
    return system_user()


@pytest.fixture
def lab_a(db):
    return OrganisationFactory(slug="lab-a", name="Frontier Lab A", short_name="Lab A", kind=OrganisationKind.LAB)


@pytest.fixture
def lab_b(db):
    return OrganisationFactory(slug="lab-b", name="Frontier Lab B", short_name="Lab B", kind=OrganisationKind.LAB)


@pytest.fixture
def partner_a(db):
    return OrganisationFactory(
        slug="partner-a", name="Trusted Partner A", short_name="Partner A", kind=OrganisationKind.PARTNER
    )


@pytest.fixture
def harbor_county(db):
    return OrganisationFactory(
        slug="harbor-county", name="Harbor County", short_name="Harbor County", kind=OrganisationKind.LOCAL
    )


@pytest.fixture
def grid_energy(db):
    return OrganisationFactory(
        slug="grid-energy",
        name="Grid Energy Cooperative",
        short_name="Grid Energy",
        kind=OrganisationKind.OPERATOR,
        sectors=[Sector.ENERGY],
    )


@pytest.fixture
def cisa(db):
    """Loaded by the data migration 0002_order_agencies."""
    return Organisation.objects.get(slug="cisa")


# ---------------------------------------------------------------------------
# People


@pytest.fixture
def lab_a_manager(lab_a):
    return person_in(lab_a, Role.MANAGER, username="lab-a-manager")


@pytest.fixture
def lab_a_member(lab_a):
    return person_in(lab_a, Role.MEMBER, username="lab-a-member")


@pytest.fixture
def lab_a_viewer(lab_a):
    return person_in(lab_a, Role.VIEWER, username="lab-a-viewer")


@pytest.fixture
def lab_b_manager(lab_b):
    return person_in(lab_b, Role.MANAGER, username="lab-b-manager")


@pytest.fixture
def partner_manager(partner_a):
    return person_in(partner_a, Role.MANAGER, username="partner-a-manager")


@pytest.fixture
def agency_staff(cisa):
    return person_in(cisa, Role.MEMBER, username="cisa-reviewer", is_staff=True)


@pytest.fixture
def operator(grid_energy):
    return person_in(grid_energy, Role.MANAGER, username="operator-energy")


@pytest.fixture
def county_applicant(harbor_county):
    return person_in(harbor_county, Role.MANAGER, username="county-applicant")


@pytest.fixture
def jobseeker(db):
    return UserFactory(username="jobseeker")


@pytest.fixture
def superuser(db):
    return UserFactory(username="portal-admin", is_staff=True, is_superuser=True)


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a temporary directory, never the static root or the developer's media."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# ---------------------------------------------------------------------------
# Clients: a fresh client per call, signed in through the session like a browser.


def _signed_in(client, user):
    if user is not None and user.is_authenticated:
        signed_in(client, user)
    return client


@pytest.fixture
def web(db):
    """`web(user)`: Django's test client signed in as `user` (anonymous for None or AnonymousUser),
    past the MFA step when the user must use it."""
    return lambda user=None: _signed_in(Client(), user)


@pytest.fixture
def api(db):
    """`api(user)`: DRF's APIClient signed in as `user` (anonymous for None or AnonymousUser)."""
    return lambda user=None: _signed_in(APIClient(), user)


@pytest.fixture
def token_api(db):
    """`token_api(secret)`: an APIClient that sends `Authorization: Token <secret>` and no session."""

    def make(secret: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        return client

    return make
