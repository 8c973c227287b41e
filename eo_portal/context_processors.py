from django.http import HttpRequest

from eo_portal import selectors

PROGRAMS = [
    ("reviews:index", "Model reviews"),
    ("clearinghouse:index", "Clearinghouse"),
    ("grants:index", "Grants"),
    ("workforce:index", "Tech Force hiring"),
]


def portal(request: HttpRequest) -> dict:
    """The navigation and the unread count every page's header shows."""
    return {
        "nav_programs": PROGRAMS,
        "unread_notifications": selectors.unread_count(getattr(request, "user", None)),
    }

