"""The page a locked sign-in gets (NIST SP 800-53 AC-7), for django-axes' AXES_LOCKOUT_CALLABLE.

django-axes counts failed sign-ins per user name and, separately, per address; at
AXES_FAILURE_LIMIT failures within AXES_COOLOFF_TIME it refuses every sign-in of that name or
from that address, the right password included, until the cool-off has passed since the last
counted failure. This page says so with a 429 and the time the person can try again.
"""

from __future__ import annotations

from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def lock_ends_at(request: HttpRequest, credentials: dict | None = None) -> datetime | None:
    """When the lock on this request's user name or address ends: the cool-off after the last
    counted failure of either (attempts made during a lock are not counted; see settings)."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    latest = [
        attempts.aggregate(latest=Max("attempt_time"))["latest"]
        for attempts in handler.get_user_attempts(request, credentials)
    ]
    latest = [moment for moment in latest if moment is not None]
    return max(latest) + cool_off if latest else None


def locked_out_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    ends = lock_ends_at(request, credentials)
    minutes = int(get_cool_off(request).total_seconds() // 60)
    response = render(
        request,
        "registration/locked_out.html",
        {"ends": ends, "minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    if ends is not None:
        # RFC 6585: a 429 may say how long to wait.
        response["Retry-After"] = str(max(1, int((ends - timezone.now()).total_seconds()) + 1))
    return response
