"""The state tables of the clearinghouse: vulnerabilities, advisories, deliveries, directives and
tool requests, and which moves each allows. Who may take a move is checked in the services."""

from __future__ import annotations

from django.db import models

from eo_portal.errors import Conflict


class VulnerabilityStatus(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    REMEDIATION_IN_PROGRESS = "remediation_in_progress", "Remediation in progress"
    REMEDIATED = "remediated", "Remediated"
    MITIGATED = "mitigated", "Mitigated"
    CLOSED = "closed", "Closed"


class AdvisoryStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class DeliveryStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    REMEDIATED = "remediated", "Remediated"
    NOT_AFFECTED = "not_affected", "Not affected"


class ComplianceStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class DirectiveStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    REVOKED = "revoked", "Revoked"


class ToolRequestStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Triage is its own step (it records the SSVC decision points); merging closes a duplicate.
VULNERABILITY_MOVES = {
    VulnerabilityStatus.TRIAGED: (VulnerabilityStatus.REMEDIATION_IN_PROGRESS, VulnerabilityStatus.CLOSED),
    VulnerabilityStatus.REMEDIATION_IN_PROGRESS: (VulnerabilityStatus.REMEDIATED, VulnerabilityStatus.MITIGATED),
    VulnerabilityStatus.REMEDIATED: (VulnerabilityStatus.CLOSED,),
    VulnerabilityStatus.MITIGATED: (VulnerabilityStatus.REMEDIATION_IN_PROGRESS, VulnerabilityStatus.CLOSED),
}
TRIAGEABLE = (VulnerabilityStatus.NEW, VulnerabilityStatus.TRIAGED)
OPEN_VULNERABILITY = (
    VulnerabilityStatus.NEW,
    VulnerabilityStatus.TRIAGED,
    VulnerabilityStatus.REMEDIATION_IN_PROGRESS,
    VulnerabilityStatus.MITIGATED,
)

ADVISORY_MOVES = {
    "submit": ((AdvisoryStatus.DRAFT,), AdvisoryStatus.IN_REVIEW),
    "return": ((AdvisoryStatus.IN_REVIEW,), AdvisoryStatus.DRAFT),
    "publish": ((AdvisoryStatus.IN_REVIEW,), AdvisoryStatus.PUBLISHED),
    "withdraw": ((AdvisoryStatus.PUBLISHED,), AdvisoryStatus.WITHDRAWN),
}
EDITABLE_ADVISORY = (AdvisoryStatus.DRAFT,)
REVISABLE_ADVISORY = (AdvisoryStatus.PUBLISHED,)
DISTRIBUTED = (AdvisoryStatus.PUBLISHED, AdvisoryStatus.WITHDRAWN)

# A recipient's report counts as acted on once it says remediated or not affected.
DELIVERY_DONE = (DeliveryStatus.REMEDIATED, DeliveryStatus.NOT_AFFECTED)

DIRECTIVE_MOVES = {
    "issue": ((DirectiveStatus.DRAFT,), DirectiveStatus.ISSUED),
    "revoke": ((DirectiveStatus.ISSUED,), DirectiveStatus.REVOKED),
}

TOOL_REQUEST_DECIDABLE = (ToolRequestStatus.REQUESTED,)


class MoveNotAllowed(Conflict):
    """The object is not in a state that allows this step (HTTP 409)."""


def check_vulnerability_move(status: str, target: str) -> None:
    if target not in VULNERABILITY_MOVES.get(status, ()):
        allowed = ", ".join(VulnerabilityStatus(s).label.lower() for s in VULNERABILITY_MOVES.get(status, ()))
        raise MoveNotAllowed(
            f"A vulnerability that is {VulnerabilityStatus(status).label.lower()} can move to {allowed or 'nothing'}, "
            f"not to {VulnerabilityStatus(target).label.lower()}."
        )


def check_advisory_move(move: str, status: str) -> str:
    sources, target = ADVISORY_MOVES[move]
    if status not in sources:
        raise MoveNotAllowed(
            f"An advisory that is {AdvisoryStatus(status).label.lower()} cannot be "
            f"{ADVISORY_PAST[move]}; it must be {' or '.join(AdvisoryStatus(s).label.lower() for s in sources)}."
        )
    return target


ADVISORY_PAST = {
    "submit": "sent for review",
    "return": "returned to draft",
    "publish": "published",
    "withdraw": "withdrawn",
}


def check_directive_move(move: str, status: str) -> str:
    sources, target = DIRECTIVE_MOVES[move]
    if status not in sources:
        raise MoveNotAllowed(f"A directive that is {DirectiveStatus(status).label.lower()} cannot be {move}d.")
    return target
