from django.http import HttpRequest

from eo_portal import selectors

PROGRAMS = [
    ("reviews:index", "Model reviews", "Voluntary pre-release review of frontier AI models by NSA, CISA and NIST."),
    ("clearinghouse:index", "Clearinghouse", "Vulnerabilities, prioritised remediation and advisories; CISA directives."),
    ("grants:index", "Grants", "OMB grant opportunities for AI cybersecurity capabilities."),
    ("workforce:index", "Tech Force hiring", "Federal cyber hiring and placement pathways and openings."),
]


def portal(request: HttpRequest) -> dict:
    """The navigation and the unread count every page's header shows."""
    return {
        "nav_programs": PROGRAMS,
        "unread_notifications": selectors.unread_count(getattr(request, "user", None)),
    }

