"""Documents: stored outside the static root under a random name, typed by content not by name,
size-limited, and served only through the permission-checked download."""

import hashlib
from pathlib import Path

import pytest

from reviews.models import CaseDocument
from tests.reviews.support import PDF, case_url, pdf_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def case(make_case, media):
    return make_case("submitted")


def post_document(client, case, file, **fields):
    body = {"kind": "model_card", "title": "Model card", "file": file, **fields}
    return client.post(case_url(case, "documents/"), body, format="multipart")


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        pytest.param("model-card.pdf", PDF, "application/pdf", id="pdf"),
        pytest.param("notes.txt", PDF, "application/pdf", id="pdf named txt"),
        pytest.param("card.md", "# Model card\nÉvaluation: passed.\n".encode(), "text/plain", id="utf-8 text"),
        pytest.param("chart.png", PNG, "image/png", id="png"),
    ],
)
def test_an_upload_is_typed_by_its_content_and_recorded_by_its_sha256(
    name, content, content_type, case, lab_a_member, media, api
):
    response = post_document(api(lab_a_member), case, pdf_upload(name, content))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["content_type"], body["size"], body["original_name"]) == (content_type, len(content), name)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    stored = CaseDocument.objects.get(pk=body["id"])
    assert stored.file.read() == content
    assert Path(stored.file.path).is_relative_to(media), "stored in media storage, outside the static root"
    assert name not in stored.file.name and body["sha256"] not in stored.file.name, "stored under a random name"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", id="windows executable"),
        pytest.param(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8, id="linux executable"),
        pytest.param(b"", id="empty"),
    ],
)
def test_a_file_named_pdf_whose_content_is_not_accepted_is_refused_naming_file(
    content, case, lab_a_member, media, api
):
    response = post_document(api(lab_a_member), case, pdf_upload("report.pdf", content))

    assert response.status_code == 400
    assert "file" in response.json()
    assert not CaseDocument.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*")), "nothing written to storage"


@pytest.mark.parametrize("size, accepted", [(int(0.9 * 1024 * 1024), True), (int(1.1 * 1024 * 1024), False)])
def test_the_size_limit_is_enforced(size, accepted, case, lab_a_member, settings, media, api):
    settings.REVIEW_DOCUMENT_MAX_MB = 1
    content = PDF + b"0" * (size - len(PDF))

    response = post_document(api(lab_a_member), case, pdf_upload("big.pdf", content))

    assert response.status_code == (201 if accepted else 400)
    assert CaseDocument.objects.exists() is accepted
    if not accepted:
        assert "1 MB" in response.json()["file"][0]


@pytest.mark.parametrize("reader", ["lab_a_viewer", "cisa_member"])
def test_a_download_is_an_attachment_that_browsers_must_not_sniff(reader, case, lab_a_member, people, api):
    document_id = post_document(api(lab_a_member), case, pdf_upload()).json()["id"]

    response = api(people(reader)).get(case_url(case, f"documents/{document_id}/download/"))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="model-card.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    response.close()


@pytest.mark.parametrize("persona", ["lab_b_manager", "treasury_member", "partner_a_manager"])
def test_others_get_404_on_download_and_the_list(persona, case, lab_a_member, people, api):
    document_id = post_document(api(lab_a_member), case, pdf_upload(), shareable="true").json()["id"]
    client = api(people(persona))

    assert client.get(case_url(case, f"documents/{document_id}/download/")).status_code == 404
    assert client.get(case_url(case, "documents/")).status_code == 404


def test_only_the_lab_marks_a_document_shareable(case, cisa_member, api):
    response = post_document(api(cisa_member), case, pdf_upload(), shareable="true")

    assert response.status_code == 400
    assert "shareable" in response.json()
    assert not CaseDocument.objects.exists()


def test_a_lab_viewer_cannot_upload(case, lab_a_viewer, api):
    assert post_document(api(lab_a_viewer), case, pdf_upload()).status_code == 403
    assert not CaseDocument.objects.exists()
