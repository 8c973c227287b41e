"""Forms of the Frontier model reviews program's pages.

They show and check input; every change is made by `reviews.services`. Model forms carry the
model's validators, so classification markings and credentials are refused before a service runs.
"""

from __future__ import annotations

from django import forms

from eo_portal.forms import UswdsForm
from reviews import selectors
from reviews.models import (
    CaseDocument,
    CaseMessage,
    Determination,
    Finding,
    FindingResponse,
    Modality,
    PartnerAccess,
    ReviewCase,
)
from reviews.services import DRAFT_FIELDS, FINDING_FIELDS
from reviews.workflow import Status


def _date_input() -> forms.DateInput:
    # A native date control: works without JavaScript and submits YYYY-MM-DD.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseFilterForm(UswdsForm, forms.Form):
    """The case list's filters. A value that does not check out is ignored, with a message."""

    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    lab = forms.ChoiceField(label="Lab", required=False)
    window_ends_within = forms.IntegerField(
        label="Window ends within (days)",
        min_value=0,
        max_value=selectors.WINDOW_FILTER_MAX_DAYS,
        required=False,
        help_text="Open cases whose 30-day window ends within this many calendar days.",
    )

    def __init__(self, *args, labs: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lab"].choices = [("", "Any lab"), *labs]


class CaseForm(UswdsForm, forms.ModelForm):
    """A draft case. On creation a person in several labs also chooses the lab."""

    modalities = forms.MultipleChoiceField(
        choices=Modality.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ReviewCase
        fields = list(DRAFT_FIELDS)
        widgets = {
            "capability_summary": forms.Textarea(attrs={"rows": 5}),
            "access_notes": forms.Textarea(attrs={"rows": 4}),
            "planned_release_date": _date_input(),
        }

    def __init__(self, *args, labs: list[tuple[int, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["modalities"].widget.attrs["class"] = "usa-checkbox__input"
        if labs is not None and len(labs) > 1:
            self.fields = {"lab": forms.TypedChoiceField(label="Lab", choices=labs, coerce=int)} | dict(self.fields)
            self.fields["lab"].widget.attrs["class"] = "usa-select"


class GovernmentAccessForm(UswdsForm, forms.Form):
    government_access_date = forms.DateField(
        label="Date access was given to the government",
        widget=_date_input(),
        help_text="The 30-day window counts from this day, in calendar days.",
    )


class DeterminationForm(UswdsForm, forms.ModelForm):
    determined_on = forms.DateField(
        label="Date of the determination",
        required=False,
        widget=_date_input(),
        help_text="Leave empty for today (US Eastern).",
    )

    class Meta:
        model = Determination
        fields = ["outcome", "rationale", "classified_reference", "determined_on"]
        labels = {
            "rationale": "Unclassified rationale",
            "classified_reference": "Reference of the classified record",
        }
        widgets = {"rationale": forms.Textarea(attrs={"rows": 5})}


class FindingForm(UswdsForm, forms.ModelForm):
    class Meta:
        model = Finding
        fields = list(FINDING_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "recommended_mitigations": forms.Textarea(attrs={"rows": 4}),
        }


class FindingResponseForm(UswdsForm, forms.ModelForm):
    class Meta:
        model = FindingResponse
        fields = ["body"]
        labels = {"body": "The lab's response"}
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}


class MessageForm(UswdsForm, forms.ModelForm):
    """The audience is chosen by the government only; the lab always writes to all participants."""

    class Meta:
        model = CaseMessage
        fields = ["body", "audience"]
        labels = {"body": "Message", "audience": "Who may read it"}
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, government: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not government:
            del self.fields["audience"]


class DocumentForm(UswdsForm, forms.Form):
    """Only the lab decides whether trusted partners may see a document."""

    kind = CaseDocument._meta.get_field("kind").formfield()
    title = CaseDocument._meta.get_field("title").formfield()
    file = forms.FileField(help_text="PDF, PNG, JPEG or plain text. The type is checked from the content.")
    shareable = forms.BooleanField(
        label="Share with the case's trusted partners", required=False
    )

    def __init__(self, *args, lab: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not lab:
            del self.fields["shareable"]


class ProposePartnerForm(UswdsForm, forms.ModelForm):
    partner = forms.ChoiceField(label="Trusted-partner organisation")

    class Meta:
        model = PartnerAccess
        fields = ["purpose"]
        labels = {"purpose": "Purpose of the early access"}
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, partners=(), **kwargs):
        self._partners = {str(organisation.pk): organisation for organisation in partners}
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "Choose a partner"), *[(pk, o.name) for pk, o in self._partners.items()]]
        self.fields = {"partner": self.fields.pop("partner"), **self.fields}

    def clean_partner(self):
        return self._partners[self.cleaned_data["partner"]]
