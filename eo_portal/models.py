"""Organisations, memberships, notifications and personal API tokens: what every program stands on.

Models hold data and invariants only; every write goes through `eo_portal.services`.
"""

import re
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history import register
from simple_history.models import HistoricalRecords

from eo_portal import deadlines
from eo_portal.markings import refuse_classification_markings

# SAM.gov's Unique Entity ID: 12 characters, letters and digits, never the letters I or O
# (they read as 1 and 0), and never starting with 0.
UEI_PATTERN = re.compile(r"^[A-HJ-NP-Z1-9][A-HJ-NP-Z0-9]{11}$")


class OrganisationKind(models.TextChoices):
    AGENCY = "agency", "Federal agency"
    LAB = "lab", "Frontier AI lab"
    PARTNER = "partner", "Trusted partner"
    STATE = "state", "State government"
    LOCAL = "local", "Local government"
    TRIBAL = "tribal", "Tribal government"
    TERRITORIAL = "territorial", "Territorial government"
    OPERATOR = "operator", "Critical-infrastructure operator"


class Sector(models.TextChoices):
    """CISA's sixteen critical-infrastructure sectors (PPD-21)."""

    CHEMICAL = "chemical", "Chemical"
    COMMERCIAL_FACILITIES = "commercial_facilities", "Commercial Facilities"
    COMMUNICATIONS = "communications", "Communications"
    CRITICAL_MANUFACTURING = "critical_manufacturing", "Critical Manufacturing"
    DAMS = "dams", "Dams"
    DEFENSE_INDUSTRIAL_BASE = "defense_industrial_base", "Defense Industrial Base"
    EMERGENCY_SERVICES = "emergency_services", "Emergency Services"
    ENERGY = "energy", "Energy"
    FINANCIAL_SERVICES = "financial_services", "Financial Services"
    FOOD_AND_AGRICULTURE = "food_and_agriculture", "Food and Agriculture"
    GOVERNMENT_FACILITIES = "government_facilities", "Government Services and Facilities"
    HEALTHCARE = "healthcare", "Healthcare and Public Health"
    INFORMATION_TECHNOLOGY = "information_technology", "Information Technology"
    NUCLEAR = "nuclear", "Nuclear Reactors, Materials, and Waste"
    TRANSPORTATION = "transportation", "Transportation Systems"
    WATER = "water", "Water and Wastewater Systems"


class Role(models.TextChoices):
    """A person's role in their organisation; each role may do what the one before it may."""

    VIEWER = "viewer", "Viewer"
    MEMBER = "member", "Member"
    MANAGER = "manager", "Manager"


ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.MANAGER: 2}


def validate_uei(value: str) -> None:
    if value and not UEI_PATTERN.match(value):
        raise ValidationError(
            "Enter the 12-character Unique Entity ID from SAM.gov: capital letters and digits, "
            "no I or O, not starting with 0.",
            code="invalid_uei",
        )


class LocalGovernmentType(models.TextChoices):
    """The kinds of local government that grant programmes tell apart (Grants.gov's applicant types)."""

    COUNTY = "county", "County government"
    CITY_TOWNSHIP = "city_township", "City or township government"
    SPECIAL_DISTRICT = "special_district", "Special district government"


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, unique=True, help_text="Shown in lists, e.g. CISA.")
    slug = models.SlugField(max_length=60, unique=True, help_text="Used in the organisation's web address.")
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices, db_index=True)
    uei = models.CharField(
        "Unique Entity ID (SAM.gov)", max_length=12, blank=True, default="", validators=[validate_uei]
    )
    sam_registration_expires = models.DateField(
        "SAM.gov registration expires",
        null=True,
        blank=True,
        help_text="From the organisation's active SAM.gov registration; grant applications need it unexpired.",
    )
    local_government_type = models.CharField(
        max_length=20, choices=LocalGovernmentType.choices, blank=True, default="", help_text="Local governments only."
    )
    is_rural = models.BooleanField(
        "rural area", default=False, help_text="Counts toward the rural share of pass-through grant funds."
    )
    description = models.TextField(blank=True, default="")
    website = models.URLField(blank=True, default="")
    security_contact_email = models.EmailField(
        blank=True, default="", help_text="Where advisories and findings for this organisation are sent."
    )
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="organisation", editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["uei"], condition=~Q(uei=""), name="organisation_uei_unique"),
        ]
        permissions = [("manage_members", "Can add, remove and change members of the organisation")]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None) -> None:
        # People type UEIs in lower case or with spaces; store SAM.gov's form before checking it.
        self.uei = (self.uei or "").strip().upper()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        if self.uei and Organisation.objects.filter(uei=self.uei).exclude(pk=self.pk).exists():
            raise ValidationError({"uei": "Another organisation already has this Unique Entity ID."})
        if self.local_government_type and self.kind != OrganisationKind.LOCAL:
            raise ValidationError({"local_government_type": "Only a local government has a local government type."})

    @property
    def is_government(self) -> bool:
        return self.kind in {
            OrganisationKind.STATE,
            OrganisationKind.LOCAL,
            OrganisationKind.TRIBAL,
            OrganisationKind.TERRITORIAL,
        }


class OrganisationSector(models.Model):
    """A critical-infrastructure sector an operator works in; advisories are distributed by these."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sectors")
    sector = models.CharField(max_length=40, choices=Sector.choices, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sector"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "sector"], name="organisation_sector_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.short_name}: {self.get_sector_display()}"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation.short_name} ({self.get_role_display()})"


def grants_by_group_index(name: str) -> models.Index:
    """An organisation group's grants in object-key order, permission included: `restrict` reads
    an agency's 90,000 granted cases as one index-only range merged with the list's keys, instead
    of filtering every organisation's grants of each object (bench/README.md, 18)."""
    return models.Index(fields=["group", "content_object", "permission"], name=name)


class OrganisationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    history = HistoricalRecords()


class OrganisationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    history = HistoricalRecords()

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [grants_by_group_index("organisation_grant_group_idx")]


class Notification(models.Model):
    """A message for one person, shown in the portal and sent by e-mail from a task."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True, default="")
    link = models.CharField(max_length=500, blank=True, default="", help_text="A path inside the portal.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.subject


class ApiToken(models.Model):
    """A personal API token. Only a hash of the secret is kept; the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'SIEM import'.")
    prefix = models.CharField(max_length=8, help_text="The first characters, to tell tokens apart.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["key_hash"])

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


# Accounts and the organisations' groups are audited too. Password hashes and sign-in times
# stay out of the history: the first is a secret, the second would add a row at every sign-in.
register(get_user_model(), app="eo_portal", excluded_fields=["password", "last_login"])
register(Group, app="eo_portal", m2m_fields=["permissions"])


class ReferenceSequence(models.Model):
    """The last serial handed out for a reference prefix in a year (see `eo_portal.references`).

    A counter, not a record of anything: it has no history of its own, since each reference it
    hands out is in the history of the object that carries it.
    """

    prefix = models.CharField(max_length=10)
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="reference_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_value}"


class MandateStatus(models.TextChoices):
    """Stored statuses; "overdue" is derived from the due date, never stored."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DELIVERED = "delivered", "Delivered"


def validate_portal_path(value: str) -> None:
    if value and (not value.startswith("/") or value.startswith("//")):
        raise ValidationError("Give the path of a page of this portal, starting with /.", code="not_portal_path")


class Mandate(models.Model):
    """An action the order requires of agencies, and whether it has been delivered."""

    code = models.SlugField(max_length=60, unique=True, help_text="A stable name for the mandate.")
    section = models.CharField(max_length=200, help_text="The part of the order that requires it.")
    action = models.TextField(help_text="What the order requires.")
    responsible_agencies = models.ManyToManyField(Organisation, related_name="mandates_led")
    supporting_agencies = models.ManyToManyField(Organisation, related_name="mandates_supported", blank=True)
    days_after_signing = models.PositiveIntegerField(
        null=True, blank=True, help_text="Calendar days from signing; empty where the order's text gives no deadline."
    )
    status = models.CharField(max_length=15, choices=MandateStatus.choices, default=MandateStatus.NOT_STARTED)
    evidence_path = models.CharField(
        max_length=300, blank=True, default="", validators=[validate_portal_path],
        help_text="The portal page that delivers it, e.g. /reviews/ or /workforce/pathways/.",
    )
    evidence_label = models.CharField(max_length=200, blank=True, default="")
    notes = models.TextField(blank=True, default="", validators=[refuse_classification_markings])
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[responsible_agencies, supporting_agencies])

    class Meta:
        ordering = [models.F("days_after_signing").asc(nulls_last=True), "code"]

    def __str__(self) -> str:
        return self.section

    def clean(self) -> None:
        if self.status == MandateStatus.DELIVERED and not self.evidence_path:
            raise ValidationError({"evidence_path": "Point to the portal page that delivers the mandate."})

    @property
    def due_date(self) -> date | None:
        if self.days_after_signing is None:
            return None
        return deadlines.add_calendar_days(settings.EO_SIGNED_DATE, self.days_after_signing)

    @property
    def is_overdue(self) -> bool:
        return (
            self.status != MandateStatus.DELIVERED and self.due_date is not None and deadlines.today() > self.due_date
        )

    @property
    def status_label(self) -> str:
        return "Overdue" if self.is_overdue else self.get_status_display()


class MandateReminder(models.Model):
    """A reminder sent for a mandate so many days before its due date; once each."""

    mandate = models.ForeignKey(Mandate, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mandate", "days_before"], name="mandate_reminder_once")]


class SignInEventKind(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in with password"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in refused"
    LOCKED_OUT = "locked_out", "Locked out"
    MFA_ENROLLED = "mfa_enrolled", "Authenticator app added"
    MFA_VERIFIED = "mfa_verified", "Authenticator code accepted"
    MFA_FAILED = "mfa_failed", "Authenticator code refused"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    SIGNED_OUT = "signed_out", "Signed out"


class SignInEvent(models.Model):
    """One sign-in, refusal, lock, authenticator step, password change or sign-out (NIST SP 800-53
    AU-2, AU-3): when, who, from where, what happened and how it ended.

    Append-only like the history tables (eo_portal/append_only.py honours `append_only`): nobody
    changes or removes a row. An account with rows cannot be deleted either (PROTECT): deactivate it.
    Written only by eo_portal/sign_in_audit.py.
    """

    append_only = True

    at = models.DateTimeField(db_index=True, help_text="When it happened (stored in UTC).")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sign_in_events",
        help_text="The account, when the user name given belongs to one.",
    )
    username = models.CharField(max_length=150, blank=True, help_text="The user name given or signed in with.")
    address = models.GenericIPAddressField(null=True, blank=True, help_text="The client's IP address.")
    user_agent = models.CharField(max_length=255, blank=True)
    event = models.CharField(max_length=20, choices=SignInEventKind.choices)
    outcome = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"], name="sign_in_event_user_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '?'}: {self.get_event_display()}"
