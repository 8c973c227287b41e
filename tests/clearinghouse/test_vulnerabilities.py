"""Vulnerabilities: intake of reports, who sees them, duplicates and merging, SSVC triage, the
status table, the coordinators' priority queue, the link to a review case, and their history."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from clearinghouse import selectors, services
from clearinghouse.models import (
    AffectedProduct,
    Tlp,
    Vulnerability,
    VulnerabilityGroupObjectPermission,
    VulnerabilityReport,
)
from clearinghouse.workflow import MoveNotAllowed, VulnerabilityStatus
from eo_portal import deadlines
from eo_portal.errors import Conflict
from eo_portal.models import Role
from reviews import services as review_services
from tests.clearinghouse.conftest import (
    CVSS_CRITICAL,
    CVSS_HIGH,
    CVSS_MEDIUM,
    POINTS,
    PRODUCT,
    days_from_today,
    refresh,
    subjects_of,
)
from tests.factories import add_member
from tests.reviews.support import CASE_FIELDS


def visible_references(user) -> set[str]:
    return set(selectors.vulnerabilities_visible_to(user).values_list("reference", flat=True))


def assert_every_history_row_names_its_user(rows) -> None:
    rows = list(rows)
    assert rows, "expected history rows"
    assert all(row.history_user_id is not None for row in rows), [
        (row.history_type, row.history_change_reason) for row in rows if row.history_user_id is None
    ]


# ---------------------------------------------------------------------------
# Intake


def test_a_report_opens_a_vulnerability_with_a_chv_reference_scored_and_credited(report, lab_a, lab_a_member):
    vulnerability = report(credit="Lab A red team", cwe_ids=["cwe-77 "])

    assert re.fullmatch(rf"CHV-{deadlines.today().year}-\d{{4}}", vulnerability.reference)
    assert vulnerability.status == VulnerabilityStatus.NEW
    assert (vulnerability.cvss_version, str(vulnerability.cvss_score), vulnerability.cvss_severity) == (
        "3.1",
        "9.8",
        "Critical",
    )
    assert vulnerability.cwe_ids == ["CWE-77"]
    assert [(p.vendor, p.product, p.version_start, p.version_end) for p in vulnerability.products.all()] == [
        ("Acme", "Agent Router", "2.0", "2.9")
    ]
    [credited] = vulnerability.reports.all()
    assert (credited.organisation, credited.reported_by, credited.credit) == (lab_a, lab_a_member, "Lab A red team")


def test_references_count_up_within_the_year(report):
    first, second = report(), report(title="Another flaw")

    assert int(second.reference.rsplit("-", 1)[1]) == int(first.reference.rsplit("-", 1)[1]) + 1


def test_the_reporter_is_credited_by_organisation_name_when_no_credit_is_given(report, lab_a):
    assert report().reports.get().credit == lab_a.name


def test_coordinators_are_told_of_a_new_report(report, treasury_analyst, nsa_analyst, treasury_viewer, lab_b_manager):
    vulnerability = report()

    expected = f"Vulnerability {vulnerability.reference} reported"
    assert subjects_of(treasury_analyst) == [expected]
    assert subjects_of(nsa_analyst) == [expected]
    assert subjects_of(treasury_viewer) == []
    assert subjects_of(lab_b_manager) == []


def test_a_coordinator_who_is_a_viewer_elsewhere_is_still_told_of_a_new_report(report, treasury_analyst, lab_b):
    # A viewer's seat in another organisation takes nothing from their role at Treasury.
    add_member(lab_b, treasury_analyst, role=Role.VIEWER)

    vulnerability = report()

    assert subjects_of(treasury_analyst) == [f"Vulnerability {vulnerability.reference} reported"]


def _nothing_saved() -> bool:
    return not (
        Vulnerability.objects.exists() or VulnerabilityReport.objects.exists() or AffectedProduct.objects.exists()
    )


def test_an_invalid_cvss_vector_is_refused_on_its_field_and_nothing_is_saved(report):
    with pytest.raises(ValidationError) as caught:
        report(cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q")

    assert "cvss_vector" in caught.value.message_dict
    assert _nothing_saved()


@pytest.mark.parametrize("cve_id", ["CVE-26-1234", "CVE-2026-12", "2026-12345", "CVE 2026 12345"])
def test_a_malformed_cve_id_is_refused_naming_the_cve_field_and_nothing_is_saved(report, cve_id):
    with pytest.raises(ValidationError) as caught:
        report(cve_id=cve_id)

    assert "cve_id" in caught.value.message_dict
    assert _nothing_saved()


def test_a_cve_id_is_kept_in_capitals(report):
    assert report(cve_id=" cve-2026-12345 ").cve_id == "CVE-2026-12345"


@pytest.mark.parametrize("cwe_ids", [["CWE79"], ["79"], ["CWE-79", "XSS"]])
def test_a_malformed_cwe_id_is_refused_and_nothing_is_saved(report, cwe_ids):
    with pytest.raises(ValidationError) as caught:
        report(cwe_ids=cwe_ids)

    assert "cwe_ids" in caught.value.message_dict
    assert _nothing_saved()


def test_a_report_names_at_least_one_affected_product(report):
    with pytest.raises(ValidationError) as caught:
        report(products=[])

    assert "products" in caught.value.message_dict
    assert _nothing_saved()


def test_an_affected_range_that_ends_before_it_starts_is_refused(report):
    with pytest.raises(ValidationError) as caught:
        report(products=[{**PRODUCT, "version_start": "2.10", "version_end": "2.9"}])

    assert "products" in caught.value.message_dict
    assert _nothing_saved()


def test_known_exploited_needs_the_date_it_became_known(report):
    with pytest.raises(ValidationError) as caught:
        report(known_exploited=True)

    assert "known_exploited_date" in caught.value.message_dict
    assert _nothing_saved()


def test_a_viewer_of_the_organisation_may_not_report_for_it(report, lab_a_viewer):
    with pytest.raises(PermissionDenied):
        report(by=lab_a_viewer)
    assert _nothing_saved()


def test_nobody_reports_for_an_organisation_they_do_not_belong_to(report, lab_a, lab_b_manager):
    with pytest.raises(PermissionDenied):
        report(by=lab_b_manager, organisation=lab_a)
    assert _nothing_saved()


def test_a_member_of_the_organisation_may_report_for_it(report, lab_a, lab_a_member):
    assert report(by=lab_a_member, organisation=lab_a).pk is not None


# ---------------------------------------------------------------------------
# Who sees a vulnerability


def test_the_reporting_organisation_sees_its_vulnerability_and_another_lab_does_not(
    report, lab_a_manager, lab_a_viewer, lab_b_manager
):
    vulnerability = report()

    assert visible_references(lab_a_manager) == {vulnerability.reference}
    assert visible_references(lab_a_viewer) == {vulnerability.reference}
    assert selectors.get_vulnerability_for(lab_a_viewer, vulnerability.reference) == vulnerability
    assert visible_references(lab_b_manager) == set()
    with pytest.raises(Http404):
        selectors.get_vulnerability_for(lab_b_manager, vulnerability.reference)


def test_coordinators_see_every_vulnerability(report, lab_b, lab_b_manager, treasury_viewer, nsa_analyst, agency_staff):
    ours, theirs = report(), report(by=lab_b_manager, organisation=lab_b, title="Lab B's flaw")

    for coordinator in (treasury_viewer, nsa_analyst, agency_staff):
        assert visible_references(coordinator) == {ours.reference, theirs.reference}


def test_the_public_and_outsiders_see_no_vulnerability(report, anonymous, jobseeker, operator, nist_member):
    vulnerability = report()

    for outsider in (anonymous, jobseeker, operator, nist_member, None):
        assert visible_references(outsider) == set()
        with pytest.raises(Http404):
            selectors.get_vulnerability_for(outsider, vulnerability.reference)


def test_a_missing_reference_answers_404_like_a_hidden_one(treasury_analyst):
    with pytest.raises(Http404):
        selectors.get_vulnerability_for(treasury_analyst, "CHV-2026-9999")


def test_a_second_report_of_the_same_cve_joins_the_same_vulnerability_and_credits_both(
    report, lab_a, lab_b, lab_b_manager, treasury_analyst
):
    first = report(cve_id="CVE-2026-40001", credit="Lab A")
    second = report(
        by=lab_b_manager, organisation=lab_b, cve_id="cve-2026-40001", credit="Lab B", title="Same flaw, found again"
    )

    assert second.pk == first.pk
    assert Vulnerability.objects.count() == 1
    assert [(r.organisation, r.credit) for r in first.reports.order_by("id")] == [(lab_a, "Lab A"), (lab_b, "Lab B")]
    # Lab B's own account is kept as it sent it.
    assert first.reports.get(organisation=lab_b).submitted["title"] == "Same flaw, found again"
    assert visible_references(lab_b_manager) == {first.reference}
    assert subjects_of(treasury_analyst)[-1] == f"Vulnerability {first.reference} reported again"


# ---------------------------------------------------------------------------
# Likely duplicates


def test_a_cve_already_on_another_record_is_refused_with_a_pointer_to_merging(report, treasury_analyst):
    holder = report(cve_id="CVE-2026-40002")
    other = report(title="Reported before the CVE was assigned")

    with pytest.raises(ValidationError) as caught:
        services.update_vulnerability(other, by=treasury_analyst, cve_id="CVE-2026-40002")

    assert caught.value.message_dict["cve_id"] == [
        f"{holder.reference} already has CVE-2026-40002: merge the two instead."
    ]
    assert refresh(other).cve_id is None


def test_a_cve_assigned_later_is_recorded(report, treasury_analyst):
    vulnerability = report()

    services.update_vulnerability(vulnerability, by=treasury_analyst, cve_id="CVE-2026-40003")

    assert refresh(vulnerability).cve_id == "CVE-2026-40003"


def test_same_vendor_and_product_in_any_case_with_a_shared_cwe_and_overlapping_versions_is_a_likely_duplicate(
    report,
):
    original = report(cwe_ids=["CWE-77", "CWE-20"])
    duplicate = report(
        title="Tool router follows hidden instructions",
        cwe_ids=["CWE-20"],
        products=[{"vendor": "ACME", "product": "agent router", "version_start": "2.5", "version_end": "3.1"}],
    )

    assert selectors.likely_duplicates(duplicate) == [original]
    assert selectors.likely_duplicates(original) == [duplicate]


@pytest.mark.parametrize(
    "product, cwe_ids",
    [
        pytest.param({**PRODUCT, "version_start": "2.10", "version_end": "3.0"}, ["CWE-77"], id="later versions only"),
        pytest.param({**PRODUCT, "version_start": "", "version_end": "1.9"}, ["CWE-77"], id="earlier versions only"),
        pytest.param(PRODUCT, ["CWE-79"], id="different CWE"),
        pytest.param({**PRODUCT, "product": "Agent Gateway"}, ["CWE-77"], id="different product"),
        pytest.param({**PRODUCT, "vendor": "Apex"}, ["CWE-77"], id="different vendor"),
    ],
)
def test_a_record_that_differs_in_versions_cwe_or_product_is_not_proposed(report, product, cwe_ids):
    report()
    other = report(title="Something else", products=[product], cwe_ids=cwe_ids)

    assert selectors.likely_duplicates(other) == []


def test_open_ended_ranges_overlap(report):
    original = report(products=[{**PRODUCT, "version_start": "3.0", "version_end": ""}])
    other = report(title="No fix yet", products=[{**PRODUCT, "version_start": "", "version_end": "3.0"}])

    assert selectors.likely_duplicates(other) == [original]


def test_a_merged_record_is_not_proposed_again(report, treasury_analyst):
    original = report()
    duplicate = report(title="Same again")
    services.merge_vulnerabilities(duplicate, into=original, by=treasury_analyst)

    assert selectors.likely_duplicates(refresh(original)) == []


# ---------------------------------------------------------------------------
# Merging


def test_merging_keeps_every_reporter_and_credit_and_closes_the_duplicate(
    report, lab_a, lab_b, lab_b_manager, treasury_analyst
):
    survivor = report(credit="Lab A")
    duplicate = report(by=lab_b_manager, organisation=lab_b, credit="Lab B", title="Same flaw", cve_id="CVE-2026-40004")

    result = services.merge_vulnerabilities(duplicate, into=survivor, by=treasury_analyst)

    survivor, duplicate = refresh(survivor), refresh(duplicate)
    assert result == survivor
    assert [(r.organisation, r.credit) for r in survivor.reports.order_by("id")] == [(lab_a, "Lab A"), (lab_b, "Lab B")]
    assert not duplicate.reports.exists()
    assert (duplicate.status, duplicate.merged_into) == (VulnerabilityStatus.CLOSED, survivor)
    # The CVE ID follows the flaw to the survivor.
    assert (survivor.cve_id, duplicate.cve_id) == ("CVE-2026-40004", None)


def test_after_a_merge_the_duplicates_reporter_sees_the_survivor(report, lab_b, lab_b_manager, treasury_analyst):
    survivor = report()
    duplicate = report(by=lab_b_manager, organisation=lab_b, title="Same flaw")
    assert survivor.reference not in visible_references(lab_b_manager)

    services.merge_vulnerabilities(duplicate, into=survivor, by=treasury_analyst)

    assert survivor.reference in visible_references(lab_b_manager)


def test_merging_carries_known_exploitation_to_the_survivor(report, treasury_analyst):
    survivor = report()
    duplicate = report(title="Seen in the wild", known_exploited=True, known_exploited_date=days_from_today(-2))

    services.merge_vulnerabilities(duplicate, into=survivor, by=treasury_analyst)

    survivor = refresh(survivor)
    assert (survivor.known_exploited, survivor.known_exploited_date) == (True, days_from_today(-2))


def test_a_vulnerability_cannot_be_merged_into_itself(report, treasury_analyst):
    vulnerability = report()

    with pytest.raises(ValidationError):
        services.merge_vulnerabilities(vulnerability, into=vulnerability, by=treasury_analyst)
    assert refresh(vulnerability).merged_into is None


def test_a_vulnerability_already_merged_cannot_be_merged_again(report, treasury_analyst):
    survivor, duplicate, third = report(), report(title="Two"), report(title="Three")
    services.merge_vulnerabilities(duplicate, into=survivor, by=treasury_analyst)

    with pytest.raises(MoveNotAllowed):
        services.merge_vulnerabilities(duplicate, into=third, by=treasury_analyst)
    assert refresh(duplicate).merged_into == survivor


def test_a_vulnerability_in_a_published_advisory_cannot_be_merged_away(
    report, triage, make_advisory, publish, treasury_analyst
):
    survivor = report()
    covered = triage(report(title="Covered by an advisory"))
    advisory = publish(make_advisory(Tlp.CLEAR, vulnerabilities=[covered]))

    with pytest.raises(Conflict) as caught:
        services.merge_vulnerabilities(covered, into=survivor, by=treasury_analyst)

    assert isinstance(caught.value, MoveNotAllowed)
    assert advisory.reference in str(caught.value)
    covered = refresh(covered)
    assert (covered.merged_into, covered.status) == (None, VulnerabilityStatus.TRIAGED)
    assert list(refresh(advisory).vulnerabilities.all()) == [covered]


def test_a_draft_advisory_follows_the_merge_to_the_survivor(report, make_advisory, treasury_analyst):
    survivor, duplicate = report(), report(title="Same flaw")
    advisory = make_advisory(Tlp.CLEAR, vulnerabilities=[duplicate])

    services.merge_vulnerabilities(duplicate, into=survivor, by=treasury_analyst)

    assert list(refresh(advisory).vulnerabilities.all()) == [survivor]


def test_only_a_coordinator_merges(report, lab_a_manager, treasury_viewer, lab_b_manager, lab_b):
    survivor, duplicate = report(), report(by=lab_b_manager, organisation=lab_b, title="Same")

    for outsider in (lab_a_manager, lab_b_manager, treasury_viewer):
        with pytest.raises(PermissionDenied):
            services.merge_vulnerabilities(duplicate, into=survivor, by=outsider)
    assert refresh(duplicate).merged_into is None


# ---------------------------------------------------------------------------
# Triage and the status table


@pytest.mark.parametrize("decision", ["track", "track*", "attend", "act"])
def test_triage_stores_the_decision_points_and_cisas_decision(report, treasury_analyst, decision):
    vulnerability = services.triage_vulnerability(report(), by=treasury_analyst, **POINTS[decision])

    stored = refresh(vulnerability)
    assert (stored.exploitation, stored.automatable, stored.technical_impact, stored.mission_impact) == tuple(
        POINTS[decision].values()
    )
    assert stored.ssvc_decision == decision
    assert stored.status == VulnerabilityStatus.TRIAGED
    assert stored.triaged_at is not None


def test_triage_can_be_repeated_and_each_decision_stays_in_the_history(report, triage):
    vulnerability = triage(report(), "track")
    triage(vulnerability, "act")

    assert refresh(vulnerability).ssvc_decision == "act"
    decisions = list(vulnerability.history.order_by("history_id").values_list("ssvc_decision", flat=True))
    assert decisions[-2:] == ["track", "act"]


def test_triage_refuses_a_value_outside_the_decision_points(report, treasury_analyst):
    vulnerability = report()

    with pytest.raises(ValidationError) as caught:
        services.triage_vulnerability(
            vulnerability,
            by=treasury_analyst,
            exploitation="rumoured",
            automatable=None,
            technical_impact="total",
            mission_impact="huge",
        )

    assert set(caught.value.message_dict) == {"exploitation", "automatable", "mission_impact"}
    assert refresh(vulnerability).status == VulnerabilityStatus.NEW


def test_only_a_coordinator_triages(report, lab_a_manager, treasury_viewer, operator):
    vulnerability = report()

    for outsider in (lab_a_manager, treasury_viewer, operator):
        with pytest.raises(PermissionDenied):
            services.triage_vulnerability(vulnerability, by=outsider, **POINTS["act"])
    assert refresh(vulnerability).ssvc_decision == ""


def test_a_vulnerability_past_triage_is_not_triaged_again(report, triage, treasury_analyst):
    vulnerability = triage(report(), "attend")
    services.move_vulnerability(vulnerability, by=treasury_analyst, status=VulnerabilityStatus.REMEDIATION_IN_PROGRESS)

    with pytest.raises(MoveNotAllowed):
        triage(vulnerability, "act")
    assert refresh(vulnerability).ssvc_decision == "attend"


def test_status_moves_follow_the_workflow(report, triage, treasury_analyst):
    vulnerability = triage(report())

    for status in (
        VulnerabilityStatus.REMEDIATION_IN_PROGRESS,
        VulnerabilityStatus.MITIGATED,
        VulnerabilityStatus.REMEDIATION_IN_PROGRESS,
        VulnerabilityStatus.REMEDIATED,
        VulnerabilityStatus.CLOSED,
    ):
        services.move_vulnerability(vulnerability, by=treasury_analyst, status=status)
        assert refresh(vulnerability).status == status


@pytest.mark.parametrize(
    "steps, target",
    [
        pytest.param([], VulnerabilityStatus.REMEDIATION_IN_PROGRESS, id="new to in progress without triage"),
        pytest.param(["triage"], VulnerabilityStatus.REMEDIATED, id="triaged straight to remediated"),
        pytest.param(["triage", VulnerabilityStatus.CLOSED], VulnerabilityStatus.TRIAGED, id="closed reopened"),
        pytest.param(["triage"], VulnerabilityStatus.NEW, id="triaged back to new"),
    ],
)
def test_a_move_the_workflow_does_not_allow_is_refused(report, triage, treasury_analyst, steps, target):
    vulnerability = report()
    for step in steps:
        if step == "triage":
            triage(vulnerability)
        else:
            services.move_vulnerability(vulnerability, by=treasury_analyst, status=step)
    before = refresh(vulnerability).status

    with pytest.raises(MoveNotAllowed):
        services.move_vulnerability(vulnerability, by=treasury_analyst, status=target)
    assert refresh(vulnerability).status == before


def test_only_a_coordinator_moves_a_vulnerability(report, triage, lab_a_manager, treasury_viewer):
    vulnerability = triage(report())

    for outsider in (lab_a_manager, treasury_viewer):
        with pytest.raises(PermissionDenied):
            services.move_vulnerability(vulnerability, by=outsider, status=VulnerabilityStatus.REMEDIATION_IN_PROGRESS)
    assert refresh(vulnerability).status == VulnerabilityStatus.TRIAGED


def test_only_a_coordinator_corrects_the_record(report, lab_a_manager, treasury_analyst):
    vulnerability = report()

    with pytest.raises(PermissionDenied):
        services.update_vulnerability(vulnerability, by=lab_a_manager, title="Renamed by the lab")
    services.update_vulnerability(vulnerability, by=treasury_analyst, title="Renamed by the coordinator")

    assert refresh(vulnerability).title == "Renamed by the coordinator"


# ---------------------------------------------------------------------------
# The priority queue


def test_the_priority_queue_orders_by_decision_then_known_exploited_then_cvss_then_due_date(
    report, triage, treasury_analyst
):
    # Reported in the reverse of the expected order, so creation order cannot pass for priority.
    undecided = report(
        title="untriaged, exploited, critical",
        cvss_vector=CVSS_CRITICAL,
        known_exploited=True,
        known_exploited_date=days_from_today(-1),
    )
    high_later = triage(
        report(title="attend, 7.5, due later", cvss_vector=CVSS_HIGH), "attend", remediation_due=days_from_today(30)
    )
    high_sooner = triage(
        report(title="attend, 7.5, due sooner", cvss_vector=CVSS_HIGH), "attend", remediation_due=days_from_today(10)
    )
    critical = triage(
        report(title="attend, 9.8, not exploited", cvss_vector=CVSS_CRITICAL),
        "attend",
        remediation_due=days_from_today(60),
    )
    exploited = triage(
        report(
            title="attend, 4.3, exploited",
            cvss_vector=CVSS_MEDIUM,
            known_exploited=True,
            known_exploited_date=days_from_today(-3),
        ),
        "attend",
        remediation_due=days_from_today(90),
    )
    act = triage(report(title="act, 4.3, not exploited", cvss_vector=CVSS_MEDIUM), "act")

    queue = list(selectors.priority_queue(treasury_analyst))

    assert [v.title for v in queue] == [
        act.title,  # the decision first: Act over an exploited Attend
        exploited.title,  # then known exploited, over a higher CVSS score
        critical.title,  # then the CVSS score, over an earlier due date
        high_sooner.title,  # then the due date
        high_later.title,
        undecided.title,  # undecided last, whatever else it has
    ]


def test_the_priority_queue_leaves_out_closed_and_merged_records(report, triage, treasury_analyst):
    kept = report()
    merged = report(title="Merged")
    closed = triage(report(title="Closed"))
    services.merge_vulnerabilities(merged, into=kept, by=treasury_analyst)
    services.move_vulnerability(closed, by=treasury_analyst, status=VulnerabilityStatus.CLOSED)

    assert list(selectors.priority_queue(treasury_analyst)) == [kept]


def test_a_reporter_queue_holds_only_what_it_may_see(report, lab_b, lab_b_manager):
    report()
    theirs = report(by=lab_b_manager, organisation=lab_b, title="Lab B's")

    assert list(selectors.priority_queue(lab_b_manager)) == [theirs]


# ---------------------------------------------------------------------------
# The review case a vulnerability came from


@pytest.fixture
def review_case(lab_a, lab_a_manager):
    """A draft review case of lab A: only the lab sees a draft, coordinators of any program do not."""
    return review_services.create_case(by=lab_a_manager, lab=lab_a, **CASE_FIELDS)


def test_the_source_case_is_shown_only_to_those_who_may_see_the_case(
    report, review_case, lab_a_manager, treasury_analyst
):
    vulnerability = report(by=lab_a_manager, source_case=review_case)

    assert refresh(vulnerability).source_case_id == review_case.pk
    assert selectors.source_case_for(lab_a_manager, vulnerability) == review_case
    # The coordinator sees the vulnerability but not the lab's draft case, so not the link either.
    assert vulnerability.reference in visible_references(treasury_analyst)
    assert selectors.source_case_for(treasury_analyst, vulnerability) is None


def test_once_the_case_is_submitted_its_review_agencies_see_the_link(
    report, review_case, lab_a_manager, agency_staff, treasury_analyst
):
    vulnerability = report(by=lab_a_manager, source_case=review_case)
    review_services.submit_case(review_case, by=lab_a_manager)

    # CISA reviews the case by default; Treasury does not take part in it.
    assert selectors.source_case_for(agency_staff, vulnerability) == review_case
    assert selectors.source_case_for(treasury_analyst, vulnerability) is None


def test_a_reporter_cannot_link_a_review_case_it_cannot_see(report, review_case, lab_b, lab_b_manager):
    with pytest.raises(ValidationError) as caught:
        report(by=lab_b_manager, organisation=lab_b, source_case=review_case)

    assert "source_case" in caught.value.message_dict
    assert _nothing_saved()


# ---------------------------------------------------------------------------
# History


def test_every_change_leaves_history_rows_that_name_the_user(
    report, triage, lab_a_member, lab_b, lab_b_manager, treasury_analyst
):
    survivor = triage(report())
    duplicate = report(by=lab_b_manager, organisation=lab_b, title="Same flaw")
    services.update_vulnerability(survivor, by=treasury_analyst, title="Prompt injection in the router")
    services.move_vulnerability(survivor, by=treasury_analyst, status=VulnerabilityStatus.REMEDIATION_IN_PROGRESS)
    services.merge_vulnerabilities(duplicate, into=survivor, by=treasury_analyst)

    history = list(survivor.history.order_by("history_id"))
    assert [(row.history_user, row.history_change_reason) for row in history] == [
        (lab_a_member, "reported"),
        (treasury_analyst, "triaged: SSVC Attend"),
        (treasury_analyst, "record updated"),
        (treasury_analyst, "moved to remediation in progress"),
        (treasury_analyst, f"{duplicate.reference} merged into it"),
    ]
    assert refresh(duplicate).history.latest().history_user == treasury_analyst
    assert refresh(duplicate).history.latest().history_change_reason == f"merged into {survivor.reference}"
    assert_every_history_row_names_its_user(Vulnerability.history.all())
    assert_every_history_row_names_its_user(AffectedProduct.history.all())
    assert_every_history_row_names_its_user(VulnerabilityReport.history.all())
    assert_every_history_row_names_its_user(VulnerabilityGroupObjectPermission.history.all())
    moved = VulnerabilityReport.history.filter(history_change_reason=f"merged from {duplicate.reference}")
    assert [row.history_user for row in moved] == [treasury_analyst]
