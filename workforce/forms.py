"""Forms of the Tech Force cyber hiring program's pages.

They show and check input; every change is made by `workforce.services`, whose validation
errors the views put back on these forms' fields (`eo_portal.forms.add_service_error`). The
search form only draws the controls: the search reads its filters with `selectors.filters_from`,
the same reader the API and saved searches use.
"""

from __future__ import annotations

import re

from django import forms

from eo_portal.forms import UswdsForm
from workforce import selectors
from workforce.models import (
    ApplicantProfile,
    Application,
    Clearance,
    HiringPath,
    OccupationalSeries,
    Opening,
    Placement,
    SavedSearch,
)
from workforce.services import OPENING_FIELDS
from workforce.workflow import AGENCY_MOVES, STAGE_MOVES, ApplicationStatus, Stage

LOCATION_LINE = re.compile(r"^(?P<city>[^,]+),\s*(?P<state>[A-Za-z]{2})$")

SORT_CHOICES = [
    ("close_date", "Closing date (soonest first)"),
    ("salary", "Salary (highest first)"),
    ("posted", "Posting date (newest first)"),
]

# The search's query parameters, in the order the page shows them, with the names people read.
FILTER_LABELS = {
    "keyword": "Keywords",
    "series": "Occupational series",
    "grade": "Grade",
    "minimum_salary": "Minimum salary",
    "state": "State",
    "remote": "Remote",
    "clearance": "Security clearance",
    "pathway": "Pathway",
    "agency": "Hiring agency",
    "hiring_path": "Who may apply",
    "work_role": "NICE work role",
    "open_now": "Open now",
    "sort": "Sort by",
}


def _date_input() -> forms.DateInput:
    # A native date control: works without JavaScript and submits YYYY-MM-DD.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OpeningSearchForm(UswdsForm, forms.Form):
    """The job search's controls, filled in from the filters that checked out."""

    keyword = forms.CharField(
        label=FILTER_LABELS["keyword"],
        required=False,
        max_length=200,
        help_text="Words in the title, duties or qualifications.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    series = forms.ChoiceField(
        label=FILTER_LABELS["series"], required=False, choices=[("", "Any series"), *OccupationalSeries.choices]
    )
    grade = forms.TypedChoiceField(
        label=FILTER_LABELS["grade"],
        required=False,
        coerce=int,
        choices=[("", "Any grade"), *[(str(n), f"GS-{n}") for n in range(1, 16)]],
        help_text="Openings whose grade range includes this grade.",
    )
    minimum_salary = forms.IntegerField(
        label="Minimum salary (US dollars per year)",
        required=False,
        min_value=0,
        max_value=1_000_000,
        help_text="Openings that pay at least this much at the top of their range.",
    )
    state = forms.CharField(
        label=FILTER_LABELS["state"],
        required=False,
        max_length=2,
        help_text="Two-letter postal code, e.g. VA.",
        widget=forms.TextInput(attrs={"class": "usa-input--small", "autocomplete": "off"}),
    )
    remote = forms.ChoiceField(
        label=FILTER_LABELS["remote"],
        required=False,
        choices=[("", "Remote or on site"), ("true", "Remote only"), ("false", "On site only")],
    )
    clearance = forms.ChoiceField(
        label=FILTER_LABELS["clearance"], required=False, choices=[("", "Any clearance"), *Clearance.choices]
    )
    pathway = forms.ChoiceField(label=FILTER_LABELS["pathway"], required=False)
    agency = forms.ChoiceField(label=FILTER_LABELS["agency"], required=False)
    hiring_path = forms.ChoiceField(
        label=FILTER_LABELS["hiring_path"], required=False, choices=[("", "Anyone"), *HiringPath.choices]
    )
    work_role = forms.ChoiceField(label=FILTER_LABELS["work_role"], required=False)
    open_now = forms.BooleanField(label="Only openings accepting applications today", required=False)
    sort = forms.ChoiceField(label=FILTER_LABELS["sort"], required=False, choices=SORT_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pathway"].choices = [
            ("", "Any pathway"),
            *selectors.pathways().values_list("slug", "name"),
        ]
        self.fields["agency"].choices = [
            ("", "Any agency"),
            *selectors.hiring_agencies().values_list("slug", "name"),
        ]
        self.fields["work_role"].choices = [
            ("", "Any work role"),
            *selectors.work_roles().values_list("code", "name"),
        ]


class SaveSearchForm(UswdsForm, forms.ModelForm):
    class Meta:
        model = SavedSearch
        fields = ["name"]
        labels = {"name": "Name of this search"}
        help_texts = {"name": "We e-mail you when a newly posted opening matches it."}


def _model_field(name: str, **kwargs) -> forms.Field:
    return Opening._meta.get_field(name).formfield(**kwargs)


class OpeningForm(UswdsForm, forms.Form):
    """Every field of an opening. The service checks the whole opening (salary range, grades,
    dates) and its errors come back to these fields. A person in several agencies also chooses one."""

    title = _model_field("title")
    pathway = _model_field("pathway", empty_label="Choose a pathway")
    series = _model_field("series")
    pay_plan = _model_field("pay_plan")
    grade_low = _model_field("grade_low", label="Lowest grade", help_text="1 to 15; leave empty for a pay band.")
    grade_high = _model_field("grade_high", label="Highest grade")
    salary_min = _model_field("salary_min", label="Minimum salary (US dollars per year)", help_text="")
    salary_max = _model_field("salary_max", label="Maximum salary (US dollars per year)", help_text="")
    remote = _model_field("remote", label="Remote")
    telework_eligible = _model_field("telework_eligible", label="Telework eligible")
    clearance = _model_field("clearance", label="Security clearance required")
    hiring_paths = forms.MultipleChoiceField(
        label="Who may apply (hiring paths)",
        choices=HiringPath.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="As USAJOBS codes them; choose at least one.",
    )
    work_roles = forms.ModelMultipleChoiceField(
        label="NICE work roles",
        queryset=selectors.work_roles(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    locations = forms.CharField(
        label="Locations",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One place a line, as “City, ST”, e.g. “Arlington, VA”.",
    )
    open_date = _model_field("open_date", widget=_date_input())
    close_date = _model_field("close_date", widget=_date_input())
    duties = _model_field("duties", widget=forms.Textarea(attrs={"rows": 5}))
    qualifications = _model_field("qualifications", widget=forms.Textarea(attrs={"rows": 5}))
    vacancies = _model_field("vacancies", label="Number of vacancies")
    usajobs_announcement = _model_field("usajobs_announcement")

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pathway"].queryset = selectors.pathways()
        self.fields["work_roles"].queryset = selectors.work_roles()
        for name in ("hiring_paths", "work_roles"):
            self.fields[name].widget.attrs["class"] = "usa-checkbox__input"
        if len(agencies) > 1:
            agency = forms.TypedChoiceField(
                label="Hiring agency",
                choices=[("", "Choose your agency"), *[(a.pk, a.name) for a in agencies]],
                coerce=int,
            )
            agency.widget.attrs["class"] = "usa-select"
            self.fields = {"agency": agency, **self.fields}

    def clean_locations(self) -> list[tuple[str, str]]:
        places, bad = [], []
        for number, line in enumerate(self.cleaned_data.get("locations", "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            match = LOCATION_LINE.match(line)
            if match is None:
                bad.append(f"line {number} (“{line}”)")
                continue
            places.append((match["city"].strip(), match["state"].upper()))
        if bad:
            raise forms.ValidationError(
                f"Write each place as “City, ST” with the two-letter state code; check {', '.join(bad)}."
            )
        return places

    @staticmethod
    def locations_text(opening: Opening) -> str:
        return "\n".join(f"{place.city}, {place.state}" for place in opening.locations.all())

    @classmethod
    def initial_for(cls, opening: Opening) -> dict:
        initial = {name: getattr(opening, name) for name in OPENING_FIELDS}
        initial["pathway"] = opening.pathway_id
        initial["hiring_paths"] = opening.hiring_path_list
        initial["work_roles"] = list(opening.work_roles.all())
        initial["locations"] = cls.locations_text(opening)
        return initial


class ApplyForm(UswdsForm, forms.ModelForm):
    class Meta:
        model = Application
        fields = ["cover_note"]
        labels = {"cover_note": "Cover note (optional)"}
        help_texts = {"cover_note": "A few lines for the hiring agency. Your profile and résumé go with it."}
        widgets = {"cover_note": forms.Textarea(attrs={"rows": 4})}


class AdvanceForm(UswdsForm, forms.Form):
    """Move an applicant on; only the moves the state table allows from their status are offered."""

    status = forms.ChoiceField(label="New status")
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the application's history and sent to the applicant.",
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", "Choose a status"),
            *[(s.value, s.label) for s in (ApplicationStatus(v) for v in AGENCY_MOVES.get(current, ()))],
        ]


class ConsiderForm(UswdsForm, forms.Form):
    """In a pooled cohort, move your own agency's stand on an applicant."""

    stage = forms.ChoiceField(label="Your agency's new stage")
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the history and sent to the applicant.",
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [
            ("", "Choose a stage"),
            *[(s.value, s.label) for s in (Stage(v) for v in STAGE_MOVES.get(current, ()))],
        ]


class PlaceForm(UswdsForm, forms.ModelForm):
    class Meta:
        model = Placement
        fields = ["start_date", "office"]
        labels = {"start_date": "Start date", "office": "Office"}
        widgets = {"start_date": _date_input()}


class ProfileForm(UswdsForm, forms.ModelForm):
    resume = forms.FileField(
        label="Résumé (PDF)",
        required=False,
        help_text="A PDF file; it replaces the one on file.",
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    class Meta:
        model = ApplicantProfile
        fields = ["phone", "city", "state", "summary"]
        labels = {"state": "State"}
        help_texts = {"state": "Two-letter postal code, e.g. VA."}
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "state": forms.TextInput(attrs={"class": "usa-input--small", "autocomplete": "address-level1"}),
        }

    def clean_state(self) -> str:
        return self.cleaned_data["state"].strip().upper()
