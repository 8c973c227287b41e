"""Forms of the AI cybersecurity clearinghouse program's pages.

They show and check input; every change is made by `clearinghouse.services`, whose validation
errors the views put back on these forms' fields (`eo_portal.forms.add_service_error`).

A repeated group (an advisory's remediations, a report's affected products, a directive's
required actions) is a few numbered rows of plain fields, so the pages need no JavaScript. The
group also has a field of its own name that takes no input: it is where a service's message
about the group as a whole ("products", "remediations", "required_actions") lands, and the
page shows it at the group's fieldset. A row left blank is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from clearinghouse import selectors
from clearinghouse.models import (
    DIRECTIVE_KINDS_FOR,
    RECIPIENT_KINDS,
    Advisory,
    AffectedProduct,
    Directive,
    DirectiveKind,
    RemediationCategory,
    Source,
    Tlp,
    Vulnerability,
    VulnerabilityReport,
)
from clearinghouse.priority import Exploitation, MissionImpact, TechnicalImpact
from clearinghouse.workflow import (
    VULNERABILITY_MOVES,
    AdvisoryStatus,
    ComplianceStatus,
    DeliveryStatus,
    VulnerabilityStatus,
)
from eo_portal.deadlines import EASTERN
from eo_portal.forms import UswdsForm
from eo_portal.models import OrganisationKind, Sector

YES_NO_UNKNOWN = [("", "Not known yet"), ("yes", "Yes"), ("no", "No")]
YES_NO = [("", "Choose yes or no"), ("yes", "Yes"), ("no", "No")]
ANSWER = {"yes": True, "no": False}
ANSWERED = {True: "yes", False: "no", None: ""}


def _date_input() -> forms.DateInput:
    # A native date control: works without JavaScript and submits YYYY-MM-DD.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _kind_choices(kinds) -> list[tuple[str, str]]:
    return [(kind, OrganisationKind(kind).label) for kind in kinds]


def _organisation_field(organisations, label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, coerce=int, choices=[("", "Choose an organisation"), *[(o.pk, o.name) for o in organisations]]
    )


class PortalForm(UswdsForm, forms.Form):
    """UswdsForm, also for fields added after it ran and for checkbox lists, which it does not know."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs["class"] = "usa-checkbox__input"
            elif not widget.attrs.get("class"):
                kinds = self.widget_classes.items()
                widget.attrs["class"] = next((css for kind, css in kinds if isinstance(widget, kind)), "usa-input")


class EasternDateTimeField(forms.DateTimeField):
    """A date and time typed and shown in US Eastern time, whatever the server's zone (rule 5 of DESIGN.md)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime) and timezone.is_aware(value):
            return value.astimezone(EASTERN).replace(tzinfo=None)
        return value

    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        return timezone.make_naive(parsed).replace(tzinfo=EASTERN)


class YesNoField(forms.TypedChoiceField):
    """Yes, no, or (when not required) not known yet: True, False or None."""

    def __init__(self, *, unknown: bool = True, **kwargs):
        super().__init__(
            choices=YES_NO_UNKNOWN if unknown else YES_NO,
            coerce=ANSWER.__getitem__,
            empty_value=None,
            required=not unknown,
            **kwargs,
        )


class RowsField(forms.Field):
    """The name of a group of numbered rows; it takes no input (see the module's docstring)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def clean(self, value: Any) -> None:
        return None


@dataclass(frozen=True)
class RowGroup:
    name: str
    legend: str
    row_legend: str
    parts: tuple[str, ...]
    help_text: str = ""


@dataclass
class BoundRowGroup:
    group: RowGroup
    errors: list
    rows: list[tuple[int, list[forms.BoundField]]]


class RowsForm(PortalForm):
    """A form with numbered row groups; `cleaned_data[group]` is the list of rows filled in."""

    row_groups: tuple[RowGroup, ...] = ()

    def __init__(self, *args, rows: dict[str, int] | None = None, **kwargs):
        self.row_counts = rows or {}
        super().__init__(*args, **kwargs)
        for group in self.row_groups:
            self.fields[group.name] = RowsField(label=group.legend)
            for number in range(1, self.rows_of(group) + 1):
                for part in group.parts:
                    # Each row is a fieldset with its own legend ("Product 2"), so labels stay short.
                    self.fields[self.row_name(group.name, number, part)] = self.row_field(group.name, part)
        self.style()

    def rows_of(self, group: RowGroup) -> int:
        return self.row_counts.get(group.name, 3)

    @staticmethod
    def row_name(group: str, number: int, part: str) -> str:
        return f"{group}_{number}_{part}"

    def row_field(self, group: str, part: str) -> forms.Field:
        raise NotImplementedError

    def _row_names(self) -> set[str]:
        names = set()
        for group in self.row_groups:
            names.add(group.name)
            for number in range(1, self.rows_of(group) + 1):
                names |= {self.row_name(group.name, number, part) for part in group.parts}
        return names

    def plain_fields(self) -> list[forms.BoundField]:
        """The fields outside the row groups, for `eo_portal/_fields.html`."""
        grouped = self._row_names()
        return [self[name] for name in self.fields if name not in grouped]

    def groups(self) -> list[BoundRowGroup]:
        return [
            BoundRowGroup(
                group=group,
                errors=self[group.name].errors,
                rows=[
                    (number, [self[self.row_name(group.name, number, part)] for part in group.parts])
                    for number in range(1, self.rows_of(group) + 1)
                ],
            )
            for group in self.row_groups
        ]

    def clean(self) -> dict:
        data = super().clean()
        for group in self.row_groups:
            rows = []
            for number in range(1, self.rows_of(group) + 1):
                row = {part: data.get(self.row_name(group.name, number, part)) for part in group.parts}
                if any(value not in (None, "") for value in row.values()):
                    rows.append(row)
            data[group.name] = rows
        return data

    def rows_changed(self, group: str) -> bool:
        prefix = f"{group}_"
        return any(name.startswith(prefix) for name in self.changed_data)


# ---------------------------------------------------------------------------
# Advisories


class AdvisoryFilterForm(PortalForm):
    """The advisory list's filters. A value that does not check out is ignored, with a message."""

    status = forms.ChoiceField(choices=[("", "Any status"), *AdvisoryStatus.choices], required=False)
    tlp = forms.ChoiceField(label="TLP marking", choices=[("", "Any marking"), *Tlp.choices], required=False)
    keyword = forms.CharField(
        label="Words in the title",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.get_username()})" if full_name else obj.get_username()


ADVISORY_FIELDS = ("title", "summary", "tlp", "audience_sectors", "audience_kinds", "release_at")
ADVISORY_RELATIONS = ("vulnerabilities", "named_organisations", "named_people")
REMEDIATIONS = RowGroup(
    name="remediations",
    legend="Remediations",
    row_legend="Remediation",
    parts=("category", "details", "product_scope", "vulnerability"),
    help_text="What recipients should do, in CSAF 2.0's categories. Leave a row empty to skip it.",
)


class AdvisoryForm(RowsForm):
    """A draft advisory, or (with a change summary) a new revision of a published one."""

    row_groups = (REMEDIATIONS,)

    title = Advisory._meta.get_field("title").formfield()
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))
    tlp = forms.ChoiceField(
        label="TLP marking",
        choices=Tlp.choices,
        initial=Tlp.AMBER,
        help_text=(
            "TLP:CLEAR and TLP:GREEN reach the audience of kinds and sectors below; TLP:AMBER and "
            "TLP:AMBER+STRICT the named organisations; TLP:RED the named people only."
        ),
    )
    audience_kinds = forms.MultipleChoiceField(
        label="Audience: kinds of organisation",
        choices=_kind_choices(RECIPIENT_KINDS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="TLP:CLEAR and TLP:GREEN: every organisation of these kinds receives it.",
    )
    audience_sectors = forms.MultipleChoiceField(
        label="Audience: critical-infrastructure sectors",
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="TLP:CLEAR and TLP:GREEN: operators in these sectors receive it.",
    )
    named_organisations = forms.ModelMultipleChoiceField(
        queryset=selectors.organisations_for_audience(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="TLP:AMBER and TLP:AMBER+STRICT (no trusted partners under AMBER+STRICT).",
    )
    named_people = PersonChoiceField(
        queryset=selectors.people_for_audience(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="TLP:RED: only these people receive it.",
    )
    release_at = EasternDateTimeField(
        label="Public release (US Eastern)",
        required=False,
        help_text="Embargo: a TLP:CLEAR advisory is public from this time. Leave empty to release it on publication.",
    )
    vulnerabilities = forms.ModelMultipleChoiceField(
        label="Vulnerabilities covered",
        queryset=selectors.coverable_vulnerabilities(None),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="At least one before it is sent for review.",
    )

    def __init__(self, *args, user=None, **kwargs):
        self._vulnerabilities = selectors.coverable_vulnerabilities(user)
        super().__init__(*args, **kwargs)
        self.fields["named_organisations"].queryset = selectors.organisations_for_audience()
        self.fields["named_people"].queryset = selectors.people_for_audience()
        self.fields["vulnerabilities"].queryset = self._vulnerabilities

    def row_field(self, group: str, part: str) -> forms.Field:
        if part == "category":
            return forms.ChoiceField(
                label="Category", required=False, choices=[("", "Choose a category"), *RemediationCategory.choices]
            )
        if part == "details":
            return forms.CharField(label="Details", required=False, widget=forms.Textarea(attrs={"rows": 3}))
        if part == "product_scope":
            return forms.CharField(
                label="Products or versions it applies to",
                required=False,
                max_length=300,
                help_text="Blank for all.",
            )
        return forms.ModelChoiceField(
            label="Vulnerability",
            queryset=self._vulnerabilities,
            required=False,
            empty_label="Every vulnerability of the advisory",
        )

    @classmethod
    def rows_for(cls, advisory: Advisory | None) -> dict[str, int]:
        # Never fewer rows than the advisory has, so saving the form drops none.
        existing = len(advisory.remediations.all()) if advisory is not None else 0
        return {REMEDIATIONS.name: max(3, existing)}

    @classmethod
    def initial_for(cls, advisory: Advisory) -> dict:
        initial = {name: getattr(advisory, name) for name in ADVISORY_FIELDS}
        initial |= {name: list(getattr(advisory, name).all()) for name in ADVISORY_RELATIONS}
        for number, remediation in enumerate(advisory.remediations.all(), start=1):
            for part in REMEDIATIONS.parts:
                initial[cls.row_name(REMEDIATIONS.name, number, part)] = getattr(remediation, part)
        return initial

    def service_fields(self, *, only_changed: bool = False) -> dict[str, Any]:
        """The keyword arguments of `services.create_advisory` and friends; with `only_changed`,
        what the person changed, so an untouched relation keeps its history quiet."""
        data = self.cleaned_data
        fields: dict[str, Any] = {}
        for name in (*ADVISORY_FIELDS, *ADVISORY_RELATIONS):
            if not only_changed or name in self.changed_data:
                fields[name] = list(data[name]) if name in ADVISORY_RELATIONS else data[name]
        if not only_changed or self.rows_changed(REMEDIATIONS.name):
            fields["remediations"] = [
                {
                    "category": row["category"] or "",
                    "details": row["details"] or "",
                    "product_scope": row["product_scope"] or "",
                    "vulnerability": row["vulnerability"],
                }
                for row in data[REMEDIATIONS.name]
            ]
        return fields


class RevisionForm(AdvisoryForm):
    change_summary = forms.CharField(
        label="What changed in this revision",
        max_length=300,
        help_text="Recipients who already have the advisory are told this.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"change_summary": self.fields.pop("change_summary"), **self.fields}


class WithdrawForm(PortalForm):
    reason = forms.CharField(
        label="Why the advisory is withdrawn",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Its recipients are told.",
    )


class DeliveryReportForm(PortalForm):
    """A recipient's report on an advisory delivered to it; the remediation timeline follows."""

    acknowledge = forms.BooleanField(label="We acknowledge receipt of this advisory", required=False, initial=True)
    in_estate = YesNoField(label="Is an affected product in your estate?")
    exposed = YesNoField(
        label="Is the affected system exposed to the internet?",
        help_text="Asked only when an affected product is in your estate.",
    )
    status = forms.ChoiceField(label="Remediation status", choices=DeliveryStatus.choices)
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen by your organisation and the clearinghouse.",
    )

    def __init__(self, *args, acknowledged: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if acknowledged:
            del self.fields["acknowledge"]

    @staticmethod
    def initial_for(delivery) -> dict:
        return {
            "in_estate": ANSWERED[delivery.in_estate],
            "exposed": ANSWERED[delivery.exposed],
            "status": delivery.status,
            "note": delivery.note,
        }


# ---------------------------------------------------------------------------
# Vulnerabilities


def _vulnerability_field(name: str, **kwargs) -> forms.Field:
    return Vulnerability._meta.get_field(name).formfield(**kwargs)


PRODUCTS = RowGroup(
    name="products",
    legend="Affected products",
    row_legend="Product",
    parts=("vendor", "product", "version_start", "version_end", "fixed_version"),
    help_text="At least one: the vendor and the product, with the affected versions if known.",
)
CWE_SPLIT = re.compile(r"[,\s]+")


class VulnerabilityReportForm(RowsForm):
    """A report of a flaw. A CVE ID already on record adds this report to that vulnerability."""

    row_groups = (PRODUCTS,)

    source = forms.ChoiceField(label="How it was found", choices=[("", "Choose a source"), *Source.choices])
    credit = VulnerabilityReport._meta.get_field("credit").formfield(
        required=False, help_text="How you wish to be credited; blank for your organisation's name."
    )
    title = _vulnerability_field("title")
    description = _vulnerability_field("description", widget=forms.Textarea(attrs={"rows": 6}))
    cve_id = _vulnerability_field("cve_id", help_text="If one is assigned, for example CVE-2026-12345.")
    cwe_ids = forms.CharField(
        label="CWE IDs",
        required=False,
        help_text="Separated by commas, for example CWE-79, CWE-89.",
    )
    cvss_vector = _vulnerability_field(
        "cvss_vector", help_text="A CVSS 3.1 or 4.0 base vector, starting “CVSS:3.1/” or “CVSS:4.0/”."
    )
    known_exploited = forms.BooleanField(label="Known to be exploited in the wild", required=False)
    known_exploited_date = forms.DateField(label="Date exploitation became known", required=False, widget=_date_input())

    def __init__(self, *args, organisations=(), **kwargs):
        self._organisations = {o.pk: o for o in organisations}
        super().__init__(*args, **kwargs)
        if len(self._organisations) > 1:
            field = _organisation_field(organisations, "Reporting organisation")
            self.fields = {"organisation": field, **self.fields}
            self.style()

    def row_field(self, group: str, part: str) -> forms.Field:
        return AffectedProduct._meta.get_field(part).formfield(required=False)

    def clean_cwe_ids(self) -> list[str]:
        return [cwe for cwe in CWE_SPLIT.split(self.cleaned_data["cwe_ids"].upper()) if cwe]

    def organisation(self):
        if "organisation" in self.fields:
            return self._organisations[self.cleaned_data["organisation"]]
        return next(iter(self._organisations.values()))

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "organisation": self.organisation(),
            "source": data["source"],
            "credit": data["credit"],
            "products": [{part: value or "" for part, value in row.items()} for row in data[PRODUCTS.name]],
            "title": data["title"],
            "description": data["description"],
            "cve_id": data["cve_id"],
            "cwe_ids": data["cwe_ids"],
            "cvss_vector": data["cvss_vector"],
            "known_exploited": data["known_exploited"],
            "known_exploited_date": data["known_exploited_date"],
        }


class TriageForm(PortalForm):
    """SSVC's decision points; CISA's coordinator table gives the decision."""

    exploitation = forms.ChoiceField(choices=[("", "Choose"), *Exploitation.choices])
    automatable = YesNoField(
        label="Automatable",
        unknown=False,
        help_text="Can an attacker exploit it at scale without a person in the loop?",
    )
    technical_impact = forms.ChoiceField(choices=[("", "Choose"), *TechnicalImpact.choices])
    mission_impact = forms.ChoiceField(
        label="Mission and well-being impact", choices=[("", "Choose"), *MissionImpact.choices]
    )
    remediation_due = forms.DateField(label="Remediation due date", required=False, widget=_date_input())
    required_action = forms.CharField(
        label="Required action",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the vendor's users must do.",
    )

    @staticmethod
    def initial_for(vulnerability: Vulnerability) -> dict:
        return {
            "exploitation": vulnerability.exploitation,
            "automatable": ANSWERED[vulnerability.automatable],
            "technical_impact": vulnerability.technical_impact,
            "mission_impact": vulnerability.mission_impact,
            "remediation_due": vulnerability.remediation_due,
            "required_action": vulnerability.required_action,
        }


class VulnerabilityMoveForm(PortalForm):
    """Only the moves the state table allows from the current status are offered."""

    status = forms.ChoiceField(label="New status")

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", "Choose a status"),
            *[(s, VulnerabilityStatus(s).label) for s in VULNERABILITY_MOVES.get(current, ())],
        ]


# ---------------------------------------------------------------------------
# Directives


REQUIRED_ACTIONS = RowGroup(
    name="required_actions",
    legend="Required actions",
    row_legend="Action",
    parts=("text", "due_in_days"),
    help_text="At least one. Each is due that many calendar days after the directive is issued.",
)
DIRECTIVE_FIELDS = ("identifier", "kind", "title", "summary", "applicable_kinds")
DIRECTIVE_KINDS = list(dict.fromkeys(kind for kinds in DIRECTIVE_KINDS_FOR.values() for kind in kinds))


class DirectiveForm(RowsForm):
    row_groups = (REQUIRED_ACTIONS,)

    identifier = Directive._meta.get_field("identifier").formfield(
        help_text="BOD 27-01 (binding operational directive), ED 27-01 (emergency directive) or CG 27-01 (guidance)."
    )
    kind = forms.ChoiceField(choices=[("", "Choose a kind"), *DirectiveKind.choices])
    title = Directive._meta.get_field("title").formfield()
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))
    applicable_kinds = forms.MultipleChoiceField(
        label="Applies to",
        choices=_kind_choices(DIRECTIVE_KINDS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Binding and emergency directives bind federal agencies; guidance speaks to the others.",
    )

    def rows_of(self, group: RowGroup) -> int:
        return self.row_counts.get(group.name, 5)

    def row_field(self, group: str, part: str) -> forms.Field:
        if part == "text":
            return forms.CharField(label="Action", required=False, widget=forms.Textarea(attrs={"rows": 2}))
        return forms.IntegerField(label="Due (calendar days after issue)", required=False, min_value=1, max_value=3650)

    @classmethod
    def rows_for(cls, directive: Directive | None) -> dict[str, int]:
        existing = len(directive.required_actions.all()) if directive is not None else 0
        return {REQUIRED_ACTIONS.name: max(5, existing)}

    @classmethod
    def initial_for(cls, directive: Directive) -> dict:
        initial = {name: getattr(directive, name) for name in DIRECTIVE_FIELDS}
        for action in directive.required_actions.all():
            initial[cls.row_name(REQUIRED_ACTIONS.name, action.number, "text")] = action.text
            initial[cls.row_name(REQUIRED_ACTIONS.name, action.number, "due_in_days")] = action.due_in_days
        return initial

    def service_fields(self, *, only_changed: bool = False) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data[name] for name in DIRECTIVE_FIELDS if not only_changed or name in self.changed_data}
        if not only_changed or self.rows_changed(REQUIRED_ACTIONS.name):
            fields["required_actions"] = [
                (row["text"] or "", row["due_in_days"]) for row in data[REQUIRED_ACTIONS.name]
            ]
        return fields


class ComplianceReportForm(PortalForm):
    """An organisation's report on one required action; a later report replaces it."""

    status = forms.ChoiceField(choices=ComplianceStatus.choices)
    completed_on = forms.DateField(
        label="Completed on", required=False, widget=_date_input(), help_text="Only for a completed action."
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organisations=(), **kwargs):
        self._organisations = {o.pk: o for o in organisations}
        super().__init__(*args, **kwargs)
        if len(self._organisations) > 1:
            self.fields = {
                "organisation": _organisation_field(organisations, "Reporting for"),
                **self.fields,
            }
            self.style()

    def organisation(self):
        if "organisation" in self.fields:
            return self._organisations[self.cleaned_data["organisation"]]
        return next(iter(self._organisations.values()))


# ---------------------------------------------------------------------------
# Defensive tools


class ToolRequestForm(PortalForm):
    justification = forms.CharField(label="What you would use it for", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, organisations=(), **kwargs):
        self._organisations = {o.pk: o for o in organisations}
        super().__init__(*args, **kwargs)
        if len(self._organisations) > 1:
            self.fields = {
                "organisation": _organisation_field(organisations, "Requesting organisation"),
                **self.fields,
            }
            self.style()

    def organisation(self):
        if "organisation" in self.fields:
            return self._organisations[self.cleaned_data["organisation"]]
        return next(iter(self._organisations.values()))


class ToolDecisionForm(PortalForm):
    decision_note = forms.CharField(
        label="Note to the requesting organisation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you decline.",
    )
