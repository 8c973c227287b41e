"""Session lifetime (NIST SP 800-53 AC-12; OWASP ASVS 7).

- Idle: a session not used for SESSION_IDLE_MINUTES (30) ends. The last use is kept in the
  session, refreshed at most once a minute so an active person does not cost a session write on
  every request.
- Absolute: whatever the activity, a session ends SESSION_ABSOLUTE_HOURS (12) after sign-in; the
  cookie itself expires then too.
- Django itself gives a new session key at sign-in, ends the sessions of an account whose password
  changes (the session carries a hash of it) and stops honouring those of a deactivated account.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SIGNED_IN_AT = "eo_signed_in_at"
LAST_SEEN = "eo_last_seen"
REFRESH_SECONDS = 60


def record_sign_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now


def expired(session, now: float) -> bool:
    signed_in_at, last_seen = session.get(SIGNED_IN_AT), session.get(LAST_SEEN)
    if signed_in_at is None or last_seen is None:
        return True
    return (
        now - signed_in_at > settings.SESSION_ABSOLUTE_HOURS * 3600
        or now - last_seen > settings.SESSION_IDLE_MINUTES * 60
    )


class SessionLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            if expired(request.session, now):
                # Read by the sign-in audit log (eo_portal/sign_in_audit.py) as the sign-out's outcome.
                request.eo_sign_out_reason = "session ended: idle or absolute time limit"
                logout(request)
                messages.info(request, "Your session ended. Please sign in again.")
            elif now - request.session[LAST_SEEN] > REFRESH_SECONDS:
                request.session[LAST_SEEN] = int(now)
        return self.get_response(request)
