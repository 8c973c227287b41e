"""Settings for the test suite: the portal's own settings with test-only speed-ups."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("STATIC_FROM_SOURCE", "true")
os.environ.setdefault("Q_SYNC", "true")

from eo_portal.settings import *  # noqa: E402,F403

# Hashing passwords properly is slow by design; tests need speed, not strength.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The test client and the live server speak plain HTTP; production's HTTPS rules are tested apart.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
# Static files come from the source folders; no collected copy is needed.
STATIC_ROOT = None
