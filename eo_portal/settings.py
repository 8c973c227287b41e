"""Settings of the EO Portal, read from the environment (see README, "Configuration").

Development defaults are safe: DEBUG is off unless asked for, and without DEBUG
a SECRET_KEY must be given.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from eo_portal.env import env_base32, env_bool, env_date, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "development-only-key-never-used-with-debug-off"

LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", LOCAL_HOSTS)
if DEBUG and set(ALLOWED_HOSTS) - set(LOCAL_HOSTS) - {"testserver"}:
    # Debug pages show settings and source: never where anyone but the developer can reach them.
    raise ImproperlyConfigured(f"DEBUG cannot be on when ALLOWED_HOSTS names other hosts: {ALLOWED_HOSTS}")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "simple_history",
    "django_q",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "eo_portal",
    "reviews",
    "clearinghouse",
    "grants",
    "workforce",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # NUL bytes and overlong values in the query string are a 400 before any view parses them.
    "eo_portal.request_limits.QueryLimitsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks request.user verified when the session holds a confirmed authenticator (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "eo_portal.session_limits.SessionLimitMiddleware",
    # Until the code is entered, a person who must use MFA reaches only the sign-in pages.
    "eo_portal.mfa.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "eo_portal.headers.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: turns a sign-in refused for a lock into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "eo_portal.urls"
WSGI_APPLICATION = "eo_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "eo_portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: it pays off for long analytic queries, but a list query misestimated
    # past jit_above_cost spent 0.2-2 s compiling itself on every request (bench/README.md).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = " ".join(
        filter(None, [DATABASES["default"]["OPTIONS"].get("options", ""), "-c jit=off"])
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in of a locked user name or address before a password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Sign-in lockout (NIST SP 800-53 AC-7; django-axes). A user name and an address are each locked
# on their own after SIGN_IN_LOCKOUT_FAILURES failures, for SIGN_IN_LOCKOUT_MINUTES, never for
# good: a permanent lock would let anyone keep a real person out by typing their user name.
AXES_FAILURE_LIMIT = env_int("SIGN_IN_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGN_IN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lock are refused without being counted, so a lock ends when it said it would.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "eo_portal.lockout.locked_out_response"
AXES_CLIENT_IP_CALLABLE = "eo_portal.sign_in_audit.client_address"
# Sign-ins are recorded in the portal's own append-only SignInEvent table (eo_portal/sign_in_audit.py).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Multi-factor sign-in (IA-2(1), IA-2(2); django-otp, TOTP). Who must use it: eo_portal/mfa.py.
OTP_TOTP_ISSUER = "EO Portal"
# Staff looking at a device in the admin never see its secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Waits of 1, 2, 4, 8 ... seconds after each wrong code (django-otp's throttle), whatever the session.
OTP_TOTP_THROTTLE_FACTOR = 1

# guardian: no anonymous user row; anonymous visitors see only what is public by rule.
ANONYMOUS_USER_NAME = None
GUARDIAN_RENDER_404 = True

# Web addresses typed without a scheme are taken as https (Django 6's default).
FORMS_URLFIELD_ASSUME_HTTPS = True

LANGUAGE_CODE = "en-us"
# Stored in UTC, shown in US Eastern (rule 5 of DESIGN.md).
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files need `collectstatic`; development and tests serve
        # from the source folders instead.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or env_bool("STATIC_FROM_SOURCE", False)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# E-mail: the console in development; SMTP (or any backend) from the environment.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "EO Portal <no-reply@eo-portal.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers and cookies. HTTPS-only behaviour is on whenever DEBUG is off.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# Idle timeout and absolute lifetime of a signed-in session (eo_portal/session_limits.py).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 60 * 60
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): only the portal's own files; no inline script or style, no
# third-party origin, no framing. Swagger UI's assets are served locally (drf-spectacular-sidecar).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy: the portal uses no device features.
PERMISSIONS_POLICY = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
# Behind a TLS-terminating proxy the client's address is the last X-Forwarded-For entry (the one the
# proxy added); anywhere else the header is the client's own claim and is ignored.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "eo_portal.api_tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "eo_portal.api_support.PortalPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "eo_portal.api_support.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "EO Portal API",
    "DESCRIPTION": "Review cases, clearinghouse advisories, grants and Tech Force hiring for the "
    "executive order on AI innovation and security.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "eo_portal.models.OrganisationKind",
        "DocumentKindEnum": "reviews.models.DocumentKind",
        "ReviewCaseStatusEnum": "reviews.workflow.Status",
        "OpeningStatusEnum": "workforce.workflow.OpeningStatus",
        "ApplicationStatusEnum": "workforce.workflow.ApplicationStatus",
        "MandateStatusEnum": "eo_portal.models.MandateStatus",
        "VulnerabilityStatusEnum": "clearinghouse.workflow.VulnerabilityStatus",
        "AdvisoryStatusEnum": "clearinghouse.workflow.AdvisoryStatus",
        "DeliveryStatusEnum": "clearinghouse.workflow.DeliveryStatus",
        "DirectiveStatusEnum": "clearinghouse.workflow.DirectiveStatus",
        "ComplianceStatusEnum": "clearinghouse.workflow.ComplianceStatus",
        "ToolRequestStatusEnum": "clearinghouse.workflow.ToolRequestStatus",
        "TlpEnum": "clearinghouse.models.Tlp",
        "DirectiveKindEnum": "clearinghouse.models.DirectiveKind",
        "RemediationCategoryEnum": "clearinghouse.models.RemediationCategory",
        "FindingCategoryEnum": "reviews.models.FindingCategory",
        "OpportunityStatusEnum": "grants.workflow.OpportunityStatus",
        "GrantApplicationStatusEnum": "grants.workflow.ApplicationStatus",
        "ApplicantTypeEnum": "grants.models.ApplicantType",
        "FundingInstrumentEnum": "grants.models.FundingInstrument",
        "BudgetObjectClassEnum": "grants.models.BudgetObjectClass",
        "ContactRoleEnum": "grants.models.ContactRole",
    },
}

# Review documents: the largest file a lab or agency may upload.
REVIEW_DOCUMENT_MAX_MB = env_int("REVIEW_DOCUMENT_MAX_MB", 25)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Grant attachments: notices of funding opportunity and applications' attachments (PDF only).
GRANT_DOCUMENT_MAX_MB = env_int("GRANT_DOCUMENT_MAX_MB", 20)

# Tech Force résumés (PDF only).
RESUME_MAX_MB = env_int("RESUME_MAX_MB", 5)

# Personal API tokens: how long a new one lives unless its owner asks for less.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 90)

# Tasks: the ORM broker by default; Redis when REDIS_URL is set, so workers can run on any host.
REDIS_URL = env_str("REDIS_URL")
Q_CLUSTER = {
    "name": "eo_portal",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": 300,
    "retry": 360,
    "max_attempts": 3,
    "catch_up": False,
    "sync": env_bool("Q_SYNC", False),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# The order's signing date: its deadlines count calendar days from it. The date reported for
# "Promoting Advanced Artificial Intelligence Innovation and Security".
EO_SIGNED_DATE = env_date("EO_SIGNED_DATE", "2026-06-02")

# The system account that tasks act as, so every history row names who changed it.
SYSTEM_USERNAME = "eo-portal-system"
DEMO_PASSWORD = env_str("EO_DEMO_PASSWORD", "eo-portal-demo-2026")
# The authenticator secret (base32) of every demo account that must use MFA; see README, "Demo accounts".
DEMO_TOTP_SECRET = env_base32("EO_DEMO_TOTP_SECRET", "EOPORTALDEMOKEYFORTRYINGTHESITE2")
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every successful sign-in at INFO; failures and locks (WARNING) are what matter,
    # and every sign-in is in the SignInEvent table anyway.
    "loggers": {"axes": {"level": "WARNING"}},
}
