"""The state table of a review case: states, allowed transitions, and who may take each.

Review is voluntary. No state or label here says approved, cleared or authorised: the
government's review informs the lab, it never permits or blocks a release.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from eo_portal.errors import Conflict


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    SCREENING = "screening", "Screening"
    UNDER_REVIEW = "under_review", "Under review"
    FINDINGS_ISSUED = "findings_issued", "Findings issued"
    CLOSED = "closed", "Closed"
    NOT_WARRANTED = "not_warranted", "Review not warranted"
    WITHDRAWN = "withdrawn", "Withdrawn by the lab"


# Who takes a transition: the lab's managers, or the agencies assigned to the case.
LAB = "manage_reviewcase"
AGENCY = "review_reviewcase"

# The states in which the case is still open; a lab may withdraw from any of them.
OPEN_STATES = (Status.DRAFT, Status.SUBMITTED, Status.SCREENING, Status.UNDER_REVIEW, Status.FINDINGS_ISSUED)
ENDED_STATES = (Status.CLOSED, Status.NOT_WARRANTED, Status.WITHDRAWN)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    permission: str


TRANSITIONS = {
    t.name: t
    for t in [
        Transition("submit", "Submit for voluntary review", (Status.DRAFT,), Status.SUBMITTED, LAB),
        Transition("withdraw", "Withdraw the case", OPEN_STATES, Status.WITHDRAWN, LAB),
        Transition("start_screening", "Start screening", (Status.SUBMITTED,), Status.SCREENING, AGENCY),
        # The target depends on the outcome: see `target_of_determination`.
        Transition("determination", "Record the determination", (Status.SCREENING,), Status.SCREENING, AGENCY),
        Transition("start_review", "Start the review", (Status.SCREENING,), Status.UNDER_REVIEW, AGENCY),
        Transition(
            "issue_findings",
            "Issue the draft findings to the lab",
            (Status.UNDER_REVIEW, Status.FINDINGS_ISSUED),
            Status.FINDINGS_ISSUED,
            AGENCY,
        ),
        Transition("close", "Close the case", (Status.UNDER_REVIEW, Status.FINDINGS_ISSUED), Status.CLOSED, AGENCY),
    ]
}


class TransitionNotAllowed(Conflict):
    """The case is not in a state that allows this step; the message says why (HTTP 409)."""


def check(transition_name: str, status: str) -> Transition:
    transition = TRANSITIONS[transition_name]
    if status not in transition.sources:
        label = Status(status).label.lower()
        raise TransitionNotAllowed(f"A case that is {label} cannot take the step “{transition.label.lower()}”.")
    return transition


def target_of_determination(outcome: str) -> str:
    """Below the benchmark threshold ends the case; meeting it leaves it in screening to start review."""
    return Status.NOT_WARRANTED if outcome == "below_threshold" else Status.SCREENING


def available(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
