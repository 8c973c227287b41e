"""Settings for the benchmark: the portal's own settings, measured as production runs them.

`DEBUG=true` is only needed to import the portal's settings without a SECRET_KEY; the benchmark
then turns DEBUG off again, because with DEBUG on Django keeps the text of every query, which
adds to each request's time and would hold gigabytes while a million rows are inserted.
"""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("STATIC_FROM_SOURCE", "true")

from eo_portal.settings import *  # noqa: E402,F403
from eo_portal.settings import ALLOWED_HOSTS, Q_CLUSTER  # noqa: E402

DEBUG = False
# Django's test client sends its requests to "testserver".
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks are queued in the database as in production, never run inside a timed request.
Q_CLUSTER = {**Q_CLUSTER, "sync": False, "log_level": "WARNING"}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
