"""CVSS vectors, parsed and scored by the `cvss` library (FIRST's v3.1 and v4.0 specifications)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError
from django.core.exceptions import ValidationError

SUPPORTED = {"CVSS:3.1/": ("3.1", CVSS3), "CVSS:4.0/": ("4.0", CVSS4)}


@dataclass(frozen=True)
class CvssScore:
    version: str
    vector: str
    base_score: Decimal
    severity: str


def score(vector: str) -> CvssScore:
    """Parse and score a vector; anything else is a ValidationError naming the `cvss_vector` field."""
    vector = vector.strip()
    for prefix, (version, parser) in SUPPORTED.items():
        if vector.startswith(prefix):
            try:
                parsed = parser(vector)
            except CVSSError as exc:
                raise ValidationError({"cvss_vector": f"This CVSS {version} vector is not valid: {exc}."}) from exc
            if version == "3.1":
                base, severity = parsed.scores()[0], parsed.severities()[0]
            else:
                base, severity = parsed.base_score, parsed.severity
            return CvssScore(version, parsed.clean_vector(), Decimal(str(base)), severity)
    raise ValidationError({"cvss_vector": "Give a CVSS 3.1 or 4.0 vector, starting “CVSS:3.1/” or “CVSS:4.0/”."})
