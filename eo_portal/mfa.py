"""Multi-factor sign-in with an authenticator app (NIST SP 800-53 IA-2(1), IA-2(2); OWASP ASVS 6).

Who must use it: agency staff (members of an agency, anyone `is_staff` or a superuser) and
whoever manages an organisation, since they act for it and grant access to others. Everyone else
may add an authenticator app on their profile page; from then on they must use it too.

The flow: after the password, a person who must use MFA enters a code from their app
(`verify`), or, with no app yet, adds one (`enrol`). Until then `MfaRequiredMiddleware` lets them
reach only the sign-in, sign-out and authenticator pages and static files: other pages send them
to the code page, and API calls made with the session answer 403. API tokens are unaffected:
they are issued only to verified sessions (`require_verified_session`).

Codes are TOTP (RFC 6238) through django-otp: each code is accepted once per device, and django-otp
throttles wrong codes per device (1, 2, 4, 8 ... seconds), whatever the session.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from eo_portal import sign_in_audit
from eo_portal.models import Membership, OrganisationKind, Role, SignInEventKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEVICE_NAME = "Authenticator app"
DEMO_DEVICE_NAME = "Demo authenticator"
# Whether the signed-in person must use MFA, kept in the session so a page costs no query for it;
# looked at again at most once a minute, so a new manager's role takes effect within a minute.
REQUIRED_KEY = "eo_mfa_required"
CHECKED_AT_KEY = "eo_mfa_checked_at"
RECHECK_SECONDS = 60


# ---------------------------------------------------------------------------
# Who must use it


def required_by_role(user: User) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(
        Q(organisation__kind=OrganisationKind.AGENCY) | Q(role=Role.MANAGER), user=user
    ).exists()


def confirmed_device(user: User) -> TOTPDevice | None:
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("id").first()


def must_verify(user: User) -> bool:
    """True for whoever must enter a code after the password: by role, or by having added an app."""
    return required_by_role(user) or confirmed_device(user) is not None


def must_verify_in(request: HttpRequest) -> bool:
    """`must_verify` for the signed-in person, from the session when looked at in the last minute."""
    session = getattr(request, "session", None)
    if session is None:
        return must_verify(request.user)
    now = int(time.time())
    if REQUIRED_KEY not in session or now - session.get(CHECKED_AT_KEY, 0) > RECHECK_SECONDS:
        session[REQUIRED_KEY] = must_verify(request.user)
        session[CHECKED_AT_KEY] = now
    return session[REQUIRED_KEY]


def note_requirement_at_sign_in(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """Works it out once at sign-in, so the pages after it need no query for it."""
    if request is not None and hasattr(request, "session"):
        request.session[REQUIRED_KEY] = must_verify(user)
        request.session[CHECKED_AT_KEY] = int(time.time())


def is_verified(request: HttpRequest) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def require_verified_session(request: HttpRequest) -> None:
    """API tokens skip MFA, so only a session that has passed it may have one issued. A call made
    with a token was itself issued to such a session."""
    if getattr(request, "auth", None) is not None:
        return
    if must_verify_in(request) and not is_verified(request):
        raise PermissionDenied("Enter the code from your authenticator app before creating an API token.")


# ---------------------------------------------------------------------------
# Adding an app and checking codes


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device whose secret the enrolment page shows. The same one on every visit,
    so reloading the page does not change a secret the person may already have scanned."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def secret_for_reading(device: TOTPDevice) -> str:
    """The secret in groups of four, as authenticator apps let people type it."""
    secret = secret_base32(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code: drawn on the server, no script, no style
    attribute (the CSP allows neither inline script nor inline style)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title="QR code of your authenticator secret"
    )
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code to scan with your authenticator app" ', 1)


@dataclass(frozen=True)
class CodeCheck:
    accepted: bool
    retry_at: datetime | None = None  # when django-otp's throttle lets the next code be tried
    throttled: bool = False  # the code was not even looked at: too soon after a wrong one


def _throttled_until(device: TOTPDevice) -> datetime | None:
    allowed, details = device.verify_is_allowed()
    return None if allowed else (details or {}).get("locked_until")


def _check(request: HttpRequest, device: TOTPDevice, code: str) -> CodeCheck:
    retry_at = _throttled_until(device)
    if retry_at is not None:
        return CodeCheck(False, retry_at, throttled=True)
    # django-otp locks the device row while it checks, so two tries at once count as two.
    if verify_token(request.user, device.persistent_id, code) is not None:
        return CodeCheck(True)
    device.refresh_from_db()
    return CodeCheck(False, _throttled_until(device))


def _refused(request: HttpRequest, check: CodeCheck, during: str) -> None:
    outcome = f"{'code not checked: too soon after a wrong one' if check.throttled else 'wrong code'} {during}"
    if check.retry_at is not None:
        outcome += f"; next try allowed from {check.retry_at:%Y-%m-%d %H:%M:%S} UTC"
    sign_in_audit.record(SignInEventKind.MFA_FAILED, request=request, user=request.user, outcome=outcome)


def _verified(request: HttpRequest, device: TOTPDevice) -> None:
    otp_login(request, device)
    # A new session key once the session is worth more, as at sign-in (session fixation).
    request.session.cycle_key()


def confirm_enrolment(request: HttpRequest, device: TOTPDevice, code: str) -> CodeCheck:
    """The first code from the new app proves it holds the secret: the device is confirmed and
    this session counts as verified."""
    with transaction.atomic():
        check = _check(request, device, code)
        if check.accepted:
            device.refresh_from_db()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # One app per person: any other unconfirmed secret shown earlier is dropped.
            TOTPDevice.objects.devices_for_user(request.user, confirmed=False).delete()
            sign_in_audit.record(
                SignInEventKind.MFA_ENROLLED, request=request, user=request.user, outcome="authenticator app added"
            )
    if check.accepted:
        _verified(request, device)
        request.session[REQUIRED_KEY] = True
    else:
        _refused(request, check, "while adding an authenticator app")
    return check


def verify(request: HttpRequest, device: TOTPDevice, code: str) -> CodeCheck:
    check = _check(request, device, code)
    if check.accepted:
        _verified(request, device)
        sign_in_audit.record(
            SignInEventKind.MFA_VERIFIED, request=request, user=request.user, outcome="authenticator code accepted"
        )
    else:
        _refused(request, check, "at sign-in")
    return check


# ---------------------------------------------------------------------------
# Demo accounts and tests: codes computed from a stored secret


def ensure_device(user: User, *, secret: str, name: str = DEMO_DEVICE_NAME) -> TOTPDevice:
    """A confirmed device with the given base32 secret, unless the person already has one."""
    device = confirmed_device(user)
    if device is None:
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        device = TOTPDevice.objects.create(user=user, name=name, key=binascii.hexlify(key).decode(), confirmed=True)
    return device


def usable_code(device: TOTPDevice, now: float | None = None) -> tuple[str, float]:
    """The first code `device` will accept, and how many seconds until it does (0: now).

    A code is accepted once: after a sign-in in this 30-second step, the next one is the next
    step's code, which the device's tolerance of one step accepts at once; a third sign-in in the
    same step has to wait."""
    device.refresh_from_db()
    now = time.time() if now is None else now
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = now
    current = totp.t()
    wanted = max(current, device.last_t + 1)
    wait = 0.0
    if wanted > current + device.tolerance:
        step_start = device.t0 + (wanted - device.tolerance - device.drift) * device.step
        wait = max(0.0, step_start - now)
    totp.time = device.t0 + (wanted - device.drift) * device.step
    return str(totp.token()).zfill(device.digits), wait


# ---------------------------------------------------------------------------
# The gate


def _safe_next(request: HttpRequest, target: str) -> str:
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()) else ""


def requested_next(request: HttpRequest) -> str:
    """The page asked for before the code, if it is one of ours."""
    return _safe_next(request, request.POST.get("next") or request.GET.get("next") or "")


def next_page(request: HttpRequest, default: str | None = None) -> str:
    return requested_next(request) or default or reverse("home")


def page_with_next(request: HttpRequest, name: str) -> str:
    wanted = requested_next(request)
    return f"{reverse(name)}?{urlencode({'next': wanted})}" if wanted else reverse(name)


class MfaRequiredMiddleware:
    """Until a person who must use MFA has entered a code, only the sign-in and authenticator pages."""

    API_PREFIX = "/api/v1/"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open_paths: frozenset[str] | None = None

    def open_paths(self) -> frozenset[str]:
        if self._open_paths is None:
            names = ("login", "logout", "mfa-enrol", "mfa-verify")
            self._open_paths = frozenset(reverse(name) for name in names)
        return self._open_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path_info not in self.open_paths()
            and not request.path_info.startswith(settings.STATIC_URL)
            and must_verify_in(request)
            and not is_verified(request)
        ):
            return self.turn_away(request)
        return self.get_response(request)

    def turn_away(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(self.API_PREFIX):
            return JsonResponse(
                {
                    "detail": "Finish signing in first: enter the code from your authenticator app at "
                    f"{reverse('mfa-verify')}. Calls made with a personal API token are not affected."
                },
                status=403,
            )
        page = "mfa-verify" if confirmed_device(request.user) is not None else "mfa-enrol"
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(f"{reverse(page)}?{query}" if query else reverse(page))
