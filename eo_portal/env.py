"""Typed readers for settings that come from the environment.

Each reader fails loudly on a value it cannot understand, so a typo in a
deployment stops the process at start-up instead of quietly using a default.
"""

import base64
import binascii
import os
from datetime import date

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_date(name: str, default: str) -> date:
    raw = os.environ.get(name) or default
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a date as YYYY-MM-DD, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_base32(name: str, default: str) -> str:
    """A base32 secret (as authenticator apps show it), upper case without spaces or padding."""
    raw = os.environ.get(name) or default
    value = "".join(raw.split()).upper().rstrip("=")
    try:
        key = base64.b32decode(value + "=" * (-len(value) % 8))
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{name} must be base32 (letters A-Z and digits 2-7), not {raw!r}") from exc
    if len(key) < 10:
        raise ImproperlyConfigured(f"{name} must hold at least 80 bits (16 base32 characters)")
    return value
