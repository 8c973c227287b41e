"""The clearinghouse's portal pages: who sees each (404 for anyone else, as for what does not
exist), the forms and where their errors land, the TLP marking at the top of every advisory page,
and list pages whose query count does not grow with their rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clearinghouse import services
from clearinghouse.models import (
    Advisory,
    DefensiveTool,
    Delivery,
    DirectiveKind,
    Tlp,
    ToolRequest,
    Vulnerability,
    VulnerabilityReport,
)
from clearinghouse.workflow import (
    AdvisoryStatus,
    DeliveryStatus,
    DirectiveStatus,
    ToolRequestStatus,
    VulnerabilityStatus,
)
from eo_portal.models import OrganisationKind, Role
from tests.clearinghouse.conftest import CVSS_HIGH, PRODUCT, VULNERABILITY, refresh
from tests.factories import OrganisationFactory, person_in

AMBER_BANNER = "TLP:AMBER</strong> — Recipients may share this within their organisation"
STRICT_BANNER = "TLP:AMBER+STRICT</strong> — Recipients may share this only within their own organisation."


def url(name: str, *args) -> str:
    return reverse(f"clearinghouse:{name}", args=args)


def content_of(response) -> str:
    return response.content.decode()


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def amber_for_grid(published, grid_energy):
    """A published TLP:AMBER advisory named to Grid Energy (the `operator` persona's organisation)."""
    return published(Tlp.AMBER, named_organisations=[grid_energy])


def delivery_of(advisory: Advisory, organisation) -> Delivery:
    return Delivery.objects.get(advisory=advisory, organisation=organisation)


# ---------------------------------------------------------------------------
# The home page


def test_the_home_page_lists_public_advisories_and_the_feeds_to_anyone(web, published):
    advisory = published(Tlp.CLEAR, audience_kinds=[OrganisationKind.OPERATOR])
    content = content_of(web().get(url("index")))
    assert advisory.reference in content
    for name in ("advisory-list", "directive-list", "tool-list", "feed-atom", "feed-json", "kev-json", "kev-csv"):
        assert f'href="{url(name)}"' in content
    assert url("queue") not in content


def test_the_home_page_shows_a_member_their_queue_and_the_report_form_and_a_coordinator_more(
    web, operator, agency_staff
):
    member = content_of(web(operator).get(url("index")))
    assert f'href="{url("queue")}"' in member
    assert f'href="{url("vulnerability-report")}"' in member
    assert url("advisory-create") not in member
    assert f'href="{url("advisory-create")}"' in content_of(web(agency_staff).get(url("index")))


def test_the_home_page_keeps_amber_advisories_out_of_the_public_list(web, amber_for_grid):
    assert amber_for_grid.reference not in content_of(web().get(url("index")))


# ---------------------------------------------------------------------------
# The advisory list


def test_the_advisory_list_shows_the_public_only_what_is_clear_and_the_tlp_of_each_row(web, published, amber_for_grid):
    clear = published(Tlp.CLEAR, audience_kinds=[OrganisationKind.OPERATOR], title="Public one")
    content = content_of(web().get(url("advisory-list")))
    assert clear.reference in content
    assert amber_for_grid.reference not in content
    assert 'class="tlp-label tlp-label--clear">TLP:CLEAR</span>' in content


def test_the_advisory_list_shows_a_recipient_what_was_delivered_to_it(web, operator, amber_for_grid):
    content = content_of(web(operator).get(url("advisory-list")))
    assert amber_for_grid.reference in content
    assert 'tlp-label--amber">TLP:AMBER</span>' in content


def test_the_advisory_list_filters_by_marking_and_ignores_a_bad_filter_with_a_message(
    web, agency_staff, published, make_advisory
):
    clear = published(Tlp.CLEAR, audience_kinds=[OrganisationKind.OPERATOR])
    draft = make_advisory(Tlp.RED)
    client = web(agency_staff)
    filtered = content_of(client.get(url("advisory-list"), {"tlp": "RED"}))
    assert draft.reference in filtered
    assert clear.reference not in filtered
    response = client.get(url("advisory-list"), {"tlp": "PURPLE"})
    assert {clear.reference, draft.reference} <= set(a.reference for a in response.context["page"].object_list)
    assert "The filter “TLP marking” was ignored" in content_of(response)


def test_the_advisory_list_costs_the_same_for_one_and_five_advisories(web, agency_staff, make_advisory):
    client = web(agency_staff)
    make_advisory(Tlp.AMBER)
    one = queries_for(client, url("advisory-list"))
    for _ in range(4):
        make_advisory(Tlp.AMBER)
    assert queries_for(client, url("advisory-list")) == one


# ---------------------------------------------------------------------------
# An advisory and its tabs


def test_an_advisory_page_opens_with_its_tlp_marking_and_meaning(web, operator, amber_for_grid):
    response = web(operator).get(url("advisory-detail", amber_for_grid.reference))
    content = content_of(response)
    assert response.status_code == 200
    assert AMBER_BANNER in content
    # The marking comes before anything else the page says about the advisory.
    assert content.index("tlp-banner") < content.index("usa-breadcrumb") < content.index("<h1>")
    assert "/static/clearinghouse/tlp.css" in content


def test_a_strict_advisory_says_its_recipients_keep_it_in_their_own_organisation(web, operator, published, grid_energy):
    advisory = published(Tlp.AMBER_STRICT, named_organisations=[grid_energy])
    for name in ("advisory-detail", "advisory-revisions"):
        assert STRICT_BANNER in content_of(web(operator).get(url(name, advisory.reference)))


@pytest.mark.parametrize("persona", ["anonymous", "county_applicant", "lab_b_manager"])
def test_an_amber_advisory_answers_404_to_anyone_it_was_not_delivered_to(request, web, amber_for_grid, persona):
    client = web(request.getfixturevalue(persona))
    for name in ("advisory-detail", "advisory-revisions"):
        assert client.get(url(name, amber_for_grid.reference)).status_code == 404


def test_a_draft_answers_404_to_a_recipient_and_opens_for_a_coordinator(web, operator, agency_staff, make_advisory):
    draft = make_advisory(Tlp.CLEAR, audience_kinds=[OrganisationKind.OPERATOR])
    assert web(operator).get(url("advisory-detail", draft.reference)).status_code == 404
    assert web().get(url("advisory-detail", draft.reference)).status_code == 404
    assert web(agency_staff).get(url("advisory-detail", draft.reference)).status_code == 200


def test_the_details_show_the_vulnerabilities_remediations_and_the_csaf_link(
    web, operator, published, grid_energy, triaged_vulnerability
):
    vulnerability = triaged_vulnerability("act", cve_id="CVE-2026-41001")
    advisory = published(
        Tlp.AMBER,
        named_organisations=[grid_energy],
        vulnerabilities=[vulnerability],
        remediations=[
            {"category": "vendor_fix", "details": "Upgrade to 3.0.", "product_scope": "", "vulnerability": None}
        ],
    )
    content = content_of(web(operator).get(url("advisory-detail", advisory.reference)))
    assert "CVE-2026-41001" in content
    assert "9.8 (Critical, CVSS 3.1)" in content
    assert '<td data-label="SSVC decision">Act</td>' in content
    assert "Acme Agent Router: 2.0 to 2.9" in content
    assert "Upgrade to 3.0." in content
    assert f'href="{url("advisory-csaf", advisory.reference)}"' in content


def test_a_recipient_sees_its_own_delivery_on_the_advisory_page_and_no_coordinator_tools(
    web, operator, amber_for_grid, grid_energy
):
    content = content_of(web(operator).get(url("advisory-detail", amber_for_grid.reference)))
    delivery = delivery_of(amber_for_grid, grid_energy)
    assert f'href="{url("delivery-detail", delivery.pk)}"' in content
    assert url("advisory-withdraw", amber_for_grid.reference) not in content
    assert url("advisory-distribution", amber_for_grid.reference) not in content


@pytest.mark.parametrize("tab", ["advisory-distribution", "advisory-history"])
def test_the_coordinators_tabs_open_for_a_coordinator_and_answer_404_to_a_recipient(
    web, operator, agency_staff, amber_for_grid, tab
):
    assert web(agency_staff).get(url(tab, amber_for_grid.reference)).status_code == 200
    assert web(operator).get(url(tab, amber_for_grid.reference)).status_code == 404


def test_the_distribution_tab_counts_without_naming_any_recipient(web, agency_staff, published, grid_energy, operator):
    advisory = published(Tlp.GREEN, audience_sectors=["energy"])
    services.report_on_delivery(delivery_of(advisory, grid_energy), by=operator, status=DeliveryStatus.REMEDIATED)
    response = web(agency_staff).get(url("advisory-distribution", advisory.reference))
    content = content_of(response)
    assert response.context["summary"].received >= 1
    assert '<th scope="row" data-label="Sector">Energy</th>' in content
    assert grid_energy.name not in content


def test_the_history_tab_names_who_published_and_why(web, agency_staff, amber_for_grid):
    content = content_of(web(agency_staff).get(url("advisory-history", amber_for_grid.reference)))
    assert "nsa-analyst" in content
    assert "published" in content
    assert "Revision 1" in content


def test_the_revisions_tab_hides_an_earlier_stricter_text_from_the_public(
    web, agency_staff, published, grid_energy, revise
):
    advisory = published(Tlp.AMBER, named_organisations=[grid_energy], title="Restricted wording")
    revise(advisory, tlp=Tlp.CLEAR, audience_kinds=[OrganisationKind.OPERATOR], title="Public wording")
    public = content_of(web().get(url("advisory-revisions", advisory.reference)))
    assert "Public wording" in public
    assert "Restricted wording" not in public
    assert "Restricted wording" in content_of(web(agency_staff).get(url("advisory-revisions", advisory.reference)))


# ---------------------------------------------------------------------------
# Writing advisories


def advisory_post(**changes) -> dict:
    return {
        "title": "Patch the router",
        "summary": "Upgrade to 3.0.",
        "tlp": Tlp.AMBER,
        "release_at": "",
        "remediations_1_category": "workaround",
        "remediations_1_details": "Turn off automatic tool calls.",
        "remediations_1_product_scope": "2.x",
        "remediations_1_vulnerability": "",
    } | changes


def test_a_coordinator_creates_a_draft_with_its_audience_and_remediations(
    web, agency_staff, grid_energy, triaged_vulnerability
):
    vulnerability = triaged_vulnerability()
    data = advisory_post(
        named_organisations=[grid_energy.pk], vulnerabilities=[vulnerability.pk], release_at="2026-07-04T09:30"
    )
    response = web(agency_staff).post(url("advisory-create"), data)
    advisory = Advisory.objects.get(title="Patch the router")
    assert (response.status_code, response["Location"]) == (302, url("advisory-detail", advisory.reference))
    assert advisory.status == AdvisoryStatus.DRAFT
    assert list(advisory.named_organisations.all()) == [grid_energy]
    assert list(advisory.vulnerabilities.all()) == [vulnerability]
    assert [(r.category, r.product_scope) for r in advisory.remediations.all()] == [("workaround", "2.x")]
    # Typed in US Eastern time (EDT in July): 13:30 UTC.
    assert advisory.release_at.isoformat() == "2026-07-04T13:30:00+00:00"


@pytest.mark.parametrize("persona", ["operator", "lab_a_member", "county_applicant"])
def test_only_a_coordinator_may_open_the_new_advisory_form(request, web, persona):
    client = web(request.getfixturevalue(persona))
    assert client.get(url("advisory-create")).status_code == 403
    assert client.post(url("advisory-create"), advisory_post()).status_code == 403
    assert not Advisory.objects.exists()


def test_the_new_advisory_form_sends_anonymous_visitors_to_sign_in(web):
    response = web().get(url("advisory-create"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_classification_marking_is_refused_at_its_field_and_the_draft_is_left_as_it_was(
    web, agency_staff, make_advisory
):
    draft = make_advisory(Tlp.CLEAR, audience_kinds=[OrganisationKind.OPERATOR])
    response = web(agency_staff).post(
        url("advisory-edit", draft.reference),
        advisory_post(tlp=Tlp.CLEAR, summary="SECRET//NOFORN details", audience_kinds=["operator"]),
    )
    assert response.status_code == 200
    assert "summary" in response.context["form"].errors
    assert 'id="id_summary_error"' in content_of(response)
    assert refresh(draft).summary == draft.summary
    assert list(refresh(draft).remediations.all()) == []


def test_a_remediation_that_names_a_vulnerability_outside_the_advisory_is_shown_at_the_remediations(
    web, agency_staff, triaged_vulnerability
):
    inside, outside = triaged_vulnerability(), triaged_vulnerability(title="Another flaw", cwe_ids=["CWE-79"])
    data = advisory_post(vulnerabilities=[inside.pk], remediations_1_vulnerability=outside.pk)
    response = web(agency_staff).post(url("advisory-create"), data)
    assert response.status_code == 200
    assert outside.reference in " ".join(response.context["form"].errors["remediations"])
    assert 'id="id_remediations_error"' in content_of(response)
    assert not Advisory.objects.exists()


def test_a_published_advisory_is_not_edited_but_revised(web, agency_staff, amber_for_grid, grid_energy):
    client = web(agency_staff)
    edit = client.get(url("advisory-edit", amber_for_grid.reference))
    assert (edit.status_code, edit["Location"]) == (302, url("advisory-detail", amber_for_grid.reference))
    form = client.get(url("advisory-revise", amber_for_grid.reference)).context["form"]
    assert form["title"].value() == amber_for_grid.title
    missing = client.post(
        url("advisory-revise", amber_for_grid.reference), advisory_post(named_organisations=[grid_energy.pk])
    )
    assert "change_summary" in missing.context["form"].errors
    assert refresh(amber_for_grid).revision == 1


def test_a_coordinator_publishes_a_new_revision_from_the_revise_page(
    web, agency_staff, amber_for_grid, grid_energy, django_capture_on_commit_callbacks
):
    vulnerability = amber_for_grid.vulnerabilities.get()
    data = advisory_post(
        change_summary="Added the workaround.",
        title=amber_for_grid.title,
        named_organisations=[grid_energy.pk],
        vulnerabilities=[vulnerability.pk],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = web(agency_staff).post(url("advisory-revise", amber_for_grid.reference), data)
    assert response.status_code == 302
    advisory = refresh(amber_for_grid)
    assert advisory.revision == 2
    assert advisory.revisions.get(number=2).change_summary == "Added the workaround."


def test_the_workflow_buttons_send_for_review_and_a_second_coordinator_publishes(
    web, agency_staff, nsa_analyst, grid_energy, make_advisory, django_capture_on_commit_callbacks
):
    draft = make_advisory(Tlp.AMBER, named_organisations=[grid_energy])
    sender = web(agency_staff)
    sender.post(url("advisory-move", draft.reference, "submit"))
    assert refresh(draft).status == AdvisoryStatus.IN_REVIEW
    # The one who sent it for review is offered no publish button.
    assert url("advisory-move", draft.reference, "publish") not in content_of(
        sender.get(url("advisory-detail", draft.reference))
    )
    second = web(nsa_analyst)
    assert url("advisory-move", draft.reference, "publish") in content_of(
        second.get(url("advisory-detail", draft.reference))
    )
    with django_capture_on_commit_callbacks(execute=True):
        second.post(url("advisory-move", draft.reference, "publish"))
    assert refresh(draft).status == AdvisoryStatus.PUBLISHED
    assert Delivery.objects.filter(advisory=draft, organisation=grid_energy).exists()


def test_a_move_the_state_does_not_allow_is_an_error_on_the_page(web, agency_staff, make_advisory):
    draft = make_advisory(Tlp.AMBER)
    response = web(agency_staff).post(url("advisory-move", draft.reference, "return"), follow=True)
    assert "cannot be returned to draft" in content_of(response)
    assert refresh(draft).status == AdvisoryStatus.DRAFT


def test_sending_for_review_without_an_audience_explains_why_on_the_page(web, agency_staff, make_advisory):
    draft = make_advisory(Tlp.AMBER)
    response = web(agency_staff).post(url("advisory-move", draft.reference, "submit"), follow=True)
    assert "goes to named organisations" in content_of(response)
    assert refresh(draft).status == AdvisoryStatus.DRAFT


def test_withdrawing_needs_a_reason_and_then_tells_the_page(web, agency_staff, amber_for_grid):
    client = web(agency_staff)
    empty = client.post(url("advisory-withdraw", amber_for_grid.reference), {"reason": ""})
    assert "reason" in empty.context["withdraw_form"].errors
    assert refresh(amber_for_grid).status == AdvisoryStatus.PUBLISHED
    client.post(url("advisory-withdraw", amber_for_grid.reference), {"reason": "Superseded by a vendor advisory."})
    assert refresh(amber_for_grid).status == AdvisoryStatus.WITHDRAWN
    assert "Superseded by a vendor advisory." in content_of(
        client.get(url("advisory-detail", amber_for_grid.reference))
    )


def test_a_recipient_cannot_take_a_coordinators_step(web, operator, amber_for_grid):
    assert web(operator).post(url("advisory-withdraw", amber_for_grid.reference), {"reason": "No."}).status_code == 403
    assert refresh(amber_for_grid).status == AdvisoryStatus.PUBLISHED


# ---------------------------------------------------------------------------
# The queue and the delivery page


def test_the_queue_lists_an_organisations_deliveries_with_marking_and_due_date(web, operator, amber_for_grid):
    content = content_of(web(operator).get(url("queue")))
    assert amber_for_grid.reference in content
    assert 'tlp-label--amber">TLP:AMBER</span>' in content
    assert "Not yet" in content


def test_the_queue_sends_anonymous_visitors_to_sign_in(web):
    response = web().get(url("queue"))
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")


def test_the_queue_shows_a_coordinator_only_their_own_organisations_deliveries(web, agency_staff, amber_for_grid):
    assert amber_for_grid.reference not in content_of(web(agency_staff).get(url("queue")))


def test_the_queue_costs_the_same_for_one_and_five_deliveries(web, operator, published, grid_energy):
    client = web(operator)
    published(Tlp.AMBER, named_organisations=[grid_energy])
    one = queries_for(client, url("queue"))
    for _ in range(4):
        published(Tlp.AMBER, named_organisations=[grid_energy])
    assert queries_for(client, url("queue")) == one


def test_the_delivery_page_shows_the_tlp_marking_first_and_explains_the_timeline(
    web, operator, amber_for_grid, grid_energy
):
    content = content_of(web(operator).get(url("delivery-detail", delivery_of(amber_for_grid, grid_energy).pk)))
    assert AMBER_BANNER in content
    assert content.index("tlp-banner") < content.index("<h1>")
    assert "BOD 26-04" in content


def test_one_operator_cannot_open_another_operators_delivery(
    web, published, grid_energy, water_works, water_operator, operator
):
    advisory = published(Tlp.AMBER, named_organisations=[grid_energy, water_works])
    theirs = delivery_of(advisory, water_works)
    assert web(operator).get(url("delivery-detail", theirs.pk)).status_code == 404
    assert web(operator).post(url("delivery-detail", theirs.pk), {"status": "remediated"}).status_code == 404
    assert web(water_operator).get(url("delivery-detail", theirs.pk)).status_code == 200
    assert refresh(theirs).status == DeliveryStatus.NOT_STARTED


def test_a_recipient_acknowledges_and_reports_from_the_delivery_page(web, operator, amber_for_grid, grid_energy):
    delivery = delivery_of(amber_for_grid, grid_energy)
    data = {"acknowledge": "on", "in_estate": "yes", "exposed": "no", "status": "in_progress", "note": "Patching."}
    response = web(operator).post(url("delivery-detail", delivery.pk), data)
    assert (response.status_code, response["Location"]) == (302, url("delivery-detail", delivery.pk))
    delivery = refresh(delivery)
    assert (delivery.acknowledged_by, delivery.in_estate, delivery.exposed, delivery.status) == (
        operator,
        True,
        False,
        DeliveryStatus.IN_PROGRESS,
    )
    assert delivery.timeline


def test_a_contradictory_report_is_shown_at_the_status_and_changes_nothing(web, operator, amber_for_grid, grid_energy):
    delivery = delivery_of(amber_for_grid, grid_energy)
    data = {"in_estate": "yes", "exposed": "no", "status": "not_affected", "note": ""}
    response = web(operator).post(url("delivery-detail", delivery.pk), data)
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    assert refresh(delivery).acknowledged_at is None


def test_a_viewer_reads_the_delivery_but_gets_no_report_form(web, amber_for_grid, grid_energy):
    viewer = person_in(grid_energy, Role.VIEWER, username="grid-viewer")
    delivery = delivery_of(amber_for_grid, grid_energy)
    response = web(viewer).get(url("delivery-detail", delivery.pk))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert web(viewer).post(url("delivery-detail", delivery.pk), {"status": "remediated"}).status_code == 403


# ---------------------------------------------------------------------------
# Vulnerabilities


def report_post(**changes) -> dict:
    return {
        "source": "researcher",
        "credit": "",
        "title": VULNERABILITY["title"],
        "description": VULNERABILITY["description"],
        "cve_id": "",
        "cwe_ids": "CWE-77, cwe-20",
        "cvss_vector": CVSS_HIGH,
        "products_1_vendor": PRODUCT["vendor"],
        "products_1_product": PRODUCT["product"],
        "products_1_version_start": PRODUCT["version_start"],
        "products_1_version_end": PRODUCT["version_end"],
    } | changes


def test_a_member_reports_a_vulnerability_and_lands_on_its_page(web, operator, grid_energy):
    response = web(operator).post(url("vulnerability-report"), report_post(cve_id="cve-2026-40001"))
    vulnerability = Vulnerability.objects.get()
    assert (response.status_code, response["Location"]) == (302, url("vulnerability-detail", vulnerability.reference))
    assert (vulnerability.cve_id, vulnerability.cwe_ids, str(vulnerability.cvss_score)) == (
        "CVE-2026-40001",
        ["CWE-77", "CWE-20"],
        "7.5",
    )
    assert VulnerabilityReport.objects.get().organisation == grid_energy
    assert web(operator).get(response["Location"]).status_code == 200


def test_a_bad_cvss_vector_is_shown_next_to_its_field_and_nothing_is_recorded(web, operator):
    response = web(operator).post(url("vulnerability-report"), report_post(cvss_vector="CVSS:3.1/AV:X"))
    assert response.status_code == 200
    assert "cvss_vector" in response.context["form"].errors
    content = content_of(response)
    assert 'id="id_cvss_vector_error"' in content
    assert content.index('id="id_cvss_vector_error"') < content.index('name="cvss_vector"')
    assert not Vulnerability.objects.exists()


def test_a_report_without_a_product_is_shown_at_the_products_and_a_bad_cve_at_its_field(web, operator):
    client = web(operator)
    no_product = client.post(url("vulnerability-report"), report_post(products_1_vendor="", products_1_product=""))
    assert "products" in no_product.context["form"].errors
    assert 'id="id_products_error"' in content_of(no_product)
    bad_cve = client.post(url("vulnerability-report"), report_post(cve_id="CVE-26-1"))
    assert "cve_id" in bad_cve.context["form"].errors
    assert not Vulnerability.objects.exists()


def test_a_known_exploited_report_needs_its_date_at_that_field(web, operator):
    response = web(operator).post(url("vulnerability-report"), report_post(known_exploited="on"))
    assert "known_exploited_date" in response.context["form"].errors
    assert not Vulnerability.objects.exists()


def test_someone_in_no_organisation_may_not_report(web, jobseeker):
    assert web(jobseeker).get(url("vulnerability-report")).status_code == 403


def test_a_vulnerability_opens_for_its_reporter_and_a_coordinator_and_answers_404_to_others(
    web, report, lab_a_member, agency_staff, operator, lab_b_manager
):
    vulnerability = report()
    path = url("vulnerability-detail", vulnerability.reference)
    assert web(lab_a_member).get(path).status_code == 200
    assert web(agency_staff).get(path).status_code == 200
    assert web(operator).get(path).status_code == 404
    assert web(lab_b_manager).get(path).status_code == 404
    assert web(operator).get(url("vulnerability-history", vulnerability.reference)).status_code == 404


def test_a_reporter_sees_the_record_but_not_the_triage_tools_or_the_history(web, report, lab_a_member):
    vulnerability = report()
    response = web(lab_a_member).get(url("vulnerability-detail", vulnerability.reference))
    assert response.context["triage_form"] is None
    assert "Lab A" in content_of(response)
    assert web(lab_a_member).get(url("vulnerability-history", vulnerability.reference)).status_code == 404
    triage = {"exploitation": "active", "automatable": "yes", "technical_impact": "total", "mission_impact": "high"}
    assert web(lab_a_member).post(url("vulnerability-triage", vulnerability.reference), triage).status_code == 403


def test_a_coordinator_triages_moves_and_reads_the_history(web, agency_staff, report):
    vulnerability = report()
    client = web(agency_staff)
    triage = {"exploitation": "active", "automatable": "yes", "technical_impact": "total", "mission_impact": "high"}
    client.post(url("vulnerability-triage", vulnerability.reference), triage)
    assert (refresh(vulnerability).status, refresh(vulnerability).ssvc_decision) == (VulnerabilityStatus.TRIAGED, "act")
    client.post(url("vulnerability-move", vulnerability.reference), {"status": "remediation_in_progress"})
    assert refresh(vulnerability).status == VulnerabilityStatus.REMEDIATION_IN_PROGRESS
    history = content_of(client.get(url("vulnerability-history", vulnerability.reference)))
    assert "triaged: SSVC Act" in history


def test_an_incomplete_triage_is_shown_at_its_fields_and_changes_nothing(web, agency_staff, report):
    vulnerability = report()
    response = web(agency_staff).post(url("vulnerability-triage", vulnerability.reference), {"exploitation": "active"})
    assert {"automatable", "technical_impact", "mission_impact"} <= set(response.context["triage_form"].errors)
    assert refresh(vulnerability).status == VulnerabilityStatus.NEW


def test_a_coordinator_merges_a_likely_duplicate_into_the_record_shown(
    web, agency_staff, report, operator, grid_energy
):
    kept = report()
    duplicate = report(by=operator, organisation=grid_energy, title="The same flaw, found again")
    client = web(agency_staff)
    page = content_of(client.get(url("vulnerability-detail", kept.reference)))
    merge = url("vulnerability-merge", kept.reference, duplicate.reference)
    assert merge in page
    client.post(merge)
    assert refresh(duplicate).merged_into == kept
    merged_page = content_of(client.get(url("vulnerability-detail", duplicate.reference)))
    assert "Merged into" in merged_page
    assert f'href="{url("vulnerability-detail", kept.reference)}"' in merged_page


def test_the_priority_queue_lists_open_vulnerabilities_for_a_coordinator_with_the_csv(web, agency_staff, report):
    vulnerability = report()
    content = content_of(web(agency_staff).get(url("vulnerability-list")))
    assert vulnerability.reference in content
    assert f'href="{url("priority-csv")}"' in content


def test_the_vulnerability_list_shows_an_organisation_only_what_it_reported(web, report, operator, lab_a_member):
    vulnerability = report()
    assert vulnerability.reference in content_of(web(lab_a_member).get(url("vulnerability-list")))
    assert vulnerability.reference not in content_of(web(operator).get(url("vulnerability-list")))
    assert web().get(url("vulnerability-list")).status_code == 302


def test_the_priority_queue_costs_the_same_for_one_and_five_vulnerabilities(web, agency_staff, report):
    client = web(agency_staff)
    report()
    one = queries_for(client, url("vulnerability-list"))
    for number in range(4):
        report(title=f"Flaw {number}", cwe_ids=[f"CWE-{100 + number}"])
    assert queries_for(client, url("vulnerability-list")) == one


# ---------------------------------------------------------------------------
# Directives


def directive_post(**changes) -> dict:
    return {
        "identifier": "BOD 27-01",
        "kind": DirectiveKind.BINDING,
        "title": "Inventory AI agents",
        "summary": "Know which AI agents run on federal systems.",
        "applicable_kinds": ["agency"],
        "required_actions_1_text": "List every AI agent in use.",
        "required_actions_1_due_in_days": "30",
        "required_actions_2_text": "Turn off automatic tool calls.",
        "required_actions_2_due_in_days": "14",
    } | changes


@pytest.fixture
def draft_directive(agency_staff):
    data = directive_post()
    return services.create_directive(
        by=agency_staff,
        required_actions=[(data["required_actions_1_text"], 30), (data["required_actions_2_text"], 14)],
        identifier=data["identifier"],
        kind=data["kind"],
        title=data["title"],
        summary=data["summary"],
        applicable_kinds=["agency"],
    )


def test_cisa_drafts_a_directive_whose_address_holds_a_space(web, agency_staff):
    response = web(agency_staff).post(url("directive-create"), directive_post())
    assert (response.status_code, response["Location"]) == (302, "/clearinghouse/directives/BOD%2027-01/")
    page = web(agency_staff).get(response["Location"])
    assert page.status_code == 200
    assert "List every AI agent in use." in content_of(page)


def test_a_directive_form_error_is_shown_at_its_field_and_nothing_is_saved(web, agency_staff):
    response = web(agency_staff).post(url("directive-create"), directive_post(identifier="CG 27-01"))
    assert "identifier" in response.context["form"].errors
    no_actions = web(agency_staff).post(
        url("directive-create"),
        directive_post(
            required_actions_1_text="",
            required_actions_1_due_in_days="",
            required_actions_2_text="",
            required_actions_2_due_in_days="",
        ),
    )
    assert 'id="id_required_actions_error"' in content_of(no_actions)


@pytest.mark.parametrize("persona", ["operator", "lab_a_member"])
def test_only_cisa_may_draft_a_directive(request, web, persona):
    assert web(request.getfixturevalue(persona)).get(url("directive-create")).status_code == 403


def test_a_draft_directive_answers_404_to_the_public_and_opens_once_issued(web, agency_staff, draft_directive):
    path = url("directive-detail", draft_directive.identifier)
    assert web().get(path).status_code == 404
    assert draft_directive.identifier not in content_of(web().get(url("directive-list")))
    web(agency_staff).post(url("directive-move", draft_directive.identifier, "issue"))
    assert refresh(draft_directive).status == DirectiveStatus.ISSUED
    content = content_of(web().get(path))
    assert "List every AI agent in use." in content
    assert "30 calendar days after issue" in content


def test_cisa_edits_a_draft_directive(web, agency_staff, draft_directive):
    response = web(agency_staff).post(
        url("directive-edit", draft_directive.identifier), directive_post(title="Inventory every AI agent")
    )
    assert response.status_code == 302
    assert refresh(draft_directive).title == "Inventory every AI agent"
    assert draft_directive.required_actions.count() == 2


def test_an_agency_the_directive_applies_to_reports_compliance_on_its_page(
    web, agency_staff, draft_directive, nist_member
):
    services.issue_directive(draft_directive, by=agency_staff)
    client = web(nist_member)
    page = client.get(url("directive-detail", draft_directive.identifier))
    assert page.context["rows"][0]["form"] is not None
    data = {"action-1-status": "in_progress", "action-1-completed_on": "", "action-1-note": "Half done."}
    response = client.post(url("compliance-report", draft_directive.identifier, 1), data)
    assert response.status_code == 302
    assert "reported <strong>in progress</strong>" in content_of(
        client.get(url("directive-detail", draft_directive.identifier))
    )
    bad = client.post(url("compliance-report", draft_directive.identifier, 1), {"action-1-status": "completed"})
    assert "completed_on" in bad.context["rows"][0]["form"].errors


def test_cisa_sees_the_compliance_overview_and_others_do_not(web, agency_staff, draft_directive, operator):
    services.issue_directive(draft_directive, by=agency_staff)
    cisa_page = web(agency_staff).get(url("directive-detail", draft_directive.identifier))
    assert len(cisa_page.context["overview"]) == 2
    operator_page = web(operator).get(url("directive-detail", draft_directive.identifier))
    assert operator_page.context["overview"] == []
    assert operator_page.context["rows"][0]["form"] is None


def test_the_directive_list_costs_the_same_for_one_and_five_directives(web, agency_staff):
    client = web(agency_staff)

    def add(number: int) -> None:
        services.create_directive(
            by=agency_staff,
            required_actions=[("Act.", 10)],
            identifier=f"BOD 27-{number:02d}",
            kind=DirectiveKind.BINDING,
            title=f"Directive {number}",
            summary="Why.",
            applicable_kinds=["agency"],
        )

    add(1)
    one = queries_for(client, url("directive-list"))
    for number in range(2, 6):
        add(number)
    assert queries_for(client, url("directive-list")) == one


# ---------------------------------------------------------------------------
# Defensive tools


@pytest.fixture
def tool(agency_staff, cisa) -> DefensiveTool:
    return services.create_tool(
        by=agency_staff,
        provider=cisa,
        name="Phishing triage assistant",
        slug="phishing-triage",
        capability="Sorts reported e-mail with a language model.",
        description="A hosted service.",
        eligible_kinds=[OrganisationKind.LOCAL, OrganisationKind.OPERATOR],
        delivery_method="hosted",
    )


def test_the_catalogue_and_a_tool_are_public(web, tool):
    assert tool.name in content_of(web().get(url("tool-list")))
    response = web().get(url("tool-detail", tool.slug))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert web().get(url("tool-detail", "no-such-tool")).status_code == 404


def test_a_county_requests_a_tool_and_cisa_approves_it(web, tool, county_applicant, agency_staff, harbor_county):
    response = web(county_applicant).post(url("tool-request", tool.slug), {"justification": "Our clerks get phished."})
    tool_request = ToolRequest.objects.get()
    assert (response.status_code, response["Location"]) == (302, url("tool-request-detail", tool_request.pk))
    assert tool_request.organisation == harbor_county
    assert tool.name in content_of(web(agency_staff).get(url("tool-request-list")))
    declined = web(agency_staff).post(
        url("tool-request-decide", tool_request.pk), {"decision": "decline", "decision_note": ""}
    )
    assert "decision_note" in declined.context["form"].errors
    web(agency_staff).post(url("tool-request-decide", tool_request.pk), {"decision": "approve", "decision_note": ""})
    assert refresh(tool_request).status == ToolRequestStatus.APPROVED


def test_an_empty_justification_is_shown_at_its_field(web, tool, county_applicant):
    response = web(county_applicant).post(url("tool-request", tool.slug), {"justification": ""})
    assert "justification" in response.context["form"].errors
    assert not ToolRequest.objects.exists()


def test_a_lab_may_not_request_an_operators_tool(web, tool, lab_a_member):
    assert web(lab_a_member).get(url("tool-detail", tool.slug)).context["form"] is None
    assert web(lab_a_member).post(url("tool-request", tool.slug), {"justification": "Please."}).status_code == 403


def test_a_tool_request_answers_404_to_another_organisation_and_its_requester_may_withdraw_it(
    web, tool, county_applicant, operator
):
    tool_request = services.request_tool(
        tool, by=county_applicant, organisation=county_applicant.memberships.get().organisation, justification="Need."
    )
    assert web(operator).get(url("tool-request-detail", tool_request.pk)).status_code == 404
    assert web(operator).post(url("tool-request-withdraw", tool_request.pk)).status_code == 404
    web(county_applicant).post(url("tool-request-withdraw", tool_request.pk))
    assert refresh(tool_request).status == ToolRequestStatus.WITHDRAWN


def test_the_tool_request_list_costs_the_same_for_one_and_five_requests(web, tool, agency_staff):
    client = web(agency_staff)

    def add(number: int) -> None:
        county = OrganisationFactory(slug=f"county-{number}", kind=OrganisationKind.LOCAL)
        services.request_tool(tool, by=person_in(county, Role.MEMBER), organisation=county, justification="Need.")

    add(1)
    one = queries_for(client, url("tool-request-list"))
    for number in range(2, 6):
        add(number)
    assert queries_for(client, url("tool-request-list")) == one
