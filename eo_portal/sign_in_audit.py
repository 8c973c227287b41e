"""The sign-in audit log (NIST SP 800-53 AU-2, AU-3): one SignInEvent row for every sign-in,
refusal, lock, authenticator step, password change and sign-out, with time, account, user name
given, address, browser and outcome.

Rows are written here alone: by the receivers below (Django's and django-axes' signals, and a
post_save on the user model, so a password changed anywhere, including the admin and
`manage.py changepassword`, is recorded) and by `record()`, which eo_portal/mfa.py calls for the
authenticator steps. The table is append-only (`SignInEvent.append_only`).
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model, user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.http import HttpRequest
from django.utils import timezone
from simple_history.models import HistoricalRecords

from eo_portal.models import SignInEvent, SignInEventKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Event = SignInEventKind
USER_AGENT_LENGTH = SignInEvent._meta.get_field("user_agent").max_length
OUTCOME_LENGTH = SignInEvent._meta.get_field("outcome").max_length
USERNAME_LENGTH = SignInEvent._meta.get_field("username").max_length


def _valid_address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest | None) -> str | None:
    """The client's IP address: REMOTE_ADDR, or behind our TLS proxy (settings.BEHIND_TLS_PROXY) the
    last X-Forwarded-For entry, the one the proxy itself added. Entries before it come from the
    client and can say anything, so they are never used. Also django-axes' AXES_CLIENT_IP_CALLABLE,
    so a lock and the audit log name the same address."""
    if request is None:
        return None
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1]
        if address := _valid_address(forwarded):
            return address
    return _valid_address(request.META.get("REMOTE_ADDR"))


def record(
    event: str,
    *,
    request: HttpRequest | None = None,
    user: User | None = None,
    username: str = "",
    outcome: str = "",
) -> SignInEvent:
    if user is not None and not user.pk:
        user = None
    meta = request.META if request is not None else {}
    return SignInEvent.objects.create(
        at=timezone.now(),
        event=event,
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:USERNAME_LENGTH],
        address=client_address(request),
        user_agent=meta.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
        outcome=outcome[:OUTCOME_LENGTH],
    )


def _account_named(username: str) -> User | None:
    if not username:
        return None
    return get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first()


def _lock_ends(request: HttpRequest) -> str:
    from eo_portal.lockout import lock_ends_at

    ends = lock_ends_at(request, getattr(request, "axes_credentials", None))
    return f"until {ends.astimezone(timezone.get_current_timezone()):%Y-%m-%d %H:%M %Z}" if ends else ""


# ---------------------------------------------------------------------------
# Receivers


def on_sign_in(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    from eo_portal import mfa

    # mfa.note_requirement_at_sign_in has usually worked it out already.
    session = getattr(request, "session", None)
    if session is not None and mfa.REQUIRED_KEY in session:
        required = session[mfa.REQUIRED_KEY]
    else:
        required = mfa.must_verify(user)
    outcome = "password accepted; authenticator code required next" if required else "signed in"
    record(Event.SIGN_IN, request=request, user=user, outcome=outcome)


def on_sign_in_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    # A request refused because its user name or address was already locked carries axes' flag
    # without a failure count (axes counts only failures that reach the password check); that
    # refusal is recorded once, as `locked_out`, by `on_locked_out`. django-axes sets the flag and
    # the count in its own receiver of this signal, so the test holds in whichever order they run.
    if getattr(request, "axes_locked_out", False) and getattr(request, "axes_failures_since_start", None) is None:
        return
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or "")
    record(
        Event.SIGN_IN_FAILED,
        request=request,
        user=_account_named(username),
        username=username,
        outcome="user name or password not accepted",
    )


def on_locked_out(sender, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs) -> None:
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None:
        outcome = f"locked after {failures} failed sign-ins {_lock_ends(request)}"
    else:
        outcome = f"sign-in refused while locked {_lock_ends(request)}"
    record(
        Event.LOCKED_OUT,
        request=request,
        user=_account_named(username or ""),
        username=username or "",
        outcome=outcome.strip(),
    )


def on_sign_out(sender, request: HttpRequest | None, user: User | None, **kwargs) -> None:
    if user is not None and user.is_authenticated:
        outcome = getattr(request, "eo_sign_out_reason", "signed out")
        record(Event.SIGNED_OUT, request=request, user=user, outcome=outcome)


def on_user_saved(sender, instance: User, created: bool, **kwargs) -> None:
    """`set_password` leaves the new password in `_password` until the save that stores it; this
    receiver runs inside that save, so it sees every password change however it was made."""
    if created or kwargs.get("raw") or getattr(instance, "_password", None) is None:
        return
    # Inside a page or API call, simple-history's middleware holds the request: who and from where.
    request = getattr(HistoricalRecords.context, "request", None)
    actor = getattr(request, "user", None)
    if actor is not None and actor.is_authenticated and actor.pk != instance.pk:
        outcome = f"password changed by {actor.get_username()}"
    else:
        outcome = "password changed"
    record(Event.PASSWORD_CHANGED, request=request, user=instance, outcome=outcome)


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(on_sign_in, dispatch_uid="eo_portal_sign_in_audit_in")
    user_login_failed.connect(on_sign_in_failed, dispatch_uid="eo_portal_sign_in_audit_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="eo_portal_sign_in_audit_locked")
    user_logged_out.connect(on_sign_out, dispatch_uid="eo_portal_sign_in_audit_out")
    post_save.connect(on_user_saved, sender=get_user_model(), dispatch_uid="eo_portal_sign_in_audit_password")
