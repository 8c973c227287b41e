"""Résumés: a PDF by content, within settings.RESUME_MAX_MB, stored under a random name with its
SHA-256 recorded; a refused
upload names the field and leaves the profile, its history and the stored files as they were."""

import hashlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from workforce import services
from workforce.models import ApplicantProfile

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MB = 1024 * 1024
NOT_A_PDF = "This type of file is not accepted. Upload your résumé as a PDF file."
TOO_LARGE = "Your résumé is larger than 1 MB."
AN_ARCHIVE = "Archives are not accepted. Upload your résumé itself, as a PDF file."


def resume(content: bytes, name: str = "resume.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def padded_pdf(size: int) -> bytes:
    return PDF + b"0" * (size - len(PDF))


@pytest.fixture
def one_mb_limit(settings, media):
    settings.RESUME_MAX_MB = 1
    return media


def stored_state(user, media) -> tuple:
    """Everything a refused upload must leave alone: the profile row, its history, the files."""
    profile = list(ApplicantProfile.objects.filter(user=user).values())
    history = ApplicantProfile.history.filter(user_id=user.pk).count()
    files = sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())
    return profile, history, files


@pytest.mark.parametrize(
    "content", [pytest.param(PDF, id="a small PDF"), pytest.param(padded_pdf(MB), id="a PDF of exactly the limit")]
)
def test_a_pdf_resume_is_stored_under_a_random_name_with_its_sha256_and_size(one_mb_limit, applicant, content):
    profile = services.save_profile(by=applicant, phone="555-0100", resume=resume(content, "Uma's CV.pdf"))

    stored = ApplicantProfile.objects.get(pk=profile.pk)
    digest = hashlib.sha256(content).hexdigest()
    assert (stored.resume_sha256, stored.resume_size) == (digest, len(content))
    assert re.fullmatch(r"workforce/resumes/[0-9a-f]{32}\.pdf", stored.resume.name)
    assert (one_mb_limit / stored.resume.name).read_bytes() == content
    assert stored.history.first().history_user == applicant


@pytest.mark.parametrize(
    "content, message",
    [
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200, AN_ARCHIVE, id="a zip (docx) named resume.pdf"),
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, NOT_A_PDF, id="a Windows executable"),
        pytest.param(b"", NOT_A_PDF, id="an empty file"),
        pytest.param(b" %PDF-1.7 late signature", NOT_A_PDF, id="the signature not at the start"),
        pytest.param(padded_pdf(int(1.1 * MB)), TOO_LARGE, id="a PDF above the limit"),
    ],
)
@pytest.mark.parametrize("had_profile", [True, False], ids=["with a profile", "first upload"])
def test_a_refused_resume_names_the_field_and_changes_nothing(one_mb_limit, applicant, content, message, had_profile):
    if had_profile:
        services.save_profile(by=applicant, phone="555-0100", summary="Incident response.", resume=resume(PDF))
    before = stored_state(applicant, one_mb_limit)

    with pytest.raises(ValidationError) as refused:
        services.save_profile(by=applicant, phone="555-0199", summary="Changed", resume=resume(content))

    assert refused.value.message_dict == {"resume": [message]}
    assert stored_state(applicant, one_mb_limit) == before
