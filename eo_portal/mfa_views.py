"""The authenticator pages: add an app (enrol) and enter a code after the password (verify).

Thin: eo_portal/mfa.py checks the codes, changes the devices and writes the audit rows.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from eo_portal import mfa
from eo_portal.forms import AuthenticatorCodeForm


def _refusal(check: mfa.CodeCheck) -> str:
    wait = ""
    if check.retry_at is not None:
        seconds = max(1, int((check.retry_at - timezone.now()).total_seconds()) + 1)
        wait = f"Wait {seconds} second{'s' if seconds != 1 else ''}, then enter the code your app shows."
    if check.throttled:
        return f"Too many wrong codes. {wait}"
    return f"That code is not right. {wait or 'Enter the code your app shows now.'} Each code works once."


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    if mfa.confirmed_device(request.user) is not None:
        if mfa.is_verified(request):
            messages.info(request, "Your authenticator app is already set up.")
            return redirect("profile")
        return redirect(mfa.page_with_next(request, "mfa-verify"))
    device = mfa.pending_device(request.user)
    form = AuthenticatorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        check = mfa.confirm_enrolment(request, device, form.cleaned_data["code"])
        if check.accepted:
            messages.success(request, "Your authenticator app is set up. You will enter a code from it each time you sign in.")
            return redirect(mfa.next_page(request, reverse("profile")))
        form.add_error("code", _refusal(check))
    return render(
        request,
        "registration/mfa_enrol.html",
        {
            "form": form,
            "required": mfa.required_by_role(request.user),
            "secret": mfa.secret_for_reading(device),
            "otpauth_uri": device.config_url,
            "qr_code": mfa.qr_code_svg(device),
            "next": mfa.requested_next(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    device = mfa.confirmed_device(request.user)
    if device is None:
        if mfa.required_by_role(request.user):
            return redirect(mfa.page_with_next(request, "mfa-enrol"))
        return redirect(mfa.next_page(request))
    if mfa.is_verified(request):
        return redirect(mfa.next_page(request))
    form = AuthenticatorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        check = mfa.verify(request, device, form.cleaned_data["code"])
        if check.accepted:
            return redirect(mfa.next_page(request))
        form.add_error("code", _refusal(check))
    return render(request, "registration/mfa_verify.html", {"form": form, "next": mfa.requested_next(request)})
