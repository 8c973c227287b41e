"""Background work of the review program, run by django-q2 workers as the system user."""

from eo_portal.audit import system_user
from reviews import services


def send_review_reminders() -> int:
    """Daily: window and determination reminders, each sent once per case and milestone."""
    return services.send_due_reminders(by=system_user())
