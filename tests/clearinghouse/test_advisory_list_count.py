"""The advisories list is counted as two sets, each by its own index (`advisory_list_for`): the
public advisories and those received that are not public. The sets never share a row and
together are exactly what the person sees, on the page and in the API (bench/README.md, 18)."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from clearinghouse import selectors, services
from clearinghouse.models import Advisory, Tlp
from eo_portal.models import Sector

pytestmark = pytest.mark.django_db

ENERGY, WATER = [Sector.ENERGY], [Sector.WATER]


@pytest.fixture
def advisories(published, make_advisory, nsa_analyst, operator, water_operator) -> dict[str, Advisory]:
    """Made once both operators exist, so that each receives what its sector is sent."""
    withdrawn = published(Tlp.GREEN, audience_sectors=ENERGY)
    services.withdraw_advisory(withdrawn, by=nsa_analyst, reason="The vendor's fix was itself faulty.")
    return {
        "public, received": published(Tlp.CLEAR, audience_sectors=ENERGY),
        "public, sent to water only": published(Tlp.CLEAR, audience_sectors=WATER),
        "received": published(Tlp.GREEN, audience_sectors=ENERGY),
        "received, public after its embargo": published(
            Tlp.CLEAR, audience_sectors=ENERGY, release_at=timezone.now() + timedelta(days=3)
        ),
        "received, withdrawn": withdrawn,
        "water's": published(Tlp.GREEN, audience_sectors=WATER),
        "draft": make_advisory(Tlp.CLEAR, audience_sectors=ENERGY),
    }


def references(queryset) -> set[str]:
    return set(queryset.values_list("reference", flat=True))


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        pytest.param(
            "operator",
            {
                "public, received",
                "public, sent to water only",
                "received",
                "received, public after its embargo",
                "received, withdrawn",
            },
            id="energy operator",
        ),
        pytest.param("water_operator", {"public, received", "public, sent to water only", "water's"}, id="water"),
        pytest.param("anonymous", {"public, received", "public, sent to water only"}, id="anonymous"),
    ],
)
def test_the_parts_share_no_row_and_together_are_what_the_person_sees(request, advisories, persona, sees):
    person = request.getfixturevalue(persona)
    visible, parts = selectors.advisory_list_for(person)
    in_parts = [references(part) for part in parts]

    expected = {advisories[name].reference for name in sees}
    assert references(visible) == set().union(*in_parts) == references(selectors.advisories_visible_to(person))
    assert references(visible) == expected
    assert sum(len(found) for found in in_parts) == len(expected)


def test_a_coordinator_lists_every_advisory_as_one_part(advisories, treasury_analyst):
    visible, parts = selectors.advisory_list_for(treasury_analyst)
    assert len(parts) == 1
    assert references(parts[0]) == references(visible) == {a.reference for a in advisories.values()}


def test_the_page_and_the_api_count_what_they_list(web, api, operator, advisories):
    listed = api(operator).get("/api/v1/clearinghouse/advisories/").json()
    assert listed["count"] == len(listed["results"]) == 5
    assert listed["count_is_capped"] is False

    page = web(operator).get("/clearinghouse/advisories/").context["page"]
    assert page.paginator.count == len(page.object_list) == 5
    narrowed = web(operator).get("/clearinghouse/advisories/", {"tlp": Tlp.GREEN}).context["page"]
    assert narrowed.paginator.count == len(narrowed.object_list) == 2


def test_a_distributed_advisory_always_has_its_publication_date(advisories):
    """The lists skip the drafts by this date; the database refuses a published advisory without one."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Advisory.objects.filter(pk=advisories["received"].pk).update(published_at=None)
    assert Advisory.objects.filter(pk=advisories["draft"].pk).update(published_at=None) == 1
