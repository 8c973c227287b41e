"""Comparing vendors' version strings well enough to tell whether two affected ranges overlap.

Vendors number releases every way (2.4.1, 10.0.19045, R2024a, 7.2p3); a version is split into
runs of digits, compared as numbers, and runs of letters, compared as text, so 2.10 comes after 2.9.
"""

from __future__ import annotations

import re

PARTS = re.compile(r"[0-9]+|[a-zA-Z]+")


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key; the blank version sorts before every other (an open lower bound)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part.lower()) for part in PARTS.findall(version or ""))
