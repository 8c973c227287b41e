"""Background work of Tech Force hiring, run by django-q2 workers as the system user."""

from eo_portal.audit import system_user
from workforce import selectors, services


def alert_saved_searches(opening_id: int) -> int:
    """E-mail the job seekers whose saved searches match a newly posted opening."""
    opening = selectors.openings_visible_to(None).filter(pk=opening_id).first()
    if opening is None:
        return 0
    return services.alert_saved_searches(opening, by=system_user())
