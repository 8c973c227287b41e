"""`permissions.restrict(..., for_list=True)`: a list reads a person's few granted objects by key
and keeps the semi-join beyond `LIST_BY_KEY_LIMIT`; either way it finds exactly the rows that
`restrict` finds, role caps, personal grants and inactive organisations included."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from eo_portal import permissions, services
from eo_portal.models import Organisation
from tests.factories import OrganisationFactory

GRANTS_TABLE = "organisationgroupobjectpermission"


@pytest.fixture
def granted(lab_a, lab_b, superuser):
    """Lab A's group may view lab B and three more organisations; two others stay unseen."""
    others = [OrganisationFactory(slug=f"other-{number}") for number in range(5)]
    for organisation in [lab_b, *others[:3]]:
        permissions.grant_to_organisation("view_organisation", organisation, lab_a, by=superuser)
    return {lab_a, lab_b, *others[:3]}


def slugs(queryset) -> set[str]:
    return set(queryset.values_list("slug", flat=True))


@pytest.mark.parametrize("limit", [permissions.LIST_BY_KEY_LIMIT, 1])
def test_a_list_finds_exactly_what_restrict_finds_below_and_beyond_the_limit(
    monkeypatch, lab_a_member, granted, limit
):
    monkeypatch.setattr(permissions, "LIST_BY_KEY_LIMIT", limit)
    everything = Organisation.objects.all()
    listed = permissions.restrict(everything, lab_a_member, for_list=True)
    assert slugs(listed) == slugs(permissions.restrict(everything, lab_a_member)) == {o.slug for o in granted}


def test_below_the_limit_the_list_reads_keys_and_no_grant_table(lab_a_member, granted):
    listed = permissions.restrict(Organisation.objects.all(), lab_a_member, for_list=True)
    assert GRANTS_TABLE not in str(listed.query).lower()
    assert slugs(listed) == {o.slug for o in granted}


def test_beyond_the_limit_the_list_keeps_the_semi_join_on_the_grants(monkeypatch, lab_a_member, granted):
    monkeypatch.setattr(permissions, "LIST_BY_KEY_LIMIT", len(granted) - 1)
    listed = permissions.restrict(Organisation.objects.all(), lab_a_member, for_list=True)
    assert GRANTS_TABLE in str(listed.query).lower()
    assert slugs(listed) == {o.slug for o in granted}


def test_reading_the_keys_is_one_query_and_restrict_without_it_none(lab_a_member, granted):
    everything = Organisation.objects.all()
    permissions.restrict(everything, lab_a_member)  # resolves the person's groups and roles once
    with CaptureQueriesContext(connection) as plain:
        permissions.restrict(everything, lab_a_member)
    with CaptureQueriesContext(connection) as for_list:
        permissions.restrict(everything, lab_a_member, for_list=True)
    assert (len(plain), len(for_list)) == (0, 1)


def test_the_role_cap_holds_for_lists(lab_a_member, lab_a_viewer, granted):
    # Changing lab A needs a member: its viewer holds the group's grant but may not use it.
    everything = Organisation.objects.all()
    assert slugs(permissions.restrict(everything, lab_a_member, "change", for_list=True)) == {"lab-a"}
    assert slugs(permissions.restrict(everything, lab_a_viewer, "change", for_list=True)) == set()


def test_a_personal_grant_is_in_the_list_with_the_organisations_grants(lab_a_member, granted, superuser):
    personal = OrganisationFactory(slug="personal")
    permissions.grant_to_user("view_organisation", personal, lab_a_member, by=superuser)
    listed = permissions.restrict(Organisation.objects.all(), lab_a_member, for_list=True)
    assert slugs(listed) == {o.slug for o in granted} | {"personal"}


def test_an_inactive_organisations_grants_list_nothing(lab_a, lab_a_member, granted, superuser):
    services.deactivate_organisation(lab_a, by=superuser)
    assert slugs(permissions.restrict(Organisation.objects.all(), lab_a_member, for_list=True)) == set()
