"""Background work of the core, run by django-q2 workers as the system user."""

from django.core.mail import send_mail

from eo_portal import selectors, services
from eo_portal.audit import system_user
from eo_portal.links import absolute_url


def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification to its recipient; True when a message was sent."""
    notification = selectors.notification_awaiting_email(notification_id)
    if notification is None or not notification.recipient.email:
        return False
    body = notification.body
    if notification.link:
        body = f"{body}\n\n{absolute_url(notification.link)}".strip()
    send_mail(notification.subject, body, None, [notification.recipient.email])
    services.mark_notification_emailed(notification, by=system_user())
    return True
