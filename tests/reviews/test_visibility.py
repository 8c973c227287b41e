"""Who sees what of a case: the lab, the assigned agencies, other agencies, coordinators, other labs.

A case the user may not see answers 404 on every route, as a case that does not exist.
"""

import pytest
from django.core import mail

from eo_portal.models import Notification
from reviews import services
from reviews.models import Audience, ReviewCase
from reviews.workflow import Status
from tests.reviews.support import CASES_URL, FINDING, case_url, pdf_upload, refresh

# Every route under a case, with a body where the route takes one ({finding}, {document} and
# {partner} stand for the case's own objects).
CASE_ROUTES = [
    ("get", "", None),
    ("patch", "", {"model_version": "4.2"}),
    ("get", "partners/", None),
    ("post", "partners/", {"partner": "partner-a"}),
    ("post", "partners/{partner}/revoke/", None),
    ("get", "findings/", None),
    ("post", "findings/", FINDING),
    ("patch", "findings/{finding}/", {"title": "Renamed"}),
    ("post", "findings/{finding}/responses/", {"body": "We added a refusal policy."}),
    ("get", "messages/", None),
    ("post", "messages/", {"body": "Hello"}),
    ("get", "documents/", None),
    ("get", "documents/{document}/download/", None),
    ("get", "history/", None),
    ("post", "government-access/", {"on": "2026-01-05"}),
    ("post", "submit/", None),
    ("post", "withdraw/", None),
    ("post", "start-screening/", None),
    ("post", "determination/", {"outcome": "below_threshold", "rationale": "x", "classified_reference": "y"}),
    ("post", "start-review/", None),
    ("post", "issue-findings/", None),
    ("post", "close/", None),
]
NESTED_READS = ["partners/", "findings/", "messages/", "documents/", "documents/{document}/download/", "history/"]
LISTED_FIELDS = {"reference", "lab", "status", "status_label", "access"}


@pytest.fixture
def full_case(make_case, lab_a_manager, cisa_member, partner_a, media):
    """A case with an issued finding, a proposed partner, a shareable document and a government message."""
    case = make_case("findings_issued")
    services.propose_partner(case, by=lab_a_manager, partner=partner_a)
    services.upload_document(
        case, by=lab_a_manager, kind="model_card", title="Model card", upload=pdf_upload(), shareable=True
    )
    services.post_message(case, by=cisa_member, body="For the agencies only.", audience=Audience.GOVERNMENT)
    return case


def route(case: ReviewCase, template: str) -> str:
    objects = {
        "partner": case.partners.get().pk,
        "finding": case.findings.get().number,
        "document": case.documents.get().pk,
    }
    return case_url(case, template.format(**objects))


def call(client, method: str, url: str, body=None):
    return getattr(client, method)(url, body, format="json")


def listed_references(client) -> list[str]:
    response = client.get(CASES_URL)
    assert response.status_code == 200
    return [row["reference"] for row in response.json()["results"]]


@pytest.mark.parametrize("persona", ["lab_b_manager", "treasury_member", "partner_b_manager", "operator_user"])
def test_an_outsider_gets_404_on_every_route_of_a_case_and_no_list_entry(persona, full_case, people, api):
    client = api(people(persona))

    answers = {
        (method, template): call(client, method, route(full_case, template), body).status_code
        for method, template, body in CASE_ROUTES
    }

    assert {key: code for key, code in answers.items() if code != 404} == {}
    assert full_case.reference not in listed_references(client)
    assert refresh(full_case).status == Status.FINDINGS_ISSUED


def test_anonymous_is_asked_to_sign_in_for_the_list_and_every_route(full_case, api):
    client = api()

    assert client.get(CASES_URL).status_code in (401, 403)
    for method, template, body in CASE_ROUTES:
        assert call(client, method, route(full_case, template), body).status_code in (401, 403), template


@pytest.mark.parametrize("persona", ["lab_a_member", "lab_a_manager"])
def test_the_lab_sees_and_edits_its_own_draft(persona, make_case, people, api):
    case = make_case("draft")
    client = api(people(persona))

    assert case.reference in listed_references(client)
    response = client.patch(case_url(case), {"model_version": "4.2", "modalities": ["text"]}, format="json")

    assert response.status_code == 200
    assert response.json()["model_version"] == "4.2"
    assert refresh(case).modalities == ["text"]


@pytest.mark.parametrize(
    "persona, stage, expected",
    [
        ("lab_a_viewer", "draft", 403),
        ("lab_a_member", "submitted", 409),
        ("cisa_member", "submitted", 403),
        ("lab_b_manager", "draft", 404),
    ],
)
def test_a_draft_is_edited_only_by_its_lab_members_and_only_while_draft(
    persona, stage, expected, make_case, people, api
):
    case = make_case(stage)

    response = api(people(persona)).patch(case_url(case), {"model_version": "9"}, format="json")

    assert response.status_code == expected
    assert refresh(case).model_version == case.model_version


AGENCIES = ["cisa_member", "nsa_member", "nist_member"]


@pytest.mark.parametrize("persona", AGENCIES)
def test_assigned_agencies_do_not_see_a_draft_until_it_is_submitted(persona, make_case, lab_a_manager, people, api):
    case = make_case("draft")
    client = api(people(persona))

    assert client.get(case_url(case)).status_code == 404
    assert case.reference not in listed_references(client)
    services.submit_case(case, by=lab_a_manager)
    assert client.get(case_url(case)).status_code == 200
    assert case.reference in listed_references(client)


@pytest.fixture
def case_with_government_work(make_case, cisa_member, lab_a_member):
    """Under review, with a draft finding, a government-only message and one for all participants."""
    case = make_case("finding_drafted")
    services.post_message(case, by=cisa_member, body="Between the agencies.", audience=Audience.GOVERNMENT)
    services.post_message(case, by=lab_a_member, body="Access is live.", audience=Audience.PARTICIPANTS)
    return case


@pytest.mark.parametrize("persona", AGENCIES)
def test_assigned_agencies_see_everything_including_draft_findings_and_government_messages(
    persona, case_with_government_work, people, api
):
    case = case_with_government_work
    client = api(people(persona))

    detail = client.get(case_url(case)).json()
    assert detail["access"] == "government"
    assert detail["determination"]["rationale"]
    assert detail["determination"]["classified_reference"] == "BM-2026-0042"
    assert [f["status"] for f in client.get(case_url(case, "findings/")).json()] == ["draft"]
    assert [m["audience"] for m in client.get(case_url(case, "messages/")).json()] == ["government", "participants"]
    for suffix in ("partners/", "documents/", "history/"):
        assert client.get(case_url(case, suffix)).status_code == 200


@pytest.mark.parametrize("persona", ["lab_a_manager", "lab_a_member", "lab_a_viewer"])
def test_the_lab_never_sees_draft_findings_government_messages_or_the_rationale(
    persona, case_with_government_work, people, api
):
    case = case_with_government_work
    client = api(people(persona))

    detail = client.get(case_url(case)).json()
    assert detail["access"] == "lab"
    assert detail["determination"]["outcome"] == "meets_threshold"
    assert "rationale" not in detail["determination"]
    assert "classified_reference" not in detail["determination"]
    assert client.get(case_url(case, "findings/")).json() == []
    assert [m["body"] for m in client.get(case_url(case, "messages/")).json()] == ["Access is live."]
    assert client.patch(case_url(case, "findings/1/"), {"title": "x"}, format="json").status_code == 404
    assert client.post(case_url(case, "findings/1/responses/"), {"body": "x"}, format="json").status_code == 404


def test_a_government_only_message_notifies_no_one_at_the_lab(case_with_government_work, lab_a_manager, lab_a_member):
    assert not lab_a_manager.notifications.filter(body__contains="Between the agencies").exists()
    assert not lab_a_member.notifications.filter(body__contains="Between the agencies").exists()


def test_the_lab_cannot_post_a_government_only_message(make_case, lab_a_member, api):
    case = make_case("submitted")

    response = api(lab_a_member).post(
        case_url(case, "messages/"), {"body": "Psst", "audience": "government"}, format="json"
    )

    assert response.status_code == 400
    assert "audience" in response.json()
    assert not case.messages.exists()


def test_issued_findings_are_visible_to_the_lab_and_its_members_respond(
    case_with_government_work, cisa_member, lab_a_member, api
):
    case = case_with_government_work
    services.issue_findings(case, by=cisa_member)
    client = api(lab_a_member)

    findings = client.get(case_url(case, "findings/")).json()
    response = client.post(case_url(case, "findings/1/responses/"), {"body": "Mitigated in 4.1.1."}, format="json")

    assert [(f["number"], f["status"]) for f in findings] == [(1, "issued")]
    assert response.status_code == 201
    assert response.json()["author"] == "lab-a-member"
    assert client.get(case_url(case, "findings/")).json()[0]["responses"][0]["body"] == "Mitigated in 4.1.1."


def test_a_viewer_of_the_lab_reads_but_neither_responds_nor_posts(
    case_with_government_work, cisa_member, lab_a_viewer, api
):
    case = case_with_government_work
    services.issue_findings(case, by=cisa_member)
    client = api(lab_a_viewer)

    assert [f["number"] for f in client.get(case_url(case, "findings/")).json()] == [1]
    assert client.post(case_url(case, "findings/1/responses/"), {"body": "Noted."}, format="json").status_code == 403
    assert client.post(case_url(case, "messages/"), {"body": "Hello"}, format="json").status_code == 403
    assert not case.findings.get().responses.exists()
    assert case.messages.count() == 2


def test_a_coordinator_sees_that_a_case_exists_and_nothing_more(full_case, coordinator, api):
    client = api(coordinator)

    rows = {row["reference"]: row for row in client.get(CASES_URL).json()["results"]}
    detail = client.get(case_url(full_case)).json()

    for shown in (rows[full_case.reference], detail):
        assert {name for name, value in shown.items() if value is not None} == LISTED_FIELDS
        assert (shown["lab"], shown["status"], shown["access"]) == ("lab-a", "findings_issued", "listed")
    for template in NESTED_READS:
        assert client.get(route(full_case, template)).status_code == 404, template


def test_a_coordinator_does_not_see_a_lab_draft_that_was_never_submitted(make_case, coordinator, api):
    """Agencies do not see a draft until it is submitted; the coordinator role is an agency's too."""
    case = make_case("draft")
    client = api(coordinator)

    assert case.reference not in listed_references(client)
    assert client.get(case_url(case)).status_code == 404



@pytest.mark.parametrize(
    "action",
    [
        pytest.param(lambda case, lab: services.withdraw_case(case, by=lab), id="withdrawn"),
        pytest.param(lambda case, lab: services.post_message(case, by=lab, body="Draft note"), id="message posted"),
    ],
)
def test_nothing_that_happens_to_a_draft_is_told_to_the_agencies(
    action, make_case, lab_a_manager, cisa_member, nsa_member, nist_member, django_capture_on_commit_callbacks
):
    """Agencies do not see a draft until it is submitted, so no notification or e-mail names one."""
    case = make_case("draft")

    with django_capture_on_commit_callbacks(execute=True):
        action(case, lab_a_manager)

    told = Notification.objects.filter(recipient__in=[cisa_member, nsa_member, nist_member])
    assert [(n.recipient.username, n.subject) for n in told] == []
    assert [m.subject for m in mail.outbox if case.reference in m.subject] == []
