"""The state tables of the grants program: opportunities and applications, and which moves each allows.
Who may take a move is checked in the services."""

from __future__ import annotations

from django.db import models

from eo_portal.errors import Conflict


class OpportunityStatus(models.TextChoices):
    FORECASTED = "forecasted", "Forecasted"
    POSTED = "posted", "Posted"
    CLOSED = "closed", "Closed"
    ARCHIVED = "archived", "Archived"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    AWARDED = "awarded", "Awarded"
    NOT_SELECTED = "not_selected", "Not selected"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPPORTUNITY_MOVES = {
    "post": ((OpportunityStatus.FORECASTED,), OpportunityStatus.POSTED),
    "close": ((OpportunityStatus.POSTED,), OpportunityStatus.CLOSED),
    "archive": ((OpportunityStatus.CLOSED,), OpportunityStatus.ARCHIVED),
}
OPPORTUNITY_PAST = {"post": "posted", "close": "closed", "archive": "archived"}
PUBLIC_OPPORTUNITY = (OpportunityStatus.FORECASTED, OpportunityStatus.POSTED, OpportunityStatus.CLOSED,
                      OpportunityStatus.ARCHIVED)
AMENDABLE = (OpportunityStatus.FORECASTED, OpportunityStatus.POSTED)

EDITABLE_APPLICATION = (ApplicationStatus.DRAFT,)
# An applicant may withdraw until a decision is made.
WITHDRAWABLE = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)
IN_REVIEW = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)
DECIDED = (ApplicationStatus.AWARDED, ApplicationStatus.NOT_SELECTED)
# Organisations holding these are told of an amendment.
AMENDMENT_AUDIENCE = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)


class MoveNotAllowed(Conflict):
    """The opportunity or application is not in a state that allows this step (HTTP 409)."""


def check_opportunity_move(move: str, status: str) -> str:
    sources, target = OPPORTUNITY_MOVES[move]
    if status not in sources:
        raise MoveNotAllowed(
            f"An opportunity that is {OpportunityStatus(status).label.lower()} cannot be {OPPORTUNITY_PAST[move]}."
        )
    return target


def check_application_in(status: str, allowed: tuple[str, ...], action: str) -> None:
    if status not in allowed:
        raise MoveNotAllowed(
            f"An application that is {ApplicationStatus(status).label.lower()} cannot be {action}."
        )
