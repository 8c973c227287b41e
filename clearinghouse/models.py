"""The AI cybersecurity clearinghouse: vulnerabilities, advisories and their distribution,
CISA's directives and the defensive-tools catalogue.

Data and invariants only; the states live in `clearinghouse.workflow`, every write in
`clearinghouse.services`.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from clearinghouse import priority, scoring
from clearinghouse.priority import Decision, Exploitation, MissionImpact, TechnicalImpact, Timeline
from clearinghouse.versions import version_key
from clearinghouse.workflow import (
    AdvisoryStatus,
    ComplianceStatus,
    DeliveryStatus,
    DirectiveStatus,
    ToolRequestStatus,
    VulnerabilityStatus,
)
from eo_portal import deadlines
from eo_portal.edit_versions import EditVersioned
from eo_portal.models import Organisation, OrganisationKind, Sector, grants_by_group_index

CVE_ID = RegexValidator(r"^CVE-[0-9]{4}-[0-9]{4,}$", "Use the form CVE-YYYY-NNNN (four or more digits at the end).")
CWE_ID = re.compile(r"^CWE-[0-9]{1,5}$")
DIRECTIVE_ID = RegexValidator(
    r"^(BOD|ED|CG) [0-9]{2}-[0-9]{2}$",
    "Use the form BOD 27-01 (binding operational directive), ED 27-01 (emergency directive) or CG 27-01 (guidance).",
)


def _choices_error(values: list, allowed: list[str], what: str) -> str | None:
    unknown = [value for value in values if value not in allowed]
    if not isinstance(values, list) or unknown:
        return f"Unknown {what}: {', '.join(map(str, unknown))}. Choose from: {', '.join(allowed)}."
    return None


class Source(models.TextChoices):
    AI_MODEL_EVALUATION = "ai_model_evaluation", "AI model evaluation"
    VENDOR = "vendor", "Vendor"
    RESEARCHER = "researcher", "Researcher"
    PARTNER = "partner", "Partner"
    GOVERNMENT = "government", "Government"


class Vulnerability(models.Model):
    """One flaw, however many reporters found it (their reports are `VulnerabilityReport`s)."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    cve_id = models.CharField("CVE ID", max_length=20, null=True, blank=True, unique=True, validators=[CVE_ID])
    title = models.CharField(max_length=200)
    description = models.TextField()
    cwe_ids = models.JSONField("CWE IDs", default=list, blank=True, help_text="For example CWE-79.")
    cvss_vector = models.CharField("CVSS vector", max_length=200, blank=True, default="")
    cvss_version = models.CharField(max_length=3, blank=True, default="", editable=False)
    cvss_score = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True, editable=False)
    cvss_severity = models.CharField(max_length=10, blank=True, default="", editable=False)
    known_exploited = models.BooleanField(default=False)
    known_exploited_date = models.DateField(null=True, blank=True)
    known_ransomware_use = models.BooleanField("known use in ransomware campaigns", default=False)
    source = models.CharField(max_length=24, choices=Source.choices)
    # A string reference: no program imports another (DESIGN.md). Who may see the case is asked
    # of the core's registry.
    source_case = models.ForeignKey(
        "reviews.ReviewCase", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=24, choices=VulnerabilityStatus.choices, default=VulnerabilityStatus.NEW, db_index=True
    )
    exploitation = models.CharField(max_length=12, choices=Exploitation.choices, blank=True, default="")
    automatable = models.BooleanField(null=True, blank=True)
    technical_impact = models.CharField(max_length=8, choices=TechnicalImpact.choices, blank=True, default="")
    mission_impact = models.CharField(
        "mission and well-being impact", max_length=8, choices=MissionImpact.choices, blank=True, default=""
    )
    ssvc_decision = models.CharField(
        "SSVC decision", max_length=8, choices=Decision.choices, blank=True, default="", editable=False
    )
    ssvc_rank = models.PositiveSmallIntegerField(default=0, editable=False)
    required_action = models.TextField(blank=True, default="", help_text="What the vendor's users must do.")
    remediation_due = models.DateField("remediation due date", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    triaged_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-ssvc_rank", "-known_exploited", models.F("cvss_score").desc(nulls_last=True), "id"]
        verbose_name_plural = "vulnerabilities"
        permissions = [("triage_vulnerability", "Can triage, prioritise and merge vulnerabilities (coordinator)")]
        indexes = [
            models.Index(
                "status", models.F("ssvc_rank").desc(), models.F("known_exploited").desc(), name="vulnerability_queue_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.cve_id == "":
            self.cve_id = None
        if self.cve_id:
            self.cve_id = self.cve_id.strip().upper()
        cwe_ids = [str(cwe).strip().upper() for cwe in (self.cwe_ids or [])]
        bad = [cwe for cwe in cwe_ids if not CWE_ID.match(cwe)]
        if bad:
            errors["cwe_ids"] = f"Use the form CWE-79; not understood: {', '.join(bad)}."
        self.cwe_ids = list(dict.fromkeys(cwe_ids))
        self.cvss_version, self.cvss_score, self.cvss_severity = "", None, ""
        if self.cvss_vector.strip():
            try:
                scored = scoring.score(self.cvss_vector)
            except ValidationError as exc:
                errors.update({field: messages[0] for field, messages in exc.message_dict.items()})
            else:
                self.cvss_vector = scored.vector
                self.cvss_version, self.cvss_score, self.cvss_severity = (
                    scored.version,
                    scored.base_score,
                    scored.severity,
                )
        if self.known_exploited and self.known_exploited_date is None:
            errors["known_exploited_date"] = "Give the date exploitation became known."
        if not self.known_exploited and self.known_exploited_date is not None:
            errors["known_exploited"] = (
                "A date of known exploitation is given: tick known exploited, or clear the date."
            )
        if errors:
            raise ValidationError(errors)
        self._decide()

    def _decide(self) -> None:
        points = (self.exploitation, self.automatable, self.technical_impact, self.mission_impact)
        if any(point in ("", None) for point in points):
            self.ssvc_decision, self.ssvc_rank = "", 0
            return
        self.ssvc_decision = priority.ssvc_decision(
            exploitation=self.exploitation,
            automatable=self.automatable,
            technical_impact=self.technical_impact,
            mission_impact=self.mission_impact,
        )
        self.ssvc_rank = priority.DECISION_RANK[self.ssvc_decision]

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


class AffectedProduct(models.Model):
    vulnerability = models.ForeignKey(Vulnerability, on_delete=models.CASCADE, related_name="products")
    vendor = models.CharField(max_length=120)
    product = models.CharField(max_length=120)
    version_start = models.CharField(
        "affected from version", max_length=60, blank=True, default="", help_text="Blank: every earlier version."
    )
    version_end = models.CharField(
        "affected up to version", max_length=60, blank=True, default="", help_text="Inclusive. Blank: no fix yet."
    )
    fixed_version = models.CharField(max_length=60, blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["vendor", "product", "id"]
        indexes = [models.Index(fields=["vendor", "product"], name="affected_vendor_product_idx")]

    def __str__(self) -> str:
        return f"{self.vendor} {self.product} {self.versions}".strip()

    def clean(self) -> None:
        if self.version_start and self.version_end and version_key(self.version_start) > version_key(self.version_end):
            raise ValidationError({"version_end": "The last affected version cannot come before the first."})

    @property
    def versions(self) -> str:
        if self.version_start and self.version_end:
            return f"{self.version_start} to {self.version_end}"
        if self.version_end:
            return f"up to {self.version_end}"
        if self.version_start:
            return f"{self.version_start} and later"
        return "all versions"

    def overlaps(self, other: AffectedProduct) -> bool:
        """Whether two affected ranges of the same product share a version (blank ends are open)."""
        low = max(version_key(self.version_start), version_key(other.version_start))
        ends = [version_key(end) for end in (self.version_end, other.version_end) if end]
        return not ends or low <= min(ends)


class VulnerabilityReport(models.Model):
    """One reporter's finding of a flaw, kept and credited when duplicates are merged."""

    vulnerability = models.ForeignKey(Vulnerability, on_delete=models.PROTECT, related_name="reports")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="vulnerability_reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=24, choices=Source.choices)
    credit = models.CharField(max_length=200, help_text="How the reporter wishes to be credited.")
    # What the reporter sent, as sent: merging keeps every reporter's own account of the flaw.
    submitted = models.JSONField(default=dict)
    reported_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["reported_at", "id"]

    def __str__(self) -> str:
        return f"{self.credit} on {self.vulnerability.reference}"


class VulnerabilityUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Vulnerability, on_delete=models.CASCADE)
    history = HistoricalRecords()


class VulnerabilityGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Vulnerability, on_delete=models.CASCADE)
    history = HistoricalRecords()

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [grants_by_group_index("vulnerability_grant_group_idx")]


class Tlp(models.TextChoices):
    """TLP 2.0 (FIRST)."""

    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"


# From least to most restricted; lowering a published marking needs a new revision.
TLP_RANK = {Tlp.CLEAR: 0, Tlp.GREEN: 1, Tlp.AMBER: 2, Tlp.AMBER_STRICT: 3, Tlp.RED: 4}
TLP_MEANING = {
    Tlp.CLEAR: "Recipients may share this without limit.",
    Tlp.GREEN: "Recipients may share this within their community, not publicly.",
    Tlp.AMBER: "Recipients may share this within their organisation and with its clients who need to know.",
    Tlp.AMBER_STRICT: "Recipients may share this only within their own organisation.",
    Tlp.RED: "For the named recipients only; not to be shared.",
}
RECIPIENT_KINDS = [
    OrganisationKind.AGENCY,
    OrganisationKind.LAB,
    OrganisationKind.PARTNER,
    OrganisationKind.STATE,
    OrganisationKind.LOCAL,
    OrganisationKind.TRIBAL,
    OrganisationKind.TERRITORIAL,
    OrganisationKind.OPERATOR,
]


class Advisory(EditVersioned):
    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    vulnerabilities = models.ManyToManyField(Vulnerability, related_name="advisories", blank=True)
    tlp = models.CharField("TLP marking", max_length=12, choices=Tlp.choices, default=Tlp.AMBER)
    audience_sectors = models.JSONField(
        default=list, blank=True, help_text="Operators in these sectors receive it (TLP:CLEAR and TLP:GREEN)."
    )
    audience_kinds = models.JSONField(
        default=list, blank=True, help_text="Every organisation of these kinds receives it (TLP:CLEAR and TLP:GREEN)."
    )
    named_organisations = models.ManyToManyField(
        Organisation, related_name="named_in_advisories", blank=True, help_text="TLP:AMBER and TLP:AMBER+STRICT."
    )
    named_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="named_in_advisories", blank=True, help_text="TLP:RED."
    )
    release_at = models.DateTimeField(
        "public release", null=True, blank=True, help_text="Embargo: a TLP:CLEAR advisory is public from this time."
    )
    status = models.CharField(
        max_length=10, choices=AdvisoryStatus.choices, default=AdvisoryStatus.DRAFT, db_index=True
    )
    revision = models.PositiveSmallIntegerField(default=0, editable=False)
    # The highest SSVC decision among its vulnerabilities, fixed at each publication, so queues sort on a column.
    ssvc_rank = models.PositiveSmallIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(blank=True, default="", editable=False)

    history = HistoricalRecords(m2m_fields=[vulnerabilities, named_organisations, named_people])

    class Meta:
        ordering = [models.F("published_at").desc(nulls_first=True), "-id"]
        verbose_name_plural = "advisories"
        permissions = [("publish_advisory", "Can publish, revise and withdraw advisories (coordinator)")]
        indexes = [
            models.Index(fields=["tlp", "status", "release_at"], name="advisory_public_idx"),
            # The lists' order (descending sorts nulls first in PostgreSQL, as the ordering asks).
            models.Index(fields=["-published_at", "-id"], name="advisory_newest_idx"),
        ]
        constraints = [
            # Publishing sets the date with the status; the lists of everyone but coordinators rely on
            # it to start their walk of `advisory_newest_idx` past the drafts, which sort first.
            models.CheckConstraint(
                condition=models.Q(status__in=[AdvisoryStatus.DRAFT, AdvisoryStatus.IN_REVIEW])
                | models.Q(published_at__isnull=False),
                name="advisory_distributed_has_published_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def clean(self) -> None:
        errors = {}
        sectors_error = _choices_error(self.audience_sectors, Sector.values, "sectors")
        if sectors_error:
            errors["audience_sectors"] = sectors_error
        kinds_error = _choices_error(self.audience_kinds, RECIPIENT_KINDS, "organisation kinds")
        if kinds_error:
            errors["audience_kinds"] = kinds_error
        if errors:
            raise ValidationError(errors)

    @property
    def tlp_meaning(self) -> str:
        return TLP_MEANING[Tlp(self.tlp)]

    @property
    def ssvc_decision(self) -> str:
        ranked = {rank: decision for decision, rank in priority.DECISION_RANK.items()}
        return ranked.get(self.ssvc_rank, "")


class RemediationCategory(models.TextChoices):
    """CSAF 2.0's remediation categories."""

    VENDOR_FIX = "vendor_fix", "Vendor fix"
    MITIGATION = "mitigation", "Mitigation"
    WORKAROUND = "workaround", "Workaround"
    NO_FIX_PLANNED = "no_fix_planned", "No fix planned"
    NONE_AVAILABLE = "none_available", "None available"


class Remediation(models.Model):
    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="remediations")
    vulnerability = models.ForeignKey(
        Vulnerability,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank: every vulnerability of the advisory.",
    )
    category = models.CharField(max_length=16, choices=RemediationCategory.choices)
    details = models.TextField()
    product_scope = models.CharField(
        max_length=300, blank=True, default="", help_text="Which products or versions it applies to; blank for all."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.details[:60]}"


class AdvisoryRevision(models.Model):
    """The advisory as published at each revision; a published advisory changes only by a new one."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField()
    tlp = models.CharField(max_length=12, choices=Tlp.choices)
    content = models.JSONField(default=dict, help_text="Remediations, vulnerabilities and audience as published.")
    change_summary = models.CharField(max_length=300)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["advisory", "-number"]
        constraints = [models.UniqueConstraint(fields=["advisory", "number"], name="advisory_revision_unique")]

    def __str__(self) -> str:
        return f"{self.advisory.reference} revision {self.number}"


class AdvisoryUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Advisory, on_delete=models.CASCADE)
    history = HistoricalRecords()


class AdvisoryGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Advisory, on_delete=models.CASCADE)
    history = HistoricalRecords()

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [grants_by_group_index("advisory_grant_group_idx")]


class Delivery(models.Model):
    """An advisory delivered to one recipient organisation, and that organisation's own report on it.

    It belongs to the organisation alone: its members see and report on it, no other recipient does.
    """

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="deliveries")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="deliveries")
    delivered_at = models.DateTimeField()
    delivered_revision = models.PositiveSmallIntegerField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_STARTED, db_index=True
    )
    note = models.TextField(blank=True, default="")
    in_estate = models.BooleanField("affected product in our estate", null=True, blank=True)
    exposed = models.BooleanField("publicly exposed", null=True, blank=True)
    timeline = models.CharField(
        "remediation timeline", max_length=16, choices=Timeline.choices, blank=True, default="", editable=False
    )
    due_date = models.DateField(null=True, blank=True, editable=False)
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    remediated_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-delivered_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["advisory", "organisation"], name="one_delivery_per_organisation"),
        ]
        indexes = [models.Index(fields=["organisation", "due_date"], name="delivery_queue_idx")]

    def __str__(self) -> str:
        return f"{self.advisory.reference} to {self.organisation.short_name}"

    def clean(self) -> None:
        if self.status == DeliveryStatus.NOT_AFFECTED and self.in_estate:
            raise ValidationError(
                {"status": "The affected product is recorded as in your estate: it cannot be not affected."}
            )

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_date is not None
            and self.status not in (DeliveryStatus.REMEDIATED, DeliveryStatus.NOT_AFFECTED)
            and self.due_date < deadlines.today()
        )


class DirectiveKind(models.TextChoices):
    BINDING = "bod", "Binding operational directive"
    EMERGENCY = "ed", "Emergency directive"
    GUIDANCE = "guidance", "Cyber guidance"


# Binding and emergency directives bind federal agencies; CISA's guidance speaks to the rest.
DIRECTIVE_KINDS_FOR = {
    DirectiveKind.BINDING: [OrganisationKind.AGENCY],
    DirectiveKind.EMERGENCY: [OrganisationKind.AGENCY],
    DirectiveKind.GUIDANCE: [
        OrganisationKind.STATE,
        OrganisationKind.LOCAL,
        OrganisationKind.TRIBAL,
        OrganisationKind.TERRITORIAL,
        OrganisationKind.OPERATOR,
    ],
}
DIRECTIVE_PREFIX = {DirectiveKind.BINDING: "BOD", DirectiveKind.EMERGENCY: "ED", DirectiveKind.GUIDANCE: "CG"}


class Directive(models.Model):
    identifier = models.CharField(max_length=12, unique=True, validators=[DIRECTIVE_ID])
    kind = models.CharField(max_length=10, choices=DirectiveKind.choices)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    applicable_kinds = models.JSONField(default=list, help_text="The kinds of organisation it applies to.")
    status = models.CharField(
        max_length=8, choices=DirectiveStatus.choices, default=DirectiveStatus.DRAFT, db_index=True
    )
    issued_date = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = [models.F("issued_date").desc(nulls_first=True), "identifier"]
        permissions = [("issue_directive", "Can draft, issue and revoke directives and see compliance (CISA)")]

    def __str__(self) -> str:
        return f"{self.identifier}: {self.title}"

    def clean(self) -> None:
        errors = {}
        if self.kind and self.identifier and not self.identifier.startswith(DIRECTIVE_PREFIX[DirectiveKind(self.kind)]):
            errors["identifier"] = (
                f"A {DirectiveKind(self.kind).label.lower()} is numbered "
                f"{DIRECTIVE_PREFIX[DirectiveKind(self.kind)]} YY-NN."
            )
        if self.kind:
            allowed = DIRECTIVE_KINDS_FOR[DirectiveKind(self.kind)]
            kinds_error = _choices_error(self.applicable_kinds, allowed, "organisation kinds for this directive")
            if kinds_error or not self.applicable_kinds:
                errors["applicable_kinds"] = kinds_error or f"Choose who it applies to: {', '.join(allowed)}."
        if errors:
            raise ValidationError(errors)


class RequiredAction(models.Model):
    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="required_actions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    due_in_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(3650)], help_text="Calendar days from the issue date."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["directive", "number"]
        constraints = [models.UniqueConstraint(fields=["directive", "number"], name="required_action_number_unique")]

    def __str__(self) -> str:
        return f"{self.directive.identifier} action {self.number}"

    @property
    def due_date(self):
        issued = self.directive.issued_date
        return None if issued is None else deadlines.add_calendar_days(issued, self.due_in_days)


class ComplianceReport(models.Model):
    """One applicable organisation's report on one required action, kept up to date (history keeps each)."""

    required_action = models.ForeignKey(RequiredAction, on_delete=models.CASCADE, related_name="reports")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="compliance_reports")
    status = models.CharField(max_length=12, choices=ComplianceStatus.choices, default=ComplianceStatus.NOT_STARTED)
    note = models.TextField(blank=True, default="")
    completed_on = models.DateField(null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["required_action", "organisation__short_name"]
        constraints = [
            models.UniqueConstraint(fields=["required_action", "organisation"], name="one_report_per_action"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.short_name} on {self.required_action}"

    def clean(self) -> None:
        if self.status == ComplianceStatus.COMPLETED and self.completed_on is None:
            raise ValidationError({"completed_on": "Give the date the action was completed."})
        if self.status != ComplianceStatus.COMPLETED and self.completed_on is not None:
            raise ValidationError({"completed_on": "Only a completed action has a completion date."})
        if self.completed_on and self.completed_on > deadlines.today():
            raise ValidationError({"completed_on": "The completion date cannot be in the future."})

    @property
    def on_time(self) -> bool:
        due = self.required_action.due_date
        return self.status == ComplianceStatus.COMPLETED and due is not None and self.completed_on <= due


class DeliveryMethod(models.TextChoices):
    HOSTED = "hosted", "Hosted service"
    SOFTWARE = "software", "Software to install"
    MANAGED = "managed", "Managed service"
    ASSESSMENT = "assessment", "Assessment"


TOOL_ELIGIBLE_KINDS = DIRECTIVE_KINDS_FOR[DirectiveKind.GUIDANCE]


class DefensiveTool(models.Model):
    """An AI-enabled defensive tool offered to state and local governments and operators."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="defensive_tools",
        limit_choices_to={"kind": OrganisationKind.AGENCY},
    )
    capability = models.CharField(max_length=200)
    description = models.TextField()
    eligible_kinds = models.JSONField(default=list, help_text="The kinds of organisation that may request it.")
    delivery_method = models.CharField(max_length=12, choices=DeliveryMethod.choices)
    is_available = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        kinds_error = _choices_error(self.eligible_kinds, TOOL_ELIGIBLE_KINDS, "organisation kinds")
        if kinds_error or not self.eligible_kinds:
            raise ValidationError({"eligible_kinds": kinds_error or "Choose who may request it."})

    def get_eligible_kinds_display(self) -> str:
        labels = dict(OrganisationKind.choices)
        return ", ".join(str(labels[kind]) for kind in self.eligible_kinds)


class ToolRequest(models.Model):
    tool = models.ForeignKey(DefensiveTool, on_delete=models.PROTECT, related_name="requests")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tool_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    justification = models.TextField(help_text="What you would use it for.")
    status = models.CharField(
        max_length=10, choices=ToolRequestStatus.choices, default=ToolRequestStatus.REQUESTED, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tool", "organisation"],
                condition=models.Q(status="requested"),
                name="one_open_tool_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.short_name}: {self.tool.name}"
