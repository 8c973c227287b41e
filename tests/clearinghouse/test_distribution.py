"""Distribution: each TLP 2.0 marking reaches exactly its audience and no one else, once, and
in a fixed number of queries whatever the number of recipients.

Each test checks both reads the portal starts from: `advisories_visible_to` (may this person
read the advisory) and `deliveries_visible_to` (which organisations' reports may they see).
"""

from unittest.mock import patch

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from clearinghouse import selectors, services, tasks
from clearinghouse.models import (
    Advisory,
    AdvisoryGroupObjectPermission,
    AdvisoryRevision,
    AdvisoryUserObjectPermission,
    Delivery,
    Tlp,
)
from clearinghouse.workflow import AdvisoryStatus, MoveNotAllowed
from eo_portal import permissions
from eo_portal import services as core
from eo_portal.models import Notification, Organisation, OrganisationKind, OrganisationSector, Sector
from tests.clearinghouse.conftest import refresh, subjects_of


def sees_advisory(user, advisory) -> bool:
    return selectors.advisories_visible_to(user).filter(pk=advisory.pk).exists()


def delivered_to(advisory) -> set[str]:
    return set(Delivery.objects.filter(advisory=advisory).values_list("organisation__slug", flat=True))


def deliveries_seen_by(user, advisory) -> set[str]:
    """Checked three ways: row by row, as the queues read them (the granted keys first), and as the
    queues do beyond the key limit."""

    def seen(**kwargs) -> set[str]:
        visible = selectors.deliveries_visible_to(user, **kwargs).filter(advisory=advisory)
        return set(visible.values_list("organisation__slug", flat=True))

    found = seen()
    assert seen(for_list=True) == found
    with patch.object(permissions, "LIST_BY_KEY_LIMIT", 0):
        assert seen(for_list=True) == found
    return found


def told_of(user, advisory) -> bool:
    return any(advisory.reference in subject and "New advisory" in subject for subject in subjects_of(user))


def assert_reaches_exactly(advisory, insiders: dict, outsiders: list) -> None:
    """`insiders`: person -> the slug of the organisation whose delivery they see."""
    for person, own in insiders.items():
        assert sees_advisory(person, advisory), f"{person} should see {advisory.tlp}"
        assert deliveries_seen_by(person, advisory) == {own}, person
        assert told_of(person, advisory), f"{person} should be told"
    for person in outsiders:
        assert not sees_advisory(person, advisory), f"{person} must not see {advisory.tlp}"
        assert deliveries_seen_by(person, advisory) == set(), person
        if getattr(person, "pk", None):
            assert not told_of(person, advisory), f"{person} must not be told"


@pytest.fixture
def outsiders(lab_a_manager, jobseeker, anonymous, nist_member):
    """People no advisory below is addressed to."""
    return [lab_a_manager, jobseeker, anonymous, nist_member]


# ---------------------------------------------------------------------------
# Each marking, its audience and no one else


def test_clear_reaches_its_audience_and_anyone_may_read_it(
    published, outsiders, grid_energy, operator, harbor_county, county_applicant, water_operator, partner_manager
):
    advisory = published(Tlp.CLEAR, audience_kinds=[OrganisationKind.LOCAL], audience_sectors=[Sector.ENERGY])

    assert delivered_to(advisory) == {"grid-energy", "harbor-county"}
    assert_reaches_exactly(advisory, {operator: "grid-energy", county_applicant: "harbor-county"}, [])
    for reader in [water_operator, partner_manager, *outsiders]:
        assert sees_advisory(reader, advisory)
        assert deliveries_seen_by(reader, advisory) == set()
        if reader.is_authenticated:
            assert not told_of(reader, advisory)


def test_green_reaches_the_audience_kinds_and_the_operators_of_the_audience_sectors_only(
    published,
    outsiders,
    operator,
    grid_energy_member,
    plains_operator,
    county_applicant,
    water_operator,
    state_official,
    partner_manager,
):
    advisory = published(Tlp.GREEN, audience_kinds=[OrganisationKind.LOCAL], audience_sectors=[Sector.ENERGY])

    assert delivered_to(advisory) == {"grid-energy", "plains-power", "harbor-county"}
    assert_reaches_exactly(
        advisory,
        {
            operator: "grid-energy",
            grid_energy_member: "grid-energy",
            plains_operator: "plains-power",
            county_applicant: "harbor-county",
        },
        [water_operator, state_official, partner_manager, *outsiders],
    )


def test_green_to_a_sector_reaches_operators_only_not_other_kinds(
    published, partner_manager, county_applicant, operator
):
    advisory = published(Tlp.GREEN, audience_sectors=[Sector.ENERGY])

    assert delivered_to(advisory) == {"grid-energy"}
    assert_reaches_exactly(advisory, {operator: "grid-energy"}, [partner_manager, county_applicant])


def test_amber_reaches_the_named_organisations_only_and_may_include_a_partner(
    published,
    outsiders,
    grid_energy,
    partner_a,
    operator,
    grid_energy_member,
    partner_manager,
    plains_operator,
    county_applicant,
):
    advisory = published(Tlp.AMBER, named_organisations=[grid_energy, partner_a])

    assert delivered_to(advisory) == {"grid-energy", "partner-a"}
    assert_reaches_exactly(
        advisory,
        {operator: "grid-energy", grid_energy_member: "grid-energy", partner_manager: "partner-a"},
        # Plains Power is in the same sector as Grid Energy: the sector does not matter at AMBER.
        [plains_operator, county_applicant, *outsiders],
    )


def test_amber_strict_reaches_the_named_organisations_members_only(
    published,
    outsiders,
    grid_energy,
    harbor_county,
    operator,
    grid_energy_member,
    grid_energy_viewer,
    county_applicant,
    partner_manager,
    plains_operator,
):
    advisory = published(Tlp.AMBER_STRICT, named_organisations=[grid_energy, harbor_county])

    assert delivered_to(advisory) == {"grid-energy", "harbor-county"}
    assert_reaches_exactly(
        advisory,
        {
            operator: "grid-energy",
            grid_energy_member: "grid-energy",
            grid_energy_viewer: "grid-energy",
            county_applicant: "harbor-county",
        },
        [partner_manager, plains_operator, *outsiders],
    )


def test_amber_strict_named_to_a_partner_after_review_is_refused_at_publication(
    make_advisory, treasury_analyst, nsa_analyst, grid_energy, partner_a, django_capture_on_commit_callbacks
):
    advisory = services.submit_advisory(
        make_advisory(Tlp.AMBER_STRICT, named_organisations=[grid_energy]), by=treasury_analyst
    )
    # However a partner came to be named (a bypass of the services, a bad data fix), publishing refuses it.
    advisory.named_organisations.add(partner_a)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as caught:
        services.publish_advisory(advisory, by=nsa_analyst)

    assert "named_organisations" in caught.value.message_dict
    assert refresh(advisory).status == AdvisoryStatus.IN_REVIEW
    assert delivered_to(advisory) == set()


def test_amber_strict_is_never_delivered_to_a_partner_even_if_one_is_named(
    published, system, grid_energy, partner_a, partner_manager
):
    advisory = published(Tlp.AMBER_STRICT, named_organisations=[grid_energy])
    # However a partner came to be named after publication, the distribution leaves it out.
    advisory.named_organisations.add(partner_a)

    assert services.distribute_advisory(advisory, by=system) == 0

    assert delivered_to(advisory) == {"grid-energy"}
    assert not sees_advisory(partner_manager, advisory)
    assert deliveries_seen_by(partner_manager, advisory) == set()


def test_red_reaches_the_named_people_only_not_their_colleagues(
    published,
    outsiders,
    operator,
    grid_energy_member,
    grid_energy_viewer,
    county_applicant,
    plains_operator,
    partner_manager,
):
    advisory = published(Tlp.RED, named_people=[operator, county_applicant])

    # The named people's organisations hold the deliveries, where the named people report.
    assert delivered_to(advisory) == {"grid-energy", "harbor-county"}
    assert_reaches_exactly(
        advisory,
        {operator: "grid-energy", county_applicant: "harbor-county"},
        [grid_energy_member, grid_energy_viewer, plains_operator, partner_manager, *outsiders],
    )
    with pytest.raises(Http404):
        selectors.get_advisory_for(grid_energy_member, advisory.reference)
    assert selectors.get_advisory_for(operator, advisory.reference) == advisory


def test_coordinators_see_every_advisory_and_every_delivery(published, treasury_viewer, grid_energy, harbor_county):
    advisory = published(Tlp.AMBER_STRICT, named_organisations=[grid_energy, harbor_county])

    assert sees_advisory(treasury_viewer, advisory)
    assert deliveries_seen_by(treasury_viewer, advisory) == {"grid-energy", "harbor-county"}


def test_an_inactive_organisation_receives_nothing(published, system, grid_energy, plains_power):
    core.deactivate_organisation(plains_power, by=system)

    advisory = published(Tlp.GREEN, audience_sectors=[Sector.ENERGY])

    assert delivered_to(advisory) == {"grid-energy"}


# ---------------------------------------------------------------------------
# Once each


def test_distributing_again_creates_no_duplicate_delivery_grant_or_notice(
    published, system, nsa_analyst, grid_energy, harbor_county, operator
):
    advisory = published(Tlp.AMBER, named_organisations=[grid_energy, harbor_county])
    deliveries = list(Delivery.objects.filter(advisory=advisory).order_by("id").values_list("id", "delivered_at"))
    grants = AdvisoryGroupObjectPermission.objects.filter(content_object=advisory).count()
    notices = subjects_of(operator)

    assert services.distribute_advisory(advisory, by=system) == 0
    assert tasks.distribute_advisory(advisory.pk) == 0
    with pytest.raises(MoveNotAllowed):
        services.publish_advisory(advisory, by=nsa_analyst)

    assert (
        list(Delivery.objects.filter(advisory=advisory).order_by("id").values_list("id", "delivered_at")) == deliveries
    )
    assert AdvisoryGroupObjectPermission.objects.filter(content_object=advisory).count() == grants == 2
    assert subjects_of(operator) == notices


def test_a_draft_or_withdrawn_advisory_is_not_distributed(make_advisory, published, system, nsa_analyst, grid_energy):
    draft = make_advisory(Tlp.AMBER, named_organisations=[grid_energy])
    withdrawn = published(Tlp.AMBER, named_organisations=[grid_energy])
    services.withdraw_advisory(withdrawn, by=nsa_analyst, reason="Superseded")
    # A recipient added after withdrawal must not receive it.
    withdrawn.named_organisations.add(Organisation.objects.get(slug="nist"))

    assert services.distribute_advisory(draft, by=system) == 0
    assert services.distribute_advisory(withdrawn, by=system) == 0
    assert delivered_to(draft) == set()
    assert delivered_to(withdrawn) == {"grid-energy"}


def test_a_revision_that_widens_the_audience_delivers_only_to_the_new_organisations(
    published, revise, grid_energy, water_works, operator, water_operator
):
    advisory = published(Tlp.AMBER, named_organisations=[grid_energy])
    first = Delivery.objects.get(advisory=advisory, organisation=grid_energy)

    advisory = revise(advisory, named_organisations=[grid_energy, water_works], change_summary="Water sector affected.")

    assert delivered_to(advisory) == {"grid-energy", "water-works"}
    again = Delivery.objects.get(advisory=advisory, organisation=grid_energy)
    assert (again.pk, again.delivered_at, again.delivered_revision) == (first.pk, first.delivered_at, 1)
    assert Delivery.objects.get(advisory=advisory, organisation=water_works).delivered_revision == 2
    assert subjects_of(water_operator) == [f"[TLP:AMBER] New advisory {advisory.reference}: {advisory.title}"]
    assert subjects_of(operator) == [
        f"[TLP:AMBER] New advisory {advisory.reference}: {advisory.title}",
        f"[TLP:AMBER] {advisory.reference} revised: {advisory.title}",
    ]
    assert sees_advisory(water_operator, advisory)


def test_a_green_revision_adding_a_sector_delivers_to_that_sector_only(
    published, revise, grid_energy, plains_power, water_works
):
    advisory = published(Tlp.GREEN, audience_sectors=[Sector.ENERGY])
    before = delivered_to(advisory)

    advisory = revise(advisory, audience_sectors=[Sector.ENERGY, Sector.WATER], change_summary="Water too.")

    assert before == {"grid-energy", "plains-power"}
    assert delivered_to(advisory) == {"grid-energy", "plains-power", "water-works"}
    assert Delivery.objects.filter(advisory=advisory, delivered_revision=2).count() == 1


def test_a_red_revision_naming_one_more_person_lets_that_person_read_it(
    published, revise, operator, grid_energy_member, grid_energy_viewer
):
    advisory = published(Tlp.RED, named_people=[operator])
    assert not sees_advisory(grid_energy_member, advisory)

    advisory = revise(advisory, named_people=[operator, grid_energy_member], change_summary="Their deputy too.")

    # The newly named colleague works at an organisation that already holds the delivery.
    assert sees_advisory(grid_energy_member, advisory)
    assert deliveries_seen_by(grid_energy_member, advisory) == {"grid-energy"}
    assert not sees_advisory(grid_energy_viewer, advisory)


def test_raising_a_marking_to_amber_strict_takes_the_new_revision_away_from_a_partner(
    published, revise, grid_energy, partner_a, operator, partner_manager
):
    advisory = published(Tlp.AMBER, named_organisations=[grid_energy, partner_a])
    assert sees_advisory(partner_manager, advisory)

    advisory = revise(
        advisory,
        tlp=Tlp.AMBER_STRICT,
        named_organisations=[grid_energy],
        title="Exploit chain in the agent tool router",
        change_summary="Exploit details added; now for the operator alone.",
    )

    # What was delivered (revision 1, and its delivery row) cannot be recalled, but the partner
    # must not read the AMBER+STRICT revision nor be sent its title and change summary.
    assert delivered_to(advisory) == {"grid-energy", "partner-a"}
    assert sees_advisory(operator, advisory)
    assert not sees_advisory(partner_manager, advisory)
    assert not any("Exploit chain" in subject for subject in subjects_of(partner_manager))


def test_recipients_members_are_told_and_no_one_else(
    published, grid_energy, operator, grid_energy_member, plains_operator
):
    advisory = published(Tlp.AMBER, named_organisations=[grid_energy])

    subject = f"[TLP:AMBER] New advisory {advisory.reference}: {advisory.title}"
    assert subjects_of(operator) == [subject]
    assert subjects_of(grid_energy_member) == [subject]
    assert subjects_of(plains_operator) == []


def test_every_row_a_distribution_writes_has_a_history_row_naming_its_user(
    published, revise, grid_energy, harbor_county, operator, system
):
    amber = published(Tlp.AMBER, named_organisations=[grid_energy])
    revise(amber, named_organisations=[grid_energy, harbor_county])
    published(Tlp.RED, named_people=[operator])

    for model in (
        Delivery,
        AdvisoryGroupObjectPermission,
        AdvisoryUserObjectPermission,
        AdvisoryRevision,
        Notification,
    ):
        rows = list(model.history.all())
        assert rows, model
        assert all(row.history_user_id is not None for row in rows), model
    assert {row.history_user for row in Delivery.history.all()} == {system}


# ---------------------------------------------------------------------------
# Fan-out at scale


BIG = 10_000
SMALL = 20


def bulk_operators(count: int, prefix: str, sector: str) -> list[Organisation]:
    """Many operator organisations at once, with their groups and sector rows (test data only:
    the service makes one organisation at a time, which would take minutes for 10,000)."""
    groups = Group.objects.bulk_create([Group(name=f"organisation:{prefix}-{n}") for n in range(count)])
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"{prefix.title()} Operator {n}",
                short_name=f"{prefix}-{n}",
                slug=f"{prefix}-{n}",
                kind=OrganisationKind.OPERATOR,
                group_id=group.pk,
            )
            for n, group in enumerate(groups)
        ]
    )
    OrganisationSector.objects.bulk_create(
        [OrganisationSector(organisation_id=organisation.pk, sector=sector) for organisation in organisations]
    )
    return organisations


def published_without_distribution(make_advisory, treasury_analyst, nsa_analyst, **fields) -> Advisory:
    """Published, with the distribution task left waiting (on-commit callbacks do not run in a test's
    transaction), so the test runs `distribute_advisory` itself."""
    advisory = make_advisory(Tlp.GREEN, **fields)
    services.submit_advisory(advisory, by=treasury_analyst)
    services.publish_advisory(advisory, by=nsa_analyst)
    assert not Delivery.objects.filter(advisory=advisory).exists()
    return refresh(advisory)


@pytest.fixture
def fan_out(make_advisory, treasury_analyst, nsa_analyst, system):
    """10,000 water operators and 20 dams operators, an advisory published to each sector, and a
    first distribution run elsewhere so caches (content types) are warm for both measurements."""
    big = bulk_operators(BIG, "water", Sector.WATER)
    small = bulk_operators(SMALL, "dams", Sector.DAMS)
    bulk_operators(1, "nuclear", Sector.NUCLEAR)
    warm = published_without_distribution(
        make_advisory, treasury_analyst, nsa_analyst, audience_sectors=[Sector.NUCLEAR]
    )
    services.distribute_advisory(warm, by=system)
    to_big = published_without_distribution(
        make_advisory, treasury_analyst, nsa_analyst, audience_sectors=[Sector.WATER]
    )
    to_small = published_without_distribution(
        make_advisory, treasury_analyst, nsa_analyst, audience_sectors=[Sector.DAMS]
    )
    return {"big": big, "small": small, "to_big": to_big, "to_small": to_small}


def test_a_fan_out_to_10000_organisations_delivers_and_grants_once_each_with_history(fan_out, system):
    advisory, organisations = fan_out["to_big"], fan_out["big"]

    assert services.distribute_advisory(advisory, by=system) == BIG

    deliveries = Delivery.objects.filter(advisory=advisory)
    assert deliveries.count() == BIG
    assert set(deliveries.values_list("organisation_id", flat=True)) == {o.pk for o in organisations}
    assert not deliveries.values("organisation_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    grants = AdvisoryGroupObjectPermission.objects.filter(content_object=advisory)
    assert grants.count() == BIG
    assert set(grants.values_list("group_id", flat=True)) == {o.group_id for o in organisations}
    assert grants.values("permission__codename").distinct().get() == {"permission__codename": "view_advisory"}
    delivery_history = Delivery.history.filter(advisory_id=advisory.pk, history_type="+")
    assert delivery_history.count() == BIG
    assert delivery_history.filter(history_user=system).count() == BIG
    grant_history = AdvisoryGroupObjectPermission.history.filter(content_object_id=advisory.pk, history_type="+")
    assert grant_history.count() == BIG
    assert grant_history.filter(history_user=system).count() == BIG

    assert services.distribute_advisory(advisory, by=system) == 0
    assert Delivery.objects.filter(advisory=advisory).count() == BIG
    assert AdvisoryGroupObjectPermission.objects.filter(content_object=advisory).count() == BIG
    assert Delivery.history.filter(advisory_id=advisory.pk).count() == BIG


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite caps the bound parameters of a statement, so Django splits bulk inserts into batches there",
)
def test_a_fan_out_to_10000_organisations_costs_the_queries_of_a_fan_out_to_20(fan_out, system):
    with CaptureQueriesContext(connection) as to_small:
        assert services.distribute_advisory(fan_out["to_small"], by=system) == SMALL
    with CaptureQueriesContext(connection) as to_big:
        assert services.distribute_advisory(fan_out["to_big"], by=system) == BIG

    assert len(to_big) == len(to_small), [q["sql"][:120] for q in to_big.captured_queries]
