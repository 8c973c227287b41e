"""The state tables of Tech Force hiring: openings and applications, and who moves each."""

from __future__ import annotations

from django.db import models

from eo_portal.errors import Conflict


class OpeningStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    FILLED = "filled", "Filled"
    CANCELLED = "cancelled", "Cancelled"


class ApplicationStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    QUALIFIED = "qualified", "Qualified"
    NOT_QUALIFIED = "not_qualified", "Not qualified"
    REFERRED = "referred", "Referred to the hiring manager"
    INTERVIEW = "interview", "Interview"
    OFFER = "offer", "Offer made"
    PLACED = "placed", "Placed"
    NOT_SELECTED = "not_selected", "Not selected"
    WITHDRAWN = "withdrawn", "Withdrawn by the applicant"


OPENING_MOVES = {
    "post": ((OpeningStatus.DRAFT,), OpeningStatus.OPEN),
    "close": ((OpeningStatus.OPEN,), OpeningStatus.CLOSED),
    "fill": ((OpeningStatus.OPEN, OpeningStatus.CLOSED), OpeningStatus.FILLED),
    "cancel": ((OpeningStatus.DRAFT, OpeningStatus.OPEN, OpeningStatus.CLOSED), OpeningStatus.CANCELLED),
}

# Where the hiring agency may move an application from each status. Placing is its own step
# (it records the start date and office); withdrawing is the applicant's.
AGENCY_MOVES = {
    ApplicationStatus.RECEIVED: (ApplicationStatus.QUALIFIED, ApplicationStatus.NOT_QUALIFIED),
    ApplicationStatus.QUALIFIED: (ApplicationStatus.REFERRED, ApplicationStatus.NOT_SELECTED),
    ApplicationStatus.REFERRED: (ApplicationStatus.INTERVIEW, ApplicationStatus.NOT_SELECTED),
    ApplicationStatus.INTERVIEW: (ApplicationStatus.OFFER, ApplicationStatus.NOT_SELECTED),
    ApplicationStatus.OFFER: (ApplicationStatus.NOT_SELECTED,),
}
PLACEABLE = (ApplicationStatus.OFFER,)
# An applicant may withdraw until an offer is made.
WITHDRAWABLE = (
    ApplicationStatus.RECEIVED,
    ApplicationStatus.QUALIFIED,
    ApplicationStatus.REFERRED,
    ApplicationStatus.INTERVIEW,
)
ENDED = (
    ApplicationStatus.NOT_QUALIFIED,
    ApplicationStatus.PLACED,
    ApplicationStatus.NOT_SELECTED,
    ApplicationStatus.WITHDRAWN,
)


class MoveNotAllowed(Conflict):
    """The opening or application is not in a state that allows this step (HTTP 409)."""


def check_opening_move(move: str, status: str) -> str:
    sources, target = OPENING_MOVES[move]
    if status not in sources:
        done = OpeningStatus(target).label.lower() if move != "post" else "posted"
        raise MoveNotAllowed(f"An opening that is {OpeningStatus(status).label.lower()} cannot be {done}.")
    return target


def check_application_move(status: str, target: str) -> None:
    if target not in AGENCY_MOVES.get(status, ()):
        allowed = ", ".join(ApplicationStatus(s).label.lower() for s in AGENCY_MOVES.get(status, ())) or "nothing"
        raise MoveNotAllowed(
            f"An application that is {ApplicationStatus(status).label.lower()} can move to {allowed}, "
            f"not to {ApplicationStatus(target).label.lower()}."
        )


class Stage(models.TextChoices):
    """Where one agency of a pooled cohort stands with an applicant."""

    CONSIDERING = "considering", "Considering"
    INTERVIEW = "interview", "Interview"
    OFFER = "offer", "Offer made"
    NOT_SELECTED = "not_selected", "Not selected"
    PLACED = "placed", "Placed"


STAGE_MOVES = {
    Stage.CONSIDERING: (Stage.INTERVIEW, Stage.NOT_SELECTED),
    Stage.INTERVIEW: (Stage.OFFER, Stage.NOT_SELECTED),
    Stage.OFFER: (Stage.NOT_SELECTED,),
}


def check_stage_move(stage: str, target: str) -> None:
    if target not in STAGE_MOVES.get(stage, ()):
        allowed = ", ".join(Stage(s).label.lower() for s in STAGE_MOVES.get(stage, ())) or "nothing"
        raise MoveNotAllowed(
            f"An agency that is at “{Stage(stage).label.lower()}” can move to {allowed}, "
            f"not to {Stage(target).label.lower()}."
        )
