"""Background work of the clearinghouse, run by django-q2 workers as the system user."""

from clearinghouse import selectors, services
from eo_portal.audit import system_user


def distribute_advisory(advisory_id: int) -> int:
    """Deliver a published advisory to its recipients; safe to run again (it adds only the missing)."""
    advisory = selectors.advisory_by_id(advisory_id)
    if advisory is None:
        return 0
    return services.distribute_advisory(advisory, by=system_user())
