"""What a review document may be: typed by its first bytes, never by its name, and size-limited."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

# (signature at offset 0, media type). Office formats and archives are refused: a PDF or plain
# text carries a model card or an evaluation report without carrying macros.
SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
]
ALLOWED = "PDF, PNG, JPEG, or plain text (UTF-8, including Markdown and JSON)"


def max_document_bytes() -> int:
    return settings.REVIEW_DOCUMENT_MAX_MB * 1024 * 1024


def detect_content_type(upload: UploadedFile) -> str:
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    for signature, media_type in SIGNATURES:
        if head.startswith(signature):
            return media_type
    if head and b"\x00" not in head and _is_utf8_text(upload):
        return "text/plain"
    raise ValidationError({"file": f"This type of file is not accepted. Upload {ALLOWED}."})


def _is_utf8_text(upload: UploadedFile) -> bool:
    decoder_input = b"".join(upload.chunks())
    upload.seek(0)
    try:
        decoder_input.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
