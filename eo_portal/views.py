"""The core's pages: dashboard, organisations, notifications and the profile with API tokens.

Thin by design: selectors to read (404 for what the user may not see), services to write.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from eo_portal import mfa, permissions, registry, selectors, services
from eo_portal.forms import (
    AddMemberForm,
    ApiTokenForm,
    OrganisationForm,
    ResendVerificationForm,
    RoleForm,
    SignUpForm,
    add_service_error,
)
from eo_portal.pagination import CappedPaginator


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "eo_portal/welcome.html")
    return render(
        request,
        "eo_portal/dashboard.html",
        {
            "memberships": selectors.memberships_of(request.user),
            "open_work": registry.open_work_for(request.user),
            "notifications": selectors.notifications_for(request.user).filter(read_at__isnull=True)[:5],
        },
    )


def _organisation_tabs(request: HttpRequest, organisation) -> dict:
    user = request.user
    can_manage_members = permissions.has_object_permission(user, "manage_members", organisation)
    tabs = [("details", "Details", reverse("organisation-detail", args=[organisation.slug]))]
    if can_manage_members:
        tabs.append(("members", "Members", reverse("organisation-members", args=[organisation.slug])))
    tabs.append(("history", "History", reverse("organisation-history", args=[organisation.slug])))
    return {
        "organisation": organisation,
        "tabs": tabs,
        "can_change": permissions.has_object_permission(user, "change_organisation", organisation),
        "can_manage_members": can_manage_members,
    }


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    page = CappedPaginator(selectors.organisations_visible_to(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "eo_portal/organisation_list.html", {"page": page})


@login_required
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.get_organisation_for(request.user, slug)
    context = _organisation_tabs(request, organisation) | {"tab": "details"}
    return render(request, "eo_portal/organisation_detail.html", context)


@login_required
def organisation_history(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.get_organisation_for(request.user, slug)
    context = _organisation_tabs(request, organisation) | {
        "tab": "history",
        "entries": selectors.organisation_history(organisation),
    }
    return render(request, "eo_portal/organisation_history.html", context)


@login_required
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.get_organisation_for(request.user, slug)
    if not permissions.has_object_permission(request.user, "change_organisation", organisation):
        raise PermissionDenied
    # The form works on a copy, so a rejected submission never alters what the page shows.
    form = OrganisationForm(request.POST or None, instance=copy.copy(organisation))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organisation(
                organisation, by=request.user, **{name: form.cleaned_data[name] for name in form.Meta.fields}
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "The organisation's profile was saved.")
            return redirect("organisation-detail", slug=organisation.slug)
    context = _organisation_tabs(request, organisation) | {"tab": "details", "form": form}
    return render(request, "eo_portal/organisation_edit.html", context)


@login_required
def organisation_members(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.get_organisation_for(request.user, slug)
    context = _organisation_tabs(request, organisation)
    if not context["can_manage_members"]:
        raise PermissionDenied
    form = AddMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_member(
                organisation, form.cleaned_data["username"], by=request.user, role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            form.add_error("username", exc.messages[0])
        else:
            messages.success(request, f"{form.cleaned_data['username'].get_username()} was added.")
            return redirect("organisation-members", slug=organisation.slug)
    context |= {
        "tab": "members",
        "form": form,
        "members": selectors.members_of(organisation),
        "role_form": RoleForm(),
    }
    return render(request, "eo_portal/organisation_members.html", context)


def _change_membership(request: HttpRequest, slug: str, membership_id: int, remove: bool) -> HttpResponse:
    organisation = selectors.get_organisation_for(request.user, slug)
    membership = selectors.get_membership_for(request.user, organisation, membership_id)
    try:
        if remove:
            services.remove_member(membership, by=request.user)
            messages.success(request, f"{membership.user.get_username()} was removed.")
        else:
            form = RoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors["role"])
            services.change_member_role(membership, by=request.user, role=form.cleaned_data["role"])
            messages.success(request, f"{membership.user.get_username()} is now {form.cleaned_data['role']}.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("organisation-members", slug=organisation.slug)


@login_required
@require_POST
def membership_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    return _change_membership(request, slug, membership_id, remove=False)


@login_required
@require_POST
def membership_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    return _change_membership(request, slug, membership_id, remove=True)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = CappedPaginator(selectors.notifications_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "eo_portal/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = selectors.get_notification_for(request.user, notification_id)
    services.mark_notification_read(notification, by=request.user)
    if notification.link.startswith("/") and not notification.link.startswith("//"):
        return redirect(notification.link)
    return redirect("notification-list")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_notifications_read(by=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notification-list")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        mfa.require_verified_session(request)
        try:
            _, new_secret = services.create_api_token(
                request.user, by=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "eo_portal/profile.html",
        {
            "form": form,
            "new_secret": new_secret,
            "tokens": selectors.api_tokens_of(request.user),
            "memberships": selectors.memberships_of(request.user),
            "authenticator": mfa.confirmed_device(request.user),
            "mfa_required": mfa.required_by_role(request.user),
        },
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.get_api_token_for(request.user, token_id)
    services.revoke_api_token(token, by=request.user)
    messages.success(request, f"The token “{token.name}” was revoked.")
    return redirect("profile")


# ---------------------------------------------------------------------------
# Self-service accounts: sign up, verify the e-mail address, ask for a new link.


def anonymous_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Someone already signed in has an account: send them home."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return redirect("home")
        return view(request, *args, **kwargs)

    return wrapped


@anonymous_only
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_account(**form.account_details())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect("signup-done")
    return render(request, "registration/signup.html", {"form": form})


def _verification_sent(request: HttpRequest, resent: bool) -> HttpResponse:
    return render(
        request,
        "registration/verification_sent.html",
        {"resent": resent, "lifetime": services.verification_link_lifetime()},
    )


@anonymous_only
def signup_done(request: HttpRequest) -> HttpResponse:
    return _verification_sent(request, resent=False)


@anonymous_only
def verification_resent(request: HttpRequest) -> HttpResponse:
    return _verification_sent(request, resent=True)


@anonymous_only
@require_http_methods(["GET", "POST"])
def verification_resend(request: HttpRequest) -> HttpResponse:
    form = ResendVerificationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.resend_verification(email=form.cleaned_data["email"])
        # The same answer whether or not an account awaits at that address.
        return redirect("verification-resent")
    return render(request, "registration/verification_resend.html", {"form": form})


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/verify_invalid.html", status=400)


@require_http_methods(["GET", "POST"])
def account_verify(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """GET only shows a button: mail scanners that open links must not activate accounts."""
    account = selectors.account_awaiting_verification_from_link(uidb64)
    if account is None or not services.verification_link_is_valid(account, token):
        return _invalid_link(request)
    if request.method == "POST":
        try:
            account = services.verify_account(account, token)
        except ValidationError:
            return _invalid_link(request)
        login(request, account, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your e-mail address is verified and your account is active. Welcome.")
        return redirect("home")
    return render(request, "registration/verify.html", {"account": account})
