"""Background work of the grants program, run by django-q2 workers as the system user."""

from eo_portal.audit import system_user
from grants import selectors, services


def alert_saved_searches(opportunity_id: int) -> int:
    """E-mail the people whose saved searches match a newly posted opportunity."""
    opportunity = selectors.opportunity_by_id(opportunity_id)
    if opportunity is None:
        return 0
    return services.alert_saved_searches(opportunity, by=system_user())


def send_draft_reminders() -> int:
    """Daily: reminders of unsubmitted drafts 7 days and 1 day before the close time."""
    return services.send_draft_reminders(by=system_user())
