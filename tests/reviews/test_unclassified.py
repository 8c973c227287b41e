"""The portal is unclassified and keeps no secrets: classification markings and key-like strings
are refused with a 400 naming the field, and nothing is saved."""

import pytest

from eo_portal import deadlines
from eo_portal.models import ReferenceSequence
from reviews.models import Determination, ReviewCase
from reviews.workflow import Status
from tests.reviews.support import CASE_FIELDS, CASES_URL, DETERMINATION, FINDING, case_url, refresh

MARKINGS = ["SECRET//NOFORN", "TOP SECRET", "Annex //SCI", "TS//SI", "CONFIDENTIAL//REL TO USA"]
KEYS = [
    "sk-proj-" + "a1B2c3D4e5F6g7H8i9J0" * 3,
    "AKIAIOSFODNN7EXAMPLE",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
]
# Each refused text in each case field that must refuse it: markings everywhere, keys where
# credentials might be pasted.
CASE_TEXT = [
    pytest.param(field, f"Atlas {text}", id=f"{field}: {text[:16]}")
    for field in ("model_name", "capability_summary", "access_notes")
    for text in MARKINGS
] + [
    pytest.param(field, f"Use {text} to connect", id=f"{field}: {text[:16]}")
    for field in ("capability_summary", "access_notes")
    for text in KEYS
]


def explains(messages: list[str], text: str) -> None:
    expected = "credential" if any(key in text for key in KEYS) else "unclassified"
    assert any(expected in message for message in messages), messages


def serial() -> int:
    sequence = ReferenceSequence.objects.filter(prefix="MRC", year=deadlines.today().year).first()
    return sequence.last_value if sequence else 0


@pytest.mark.parametrize("field, text", CASE_TEXT)
def test_a_new_case_with_a_marking_or_a_key_is_refused_and_takes_no_reference(field, text, lab_a_member, api):
    before = serial()
    client = api(lab_a_member)

    response = client.post(CASES_URL, {**CASE_FIELDS, field: text}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    explains(response.json()[field], text)
    assert not ReviewCase.objects.exists()
    assert serial() == before
    created = client.post(CASES_URL, CASE_FIELDS, format="json")
    assert created.json()["reference"].endswith(f"-{before + 1:04d}"), "the refused case used no serial"


@pytest.mark.parametrize("field, text", CASE_TEXT)
def test_an_edit_with_a_marking_or_a_key_leaves_the_draft_as_it_was(field, text, make_case, lab_a_member, api):
    case = make_case("draft")
    versions = case.history.count()

    response = api(lab_a_member).patch(case_url(case), {field: text, "model_version": "5"}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    explains(response.json()[field], text)
    stored = refresh(case)
    assert (stored.model_version, getattr(stored, field)) == (case.model_version, getattr(case, field))
    assert stored.history.count() == versions


@pytest.mark.parametrize(
    "field, text",
    [("rationale", text) for text in MARKINGS + KEYS]
    + [("classified_reference", text) for text in ("TS//SI 2026-17", "SECRET//NOFORN BM-17")],
)
def test_a_determination_with_a_marking_or_a_key_is_refused_and_the_case_stays_in_screening(
    field, text, make_case, nsa_member, api
):
    case = make_case("screening")

    response = api(nsa_member).post(
        case_url(case, "determination/"), {"outcome": "meets_threshold", **DETERMINATION, field: text}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    explains(response.json()[field], text)
    assert not Determination.objects.exists()
    assert refresh(case).status == Status.SCREENING


@pytest.mark.parametrize(
    "stage, route, body, field",
    [
        ("under_review", "findings/", {**FINDING, "description": "Details at SECRET//NOFORN"}, "description"),
        ("under_review", "findings/", {**FINDING, "title": "TOP SECRET result"}, "title"),
        ("submitted", "messages/", {"body": f"Key: {KEYS[1]}"}, "body"),
        ("submitted", "messages/", {"body": "See the TS//SI annex"}, "body"),
        ("submitted", "partners/", {"partner": "partner-a", "purpose": "Share //NOFORN results"}, "purpose"),
    ],
)
def test_free_text_under_a_case_refuses_markings_and_keys_with_nothing_saved(
    stage, route, body, field, make_case, partner_a, cisa_member, lab_a_manager, api
):
    case = make_case(stage)
    author = lab_a_manager if route == "partners/" else cisa_member

    response = api(author).post(case_url(case, route), body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert (case.findings.count(), case.messages.count(), case.partners.count()) == (0, 0, 0)


def test_a_finding_response_with_a_key_is_refused(make_case, lab_a_member, api):
    case = make_case("findings_issued")

    response = api(lab_a_member).post(case_url(case, "findings/1/responses/"), {"body": KEYS[0]}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["body"]
    assert not case.findings.get().responses.exists()


@pytest.mark.parametrize(
    "text",
    [
        "Weights checksum 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "Secret sauce: none. Confidential results shared under NDA with partners.",
        "A top-tier secret-sharing scheme evaluation.",
    ],
)
def test_ordinary_prose_and_checksums_are_accepted(text, lab_a_member, api):
    response = api(lab_a_member).post(CASES_URL, {**CASE_FIELDS, "access_notes": text}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["access_notes"] == text
