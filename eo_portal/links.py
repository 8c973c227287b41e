from django.conf import settings


def absolute_url(path: str) -> str:
    """A portal path as a full address for e-mail, from PORTAL_BASE_URL."""
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}/{path.lstrip('/')}"
