"""Forms of the AI cybersecurity grants program's pages.

They show and check input; every change is made by `grants.services`, whose validation errors
the views put back on these forms' fields (`eo_portal.forms.add_service_error`). Money is read by
`forms.DecimalField`, so it reaches the services as `Decimal`, never as float. A closing time typed
into a `datetime-local` control is read as US Eastern time, the time the portal shows.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from eo_portal.deadlines import EASTERN
from eo_portal.forms import UswdsForm
from grants import selectors
from grants.models import (
    ApplicantType,
    Application,
    BudgetObjectClass,
    ContactRole,
    FundingInstrument,
    Opportunity,
    cents,
)
from grants.workflow import OpportunityStatus

CRITERIA_ROWS = 5
MAX_MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}
PERCENT = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal("0"), "max_value": Decimal("100")}
SORT_CHOICES = [("close", "Closing date (soonest first)"), ("posted", "Posted date (newest first)")]

# The search's query parameters, in the order the page shows them, with the names people read.
SEARCH_LABELS = {
    "keyword": "Keywords",
    "agency": "Awarding agency",
    "eligibility": "Eligible applicants",
    "status": "Opportunity status",
    "closing_within": "Closing within (days)",
    "sort": "Sort by",
}


def _date_input() -> forms.DateInput:
    # A native date control: works without JavaScript and submits YYYY-MM-DD.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _style(form: forms.BaseForm) -> None:
    """The U.S. Web Design System classes for fields added after `UswdsForm.__init__` ran."""
    for field in form.fields.values():
        widget = field.widget
        kinds = {forms.CheckboxSelectMultiple: "usa-checkbox__input", **UswdsForm.widget_classes}
        css = next((c for kind, c in kinds.items() if isinstance(widget, kind)), "usa-input")
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            widget.attrs["class"] = " ".join([*classes, css])


def _money(label: str, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, **MAX_MONEY, **kwargs)


class BudgetField(forms.Field):
    """The budget as a whole; it takes no input. Its error (the lines do not add up) is shown at the
    budget's fieldset, where each line points at it."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(label="Budget", required=False, **kwargs)

    def clean(self, value: Any) -> None:
        return None


def _percent(label: str, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, **PERCENT, **kwargs)


class EasternDateTimeField(forms.DateTimeField):
    """A `datetime-local` control read and shown in US Eastern time, whatever the server's zone."""

    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime) and timezone.is_aware(value):
            return value.astimezone(EASTERN).replace(tzinfo=None)
        return value

    def to_python(self, value: Any) -> datetime | None:
        with timezone.override(EASTERN):
            return super().to_python(value)

    def has_changed(self, initial: Any, data: Any) -> bool:
        # The control shows minutes: a stored time with seconds is unchanged if the minute is the same.
        try:
            new = self.to_python(data)
        except ValidationError:
            return True
        if not isinstance(initial, datetime) or new is None:
            return initial != new
        return initial.replace(second=0, microsecond=0) != new.replace(second=0, microsecond=0)


# ---------------------------------------------------------------------------
# The public search


class OpportunitySearchForm(UswdsForm, forms.Form):
    """The search's controls only. Their values are checked by `selectors.search_from`, the same
    reader saved searches use, and its errors are put back on these fields."""

    keyword = forms.CharField(
        label=SEARCH_LABELS["keyword"],
        required=False,
        max_length=200,
        help_text="Words in the title or description, an opportunity number or an assistance listing number.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    agency = forms.CharField(label=SEARCH_LABELS["agency"], required=False, widget=forms.Select)
    eligibility = forms.CharField(
        label=SEARCH_LABELS["eligibility"],
        required=False,
        widget=forms.Select(choices=[("", "Any applicant type"), *ApplicantType.choices]),
    )
    status = forms.CharField(
        label=SEARCH_LABELS["status"],
        required=False,
        widget=forms.Select(choices=[("", "Any status"), *OpportunityStatus.choices]),
    )
    closing_within = forms.CharField(
        label=SEARCH_LABELS["closing_within"],
        required=False,
        max_length=5,
        help_text="Posted opportunities that close within this many days, e.g. 30.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "usa-input--small"}),
    )
    sort = forms.CharField(label=SEARCH_LABELS["sort"], required=False, widget=forms.Select(choices=SORT_CHOICES))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].widget.choices = [
            ("", "Any agency"),
            *selectors.opportunity_agencies().values_list("slug", "name"),
        ]


class SaveSearchForm(UswdsForm, forms.Form):
    name = forms.CharField(
        label="Name of this search",
        max_length=100,
        help_text="We e-mail you when a newly posted opportunity matches it.",
    )


# ---------------------------------------------------------------------------
# Opportunities


class OpportunityForm(UswdsForm, forms.Form):
    """Every field of an opportunity and up to five review criteria. The service checks the whole
    opportunity (floor and ceiling, weights adding up to 100) and its errors come back here."""

    opportunity_number = forms.CharField(
        label="Funding opportunity number", max_length=40, help_text="Capital letters, digits and hyphens, e.g. OMB-AICS-2027-001."
    )
    title = forms.CharField(label="Title", max_length=250)
    awarding_agency = forms.ChoiceField(label="Awarding agency")
    assistance_listing = forms.CharField(
        label="Assistance listing number", max_length=6, help_text="The form NN.NNN, e.g. 97.137."
    )
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 6}))
    eligible_types = forms.MultipleChoiceField(
        label="Eligible applicants",
        choices=ApplicantType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="As Grants.gov names them; choose at least one.",
    )
    funding_instrument = forms.ChoiceField(
        label="Funding instrument", choices=[("", "Choose an instrument"), *FundingInstrument.choices]
    )
    award_floor = _money("Award floor (US dollars)")
    award_ceiling = _money("Award ceiling (US dollars)")
    expected_awards = forms.IntegerField(label="Expected number of awards", min_value=1)
    total_funding = _money("Total program funding (US dollars)")
    cost_share_percent = _percent(
        "Cost share required (percent of total project cost)", required=False, help_text="Leave empty for none."
    )
    pass_through_percent = _percent(
        "Pass-through to local governments (percent of the award)",
        required=False,
        help_text="For programs whose state recipients must pass money on, e.g. 80.",
    )
    rural_percent = _percent(
        "Of which to rural areas (percent of the pass-through)", required=False, help_text="e.g. 25."
    )
    close_at = EasternDateTimeField(
        label="Closes (US Eastern time)", help_text="Date and time in US Eastern time (EST or EDT as the date falls)."
    )

    def __init__(self, *args: Any, agencies: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agencies is None:
            # An existing opportunity keeps its awarding agency.
            del self.fields["awarding_agency"]
        else:
            self.fields["awarding_agency"].choices = [("", "Choose the agency"), *[(a.slug, a.name) for a in agencies]]
            if len(agencies) == 1:
                self.fields["awarding_agency"].initial = agencies[0].slug
        for number in range(1, CRITERIA_ROWS + 1):
            self.fields[f"criterion_{number}_name"] = forms.CharField(label="Name", max_length=200, required=False)
            self.fields[f"criterion_{number}_weight"] = forms.IntegerField(
                label="Weight (points of 100)", min_value=1, max_value=100, required=False
            )
            self.fields[f"criterion_{number}_description"] = forms.CharField(
                label="What reviewers look for", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        self.fields["eligible_types"].widget.attrs["class"] = ""
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField):
                field.widget.attrs.setdefault("inputmode", "decimal")
        _style(self)

    # The page shows the fields in groups; each is a list of bound fields for eo_portal/_fields.html.
    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("criterion_")]

    def criteria_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [
            (number, [self[f"criterion_{number}_{part}"] for part in ("name", "weight", "description")])
            for number in range(1, CRITERIA_ROWS + 1)
        ]

    def clean_cost_share_percent(self) -> Decimal:
        value = self.cleaned_data.get("cost_share_percent")
        return Decimal("0") if value is None else value

    def clean(self) -> dict:
        data = super().clean()
        for number in range(1, CRITERIA_ROWS + 1):
            name = data.get(f"criterion_{number}_name")
            weight = data.get(f"criterion_{number}_weight")
            description = data.get(f"criterion_{number}_description")
            if name and weight is None and not self.has_error(f"criterion_{number}_weight"):
                self.add_error(f"criterion_{number}_weight", f"Give criterion {number} a weight from 1 to 100.")
            if not name and (weight is not None or description):
                self.add_error(f"criterion_{number}_name", f"Name criterion {number}, or clear its other fields.")
        return data

    def criteria(self) -> list[tuple[str, int, str]]:
        data = self.cleaned_data
        return [
            (data[f"criterion_{n}_name"], data[f"criterion_{n}_weight"], data[f"criterion_{n}_description"])
            for n in range(1, CRITERIA_ROWS + 1)
            if data.get(f"criterion_{n}_name")
        ]

    @staticmethod
    def initial_for(opportunity: Opportunity) -> dict[str, Any]:
        from grants.services import OPPORTUNITY_FIELDS

        initial = {name: getattr(opportunity, name) for name in OPPORTUNITY_FIELDS}
        for number, criterion in enumerate(opportunity.criteria.all(), start=1):
            initial[f"criterion_{number}_name"] = criterion.name
            initial[f"criterion_{number}_weight"] = criterion.weight
            initial[f"criterion_{number}_description"] = criterion.description
        return initial

    @staticmethod
    def criteria_of(opportunity: Opportunity) -> list[tuple[str, int, str]]:
        return [(c.name, c.weight, c.description) for c in opportunity.criteria.all()]


class AmendmentForm(OpportunityForm):
    summary = forms.CharField(
        label="What the amendment changes",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent to every organisation with a draft or submitted application, and kept with the opportunity.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The summary comes first: it is what the applicants read.
        self.fields = {"summary": self.fields.pop("summary"), **self.fields}


class AttachmentForm(UswdsForm, forms.Form):
    title = forms.CharField(label="Title", max_length=200, required=False)
    file = forms.FileField(
        label="PDF file",
        help_text="A PDF file.",
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


# ---------------------------------------------------------------------------
# Applications (SF-424 and SF-424A, in short)


class ApplicationForm(UswdsForm, forms.Form):
    """The application: the project, its budget by SF-424A object class, and its contacts. A draft
    may be incomplete; what a submission needs is checked by `services.submit_application`."""

    applicant = forms.TypedChoiceField(label="Applying organisation", coerce=int)
    project_title = forms.CharField(label="Project title", max_length=250)
    abstract = forms.CharField(label="Project abstract", widget=forms.Textarea(attrs={"rows": 6}))
    period_start = forms.DateField(label="Period of performance starts", widget=_date_input())
    period_end = forms.DateField(label="Period of performance ends", widget=_date_input())
    requested_amount = _money("Federal funds requested (US dollars)")
    cost_share = _money(
        "Cost share (US dollars)", required=False, help_text="Your own contribution; leave empty for none."
    )

    def __init__(self, *args: Any, organisations: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:
            # An existing application keeps its applicant.
            del self.fields["applicant"]
        else:
            self.fields["applicant"].choices = [(o.pk, o.name) for o in organisations]
            if len(organisations) == 1:
                self.fields["applicant"].initial = organisations[0].pk
        for value, label in BudgetObjectClass.choices:
            self.fields[f"budget_{value}"] = _money(str(label), required=False)
        self.fields["budget"] = BudgetField()
        for role in ContactRole.values:
            self.fields[f"{role}_name"] = forms.CharField(
                label="Name", max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
            )
            self.fields[f"{role}_email"] = forms.EmailField(
                label="E-mail address", required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
            )
            self.fields[f"{role}_phone"] = forms.CharField(
                label="Phone", max_length=30, required=False, widget=forms.TextInput(attrs={"type": "tel"})
            )
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField):
                field.widget.attrs.setdefault("inputmode", "decimal")
        _style(self)

    def project_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in self.fields
            if name != "budget" and not name.startswith(("budget_", *ContactRole.values))
        ]

    def budget_fields(self) -> list[forms.BoundField]:
        return [self[f"budget_{value}"] for value in BudgetObjectClass.values]

    def contact_groups(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        return [
            (role, str(label), [self[f"{role}_{part}"] for part in ("name", "email", "phone")])
            for role, label in ContactRole.choices
        ]

    def clean_cost_share(self) -> Decimal:
        value = self.cleaned_data.get("cost_share")
        return Decimal("0") if value is None else value

    def clean(self) -> dict:
        data = super().clean()
        for role, label in ContactRole.choices:
            given = [data.get(f"{role}_{part}") for part in ("name", "email", "phone")]
            if any(given):
                for part, what in (("name", "name"), ("email", "e-mail address")):
                    if not data.get(f"{role}_{part}") and not self.has_error(f"{role}_{part}"):
                        self.add_error(f"{role}_{part}", f"Give the {str(label).lower()}'s {what}, or clear this contact.")
        self._check_budget_adds_up(data)
        return data

    def _check_budget_adds_up(self, data: dict) -> None:
        """A budget, once given, adds up to the federal funds requested plus the cost share, as a
        submission requires; saying so here, at the budget's fields, spares the applicant finding
        out only when submitting. A draft with no budget lines yet is left alone."""
        names = [f"budget_{value}" for value in BudgetObjectClass.values]
        amounts = [data[name] for name in names if data.get(name) is not None]
        if not amounts or any(self.has_error(name) for name in ("requested_amount", "cost_share", *names)):
            return
        budgeted = cents(sum(amounts, Decimal("0")))
        total = cents(data["requested_amount"] + data["cost_share"])
        if budgeted == total:
            return
        self.add_error(
            "budget",
            f"The budget lines add up to ${budgeted:,}; they must equal the federal funds requested plus the "
            f"cost share, ${total:,}.",
        )
        # Every line is part of the error: each is marked invalid and points at the message.
        for name in names:
            self.fields[name].widget.attrs |= {
                "aria-invalid": "true",
                "aria-describedby": f"{self['budget'].auto_id}_error",
            }

    def fields_for_service(self) -> dict[str, Any]:
        from grants.services import APPLICATION_FIELDS

        return {name: self.cleaned_data[name] for name in APPLICATION_FIELDS}

    def budget_lines(self) -> list[tuple[str, Decimal]]:
        return [
            (value, self.cleaned_data[f"budget_{value}"])
            for value in BudgetObjectClass.values
            if self.cleaned_data.get(f"budget_{value}") is not None
        ]

    def contacts(self) -> list[dict[str, str]]:
        data = self.cleaned_data
        return [
            {"role": role, "name": data[f"{role}_name"], "email": data[f"{role}_email"], "phone": data[f"{role}_phone"]}
            for role in ContactRole.values
            if data.get(f"{role}_name") or data.get(f"{role}_email") or data.get(f"{role}_phone")
        ]

    @staticmethod
    def initial_for(application: Application) -> dict[str, Any]:
        from grants.services import APPLICATION_FIELDS

        initial: dict[str, Any] = {name: getattr(application, name) for name in APPLICATION_FIELDS}
        for line in application.budget_lines.all():
            initial[f"budget_{line.object_class}"] = line.amount
        for contact in application.contacts.all():
            initial |= {
                f"{contact.role}_name": contact.name,
                f"{contact.role}_email": contact.email,
                f"{contact.role}_phone": contact.phone,
            }
        return initial


class AssignReviewerForm(UswdsForm, forms.Form):
    reviewer = forms.ModelChoiceField(
        label="Reviewer",
        queryset=None,
        empty_label="Choose a reviewer",
        help_text="Federal staff who are not with the applicant. They see the application only after attesting "
        "that they have no conflict of interest.",
    )

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        field.queryset = selectors.reviewer_candidates(application)
        field.label_from_instance = lambda user: (
            f"{user.get_full_name()} ({user.get_username()})" if user.get_full_name() else user.get_username()
        )


class AwardForm(UswdsForm, forms.Form):
    amount = _money("Award amount (US dollars)")
    award_number = forms.CharField(label="Award number", max_length=40)
    award_date = forms.DateField(
        label="Award date", required=False, widget=_date_input(), help_text="Leave empty for today."
    )


class DeclineForm(UswdsForm, forms.Form):
    note = forms.CharField(
        label="Note to the applicant",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent to the applicant with the decision.",
    )


class SubawardForm(UswdsForm, forms.Form):
    recipient = forms.ModelChoiceField(label="Recipient", queryset=None, empty_label="Choose a local or tribal government")
    amount = _money("Amount (US dollars)")
    purpose = forms.CharField(label="Purpose", max_length=250)
    subaward_date = forms.DateField(
        label="Subaward date", required=False, widget=_date_input(), help_text="Leave empty for today."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = selectors.pass_through_recipients()


# ---------------------------------------------------------------------------
# Reviews


class AttestForm(UswdsForm, forms.Form):
    no_conflict = forms.BooleanField(
        label="I have no conflict of interest with this applicant or this application: no financial, "
        "employment, family or other interest in its outcome.",
        error_messages={"required": "Tick the box to attest that you have no conflict of interest."},
    )


class ScoreForm(UswdsForm, forms.Form):
    """One whole-number score from 0 to 100 per criterion (`criterion_<number>`) and a comment."""

    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Seen by grant staff, never by the applicant.",
    )

    def __init__(self, *args: Any, criteria: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = {}
        for criterion in criteria:
            field = forms.IntegerField(
                label=f"{criterion.name} (weight {criterion.weight})",
                min_value=0,
                max_value=100,
                help_text=criterion.description or "A whole number from 0 to 100.",
            )
            field.widget.attrs["class"] = "usa-input--small"
            fields[f"criterion_{criterion.number}"] = field
        self.fields = {**fields, **self.fields}
        self.criteria = criteria
        _style(self)

    def scores(self) -> dict[int, int]:
        return {c.number: self.cleaned_data[f"criterion_{c.number}"] for c in self.criteria}
