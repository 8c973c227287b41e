"""The portal is unclassified and keeps no secrets: validators for free text.

Classification banner markings are refused, so classified content cannot be pasted in by
mistake; text that looks like a credential is refused where credentials might be pasted
(model access travels out of band).
"""

import re

from django.core.exceptions import ValidationError

CLASSIFICATION_MARKINGS = re.compile(
    r"TOP\s+SECRET"  # TOP SECRET, TOP SECRET//SCI
    r"|\b(?:SECRET|CONFIDENTIAL|TS|S|C)\s*//"  # SECRET//NOFORN, TS//SI, S//REL, C//
    r"|//\s*(?:NOFORN|SCI|SI|TK|HCS|ORCON|REL\b|FVEY|RELIDO)",  # dissemination controls
    re.IGNORECASE,
)

CREDENTIAL_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key ID
    re.compile(r"\b(?:sk|rk|pk)[-_](?:live|test|proj|ant)?[-_]?[A-Za-z0-9_-]{20,}"),  # vendor API keys
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"),  # GitHub tokens
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),  # Slack tokens
    re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),  # Google API keys
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),  # JSON Web Tokens
    re.compile(r"(?i)\b(?:api[_-]?key|secret|password|passwd|token|bearer)\b\s*[:=]\s*\S{8,}"),
    # A long unbroken run of letters and digits (mixed) reads as a key, not as prose; a run of
    # hexadecimal digits alone is a checksum (a SHA-256 of the weights), which is welcome.
    re.compile(r"\b(?![0-9a-fA-F]+\b)(?=[A-Za-z0-9+/_-]*\d)(?=[A-Za-z0-9+/_-]*[A-Za-z])[A-Za-z0-9+/_-]{40,}={0,2}"),
]


def refuse_classification_markings(text: str) -> None:
    if text and CLASSIFICATION_MARKINGS.search(text):
        raise ValidationError(
            "This portal is unclassified. Remove the classification marking and any classified content; "
            "record only the unclassified outcome and the reference of the classified record.",
            code="classified_marking",
        )


def refuse_credentials(text: str) -> None:
    if text and any(pattern.search(text) for pattern in CREDENTIAL_PATTERNS):
        raise ValidationError(
            "This looks like a credential (an API key, token, password or private key). The portal stores "
            "no secrets: describe how access is given and send credentials out of band.",
            code="credential",
        )
