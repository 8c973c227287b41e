"""Trusted partners: proposed by the lab, concurred in by an assigned agency, and seeing the case
only once their manager has accepted the non-disclosure terms; then only the summary, the access
notes and the documents the lab shares. Revoking takes access away at once.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from reviews import services
from reviews.models import PartnerAccess, PartnerStatus
from tests.factories import signed_in
from tests.reviews.support import CASES_URL, INVITATIONS_URL, PDF, case_url, pdf_upload, refresh

PARTNER_FIELDS = {
    "reference", "lab", "status", "status_label", "access", "model_name", "model_version", "capability_summary",
    "modalities", "access_method", "access_notes", "government_access_date", "earliest_release_date",
    "window_days_remaining",
}
GOVERNMENT_AND_LAB_ONLY = ["findings/", "messages/", "partners/", "history/"]


@pytest.fixture
def case(make_case, lab_a_manager, cisa_member, partner_a, media):
    """Findings issued, with a shareable model card and a lab-only evaluation report; partner A exists."""
    case = make_case("finding_drafted")
    for kind, title, shareable in [("model_card", "Model card", True), ("evaluation_report", "Evals", False)]:
        services.upload_document(
            case, by=lab_a_manager, kind=kind, title=title, upload=pdf_upload(f"{kind}.pdf"), shareable=shareable
        )
    services.issue_findings(case, by=cisa_member)
    return refresh(case)


def propose(api, case, lab_a_manager) -> int:
    response = api(lab_a_manager).post(
        case_url(case, "partners/"), {"partner": "partner-a", "purpose": "Red-team evaluation"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == PartnerStatus.PROPOSED
    return response.json()["id"]


def concur(api, case, cisa_member, access_id: int) -> None:
    response = api(cisa_member).post(case_url(case, f"partners/{access_id}/concur/"))
    assert response.status_code == 200
    assert response.json()["status"] == PartnerStatus.CONCURRED


def accept(api, user, access_id: int):
    return api(user).post(f"{INVITATIONS_URL}{access_id}/accept-terms/")


def sees_case(client, case) -> bool:
    listed = case.reference in [row["reference"] for row in client.get(CASES_URL).json()["results"]]
    status = client.get(case_url(case)).status_code
    assert listed is (status == 200), "the list and the detail agree"
    return status == 200


def test_a_partner_sees_the_case_only_after_concurrence_and_its_manager_accepting_the_terms(
    case, api, lab_a_manager, cisa_member, partner_a_manager, partner_b_manager
):
    partner, outsider = api(partner_a_manager), api(partner_b_manager)

    access_id = propose(api, case, lab_a_manager)
    assert not sees_case(partner, case)
    assert partner.get(INVITATIONS_URL).json()["results"] == []
    assert accept(api, partner_a_manager, access_id).status_code == 404

    concur(api, case, cisa_member, access_id)
    assert not sees_case(partner, case)
    assert [row["case"] for row in partner.get(INVITATIONS_URL).json()["results"]] == [case.reference]

    accepted = accept(api, partner_a_manager, access_id)
    assert accepted.status_code == 200
    assert accepted.json()["terms_accepted_by"] == "partner-a-manager"
    assert sees_case(partner, case)
    stored = PartnerAccess.objects.get(pk=access_id)
    assert (stored.status, stored.terms_accepted_by) == (PartnerStatus.ACTIVE, partner_a_manager)
    assert stored.terms_accepted_at is not None
    assert not sees_case(outsider, case)


def test_an_active_partner_sees_the_summary_and_shared_documents_only(case, active_partner, partner_a_manager, api):
    active_partner(case)
    client = api(partner_a_manager)

    detail = client.get(case_url(case)).json()
    documents = client.get(case_url(case, "documents/")).json()
    shared, lab_only = case.documents.order_by("id")

    assert detail["access"] == "partner"
    assert {name for name, value in detail.items() if value is not None} <= PARTNER_FIELDS
    assert detail["access_notes"] == case.access_notes
    assert detail["determination"] is None, "no determination rationale, not even the outcome"
    assert detail["planned_release_date"] is None
    assert [d["title"] for d in documents] == ["Model card"]
    download = client.get(case_url(case, f"documents/{shared.pk}/download/"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert client.get(case_url(case, f"documents/{lab_only.pk}/download/")).status_code == 404
    for suffix in GOVERNMENT_AND_LAB_ONLY:
        assert client.get(case_url(case, suffix)).status_code == 404, suffix
    assert client.post(case_url(case, "messages/"), {"body": "Hi"}, format="json").status_code == 404


@pytest.mark.parametrize("revoker", ["lab_a_manager", "cisa_member"])
def test_revoking_a_partner_takes_access_away_at_once(revoker, case, active_partner, partner_a_manager, people, api):
    access = active_partner(case)
    client = api(partner_a_manager)
    shared = case.documents.get(shareable=True)
    assert client.get(case_url(case)).status_code == 200

    response = api(people(revoker)).post(case_url(case, f"partners/{access.pk}/revoke/"))

    assert response.status_code == 200
    assert response.json()["status"] == PartnerStatus.REVOKED
    assert not sees_case(client, case)
    assert client.get(case_url(case, f"documents/{shared.pk}/download/")).status_code == 404
    assert client.get(case_url(case, "documents/")).status_code == 404


def test_withdrawing_the_case_revokes_its_active_partners(case, active_partner, lab_a_manager, partner_a_manager, api):
    access = active_partner(case)

    services.withdraw_case(case, by=lab_a_manager)

    assert PartnerAccess.objects.get(pk=access.pk).status == PartnerStatus.REVOKED
    assert api(partner_a_manager).get(case_url(case)).status_code == 404


def test_a_partner_member_who_is_not_its_manager_cannot_accept_the_terms(
    case, api, lab_a_manager, cisa_member, partner_a_member
):
    access_id = propose(api, case, lab_a_manager)
    concur(api, case, cisa_member, access_id)

    assert api(partner_a_member).get(INVITATIONS_URL).json()["results"] == []
    assert accept(api, partner_a_member, access_id).status_code == 404
    with pytest.raises(PermissionDenied):
        services.accept_partner_terms(PartnerAccess.objects.get(pk=access_id), by=partner_a_member)
    assert PartnerAccess.objects.get(pk=access_id).status == PartnerStatus.CONCURRED
    assert api(partner_a_member).get(case_url(case)).status_code == 404


def test_partner_b_never_sees_partner_a_invitation_nor_accepts_it(
    case, api, lab_a_manager, cisa_member, partner_b_manager
):
    access_id = propose(api, case, lab_a_manager)
    concur(api, case, cisa_member, access_id)

    assert api(partner_b_manager).get(INVITATIONS_URL).json()["results"] == []
    assert accept(api, partner_b_manager, access_id).status_code == 404
    assert PartnerAccess.objects.get(pk=access_id).status == PartnerStatus.CONCURRED


@pytest.mark.parametrize(
    "persona, verb, expected",
    [("lab_a_manager", "concur", 403), ("lab_a_member", "decline", 403), ("cisa_member", "decline", 200)],
)
def test_only_an_assigned_agency_concurs_or_declines(persona, verb, expected, case, api, lab_a_manager, people):
    access_id = propose(api, case, lab_a_manager)

    response = api(people(persona)).post(case_url(case, f"partners/{access_id}/{verb}/"))

    assert response.status_code == expected
    status = PartnerStatus.DECLINED if expected == 200 else PartnerStatus.PROPOSED
    assert PartnerAccess.objects.get(pk=access_id).status == status


def test_a_declined_partner_is_never_invited(case, api, lab_a_manager, cisa_member, partner_a_manager):
    access_id = propose(api, case, lab_a_manager)
    api(cisa_member).post(case_url(case, f"partners/{access_id}/decline/"))

    assert api(partner_a_manager).get(INVITATIONS_URL).json()["results"] == []
    assert accept(api, partner_a_manager, access_id).status_code == 404
    assert api(cisa_member).post(case_url(case, f"partners/{access_id}/concur/")).status_code == 409


def test_only_the_lab_manager_proposes_partners(case, api, lab_a_member):
    response = api(lab_a_member).post(case_url(case, "partners/"), {"partner": "partner-a"}, format="json")

    assert response.status_code == 403
    assert not case.partners.exists()


def test_the_invitation_notification_links_to_a_page_the_partner_manager_can_open(
    case, api, lab_a_manager, cisa_member, partner_a_manager, django_capture_on_commit_callbacks
):
    access_id = propose(api, case, lab_a_manager)
    with django_capture_on_commit_callbacks(execute=True):
        concur(api, case, cisa_member, access_id)
    invitation = partner_a_manager.notifications.get()
    client = signed_in(Client(), partner_a_manager)

    assert client.get(invitation.link).status_code == 200, f"{invitation.link} is not open to the invitee yet"
