"""The one way a file enters and leaves the portal, for every program.

An upload is typed by its first bytes, never by its name; archives are refused outright, since
they hide what they carry; each kind has its own size limit. The stored name is random, so the
uploader's file name never reaches the disk and two uploads never share a path; the SHA-256 is
recorded beside it. Files live in media storage, outside the static root, and no URL serves that
storage: they leave only through a permission-checked view answering with `download()`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TEXT = "text/plain"

# (signature at offset 0, media type, extension of the stored name)
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", PDF, ".pdf"),
    (b"\x89PNG\r\n\x1a\n", PNG, ".png"),
    (b"\xff\xd8\xff", JPEG, ".jpg"),
)
EXTENSIONS = {media_type: extension for _, media_type, extension in SIGNATURES} | {TEXT: ".txt"}
LABELS = {PDF: "a PDF file", PNG: "a PNG image", JPEG: "a JPEG image", TEXT: "plain text (UTF-8)"}

# ZIP (and so Office documents), gzip, bzip2, xz, 7-Zip, RAR, zstd; tar carries its mark at 257.
ARCHIVE_SIGNATURES: tuple[bytes, ...] = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"PK\x07\x08",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"\x28\xb5\x2f\xfd",
)
TAR_MARK_OFFSET = 257
HEAD_BYTES = 8192


@dataclass(frozen=True)
class UploadKind:
    """What one kind of upload may be: its types and its size limit (a setting, in MB). The folder
    is the model field's `upload_to`."""

    what: str
    types: tuple[str, ...]
    max_mb_setting: str

    @property
    def max_mb(self) -> int:
        return getattr(settings, self.max_mb_setting)


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int
    sha256: str


def check(upload: UploadedFile, kind: UploadKind, *, field: str) -> CheckedUpload:
    """The type, size and SHA-256 of an acceptable upload; anything else is a ValidationError on `field`."""
    if upload.size > kind.max_mb * 1024 * 1024:
        raise ValidationError({field: f"{kind.what.capitalize()} is larger than {kind.max_mb} MB."})
    content_type = _content_type(upload, kind, field)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(content_type=content_type, size=upload.size, sha256=digest.hexdigest())


def store(file: FieldFile, upload: UploadedFile, checked: CheckedUpload) -> str:
    """Write the upload under a random name in the field's folder; returns the stored name."""
    file.save(f"{secrets.token_hex(16)}{EXTENSIONS[checked.content_type]}", upload, save=False)
    return file.name


def discard(file: FieldFile) -> None:
    """Remove a stored file whose record could not be saved, so storage holds no orphan."""
    if file.name:
        file.storage.delete(file.name)


def download(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """A stored file as an attachment the browser must neither sniff nor cache."""
    response = FileResponse(file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _content_type(upload: UploadedFile, kind: UploadKind, field: str) -> str:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    allowed = _in_words([LABELS[media_type] for media_type in kind.types])
    if _is_archive(head):
        raise ValidationError({field: f"Archives are not accepted. Upload {kind.what} itself, as {allowed}."})
    for signature, media_type, _ in SIGNATURES:
        if head.startswith(signature) and media_type in kind.types:
            return media_type
    if TEXT in kind.types and head and b"\x00" not in head and _is_utf8_text(upload):
        return TEXT
    raise ValidationError({field: f"This type of file is not accepted. Upload {kind.what} as {allowed}."})


def _in_words(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"


def _is_archive(head: bytes) -> bool:
    return head.startswith(ARCHIVE_SIGNATURES) or head[TAR_MARK_OFFSET : TAR_MARK_OFFSET + 5] == b"ustar"


def _is_utf8_text(upload: UploadedFile) -> bool:
    content = b"".join(upload.chunks())
    upload.seek(0)
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in content
