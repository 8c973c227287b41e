from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError

from eo_portal import services
from eo_portal.models import Mandate, Organisation, Role
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
        for name, field in self.fields.items():
            widget = field.widget
            css = next((c for kind, c in self.widget_classes.items() if isinstance(widget, kind)), "usa-input")
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if isinstance(widget, forms.FileInput):
                # USWDS's script names the file input after its drag-and-drop instructions
                # (aria-label), which hides the field's own label from screen readers; the label
                # named by aria-labelledby comes first. eo_portal/_field.html gives labels that id.
                widget.attrs["aria-labelledby"] = f"{self[name].auto_id}_label"


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


class PortalPasswordChangeForm(UswdsForm, PasswordChangeForm):
    pass


class AuthenticatorCodeForm(UswdsForm, forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6 digits the app shows now for EO Portal.",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        # Apps show the code as "123 456"; people type it either way.
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the 6 digits your authenticator app shows.")
        return code


class SignUpForm(UswdsForm, forms.Form):
    """A job seeker's own account. The rules (unique user name and e-mail in any letter case, the
    password validators) are `services.new_account_problems`, shown here at their fields."""

    username = forms.CharField(
        label="User name",
        max_length=150,
        help_text="What you sign in with: up to 150 letters, digits and @ . + - _ characters.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="We send a link to this address; the account works once you follow it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    first_name = forms.CharField(
        label="First name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_confirmation = forms.CharField(
        label="Password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the form is made, so the text always matches the validators in force.
        self.fields["password"].help_text = " ".join(password_validation.password_validators_help_texts())

    def clean(self) -> dict:
        data = super().clean()
        password, confirmation = data.get("password"), data.get("password_confirmation")
        if password and confirmation and password != confirmation:
            self.add_error("password_confirmation", "The two passwords do not match.")
        problems = services.new_account_problems(
            username=data.get("username", ""),
            email=data.get("email", ""),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            password=password or "",
        )
        for field, messages in problems.items():
            # A field that already failed its own check keeps that one message.
            if field not in self.fields:
                self.add_error(None, messages)
            elif not self.has_error(field):
                self.add_error(field, messages)
        return data

    def account_details(self) -> dict:
        """The keyword arguments of `services.register_account`."""
        return {name: self.cleaned_data[name] for name in ("username", "email", "first_name", "last_name", "password")}


class ResendVerificationForm(UswdsForm, forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="The address you gave when you created the account.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class MandateForm(UswdsForm, forms.ModelForm):
    """An agency's progress report on a mandate; saved by `mandates.update_mandate`."""

    class Meta:
        model = Mandate
        fields = ["status", "evidence_path", "evidence_label", "notes"]
        labels = {"evidence_path": "Evidence: portal page", "evidence_label": "Evidence: what it is"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}
