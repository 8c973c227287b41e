"""Deliveries: a recipient's acknowledgement and report, the BOD 26-04 timeline and due date it
gives, who may see and change a delivery, the recipient's queue and the government's figures."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from clearinghouse import selectors, services
from clearinghouse.models import Delivery, Tlp
from clearinghouse.priority import Timeline
from clearinghouse.selectors import SectorProgress
from clearinghouse.workflow import DeliveryStatus
from eo_portal import deadlines, permissions
from eo_portal.models import OrganisationKind, Role, Sector
from tests.clearinghouse.conftest import days_from_today, refresh
from tests.factories import add_member


def delivery_of(advisory, organisation) -> Delivery:
    return Delivery.objects.get(advisory=advisory, organisation=organisation)


def due_from_delivery(delivery: Delivery, days: int):
    """Calendar days from the US Eastern day the delivery arrived (not the UTC day)."""
    return delivery.delivered_at.astimezone(deadlines.EASTERN).date() + timedelta(days=days)


@pytest.fixture
def delivered(report, make_advisory, publish, grid_energy, treasury_analyst):
    """`delivered(decision points, known_exploited=False, organisations=[...])`: an AMBER advisory
    covering one vulnerability triaged to these points, delivered to Grid Energy by default."""

    def make(points=None, *, known_exploited=False, organisations=None, vulnerabilities=None):
        if vulnerabilities is None:
            exploited = (
                {"known_exploited": True, "known_exploited_date": days_from_today(-1)} if known_exploited else {}
            )
            vulnerability = report(**exploited)
            if points is not None:
                vulnerability = services.triage_vulnerability(vulnerability, by=treasury_analyst, **points)
            vulnerabilities = [vulnerability]
        return publish(
            make_advisory(
                Tlp.AMBER, vulnerabilities=vulnerabilities, named_organisations=organisations or [grid_energy]
            )
        )

    return make


def points(*, automatable: bool, impact: str, exploitation: str = "active", mission: str = "high") -> dict:
    return {
        "exploitation": exploitation,
        "automatable": automatable,
        "technical_impact": impact,
        "mission_impact": mission,
    }


# ---------------------------------------------------------------------------
# Acknowledgement


def test_acknowledging_records_who_and_when_once(delivered, grid_energy, operator, grid_energy_member):
    delivery = delivery_of(delivered(), grid_energy)
    assert delivery.acknowledged_at is None

    first = services.report_on_delivery(delivery, by=operator)
    later = services.report_on_delivery(delivery, by=grid_energy_member, note="Checked the estate again.")

    assert first.acknowledged_at is not None
    assert (later.acknowledged_at, later.acknowledged_by) == (first.acknowledged_at, operator)
    assert refresh(delivery).note == "Checked the estate again."
    assert [row.history_change_reason for row in delivery.history.order_by("history_id")][-2:] == [
        "acknowledged",
        "report updated",
    ]


def test_a_report_may_leave_the_delivery_unacknowledged(delivered, grid_energy, operator):
    delivery = delivery_of(delivered(), grid_energy)

    services.report_on_delivery(delivery, by=operator, note="Looking into it", acknowledge=False)

    assert refresh(delivery).acknowledged_at is None


# ---------------------------------------------------------------------------
# The BOD 26-04 timeline and due date


@pytest.mark.parametrize(
    "triage_points, known_exploited, exposed, timeline, days",
    [
        pytest.param(
            points(automatable=True, impact="partial"),
            True,
            True,
            Timeline.DAYS_3,
            3,
            id="KEV exposed automatable partial: 3 days",
        ),
        pytest.param(
            points(automatable=False, impact="total"),
            True,
            True,
            Timeline.DAYS_3_FORENSIC,
            3,
            id="KEV exposed total: 3 days with forensics",
        ),
        pytest.param(
            points(automatable=False, impact="total"), False, True, Timeline.DAYS_14, 14, id="exposed total: 14 days"
        ),
        pytest.param(
            points(automatable=False, impact="partial"),
            False,
            True,
            Timeline.DAYS_60,
            60,
            id="exposed partial: 60 days",
        ),
        pytest.param(
            points(automatable=False, impact="partial"),
            False,
            False,
            Timeline.NEXT_UPGRADE,
            None,
            id="not exposed, partial: next upgrade, no date",
        ),
    ],
)
def test_in_estate_and_exposure_give_the_bod_26_04_timeline_counted_from_delivery(
    delivered, grid_energy, operator, triage_points, known_exploited, exposed, timeline, days
):
    delivery = delivery_of(delivered(triage_points, known_exploited=known_exploited), grid_energy)

    services.report_on_delivery(delivery, by=operator, in_estate=True, exposed=exposed)

    delivery = refresh(delivery)
    assert delivery.timeline == timeline
    assert delivery.due_date == (None if days is None else due_from_delivery(delivery, days))


def test_the_timeline_takes_the_worst_case_over_the_advisorys_vulnerabilities(
    report, triage, delivered, grid_energy, operator
):
    automatable_partial = triage(report(title="Automatable"), "track", automatable=True, technical_impact="partial")
    manual_total = triage(report(title="Total impact"), "track", automatable=False, technical_impact="total")
    delivery = delivery_of(delivered(vulnerabilities=[automatable_partial, manual_total]), grid_energy)

    services.report_on_delivery(delivery, by=operator, in_estate=True, exposed=True)

    # Not in KEV, exposed, automatable (one of them), total (the other): 3 days.
    delivery = refresh(delivery)
    assert (delivery.timeline, delivery.due_date) == (Timeline.DAYS_3, due_from_delivery(delivery, 3))


def test_the_due_date_counts_from_the_day_of_delivery_not_the_day_of_the_report(delivered, grid_energy, operator):
    delivery = delivery_of(delivered(points(automatable=False, impact="partial")), grid_energy)
    # Delivered 50 days ago (set in the test only: time cannot be frozen here).
    Delivery.objects.filter(pk=delivery.pk).update(delivered_at=timezone.now() - timedelta(days=50))

    services.report_on_delivery(delivery, by=operator, in_estate=True, exposed=True)

    delivery = refresh(delivery)
    assert delivery.timeline == Timeline.DAYS_60
    assert delivery.due_date == due_from_delivery(delivery, 60)
    assert delivery.due_date < days_from_today(11)


def test_an_untriaged_vulnerability_gives_no_timeline(delivered, grid_energy, operator):
    delivery = delivery_of(delivered(None), grid_energy)

    services.report_on_delivery(delivery, by=operator, in_estate=True, exposed=True)

    delivery = refresh(delivery)
    assert (delivery.timeline, delivery.due_date) == ("", None)


def test_exposure_not_yet_known_gives_no_timeline(delivered, grid_energy, operator):
    delivery = delivery_of(delivered(points(automatable=True, impact="total")), grid_energy)

    services.report_on_delivery(delivery, by=operator, in_estate=True)

    delivery = refresh(delivery)
    assert (delivery.timeline, delivery.due_date) == ("", None)


def test_not_in_the_estate_means_not_affected_and_no_timeline(delivered, grid_energy, operator):
    delivery = delivery_of(delivered(points(automatable=True, impact="total")), grid_energy)

    services.report_on_delivery(delivery, by=operator, in_estate=False, exposed=True)

    delivery = refresh(delivery)
    assert (delivery.status, delivery.timeline, delivery.due_date) == (DeliveryStatus.NOT_AFFECTED, "", None)
    assert delivery.status_changed_at is not None


def test_a_product_in_the_estate_cannot_be_reported_not_affected(delivered, grid_energy, operator):
    delivery = delivery_of(delivered(), grid_energy)

    with pytest.raises(ValidationError) as caught:
        services.report_on_delivery(delivery, by=operator, in_estate=True, status=DeliveryStatus.NOT_AFFECTED)

    assert "status" in caught.value.message_dict
    assert refresh(delivery).status == DeliveryStatus.NOT_STARTED


def test_reporting_remediated_records_when(delivered, grid_energy, operator):
    delivery = delivery_of(delivered(), grid_energy)

    services.report_on_delivery(delivery, by=operator, in_estate=True, exposed=False, status=DeliveryStatus.REMEDIATED)

    delivery = refresh(delivery)
    assert delivery.status == DeliveryStatus.REMEDIATED
    assert delivery.remediated_at is not None
    assert not delivery.is_overdue


# ---------------------------------------------------------------------------
# Who may see and change a delivery


def test_a_viewer_of_the_recipient_sees_the_delivery_but_cannot_report(delivered, grid_energy, grid_energy_viewer):
    delivery = delivery_of(delivered(), grid_energy)

    assert selectors.get_delivery_for(grid_energy_viewer, delivery.pk) == delivery
    with pytest.raises(PermissionDenied):
        services.report_on_delivery(delivery, by=grid_energy_viewer, in_estate=True)
    assert refresh(delivery).acknowledged_at is None
    assert refresh(delivery).in_estate is None


def test_an_operator_can_neither_see_nor_change_another_operators_delivery(
    delivered, grid_energy, water_works, operator, water_operator
):
    advisory = delivered(organisations=[grid_energy, water_works])
    theirs, own = delivery_of(advisory, grid_energy), delivery_of(advisory, water_works)
    before = Delivery.objects.filter(pk=theirs.pk).values().get()

    with pytest.raises(Http404):
        selectors.get_delivery_for(water_operator, theirs.pk)
    with pytest.raises(PermissionDenied):
        services.report_on_delivery(theirs, by=water_operator, in_estate=False, note="Not ours")

    assert Delivery.objects.filter(pk=theirs.pk).values().get() == before
    assert list(selectors.deliveries_visible_to(water_operator)) == [own]
    assert selectors.get_delivery_for(operator, theirs.pk) == theirs
    services.report_on_delivery(own, by=water_operator, in_estate=False)
    assert refresh(own).status == DeliveryStatus.NOT_AFFECTED


def test_a_colleague_not_named_on_a_red_advisory_can_neither_see_nor_report_on_its_delivery(
    published, grid_energy, operator, grid_energy_member
):
    advisory = published(Tlp.RED, named_people=[operator])
    delivery = delivery_of(advisory, grid_energy)

    with pytest.raises(Http404):
        selectors.get_delivery_for(grid_energy_member, delivery.pk)
    with pytest.raises(PermissionDenied):
        services.report_on_delivery(delivery, by=grid_energy_member, in_estate=False, note="Not for me to say")

    delivery = refresh(delivery)
    assert (delivery.acknowledged_at, delivery.in_estate, delivery.status) == (None, None, DeliveryStatus.NOT_STARTED)
    services.report_on_delivery(delivery, by=operator, in_estate=True)
    assert refresh(delivery).acknowledged_by == operator


@pytest.mark.parametrize("delivery_id", [999_999, "not-a-number"])
def test_a_missing_delivery_answers_404(operator, delivery_id):
    with pytest.raises(Http404):
        selectors.get_delivery_for(operator, delivery_id)


def test_the_public_sees_no_delivery(delivered, grid_energy, anonymous, jobseeker):
    delivery = delivery_of(delivered(), grid_energy)

    for outsider in (anonymous, jobseeker, None):
        assert not selectors.deliveries_visible_to(outsider).exists()
        with pytest.raises(Http404):
            selectors.get_delivery_for(outsider, delivery.pk)


# ---------------------------------------------------------------------------
# The recipient's queue


def test_the_delivery_queue_puts_the_higher_ssvc_decision_first_then_the_earlier_due_date(
    report, triage, delivered, grid_energy, operator
):
    def delivered_for(title, decision, *, exposed=None, **triage_extra):
        exploited = triage_extra.pop("known_exploited", False)
        extra = {"known_exploited": True, "known_exploited_date": days_from_today(-1)} if exploited else {}
        vulnerability = triage(report(title=title, **extra), decision, **triage_extra)
        advisory = delivered(vulnerabilities=[vulnerability])
        delivery = delivery_of(advisory, grid_energy)
        if exposed is not None:
            services.report_on_delivery(delivery, by=operator, in_estate=True, exposed=exposed)
        return refresh(delivery)

    # Made in the reverse of the expected order.
    track_3_days = delivered_for(
        "track, due in 3 days",
        "track",
        exposed=True,
        known_exploited=True,
        automatable=True,
        exploitation="none",
        mission_impact="low",
    )
    attend_60_days = delivered_for("attend, due in 60 days", "attend", exposed=True, automatable=False)
    attend_14_days = delivered_for(
        "attend, due in 14 days", "attend", exposed=True, automatable=True, exploitation="active", mission_impact="low"
    )
    act_no_date = delivered_for("act, no report yet", "act")

    assert track_3_days.due_date < attend_14_days.due_date < attend_60_days.due_date
    queue = list(selectors.delivery_queue(operator, grid_energy))
    assert [d.advisory.vulnerabilities.get().title for d in queue] == [
        "act, no report yet",
        "attend, due in 14 days",
        "attend, due in 60 days",
        "track, due in 3 days",
    ]
    assert queue[0] == act_no_date


def test_the_delivery_queue_holds_only_the_users_own_deliveries(delivered, grid_energy, water_works, water_operator):
    advisory = delivered(organisations=[grid_energy, water_works])

    assert list(selectors.delivery_queue(water_operator)) == [delivery_of(advisory, water_works)]


@pytest.mark.parametrize("key_limit", [permissions.LIST_BY_KEY_LIMIT, 1], ids=["keys", "beyond the limit"])
def test_a_member_of_two_recipients_sees_each_ones_deliveries_while_each_may_read_the_advisory(
    monkeypatch, delivered, revise, grid_energy, water_works, operator, key_limit
):
    """The queues read the advisories granted to each of the person's organisations first: a grant
    to one organisation must not show the other's delivery of the same advisory."""
    monkeypatch.setattr(permissions, "LIST_BY_KEY_LIMIT", key_limit)
    add_member(water_works, operator, role=Role.VIEWER)
    both = delivered(organisations=[grid_energy, water_works])
    narrowed = delivered(organisations=[grid_energy, water_works])
    revise(narrowed, named_organisations=[grid_energy], change_summary="Water utilities are not affected.")

    queue = list(selectors.delivery_queue(operator, for_list=True))
    assert sorted((d.advisory.reference, d.organisation.slug) for d in queue) == sorted(
        [
            (both.reference, grid_energy.slug),
            (both.reference, water_works.slug),
            (narrowed.reference, grid_energy.slug),
        ]
    )
    assert queue == list(selectors.delivery_queue(operator))


# ---------------------------------------------------------------------------
# The government's figures


def test_the_distribution_summary_counts_progress_and_puts_the_slowest_sector_first(
    report,
    triage,
    make_advisory,
    publish,
    grid_energy,
    plains_power,
    water_works,
    harbor_county,
    operator,
    plains_operator,
    water_operator,
    county_applicant,
):
    vulnerability = triage(report(), "attend")  # not in KEV, not automatable, partial
    advisory = publish(
        make_advisory(
            Tlp.GREEN,
            vulnerabilities=[vulnerability],
            audience_sectors=[Sector.ENERGY, Sector.WATER],
            audience_kinds=[OrganisationKind.LOCAL],
        )
    )
    services.report_on_delivery(delivery_of(advisory, grid_energy), by=operator, status=DeliveryStatus.REMEDIATED)
    services.report_on_delivery(delivery_of(advisory, plains_power), by=plains_operator)
    services.report_on_delivery(delivery_of(advisory, harbor_county), by=county_applicant, in_estate=False)
    # Water Works received it 70 days ago (moved back in the test only), so its 60 days have run out.
    late = delivery_of(advisory, water_works)
    Delivery.objects.filter(pk=late.pk).update(delivered_at=timezone.now() - timedelta(days=70))
    services.report_on_delivery(late, by=water_operator, in_estate=True, exposed=True, acknowledge=False)
    assert refresh(late).is_overdue

    summary = selectors.distribution_summary(advisory)

    assert (summary.received, summary.acknowledged, summary.remediated, summary.not_affected, summary.overdue) == (
        4,
        3,
        1,
        1,
        1,
    )
    # Harbor County has no sector; Water (0 of 1 done) lags Energy (1 of 2 done).
    assert summary.lagging == [
        SectorProgress(Sector.WATER, received=1, acknowledged=0, done=0),
        SectorProgress(Sector.ENERGY, received=2, acknowledged=2, done=1),
    ]


def test_the_public_aggregates_count_only_what_may_be_told(
    report,
    triage,
    make_advisory,
    publish,
    nsa_analyst,
    grid_energy,
    plains_power,
    harbor_county,
    operator,
    county_applicant,
):
    vulnerability = triage(report())
    public = publish(make_advisory(Tlp.CLEAR, vulnerabilities=[vulnerability], audience_kinds=[OrganisationKind.LOCAL]))
    publish(make_advisory(Tlp.CLEAR, vulnerabilities=[vulnerability], release_at=timezone.now() + timedelta(days=5)))
    green = publish(make_advisory(Tlp.GREEN, vulnerabilities=[vulnerability], audience_sectors=[Sector.ENERGY]))
    make_advisory(Tlp.CLEAR, vulnerabilities=[vulnerability], audience_kinds=[OrganisationKind.OPERATOR])
    services.report_on_delivery(delivery_of(green, grid_energy), by=operator, status=DeliveryStatus.REMEDIATED)
    services.report_on_delivery(delivery_of(public, harbor_county), by=county_applicant)

    figures = {figure["key"]: figure for figure in selectors.public_aggregates()["figures"]}

    assert figures["advisories_clear"]["count"] == 1  # not the embargoed one, nor the draft
    assert figures["deliveries"]["count"] == 3  # Harbor County; Grid Energy and Plains Power
    assert (figures["acknowledged"]["count"], figures["acknowledged"]["of"]) == (2, 3)
    assert (figures["remediated"]["count"], figures["remediated"]["of"]) == (1, 3)
    assert figures["directives"]["count"] == 0
    assert (figures["actions_on_time"]["count"], figures["actions_on_time"]["of"]) == (0, 0)
    for figure in figures.values():
        assert set(figure) <= {"key", "label", "kind", "count", "of"}
