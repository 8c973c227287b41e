"""Advisories: drafts by coordinators, the audience each TLP marking needs, the two-person rule,
revisions that keep the old text, lowering a marking, withdrawal and the public embargo."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clearinghouse import selectors, services
from clearinghouse.models import Advisory, AdvisoryRevision, Tlp
from clearinghouse.workflow import AdvisoryStatus, MoveNotAllowed
from eo_portal import deadlines
from eo_portal.models import OrganisationKind, Sector
from tests.clearinghouse.conftest import ADVISORY, refresh, subjects_of

# Some tests here take their personas by name (request.getfixturevalue): the mark tells
# pytest-django they use the database, so they run before the tests that empty it.
pytestmark = pytest.mark.django_db


def public_references() -> list[str]:
    return list(selectors.public_advisories().values_list("reference", flat=True))


def visible_references(user) -> set[str]:
    return set(selectors.advisories_visible_to(user).values_list("reference", flat=True))


# ---------------------------------------------------------------------------
# Drafts


def test_a_coordinator_creates_a_draft_with_a_cha_reference(make_advisory, treasury_analyst):
    advisory = make_advisory(Tlp.AMBER)

    assert re.fullmatch(rf"CHA-{deadlines.today().year}-\d{{4}}", advisory.reference)
    assert (advisory.status, advisory.revision, advisory.created_by) == (AdvisoryStatus.DRAFT, 0, treasury_analyst)
    assert {row.history_user for row in advisory.history.all()} == {treasury_analyst}


@pytest.mark.parametrize("persona", ["lab_a_manager", "operator", "partner_manager", "nist_member", "treasury_viewer"])
def test_only_a_coordinator_member_creates_an_advisory(request, triaged_vulnerability, persona):
    vulnerability = triaged_vulnerability()
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        services.create_advisory(by=user, tlp=Tlp.CLEAR, vulnerabilities=[vulnerability], **ADVISORY)
    assert not Advisory.objects.exists()


@pytest.mark.parametrize("coordinator", ["treasury_analyst", "nsa_analyst", "agency_staff"])
def test_each_coordinating_agency_may_draft(request, triaged_vulnerability, coordinator):
    user = request.getfixturevalue(coordinator)

    advisory = services.create_advisory(by=user, tlp=Tlp.CLEAR, vulnerabilities=[triaged_vulnerability()], **ADVISORY)

    assert advisory.status == AdvisoryStatus.DRAFT


def test_a_coordinator_edits_a_draft_and_others_may_not(make_advisory, nsa_analyst, operator, treasury_viewer):
    advisory = make_advisory(Tlp.GREEN, audience_sectors=[Sector.ENERGY])

    for outsider in (operator, treasury_viewer):
        with pytest.raises(PermissionDenied):
            services.update_advisory(advisory, by=outsider, title="Changed by an outsider")
    services.update_advisory(advisory, by=nsa_analyst, title="Changed by a coordinator", audience_kinds=["local"])

    advisory = refresh(advisory)
    assert (advisory.title, advisory.audience_kinds) == ("Changed by a coordinator", ["local"])
    assert advisory.history.latest().history_user == nsa_analyst


@pytest.mark.parametrize(
    "fields, field",
    [
        pytest.param({"audience_sectors": ["space"]}, "audience_sectors", id="unknown sector"),
        pytest.param({"audience_kinds": ["public"]}, "audience_kinds", id="unknown kind"),
        pytest.param({"tlp": "WHITE"}, "tlp", id="TLP 1.0 marking"),
    ],
)
def test_a_draft_refuses_an_unknown_audience_or_marking(make_advisory, nsa_analyst, fields, field):
    advisory = make_advisory(Tlp.GREEN, audience_sectors=[Sector.ENERGY])

    with pytest.raises(ValidationError) as caught:
        services.update_advisory(advisory, by=nsa_analyst, **fields)

    assert field in caught.value.message_dict
    assert (refresh(advisory).tlp, refresh(advisory).audience_sectors) == (Tlp.GREEN, [Sector.ENERGY])


def test_a_published_advisory_is_not_edited_but_revised(published, nsa_analyst):
    advisory = published(Tlp.CLEAR)

    with pytest.raises(MoveNotAllowed, match="publish a new revision"):
        services.update_advisory(advisory, by=nsa_analyst, title="Quietly changed")
    assert refresh(advisory).title == ADVISORY["title"]


def test_an_advisory_in_review_is_returned_to_draft_before_it_is_edited(make_advisory, treasury_analyst, nsa_analyst):
    advisory = services.submit_advisory(make_advisory(Tlp.CLEAR), by=treasury_analyst)

    with pytest.raises(MoveNotAllowed, match="return it to draft"):
        services.update_advisory(advisory, by=nsa_analyst, title="Changed in review")
    services.return_advisory(advisory, by=nsa_analyst)
    services.update_advisory(advisory, by=nsa_analyst, title="Changed in draft")

    assert (refresh(advisory).status, refresh(advisory).title) == (AdvisoryStatus.DRAFT, "Changed in draft")


# ---------------------------------------------------------------------------
# Sending for review: each marking needs its audience


@pytest.mark.parametrize(
    "tlp, audience, field",
    [
        pytest.param(Tlp.GREEN, {}, "audience_kinds", id="GREEN without sectors or kinds"),
        pytest.param(Tlp.AMBER, {}, "named_organisations", id="AMBER without named organisations"),
        pytest.param(Tlp.AMBER_STRICT, {}, "named_organisations", id="AMBER+STRICT without named organisations"),
        pytest.param(
            Tlp.AMBER_STRICT, {"named": ["partner_a"]}, "named_organisations", id="AMBER+STRICT with a partner"
        ),
        pytest.param(
            Tlp.AMBER_STRICT,
            {"named": ["grid_energy", "partner_a"]},
            "named_organisations",
            id="AMBER+STRICT with an operator and a partner",
        ),
        pytest.param(Tlp.RED, {}, "named_people", id="RED without named people"),
        pytest.param(Tlp.RED, {"named": ["grid_energy"]}, "named_people", id="RED with organisations, no people"),
    ],
)
def test_sending_for_review_needs_the_audience_the_marking_allows(
    request, make_advisory, treasury_analyst, tlp, audience, field
):
    named = [request.getfixturevalue(slug) for slug in audience.get("named", [])]
    advisory = make_advisory(tlp, named_organisations=named)

    with pytest.raises(ValidationError) as caught:
        services.submit_advisory(advisory, by=treasury_analyst)

    assert field in caught.value.message_dict
    assert refresh(advisory).status == AdvisoryStatus.DRAFT


@pytest.mark.parametrize(
    "tlp, audience",
    [
        pytest.param(Tlp.CLEAR, {}, id="CLEAR to everyone"),
        pytest.param(Tlp.GREEN, {"audience_sectors": [Sector.ENERGY]}, id="GREEN to a sector"),
        pytest.param(Tlp.GREEN, {"audience_kinds": [OrganisationKind.LOCAL]}, id="GREEN to a kind"),
        pytest.param(Tlp.AMBER, {"named": ["grid_energy", "partner_a"]}, id="AMBER to an operator and a partner"),
        pytest.param(Tlp.AMBER_STRICT, {"named": ["grid_energy"]}, id="AMBER+STRICT to an operator"),
        pytest.param(Tlp.RED, {"people": ["operator"]}, id="RED to a named person"),
    ],
)
def test_an_advisory_with_its_audience_goes_to_review(request, make_advisory, treasury_analyst, tlp, audience):
    audience = dict(audience)
    named = [request.getfixturevalue(slug) for slug in audience.pop("named", [])]
    people = [request.getfixturevalue(name) for name in audience.pop("people", [])]
    advisory = make_advisory(tlp, named_organisations=named, named_people=people, **audience)

    services.submit_advisory(advisory, by=treasury_analyst)

    advisory = refresh(advisory)
    assert (advisory.status, advisory.submitted_by) == (AdvisoryStatus.IN_REVIEW, treasury_analyst)


def test_an_advisory_covers_at_least_one_vulnerability(make_advisory, treasury_analyst):
    advisory = make_advisory(Tlp.CLEAR, vulnerabilities=[])

    with pytest.raises(ValidationError) as caught:
        services.submit_advisory(advisory, by=treasury_analyst)

    assert "vulnerabilities" in caught.value.message_dict
    assert refresh(advisory).status == AdvisoryStatus.DRAFT


# ---------------------------------------------------------------------------
# Publishing: the two-person rule


def test_the_coordinator_who_sent_it_for_review_cannot_publish_it(
    make_advisory, treasury_analyst, django_capture_on_commit_callbacks
):
    advisory = services.submit_advisory(make_advisory(Tlp.CLEAR), by=treasury_analyst)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.publish_advisory(advisory, by=treasury_analyst)

    advisory = refresh(advisory)
    assert (advisory.status, advisory.revision, advisory.published_at) == (AdvisoryStatus.IN_REVIEW, 0, None)
    assert not advisory.revisions.exists() and not advisory.deliveries.exists()


def test_a_second_coordinator_publishes_revision_1(make_advisory, treasury_analyst, nsa_analyst, triaged_vulnerability):
    advisory = make_advisory(Tlp.CLEAR, vulnerabilities=[triaged_vulnerability("act"), triaged_vulnerability("track")])
    services.submit_advisory(advisory, by=treasury_analyst)

    services.publish_advisory(advisory, by=nsa_analyst)

    advisory = refresh(advisory)
    assert (advisory.status, advisory.revision, advisory.ssvc_decision) == (AdvisoryStatus.PUBLISHED, 1, "act")
    assert advisory.published_at is not None
    [first] = advisory.revisions.all()
    assert (first.number, first.title, first.published_by, first.change_summary) == (
        1,
        ADVISORY["title"],
        nsa_analyst,
        "First publication.",
    )


@pytest.mark.parametrize("persona", ["operator", "lab_a_manager", "treasury_viewer", "nist_member"])
def test_no_one_but_a_coordinator_member_publishes(request, make_advisory, treasury_analyst, persona):
    advisory = services.submit_advisory(make_advisory(Tlp.CLEAR), by=treasury_analyst)

    with pytest.raises(PermissionDenied):
        services.publish_advisory(advisory, by=request.getfixturevalue(persona))
    assert refresh(advisory).status == AdvisoryStatus.IN_REVIEW


def test_a_draft_is_sent_for_review_before_it_is_published(make_advisory, nsa_analyst):
    advisory = make_advisory(Tlp.CLEAR)

    with pytest.raises(MoveNotAllowed):
        services.publish_advisory(advisory, by=nsa_analyst)
    assert refresh(advisory).status == AdvisoryStatus.DRAFT


# ---------------------------------------------------------------------------
# Revisions


def test_a_revision_increments_the_number_and_keeps_the_old_text(published, revise, nsa_analyst):
    advisory = published(Tlp.CLEAR, title="Old title", summary="Old summary")

    advisory = revise(advisory, title="New title", summary="New summary", change_summary="Clearer advice.")
    advisory = revise(advisory, title="Newest title", change_summary="Title again.")

    assert (advisory.revision, advisory.title, advisory.summary) == (3, "Newest title", "New summary")
    assert [(r.number, r.title, r.summary, r.change_summary) for r in advisory.revisions.order_by("number")] == [
        (1, "Old title", "Old summary", "First publication."),
        (2, "New title", "New summary", "Clearer advice."),
        (3, "Newest title", "New summary", "Title again."),
    ]
    assert {"Old title", "New title", "Newest title"} <= set(advisory.history.values_list("title", flat=True))
    assert "Old summary" in set(advisory.history.values_list("summary", flat=True))
    latest = advisory.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (nsa_analyst, "revision 3")


@pytest.mark.parametrize("change_summary", ["", "   "])
def test_a_revision_says_what_changed(published, nsa_analyst, change_summary):
    advisory = published(Tlp.CLEAR)

    with pytest.raises(ValidationError) as caught:
        services.revise_advisory(advisory, by=nsa_analyst, change_summary=change_summary, title="Changed")

    assert "change_summary" in caught.value.message_dict
    advisory = refresh(advisory)
    assert (advisory.revision, advisory.title, advisory.revisions.count()) == (1, ADVISORY["title"], 1)


def test_a_revision_that_breaks_the_audience_rule_changes_nothing(published, nsa_analyst, partner_a, grid_energy):
    advisory = published(Tlp.AMBER, named_organisations=[grid_energy])

    with pytest.raises(ValidationError):
        services.revise_advisory(
            advisory,
            by=nsa_analyst,
            change_summary="Stricter",
            tlp=Tlp.AMBER_STRICT,
            named_organisations=[grid_energy, partner_a],
        )

    advisory = refresh(advisory)
    assert (advisory.tlp, advisory.revision) == (Tlp.AMBER, 1)
    assert list(advisory.named_organisations.all()) == [grid_energy]


@pytest.mark.parametrize("persona", ["operator", "treasury_viewer"])
def test_only_a_coordinator_member_revises(request, published, persona):
    advisory = published(Tlp.CLEAR)

    with pytest.raises(PermissionDenied):
        services.revise_advisory(advisory, by=request.getfixturevalue(persona), change_summary="Mine", title="Mine")
    assert refresh(advisory).revision == 1


def test_a_draft_is_not_revised(make_advisory, nsa_analyst):
    advisory = make_advisory(Tlp.CLEAR)

    with pytest.raises(MoveNotAllowed):
        services.revise_advisory(advisory, by=nsa_analyst, change_summary="Too early")
    assert not AdvisoryRevision.objects.exists()


def test_a_marking_is_lowered_only_through_a_new_revision(published, revise, nsa_analyst, grid_energy):
    advisory = published(Tlp.AMBER, named_organisations=[grid_energy])

    with pytest.raises(MoveNotAllowed):
        services.update_advisory(advisory, by=nsa_analyst, tlp=Tlp.CLEAR)
    assert refresh(advisory).tlp == Tlp.AMBER

    advisory = revise(
        advisory, tlp=Tlp.GREEN, audience_sectors=[Sector.ENERGY], change_summary="Cleared for the energy sector."
    )

    assert (advisory.tlp, advisory.revision) == (Tlp.GREEN, 2)
    assert [(r.number, r.tlp) for r in advisory.revisions.order_by("number")] == [(1, Tlp.AMBER), (2, Tlp.GREEN)]
    assert advisory.history.latest().history_change_reason == "revision 2: marking lowered from AMBER"


# ---------------------------------------------------------------------------
# Withdrawal


@pytest.mark.parametrize("reason", ["", "  "])
def test_withdrawing_needs_a_reason(published, nsa_analyst, reason):
    advisory = published(Tlp.CLEAR)

    with pytest.raises(ValidationError) as caught:
        services.withdraw_advisory(advisory, by=nsa_analyst, reason=reason)

    assert "reason" in caught.value.message_dict
    assert refresh(advisory).status == AdvisoryStatus.PUBLISHED


def test_withdrawing_records_the_reason_and_tells_the_recipients(
    published, nsa_analyst, grid_energy, operator, grid_energy_member, water_operator, harbor_county, county_applicant
):
    advisory = published(Tlp.AMBER, named_organisations=[grid_energy, harbor_county])

    services.withdraw_advisory(advisory, by=nsa_analyst, reason="The vendor's fix was itself faulty.")

    advisory = refresh(advisory)
    assert (advisory.status, advisory.withdrawal_reason) == (
        AdvisoryStatus.WITHDRAWN,
        "The vendor's fix was itself faulty.",
    )
    assert advisory.withdrawn_at is not None
    subject = f"[TLP:AMBER] {advisory.reference} withdrawn: {advisory.title}"
    for recipient in (operator, grid_energy_member, county_applicant):
        assert subjects_of(recipient)[-1] == subject
    assert subject not in subjects_of(water_operator)
    assert advisory.history.latest().history_user == nsa_analyst


def test_only_a_published_advisory_is_withdrawn(make_advisory, nsa_analyst):
    advisory = make_advisory(Tlp.CLEAR)

    with pytest.raises(MoveNotAllowed):
        services.withdraw_advisory(advisory, by=nsa_analyst, reason="Never mind")
    assert refresh(advisory).status == AdvisoryStatus.DRAFT


def test_only_a_coordinator_member_withdraws(published, operator, treasury_viewer):
    advisory = published(Tlp.CLEAR)

    for outsider in (operator, treasury_viewer):
        with pytest.raises(PermissionDenied):
            services.withdraw_advisory(advisory, by=outsider, reason="Mine to withdraw")
    assert refresh(advisory).status == AdvisoryStatus.PUBLISHED


def test_a_withdrawn_clear_advisory_leaves_the_public_list(published, nsa_analyst, anonymous):
    advisory = published(Tlp.CLEAR)
    assert public_references() == [advisory.reference]

    services.withdraw_advisory(advisory, by=nsa_analyst, reason="Superseded")

    assert public_references() == []
    assert advisory.reference not in visible_references(anonymous)


# ---------------------------------------------------------------------------
# The public embargo


def test_an_embargoed_clear_advisory_is_public_only_once_its_release_time_has_passed(
    published, revise, anonymous, jobseeker
):
    advisory = published(Tlp.CLEAR, release_at=timezone.now() + timedelta(days=2))

    assert advisory.status == AdvisoryStatus.PUBLISHED
    assert public_references() == []
    for public in (anonymous, jobseeker):
        assert advisory.reference not in visible_references(public)

    advisory = revise(advisory, release_at=timezone.now() - timedelta(minutes=1), change_summary="Embargo lifted.")

    assert public_references() == [advisory.reference]
    for public in (anonymous, jobseeker):
        assert advisory.reference in visible_references(public)


def test_a_clear_advisory_released_a_moment_ago_is_public(published, anonymous):
    advisory = published(Tlp.CLEAR, release_at=timezone.now() - timedelta(seconds=1))

    assert public_references() == [advisory.reference]
    assert advisory.reference in visible_references(anonymous)


@pytest.mark.parametrize("tlp", [Tlp.GREEN, Tlp.AMBER])
def test_only_clear_is_ever_public(published, anonymous, tlp, grid_energy):
    advisory = published(tlp, audience_sectors=[Sector.ENERGY], named_organisations=[grid_energy])

    assert public_references() == []
    assert advisory.reference not in visible_references(anonymous)


def test_a_draft_clear_advisory_is_not_public(make_advisory, anonymous):
    advisory = make_advisory(Tlp.CLEAR)

    assert public_references() == []
    assert advisory.reference not in visible_references(anonymous)
