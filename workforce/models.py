"""Tech Force hiring: pathways, openings, cohorts, applications and placements.

Data and invariants only; the states live in `workforce.workflow`, every write in
`workforce.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from eo_portal.models import Organisation, OrganisationKind, grants_by_group_index
from workforce.workflow import ApplicationStatus, OpeningStatus, Stage


class Clearance(models.TextChoices):
    NONE = "none", "None"
    PUBLIC_TRUST = "public_trust", "Public trust"
    SECRET = "secret", "Secret"
    TOP_SECRET = "top_secret", "Top secret"
    TS_SCI = "ts_sci", "Top secret / SCI"


class HiringPath(models.TextChoices):
    """Who may apply, as USAJOBS codes it."""

    PUBLIC = "public", "U.S. public"
    VET = "vet", "Veterans"
    MSPOUSE = "mspouse", "Military spouses"
    DISABILITY = "disability", "Individuals with disabilities"
    NATIVE = "native", "Native Americans"
    STUDENT = "student", "Students"
    GRADUATES = "graduates", "Recent graduates"
    FED_INTERNAL_SEARCH = "fed-internal-search", "Federal employees, agency internal"
    FED_COMPETITIVE = "fed-competitive", "Federal employees, competitive service"
    FED_EXCEPTED = "fed-excepted", "Federal employees, excepted service"
    FED_TRANSITION = "fed-transition", "Career transition (CTAP, ICTAP, RPL)"
    SPECIAL_AUTHORITIES = "special-authorities", "Special authorities"


class PayPlan(models.TextChoices):
    GS = "GS", "General Schedule (GS)"
    GG = "GG", "General Schedule-like (GG)"
    CTMS = "CTMS", "Cybersecurity Talent Management System (pay band)"
    BAND = "BAND", "Other pay band"


class OccupationalSeries(models.TextChoices):
    S0080 = "0080", "0080 Security administration"
    S0132 = "0132", "0132 Intelligence"
    S0391 = "0391", "0391 Telecommunications"
    S0854 = "0854", "0854 Computer engineering"
    S0855 = "0855", "0855 Electronics engineering"
    S1515 = "1515", "1515 Operations research"
    S1530 = "1530", "1530 Statistics"
    S1550 = "1550", "1550 Computer science"
    S1560 = "1560", "1560 Data science"
    S2210 = "2210", "2210 Information technology management"


US_STATE = RegexValidator(r"^[A-Z]{2}$", "Use the two-letter postal code, e.g. VA.")


class WorkRole(models.Model):
    """A NICE Workforce Framework work role; the list is data, loaded by a migration."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=80)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Pathway(models.Model):
    """A hiring or placement pathway of the Tech Force initiative; public."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    hiring_authority = models.CharField(max_length=200)
    who_may_apply = models.TextField()
    description = models.TextField()
    typical_length = models.CharField(max_length=100, blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Opening(models.Model):
    control_number = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    agency = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="openings",
        limit_choices_to={"kind": OrganisationKind.AGENCY},
    )
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="openings")
    series = models.CharField("occupational series", max_length=4, choices=OccupationalSeries.choices)
    pay_plan = models.CharField(max_length=4, choices=PayPlan.choices, default=PayPlan.GS)
    grade_low = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(15)]
    )
    grade_high = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(15)]
    )
    salary_min = models.PositiveIntegerField(help_text="US dollars per year.")
    salary_max = models.PositiveIntegerField(help_text="US dollars per year.")
    remote = models.BooleanField(default=False)
    telework_eligible = models.BooleanField(default=False)
    clearance = models.CharField(max_length=20, choices=Clearance.choices, default=Clearance.NONE)
    # Stored as "|public|vet|" so one query can filter and count every path on any database.
    hiring_paths = models.CharField(max_length=300, default="|public|")
    work_roles = models.ManyToManyField(WorkRole, related_name="openings", blank=True)
    # A pooled cohort: one application that these agencies, besides the posting one, consider.
    considering_agencies = models.ManyToManyField(
        Organisation,
        related_name="considered_openings",
        blank=True,
        limit_choices_to={"kind": OrganisationKind.AGENCY},
        help_text="Other agencies that consider this cohort's applicants; empty for an ordinary opening.",
    )
    open_date = models.DateField()
    close_date = models.DateField()
    duties = models.TextField()
    qualifications = models.TextField()
    vacancies = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    status = models.CharField(max_length=12, choices=OpeningStatus.choices, default=OpeningStatus.DRAFT, db_index=True)
    usajobs_announcement = models.CharField("USAJOBS announcement number", max_length=40, blank=True, default="")
    posted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[work_roles, considering_agencies])

    class Meta:
        ordering = ["close_date", "id"]
        permissions = [
            ("publish_opening", "Can post, close, fill and cancel the opening (hiring agency)"),
            ("review_applications_opening", "Can see and move the applicants to the opening (hiring agency)"),
        ]
        indexes = [
            models.Index(fields=["status", "close_date"], name="opening_status_close_idx"),
            models.Index(fields=["series", "status"], name="opening_series_idx"),
            models.Index(fields=["salary_max"], name="opening_salary_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.control_number}: {self.title}"

    def clean(self) -> None:
        errors = {}
        if self.salary_min is not None and self.salary_max is not None and self.salary_min > self.salary_max:
            errors["salary_min"] = "The minimum salary cannot be above the maximum."
        if self.pay_plan in (PayPlan.GS, PayPlan.GG):
            if self.grade_low is None or self.grade_high is None:
                errors["grade_low"] = "A General Schedule opening gives its grade range."
            elif self.grade_low > self.grade_high:
                errors["grade_low"] = "The lowest grade cannot be above the highest."
        if self.open_date and self.close_date and self.open_date > self.close_date:
            errors["close_date"] = "The closing date cannot be before the opening date."
        unknown = [path for path in self.hiring_path_list if path not in HiringPath.values]
        if unknown or not self.hiring_path_list:
            errors["hiring_paths"] = f"Choose at least one of: {', '.join(HiringPath.values)}."
        if errors:
            raise ValidationError(errors)

    @property
    def hiring_path_list(self) -> list[str]:
        return [path for path in self.hiring_paths.split("|") if path]

    @staticmethod
    def encode_hiring_paths(paths: list[str]) -> str:
        chosen = [path for path in HiringPath.values if path in set(paths)]
        unknown = sorted(set(paths) - set(HiringPath.values))
        return "|" + "|".join(chosen + unknown) + "|"

    def get_hiring_paths_display(self) -> str:
        labels = dict(HiringPath.choices)
        return ", ".join(labels.get(path, path) for path in self.hiring_path_list)

    @property
    def is_cohort(self) -> bool:
        return bool(self.considering_agencies.all())

    @property
    def grade_display(self) -> str:
        if self.grade_low is None:
            return self.get_pay_plan_display()
        if self.grade_low == self.grade_high:
            return f"{self.pay_plan}-{self.grade_low}"
        return f"{self.pay_plan}-{self.grade_low} to {self.grade_high}"


class OpeningLocation(models.Model):
    opening = models.ForeignKey(Opening, on_delete=models.CASCADE, related_name="locations")
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, validators=[US_STATE], db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["state", "city"]

    def __str__(self) -> str:
        return f"{self.city}, {self.state}"


class OpeningUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Opening, on_delete=models.CASCADE)
    history = HistoricalRecords()


class OpeningGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Opening, on_delete=models.CASCADE)
    history = HistoricalRecords()

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [grants_by_group_index("opening_grant_group_idx")]


class ApplicantProfile(models.Model):
    """A job seeker's profile and résumé (PDF only)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applicant_profile")
    phone = models.CharField(max_length=30, blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    state = models.CharField(max_length=2, blank=True, default="", validators=[US_STATE])
    summary = models.TextField(blank=True, default="", help_text="Your experience in a few lines.")
    resume = models.FileField(upload_to="workforce/resumes/", blank=True, max_length=300)
    resume_sha256 = models.CharField(max_length=64, blank=True, default="")
    resume_size = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class Application(models.Model):
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    opening = models.ForeignKey(Opening, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(
        max_length=15, choices=ApplicationStatus.choices, default=ApplicationStatus.RECEIVED, db_index=True
    )
    cover_note = models.TextField(blank=True, default="")
    submitted_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    offered_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "opening"], name="one_application_per_opening"),
        ]
        permissions = [("view_hiring_metrics", "Can see hiring figures across agencies (OPM)")]

    def __str__(self) -> str:
        return f"{self.applicant} for {self.opening.control_number}"


class Consideration(models.Model):
    """One agency's stand on an applicant to a pooled cohort, shown to the applicant."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="considerations")
    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=15, choices=Stage.choices, default=Stage.CONSIDERING)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__short_name"]
        constraints = [models.UniqueConstraint(fields=["application", "agency"], name="one_consideration_per_agency")]

    def __str__(self) -> str:
        return f"{self.agency.short_name}: {self.get_stage_display()}"


class Placement(models.Model):
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="placement")
    start_date = models.DateField()
    office = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Placement of {self.application}"


class SavedOpening(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_openings")
    opening = models.ForeignKey(Opening, on_delete=models.CASCADE, related_name="+")
    saved_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-saved_at"]
        constraints = [models.UniqueConstraint(fields=["user", "opening"], name="saved_opening_unique")]


class SavedSearch(models.Model):
    """A job seeker's search, e-mailed when a newly posted opening matches it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=100)
    query = models.JSONField(default=dict, help_text="The search's filters, as the search page takes them.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
