"""Voluntary pre-release review cases for frontier AI models: data and invariants, no workflow.

The states live in `reviews.workflow`; every write is in `reviews.services`.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from eo_portal import deadlines
from eo_portal.edit_versions import EditVersioned
from eo_portal.markings import refuse_classification_markings, refuse_credentials
from eo_portal.models import Organisation, OrganisationKind, grants_by_group_index
from reviews.workflow import Status

# The order: access to the model 30 calendar days before any other release.
ACCESS_WINDOW_DAYS = 30

UNCLASSIFIED_TEXT = [refuse_classification_markings]
UNCLASSIFIED_NO_SECRETS = [refuse_classification_markings, refuse_credentials]


class Modality(models.TextChoices):
    TEXT = "text", "Text"
    CODE = "code", "Code"
    IMAGE = "image", "Image"
    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"
    TOOL_USE = "tool_use", "Tool use / agentic"


class AccessMethod(models.TextChoices):
    HOSTED_API = "hosted_api", "Hosted API"
    WEIGHTS = "weights", "Model weights"
    ON_PREMISES = "on_premises", "On-premises"
    OTHER = "other", "Other"


class ReviewCase(EditVersioned):
    reference = models.CharField(max_length=20, unique=True, editable=False)
    lab = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="review_cases",
        limit_choices_to={"kind": OrganisationKind.LAB},
    )
    model_name = models.CharField(max_length=200, validators=UNCLASSIFIED_TEXT)
    model_version = models.CharField(max_length=100, validators=UNCLASSIFIED_TEXT)
    capability_summary = models.TextField(
        validators=UNCLASSIFIED_NO_SECRETS, help_text="What the model can do, in unclassified terms."
    )
    modalities = models.JSONField(default=list, blank=True)
    access_method = models.CharField(max_length=20, choices=AccessMethod.choices, default=AccessMethod.HOSTED_API)
    access_notes = models.TextField(
        blank=True,
        default="",
        validators=UNCLASSIFIED_NO_SECRETS,
        help_text="How the government gets access. Never credentials: they travel out of band.",
    )
    planned_release_date = models.DateField(
        null=True, blank=True, help_text="The lab's earliest planned release of any other kind."
    )
    government_access_date = models.DateField(
        null=True, blank=True, help_text="The day access was actually given to the government."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("manage_reviewcase", "Can submit and withdraw the case, and propose partners (lab managers)"),
            ("review_reviewcase", "Can screen, determine, review and issue findings (assigned agencies)"),
            ("view_shared_reviewcase", "Can see what the lab shares with trusted partners"),
            ("coordinate_reviewcase", "Can see that every case exists (reviews coordinators)"),
        ]
        indexes = [
            models.Index(fields=["lab", "status"], name="reviewcase_lab_status_idx"),
            # The two orders of the case list (order_for), so that a page is a walk of an index that
            # stops after 50 rows, each probed for its grant, rather than a sort of every visible case.
            # Ascending sorts nulls last in PostgreSQL, as the agencies' order asks.
            models.Index(fields=["-created_at", "-id"], name="reviewcase_newest_idx"),
            models.Index(fields=["government_access_date", "-created_at", "-id"], name="reviewcase_window_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.model_name} {self.model_version}"

    def clean(self) -> None:
        if self.lab_id and self.lab.kind != OrganisationKind.LAB:
            raise ValidationError({"lab": "Only a frontier AI lab files a review case."})
        if not isinstance(self.modalities, list) or any(m not in Modality.values for m in self.modalities):
            raise ValidationError({"modalities": f"Choose from: {', '.join(Modality.values)}."})
        self.modalities = sorted(set(self.modalities), key=Modality.values.index)

    @property
    def earliest_release_date(self) -> date | None:
        if self.government_access_date is None:
            return None
        return deadlines.add_calendar_days(self.government_access_date, ACCESS_WINDOW_DAYS)

    @property
    def window_days_remaining(self) -> int | None:
        """Calendar days until the window ends (never below zero); None until access is given."""
        if self.earliest_release_date is None:
            return None
        return max(deadlines.days_until(self.earliest_release_date), 0)

    @property
    def planned_release_respects_window(self) -> bool | None:
        """False when the planned release falls inside the window: a warning, never a block."""
        if self.earliest_release_date is None or self.planned_release_date is None:
            return None
        return self.planned_release_date >= self.earliest_release_date

    def get_modalities_display(self) -> str:
        labels = dict(Modality.choices)
        return ", ".join(labels[m] for m in self.modalities)


class ReviewCaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ReviewCase, on_delete=models.CASCADE)
    history = HistoricalRecords()


class ReviewCaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(ReviewCase, on_delete=models.CASCADE)
    history = HistoricalRecords()

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [grants_by_group_index("reviewcase_grant_group_idx")]


class AgencyAssignment(models.Model):
    """An agency assigned to review the case (NSA, CISA and NIST by default)."""

    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="assignments")
    agency = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="review_assignments",
        limit_choices_to={"kind": OrganisationKind.AGENCY},
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__short_name"]
        constraints = [models.UniqueConstraint(fields=["case", "agency"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.agency.short_name}"


class Outcome(models.TextChoices):
    MEETS_THRESHOLD = "meets_threshold", "Meets the benchmark threshold for voluntary review"
    BELOW_THRESHOLD = "below_threshold", "Below the benchmark threshold"


class Determination(models.Model):
    """The unclassified outcome of the classified benchmarking; the classified record stays elsewhere."""

    case = models.OneToOneField(ReviewCase, on_delete=models.CASCADE, related_name="determination")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    determined_on = models.DateField()
    rationale = models.TextField(validators=UNCLASSIFIED_NO_SECRETS, help_text="Unclassified rationale only.")
    classified_reference = models.CharField(
        max_length=100,
        validators=UNCLASSIFIED_TEXT,
        help_text="The reference of the classified record, never its content.",
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.get_outcome_display()}"


class PartnerStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed by the lab"
    CONCURRED = "concurred", "Government concurred; awaiting the partner's acceptance of the terms"
    DECLINED = "declined", "Government declined"
    ACTIVE = "active", "Terms accepted; early access"
    REVOKED = "revoked", "Access revoked"


class PartnerAccess(models.Model):
    """A trusted partner chosen by the lab with the government, and its acceptance of the terms."""

    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="partners")
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="partner_accesses",
        limit_choices_to={"kind": OrganisationKind.PARTNER},
    )
    status = models.CharField(max_length=20, choices=PartnerStatus.choices, default=PartnerStatus.PROPOSED)
    purpose = models.TextField(blank=True, default="", validators=UNCLASSIFIED_NO_SECRETS)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    terms_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["proposed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "partner"], name="partner_access_unique")]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.partner.short_name} ({self.get_status_display()})"

    def clean(self) -> None:
        if self.partner_id and self.partner.kind != OrganisationKind.PARTNER:
            raise ValidationError({"partner": "Choose a trusted-partner organisation."})


class Severity(models.TextChoices):
    INFORMATIONAL = "informational", "Informational"
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class FindingCategory(models.TextChoices):
    VULNERABILITY_DISCOVERY = "vulnerability_discovery", "Vulnerability discovery"
    EXPLOIT_DEVELOPMENT = "exploit_development", "Exploit development"
    MALWARE = "malware", "Malware and tooling"
    INTRUSION_AUTOMATION = "intrusion_automation", "Autonomous intrusion"
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure", "Critical-infrastructure impact"
    SAFEGUARDS = "safeguards", "Safeguards and misuse resistance"
    MODEL_SECURITY = "model_security", "Model and weight security"
    OTHER = "other", "Other"


class FindingStatus(models.TextChoices):
    DRAFT = "draft", "Draft (government only)"
    ISSUED = "issued", "Issued to the lab"


class Finding(models.Model):
    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="findings")
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200, validators=UNCLASSIFIED_TEXT)
    severity = models.CharField(max_length=20, choices=Severity.choices)
    category = models.CharField(max_length=30, choices=FindingCategory.choices)
    description = models.TextField(validators=UNCLASSIFIED_NO_SECRETS)
    recommended_mitigations = models.TextField(blank=True, default="", validators=UNCLASSIFIED_NO_SECRETS)
    status = models.CharField(max_length=10, choices=FindingStatus.choices, default=FindingStatus.DRAFT)
    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    issued_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="finding_number_unique")]

    def __str__(self) -> str:
        return f"{self.case.reference} finding {self.number}: {self.title}"


class FindingResponse(models.Model):
    """The lab's answer to an issued finding."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="responses")
    body = models.TextField(validators=UNCLASSIFIED_NO_SECRETS)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Response to {self.finding}"


class Audience(models.TextChoices):
    PARTICIPANTS = "participants", "The lab and the assigned agencies"
    GOVERNMENT = "government", "The assigned agencies only"


class CaseMessage(models.Model):
    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="messages")
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.PARTICIPANTS)
    body = models.TextField(validators=UNCLASSIFIED_NO_SECRETS)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case.reference} message {self.pk}"


class DocumentKind(models.TextChoices):
    MODEL_CARD = "model_card", "Model card"
    SYSTEM_CARD = "system_card", "System card"
    EVALUATION_REPORT = "evaluation_report", "Evaluation report"
    OTHER = "other", "Other"


def document_path(document: CaseDocument, filename: str) -> str:
    # `filename` is the random name the upload service chose, never the uploader's.
    return f"reviews/{document.case.reference}/{filename}"


class CaseDocument(models.Model):
    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    title = models.CharField(max_length=200, validators=UNCLASSIFIED_TEXT)
    file = models.FileField(upload_to=document_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, help_text="Detected from the content, not the name.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    shareable = models.BooleanField(default=False, help_text="Trusted partners with access may see it.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.title}"


class Milestone(models.TextChoices):
    WINDOW_ENDS_IN_7_DAYS = "window_7_days", "The 30-day window ends in 7 days"
    WINDOW_ENDS_TODAY = "window_ends_today", "The 30-day window ends today"
    AWAITING_DETERMINATION = "awaiting_determination", "Submitted 5 days ago without a determination"


class ReminderSent(models.Model):
    """One row per case and milestone, so a reminder goes out once however often the task runs."""

    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="reminders")
    milestone = models.CharField(max_length=30, choices=Milestone.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "milestone"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.get_milestone_display()}"
