"""System checks, migrations in step with the models, the order's agencies, and the demo data."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory

from eo_portal.demo import ACCOUNTS, ADMIN_USERNAME, ORGANISATIONS
from eo_portal.models import Membership, Organisation, OrganisationGroupObjectPermission

AGENCY_SLUGS = ["nsa", "cisa", "nist", "treasury", "omb", "opm", "white-house"]


def test_the_system_checks_pass(db):
    call_command("check", stdout=io.StringIO())


def test_the_migrations_are_in_step_with_the_models(db):
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


@pytest.mark.parametrize("slug", AGENCY_SLUGS)
def test_the_data_migration_loaded_each_agency_of_the_order_with_its_history(system, slug):
    agency = Organisation.objects.get(slug=slug)
    assert agency.kind == "agency"
    (created,) = agency.history.filter(history_type="+")
    assert created.history_user == system
    assert system.get_username() == settings.SYSTEM_USERNAME
    grants = OrganisationGroupObjectPermission.objects.filter(content_object=agency, group=agency.group)
    assert {grant.permission.codename for grant in grants} == {"view_organisation", "change_organisation",
                                                               "manage_members"}
    assert agency.group.permissions.filter(codename="view_organisation").exists()  # the see-all role


def test_the_white_house_is_loaded_under_its_slug(db):
    assert Organisation.objects.get(slug="white-house").name.startswith("The White House")


def test_the_system_user_cannot_sign_in(system):
    assert not system.has_usable_password()


# ---------------------------------------------------------------------------
# seed_demo


def row_counts() -> dict[str, int]:
    audited = [model for model in apps.get_models() if model.__name__.startswith("Historical")]
    counted = [get_user_model(), Organisation, Membership, OrganisationGroupObjectPermission, *audited]
    return {model._meta.label: model._default_manager.count() for model in counted}


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_run_twice_leaves_the_same_rows(seeded):
    first = row_counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert row_counts() == first
    assert first["eo_portal.Organisation"] == 7 + len(ORGANISATIONS)


def test_every_history_row_seed_demo_writes_names_who_made_it(seeded):
    anonymous_rows = {
        model._meta.label: model._default_manager.filter(history_user__isnull=True).count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical") and hasattr(model, "history_user")
    }
    assert {label: count for label, count in anonymous_rows.items() if count} == {}


def test_seed_demo_creates_every_demo_account_able_to_sign_in_in_its_organisation_and_role(seeded):
    agencies = set(Organisation.objects.filter(kind="agency").values_list("slug", flat=True))
    wrong = []
    for username, _, slug, role in [*ACCOUNTS, (ADMIN_USERNAME, "", None, None)]:
        # django-axes needs the request (it counts failures per address).
        user = authenticate(RequestFactory().post("/accounts/login/"), username=username, password=settings.DEMO_PASSWORD)
        memberships = [(m.organisation.slug, m.role) for m in Membership.objects.filter(user__username=username)]
        expected = [(slug, role)] if slug else []
        staff = slug in agencies or username == ADMIN_USERNAME
        if user is None or memberships != expected or user.is_staff != staff:
            wrong.append((username, user, memberships))
    assert wrong == []
    assert get_user_model().objects.get(username=ADMIN_USERNAME).is_superuser
    assert not get_user_model().objects.filter(is_superuser=True).exclude(
        username__in=[ADMIN_USERNAME, settings.SYSTEM_USERNAME]
    ).exists()
