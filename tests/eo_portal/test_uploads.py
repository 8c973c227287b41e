"""The one upload service: type by content, archives refused, a size limit per kind, a random
stored name outside the static root, the SHA-256 recorded, and downloads as nosniff attachments.
Each program's own upload tests (reviews documents, grant attachments, résumés) go through it."""

import ast
import hashlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import FileField
from django.urls import Resolver404, resolve

from eo_portal import settings as portal_settings
from eo_portal import uploads
from grants.services import DOCUMENT as GRANT_DOCUMENT
from reviews.services import DOCUMENT as REVIEW_DOCUMENT
from workforce.models import ApplicantProfile
from workforce.services import RESUME

PDF = b"%PDF-1.7\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
KINDS = [
    pytest.param(REVIEW_DOCUMENT, id="review document"),
    pytest.param(GRANT_DOCUMENT, id="grant attachment"),
    pytest.param(RESUME, id="résumé"),
]
ARCHIVES = [
    pytest.param(b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, id="zip (and docx, xlsx)"),
    pytest.param(b"\x1f\x8b\x08\x00" + b"\x00" * 40, id="gzip"),
    pytest.param(b"BZh91AY&SY" + b"\x00" * 40, id="bzip2"),
    pytest.param(b"\xfd7zXZ\x00" + b"\x00" * 40, id="xz"),
    pytest.param(b"7z\xbc\xaf\x27\x1c" + b"\x00" * 40, id="7-zip"),
    pytest.param(b"Rar!\x1a\x07\x01\x00" + b"\x00" * 40, id="rar"),
    pytest.param(b"\x28\xb5\x2f\xfd" + b"\x00" * 40, id="zstd"),
    pytest.param(b"notes.txt".ljust(257, b"\x00") + b"ustar\x0000" + b"\x00" * 40, id="tar"),
]
REPO = Path(__file__).resolve().parents[2]


def upload(content: bytes, name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("content", ARCHIVES)
def test_an_archive_is_refused_whatever_its_name_and_kind(kind, content):
    with pytest.raises(ValidationError) as refused:
        uploads.check(upload(content), kind, field="file")

    [message] = refused.value.message_dict["file"]
    assert message.startswith("Archives are not accepted.")


@pytest.mark.parametrize(
    "kind, content, expected",
    [
        pytest.param(REVIEW_DOCUMENT, PNG, uploads.PNG, id="png named pdf is a png document"),
        pytest.param(REVIEW_DOCUMENT, "Évaluation: passed\n".encode(), uploads.TEXT, id="utf-8 text"),
        pytest.param(GRANT_DOCUMENT, PDF, uploads.PDF, id="pdf attachment"),
        pytest.param(RESUME, PDF, uploads.PDF, id="pdf résumé"),
    ],
)
def test_the_type_comes_from_the_content_and_the_sha256_is_recorded(kind, content, expected):
    checked = uploads.check(upload(content, "anything.pdf"), kind, field="file")

    assert checked == uploads.CheckedUpload(expected, len(content), hashlib.sha256(content).hexdigest())


@pytest.mark.parametrize(
    "kind, content",
    [
        pytest.param(GRANT_DOCUMENT, PNG, id="png as a grant attachment"),
        pytest.param(RESUME, b"plain text", id="text as a résumé"),
        pytest.param(REVIEW_DOCUMENT, b"text with a \x00 NUL byte", id="binary that is not text"),
        pytest.param(REVIEW_DOCUMENT, b"\xff\xfe not utf-8", id="text that is not UTF-8"),
        pytest.param(REVIEW_DOCUMENT, b"", id="an empty file"),
    ],
)
def test_a_type_the_kind_does_not_take_is_refused_naming_the_field_and_what_it_takes(kind, content):
    with pytest.raises(ValidationError) as refused:
        uploads.check(upload(content), kind, field="attachment")

    [message] = refused.value.message_dict["attachment"]
    assert message.startswith("This type of file is not accepted.")
    assert "PDF" in message


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_has_its_own_size_limit(kind, settings):
    setattr(settings, kind.max_mb_setting, 1)
    limit = 1024 * 1024

    assert uploads.check(upload(PDF.ljust(limit, b"0")), kind, field="file").size == limit
    with pytest.raises(ValidationError) as refused:
        uploads.check(upload(PDF.ljust(limit + 1, b"0")), kind, field="file")
    assert refused.value.message_dict["file"] == [f"{kind.what.capitalize()} is larger than 1 MB."]


@pytest.mark.parametrize("name", ["cv.pdf", "../../../etc/passwd.pdf", "C:\\Windows\\system32\\cv.pdf", "cv.html"])
def test_the_stored_name_is_random_and_never_the_uploaders(name, media):
    names = set()
    for _ in range(2):
        resume = upload(PDF, name)
        profile = ApplicantProfile()
        names.add(uploads.store(profile.resume, resume, uploads.check(resume, RESUME, field="resume")))

    assert len(names) == 2, "identical uploads never share a path"
    for stored in names:
        assert re.fullmatch(r"workforce/resumes/[0-9a-f]{32}\.pdf", stored)
        assert (media / stored).read_bytes() == PDF


def test_discard_removes_a_stored_file_whose_record_was_not_saved(media):
    resume = upload(PDF)
    profile = ApplicantProfile()
    stored = uploads.store(profile.resume, resume, uploads.check(resume, RESUME, field="resume"))

    uploads.discard(profile.resume)

    assert not (media / stored).exists()


def test_a_download_is_a_private_attachment_browsers_must_not_sniff(media, db):
    resume = upload(PDF)
    profile = ApplicantProfile()
    uploads.store(profile.resume, resume, uploads.check(resume, RESUME, field="resume"))

    response = uploads.download(profile.resume, filename="résumé.pdf", content_type=uploads.PDF)

    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF
    response.close()


def test_media_storage_is_outside_the_static_files_and_no_address_serves_it():
    # The portal's own settings: the test settings serve static files from source instead.
    media_root = Path(portal_settings.MEDIA_ROOT).resolve()
    static_places = [Path(portal_settings.STATIC_ROOT), *map(Path, portal_settings.STATICFILES_DIRS)]

    assert not any(media_root.is_relative_to(place.resolve()) for place in static_places)
    with pytest.raises(Resolver404):
        resolve(f"{settings.MEDIA_URL}workforce/resumes/0123456789abcdef0123456789abcdef.pdf")


def file_field_names() -> set[str]:
    return {
        field.name
        for model in apps.get_models()
        if model._meta.app_label in {"eo_portal", "reviews", "clearinghouse", "grants", "workforce"}
        for field in model._meta.get_fields()
        if isinstance(field, FileField)
    }


def test_every_file_field_is_written_only_by_the_upload_service():
    """A new upload that stores its file any other way (`doc.file.save(...)`) fails here."""
    fields = file_field_names()
    assert fields, "the programs have file fields"
    offenders = []
    for package in ["eo_portal", "reviews", "clearinghouse", "grants", "workforce"]:
        for path in (REPO / package).rglob("*.py"):
            if path.name == "uploads.py" and path.parent.name == "eo_portal" or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                writes = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                if writes and node.func.attr == "save" and isinstance(node.func.value, ast.Attribute):
                    if node.func.value.attr in fields:
                        offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")

    assert offenders == []
