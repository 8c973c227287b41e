"""Plain helpers and test data for the review program's tests (fixtures live in conftest.py)."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from eo_portal import deadlines
from reviews.models import ReviewCase

CASES_URL = "/api/v1/reviews/cases/"
INVITATIONS_URL = "/api/v1/reviews/invitations/"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

CASE_FIELDS = {
    "model_name": "Atlas",
    "model_version": "4.1",
    "capability_summary": "General-purpose model with strong code generation and tool use.",
    "modalities": ["text", "code", "tool_use"],
    "access_notes": "Hosted API access for the review team; credentials sent out of band.",
}
DETERMINATION = {
    "rationale": "Unclassified summary: the benchmark results call for a voluntary review.",
    "classified_reference": "BM-2026-0042",
}
FINDING = {
    "title": "Autonomous exploit chaining",
    "severity": "high",
    "category": "exploit_development",
    "description": "The model chains known vulnerabilities into working exploits without help.",
    "recommended_mitigations": "Refuse multi-step exploit requests; log and rate-limit tool use.",
}

# The main journey, in order; each stage is the state reached after its step.
# The main journey of a case, in order; each stage is what the step of that name leaves behind.
JOURNEY = (
    "submitted",
    "screening",
    "determined",  # screening, with a meets_threshold determination
    "under_review",
    "finding_drafted",  # under review, with one draft finding
    "findings_issued",
    "closed",
)
# Stages off the main journey, each reached by its own step from the stage it branches from.
BRANCHES = {
    "not_warranted": "screening",
    "withdrawn": "submitted",
    "findings_issued_with_draft": "findings_issued",  # a second finding drafted after the first issue
}
STAGES = ("draft", *JOURNEY, *BRANCHES)


def case_url(case: ReviewCase, suffix: str = "") -> str:
    return f"{CASES_URL}{case.reference}/{suffix}"


def refresh(case: ReviewCase) -> ReviewCase:
    return ReviewCase.objects.get(pk=case.pk)


def days_from_today(days: int) -> date:
    return deadlines.add_calendar_days(deadlines.today(), days)


def pdf_upload(name: str = "model-card.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")
