"""Uploaded PDF files: typed by their first bytes, never by their name, size-limited, and named
in storage by their SHA-256 so a file name chosen by the uploader never reaches the disk."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

PDF_SIGNATURE = b"%PDF-"


def checked_pdf(upload: UploadedFile, *, field: str, max_mb: int, what: str = "the file") -> str:
    """The SHA-256 of a PDF upload within `max_mb`; anything else is a ValidationError on `field`."""
    if upload.size > max_mb * 1024 * 1024:
        raise ValidationError({field: f"{what.capitalize()} is larger than {max_mb} MB."})
    upload.seek(0)
    head = upload.read(len(PDF_SIGNATURE))
    upload.seek(0)
    if head != PDF_SIGNATURE:
        raise ValidationError({field: f"Upload {what} as a PDF file."})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
