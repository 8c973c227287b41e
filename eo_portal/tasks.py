"""Background work of the core, run by django-q2 workers as the system user."""

from django.core.mail import EmailMessage, get_connection, send_mail
from django.urls import reverse

from eo_portal import mandates, selectors, services
from eo_portal.audit import system_user
from eo_portal.links import absolute_url


def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail a batch of notifications over one connection; returns how many messages were sent.

    A notification already e-mailed (a retried task) is not sent again.
    """
    pending = [n for n in selectors.notifications_awaiting_email(notification_ids) if n.recipient.email]
    messages = []
    for notification in pending:
        body = notification.body
        if notification.link:
            body = f"{body}\n\n{absolute_url(notification.link)}".strip()
        messages.append(EmailMessage(notification.subject, body, None, [notification.recipient.email]))
    if not messages:
        return 0
    with get_connection() as connection:
        sent = connection.send_messages(messages) or 0
    services.mark_notifications_emailed(pending, by=system_user())
    return sent


def send_verification_email(account_id: int) -> bool:
    """E-mail the link that activates a registered account; True when a message was sent.

    The link is made here, when the message goes out, so its lifetime counts from the e-mail;
    an account that was verified or changed by an administrator meanwhile gets nothing.
    """
    account = selectors.account_awaiting_verification(account_id)
    if account is None or not account.email:
        return False
    link = absolute_url(services.verification_path(account))
    lifetime = services.verification_link_lifetime()
    body = (
        f"Hello {account.get_full_name() or account.get_username()},\n\n"
        f'Someone, we hope you, created the EO Portal account "{account.get_username()}" with this '
        f"e-mail address. To verify the address and activate the account, open this link within "
        f'{lifetime} and press "Verify my e-mail address":\n\n'
        f"{link}\n\n"
        "If the link has expired, ask for a new one at "
        f"{absolute_url(reverse('account-verify-resend'))}\n\n"
        "If you did not create this account, ignore this e-mail: the account stays inactive and "
        "nobody can sign in with it.\n"
    )
    send_mail("Verify your e-mail address for the EO Portal", body, None, [account.email])
    return True


def send_mandate_reminders() -> int:
    """Daily: reminders 7 days and 1 day before each mandate's due date."""
    return mandates.send_mandate_reminders(by=system_user())
