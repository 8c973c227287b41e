"""Pages of the order's mandates: a public list, each mandate with its history, and the update form."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from eo_portal import mandates
from eo_portal.audit import history_entries
from eo_portal.forms import MandateForm, add_service_error
from eo_portal.models import Mandate


def mandate_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "eo_portal/mandate_list.html",
        {"mandates": mandates.by_urgency(list(mandates.mandates())), "signed_date": mandates.signed_date()},
    )


def _tabs(request: HttpRequest, mandate: Mandate, tab: str, **extra) -> dict:
    return {
        "mandate": mandate,
        "tab": tab,
        "tabs": [
            ("details", "Details", reverse("mandate-detail", args=[mandate.code])),
            ("history", "History", reverse("mandate-history", args=[mandate.code])),
        ],
        "may_update": mandates.may_update(request.user, mandate),
        **extra,
    }


def mandate_detail(request: HttpRequest, code: str) -> HttpResponse:
    mandate = mandates.get_mandate(code)
    return render(request, "eo_portal/mandate_detail.html", _tabs(request, mandate, "details"))


def mandate_history(request: HttpRequest, code: str) -> HttpResponse:
    mandate = mandates.get_mandate(code)
    context = _tabs(request, mandate, "history", entries=history_entries(mandate))
    return render(request, "eo_portal/mandate_history.html", context)


@login_required
def mandate_edit(request: HttpRequest, code: str) -> HttpResponse:
    mandate = mandates.get_mandate(code)
    if not mandates.may_update(request.user, mandate):
        raise PermissionDenied
    # The form works on a copy, so a rejected submission never alters what the page shows.
    form = MandateForm(request.POST or None, instance=copy.copy(mandate))
    if request.method == "POST" and form.is_valid():
        try:
            mandates.update_mandate(
                mandate, by=request.user, **{name: form.cleaned_data[name] for name in MandateForm.Meta.fields}
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "The mandate was updated.")
            return redirect("mandate-detail", code=mandate.code)
    return render(request, "eo_portal/mandate_edit.html", _tabs(request, mandate, "details", form=form))
