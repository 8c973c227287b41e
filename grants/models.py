"""OMB's grant opportunities for AI cybersecurity capabilities, the applications of state, local,
tribal and territorial governments and operators, their review and awards.

Data and invariants only; the states live in `grants.workflow`, every write in `grants.services`.
Money is `Decimal` throughout (DecimalField, two places), never float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from eo_portal.edit_versions import EditVersioned
from eo_portal.models import Organisation, OrganisationKind, grants_by_group_index
from grants.workflow import ApplicationStatus, OpportunityStatus

CENT = Decimal("0.01")
OPPORTUNITY_NUMBER = RegexValidator(
    r"^[A-Z0-9]+(-[A-Z0-9]+)+$", "Use capital letters, digits and hyphens, e.g. OMB-AICS-2027-001."
)
ASSISTANCE_LISTING = RegexValidator(r"^[0-9]{2}\.[0-9]{3}$", "Use the form NN.NNN, e.g. 97.137.")
MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
PERCENT = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class ApplicantType(models.TextChoices):
    """Who may apply, as Grants.gov names the eligible applicant types."""

    STATE = "state", "State governments"
    COUNTY = "county", "County governments"
    CITY_TOWNSHIP = "city_township", "City or township governments"
    SPECIAL_DISTRICT = "special_district", "Special district governments"
    TRIBAL = "tribal", "Federally recognized tribal governments"
    TERRITORIAL = "territorial", "Territorial governments"
    OPERATOR = "operator", "Critical-infrastructure operators"


class FundingInstrument(models.TextChoices):
    GRANT = "grant", "Grant"
    COOPERATIVE_AGREEMENT = "cooperative_agreement", "Cooperative agreement"


def applicant_type_of(organisation: Organisation) -> str | None:
    """The organisation's applicant type; None when it has none (a lab) or has not said which
    kind of local government it is."""
    if organisation.kind == OrganisationKind.LOCAL:
        return organisation.local_government_type or None
    return {
        OrganisationKind.STATE: ApplicantType.STATE,
        OrganisationKind.TRIBAL: ApplicantType.TRIBAL,
        OrganisationKind.TERRITORIAL: ApplicantType.TERRITORIAL,
        OrganisationKind.OPERATOR: ApplicantType.OPERATOR,
    }.get(organisation.kind)


class Opportunity(models.Model):
    opportunity_number = models.CharField(max_length=40, unique=True, validators=[OPPORTUNITY_NUMBER])
    title = models.CharField(max_length=250)
    awarding_agency = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="grant_opportunities",
        limit_choices_to={"kind": OrganisationKind.AGENCY},
    )
    assistance_listing = models.CharField("assistance listing number", max_length=6, validators=[ASSISTANCE_LISTING])
    description = models.TextField()
    eligible_types = models.JSONField("eligible applicants", default=list)
    funding_instrument = models.CharField(max_length=24, choices=FundingInstrument.choices)
    award_floor = models.DecimalField(**MONEY)
    award_ceiling = models.DecimalField(**MONEY)
    expected_awards = models.PositiveIntegerField("expected number of awards", validators=[MinValueValidator(1)])
    total_funding = models.DecimalField("total program funding", **MONEY)
    cost_share_percent = models.DecimalField(
        "cost share required (percent of total project cost)", default=Decimal("0"), **PERCENT
    )
    pass_through_percent = models.DecimalField(
        "pass-through to local governments (percent of the award)",
        null=True,
        blank=True,
        help_text="For programmes whose state recipients must pass money on, e.g. 80.",
        **PERCENT,
    )
    rural_percent = models.DecimalField(
        "of which to rural areas (percent of the pass-through)", null=True, blank=True, **PERCENT
    )
    posted_date = models.DateField(null=True, blank=True, editable=False)
    close_at = models.DateTimeField("closes", help_text="US Eastern time.")
    status = models.CharField(
        max_length=12, choices=OpportunityStatus.choices, default=OpportunityStatus.FORECASTED, db_index=True
    )
    amendment_count = models.PositiveSmallIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["close_at", "id"]
        verbose_name_plural = "opportunities"
        permissions = [
            ("administer_opportunity", "Can post, amend and close the opportunity and manage its applications"),
        ]
        indexes = [models.Index(fields=["status", "close_at"], name="opportunity_status_close_idx")]

    def __str__(self) -> str:
        return f"{self.opportunity_number}: {self.title}"

    def clean(self) -> None:
        errors = {}
        unknown = [value for value in self.eligible_types or [] if value not in ApplicantType.values]
        if unknown or not self.eligible_types:
            errors["eligible_types"] = f"Choose at least one of: {', '.join(ApplicantType.values)}."
        if self.award_floor is not None and self.award_ceiling is not None and self.award_floor > self.award_ceiling:
            errors["award_floor"] = "The award floor cannot be above the ceiling."
        if self.award_ceiling is not None and self.total_funding is not None and self.award_ceiling > self.total_funding:
            errors["award_ceiling"] = "One award cannot be more than the program's total funding."
        if self.rural_percent is not None and self.pass_through_percent is None:
            errors["rural_percent"] = "A rural share is a share of the pass-through: set the pass-through first."
        if errors:
            raise ValidationError(errors)

    def get_eligible_types_display(self) -> str:
        labels = dict(ApplicantType.choices)
        return ", ".join(str(labels.get(value, value)) for value in self.eligible_types)


class ReviewCriterion(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="criteria")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    weight = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(100)])

    history = HistoricalRecords()

    class Meta:
        ordering = ["opportunity", "number"]
        verbose_name_plural = "review criteria"
        constraints = [models.UniqueConstraint(fields=["opportunity", "number"], name="criterion_number_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class OpportunityDocument(models.Model):
    """An attachment of the opportunity, above all its notice of funding opportunity (NOFO)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="grants/opportunities/", max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class Amendment(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField()
    summary = models.TextField(help_text="What changed, for the applicants.")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["opportunity", "number"]
        constraints = [models.UniqueConstraint(fields=["opportunity", "number"], name="amendment_number_unique")]

    def __str__(self) -> str:
        return f"{self.opportunity.opportunity_number} amendment {self.number}"


class OpportunityUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Opportunity, on_delete=models.CASCADE)
    history = HistoricalRecords()


class OpportunityGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Opportunity, on_delete=models.CASCADE)
    history = HistoricalRecords()

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [grants_by_group_index("opportunity_grant_group_idx")]


class Application(EditVersioned):
    tracking_number = models.CharField(max_length=20, unique=True, editable=False)
    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="grant_applications")
    project_title = models.CharField(max_length=250)
    abstract = models.TextField()
    period_start = models.DateField("period of performance starts")
    period_end = models.DateField("period of performance ends")
    requested_amount = models.DecimalField(**MONEY)
    cost_share = models.DecimalField(default=Decimal("0"), **MONEY)
    status = models.CharField(
        max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_note = models.TextField(blank=True, default="", editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("review_application", "Can score the application (an assigned reviewer who attested)")]
        indexes = [
            models.Index(fields=["opportunity", "status"], name="application_opportunity_idx"),
            # The lists' order, so that a page walks the index rather than sorting every application.
            models.Index(fields=["-created_at", "-id"], name="application_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number}: {self.project_title}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end <= self.period_start:
            raise ValidationError({"period_end": "The period of performance must end after it starts."})

    @property
    def total_project_cost(self) -> Decimal:
        return cents((self.requested_amount or Decimal("0")) + (self.cost_share or Decimal("0")))


class BudgetObjectClass(models.TextChoices):
    """SF-424A, section B: object class categories."""

    PERSONNEL = "personnel", "Personnel"
    FRINGE_BENEFITS = "fringe_benefits", "Fringe benefits"
    TRAVEL = "travel", "Travel"
    EQUIPMENT = "equipment", "Equipment"
    SUPPLIES = "supplies", "Supplies"
    CONTRACTUAL = "contractual", "Contractual"
    CONSTRUCTION = "construction", "Construction"
    OTHER = "other", "Other"
    INDIRECT_CHARGES = "indirect_charges", "Indirect charges"


class BudgetLine(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    object_class = models.CharField(max_length=20, choices=BudgetObjectClass.choices)
    amount = models.DecimalField(**MONEY)

    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "object_class"], name="budget_line_per_class"),
        ]

    def __str__(self) -> str:
        return f"{self.get_object_class_display()}: {self.amount}"


class ContactRole(models.TextChoices):
    AUTHORIZED_REPRESENTATIVE = "authorized_representative", "Authorized representative"
    PROJECT_DIRECTOR = "project_director", "Project director"
    FINANCIAL = "financial", "Financial contact"


class ApplicationContact(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="contacts")
    role = models.CharField(max_length=30, choices=ContactRole.choices)
    name = models.CharField(max_length=150)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "role"]
        constraints = [models.UniqueConstraint(fields=["application", "role"], name="contact_per_role")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="grants/applications/", max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class ApplicationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Application, on_delete=models.CASCADE)
    history = HistoricalRecords()


class ApplicationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Application, on_delete=models.CASCADE)
    history = HistoricalRecords()

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [grants_by_group_index("application_grant_group_idx")]


class ReviewerAssignment(models.Model):
    """A reviewer assigned to an application; they see it only after attesting no conflict of interest."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grant_reviews")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    attested_at = models.DateTimeField("attested no conflict of interest", null=True, blank=True)
    comment = models.TextField(blank=True, default="")
    scored_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="one_assignment_per_reviewer"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.application.tracking_number}"


class Score(models.Model):
    """A reviewer's score of one criterion, 0 to 100; the weighted total is Σ score × weight / 100."""

    assignment = models.ForeignKey(ReviewerAssignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ReviewCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])

    history = HistoricalRecords()

    class Meta:
        ordering = ["assignment", "criterion__number"]
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"], name="one_score_per_criterion")]


class Award(models.Model):
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    award_number = models.CharField(max_length=40, unique=True)
    amount = models.DecimalField(**MONEY)
    award_date = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Award {self.award_number}"


class Subaward(models.Model):
    """Money a state recipient passes through to a local organisation."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="subawards")
    recipient = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="grant_subawards")
    amount = models.DecimalField(**MONEY)
    purpose = models.CharField(max_length=250)
    subaward_date = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["subaward_date", "id"]

    def __str__(self) -> str:
        return f"{self.recipient.short_name}: {self.amount}"


class DraftReminder(models.Model):
    """A reminder sent about an unsubmitted draft, kept so each is sent once."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "days_before"], name="one_draft_reminder_per_day"),
        ]


class SavedSearch(models.Model):
    """A signed-in user's opportunity search, e-mailed when a newly posted opportunity matches it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grant_searches")
    name = models.CharField(max_length=100)
    query = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "saved searches"

    def __str__(self) -> str:
        return self.name
