from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from eo_portal.models import Organisation, Role
from eo_portal.services import EDITABLE_ORGANISATION_FIELDS


def add_service_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's error on the form's field when the form has it, otherwise on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class UswdsForm:
    """Gives each widget the U.S. Web Design System class for its kind.

    Django itself marks fields with errors `aria-invalid` and points `aria-describedby` at
    `<id>_helptext` and `<id>_error`, which `eo_portal/_field.html` renders."""

    widget_classes = {
        forms.Select: "usa-select",
        forms.SelectMultiple: "usa-select",
        forms.Textarea: "usa-textarea",
        forms.CheckboxInput: "usa-checkbox__input",
        forms.FileInput: "usa-file-input",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = next((c for kind, c in self.widget_classes.items() if isinstance(widget, kind)), "usa-input")
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class OrganisationForm(UswdsForm, forms.ModelForm):
    """Shows and checks the profile; the change itself is made by `services.update_organisation`."""

    class Meta:
        model = Organisation
        fields = list(EDITABLE_ORGANISATION_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class AddMemberForm(UswdsForm, forms.Form):
    username = forms.CharField(label="User name", max_length=150)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)

    def clean_username(self) -> object:
        username = self.cleaned_data["username"].strip()
        user = get_user_model()._default_manager.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError("No active account has that user name.")
        return user


class RoleForm(UswdsForm, forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ApiTokenForm(UswdsForm, forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'SIEM import'.")
    days = forms.IntegerField(
        label="Days until it expires",
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        initial=30,
    )


class SignInForm(UswdsForm, AuthenticationForm):
    pass
