"""Settings of the Plateforme PTCE, read from environment variables.

Development defaults are safe (SQLite, console e-mail, local files). Set ``DJANGO_ENV=production``
for the production mode, where secrets must be provided and ``check --deploy`` is clean.
"""

import os
import sys
from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from ptce.env import KEY_ID_PATTERN, database_from_url, env_bool, env_keys, env_list, site_url
from ptce.observability import init_sentry, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

ENVIRONMENT = os.environ.get("DJANGO_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
TESTING = os.environ.get("PTCE_TESTING") == "1" or Path(sys.argv[0]).name in {"pytest", "py.test"}

if PRODUCTION:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY doit contenir au moins 50 caractères en production."
        )
else:
    SECRET_KEY = os.environ.get(
        "DJANGO_SECRET_KEY", "dev-only-insecure-key-never-used-in-production-0123456789abcdef"
    )

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION and not TESTING)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# PTCE_SITE_URL, else the address `make run` serves (HOST, PORT): links in e-mails and .ics.
SITE_URL = site_url(os.environ)

# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated);
# empty: the peer address is the client (core/network.py).
TRUSTED_PROXIES = env_list("PTCE_TRUSTED_PROXIES", default=[])

# Audit chain (core/audit.py, docs/adr/0012-audit-chain-hmac.md): entries sealed with
# HMAC-SHA-256 under a key kept out of the database. PTCE_AUDIT_KEY_ID names the key in each
# entry ("hmac-sha256:v1"); after a rotation the previous keys stay in PTCE_AUDIT_OLD_KEYS
# ("v1:<key>,v2:<key>") so that older entries still verify. Without PTCE_AUDIT_KEY, development
# and tests use a public, non-secret key named "dev"; elsewhere audited writes refuse to run
# and `check --deploy` warns (ptce.W040).
AUDIT_DEV_KEY = "ptce-journal-d-audit-cle-de-developpement-publique-non-secrete"
AUDIT_KEY = os.environ.get("PTCE_AUDIT_KEY", "").strip()
AUDIT_KEY_ID = os.environ.get("PTCE_AUDIT_KEY_ID", "").strip() or "v1"
if not KEY_ID_PATTERN.match(AUDIT_KEY_ID):
    raise ImproperlyConfigured(
        "PTCE_AUDIT_KEY_ID : lettres, chiffres, « . », « _ » ou « - » (20 au plus), ex. v2."
    )
try:
    AUDIT_OLD_KEYS = env_keys("PTCE_AUDIT_OLD_KEYS")
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from None
if not AUDIT_KEY and (DEBUG or TESTING):
    AUDIT_KEY, AUDIT_KEY_ID = AUDIT_DEV_KEY, "dev"
# Folder of the default storage where the chain head is copied every hour (core/audit_heads.py);
# tests never read the heads a development server wrote.
AUDIT_HEADS_DIR = "audit-heads-tests" if TESTING else "audit-heads"

# One app per domain area (SPEC), in dependency order: demo data loads in this order too.
PROJECT_APPS = [
    "core",
    "accounts",
    "territories",
    "registry",
    "calls",
    "applications",
    "reviews",
    "laureates",
    "directory",
    "events",
    "dynamics",
    "webhooks",
    "editorial",
    "privacy",
    "mailing",
    "backoffice",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "widget_tweaks",
    "dsfr",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "django_ratelimit",
    "django_prometheus",
    *PROJECT_APPS,
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "privacy.middleware.AccessLogMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "ptce.urls"
WSGI_APPLICATION = "ptce.wsgi.application"

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
                "core.context_processors.platform",
            ],
        },
    },
]

try:
    DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", ""), BASE_DIR)}
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches shared by every process (rate-limit counters, API responses): the database cache
# (table created by `manage.py createcachetable`), Redis when REDIS_URL is set — with the
# database cache taking over while Redis is down (core/cache.py). Tests use a per-process
# memory cache unless a test switches (core/tests/test_ratelimit.py checks the real ones).
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
_DATABASE_CACHE = {
    "BACKEND": "core.cache.AtomicDatabaseCache",
    "LOCATION": "ptce_cache",
    "TIMEOUT": 300,
    "OPTIONS": {"MAX_ENTRIES": 100_000, "CULL_FREQUENCY": 10},
}
CACHES = {"database": _DATABASE_CACHE}
# Our two backends are not on django-ratelimit's list; docs/adr/0011s explains why they hold.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if REDIS_URL:
    CACHES["redis"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    CACHES["default"] = {
        "BACKEND": "core.cache.FallbackCache",
        "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "database", "RETRY_AFTER": 30},
    }
elif TESTING and not env_bool("PTCE_SHARED_CACHE", default=False):
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    # django-ratelimit rightly refuses a per-process cache; tests count in one process.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003"]
else:
    CACHES["default"] = _DATABASE_CACHE

# Event registration: an address that is not a signed-in account's verified address confirms
# it through the link sent by e-mail within this delay; a free place is held for it meanwhile,
# then released (periodic job « events.release_holds »). See docs/deploy.md.
EVENT_HOLD_MINUTES = int(os.environ.get("PTCE_EVENT_HOLD_MINUTES", "30"))

# Rate limits ("N/s|m|h|d", see docs/deploy.md); PTCE_RATE_LIMIT_<NAME> overrides, 0 = off.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "core.network.client_ip"
_RATE_LIMIT_DEFAULTS = {
    "eligibility": "60/m",  # public eligibility simulator, per client address
    "directory_api": "120/m",  # public read API, per client address
    "signup": "10/h",  # accounts created, per client address
    "password_reset": "10/h",  # reset e-mails asked, per client address
    "resend_confirmation": "10/h",  # confirmation e-mails asked, per client address
    "dynamics_declaration": "5/h",  # complete declarations, per client address
    "event_registration": "20/h",  # registrations sent, per client address
    "event_registration_event": "300/h",  # registrations sent, per event (all clients)
}
RATE_LIMITS = {
    name: os.environ.get(f"PTCE_RATE_LIMIT_{name.upper()}", default).strip()
    for name, default in _RATE_LIMIT_DEFAULTS.items()
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Hashing is not what tests check; a fast hasher keeps the suite quick.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "core:home"

# Login throttling: 5 failures lock the (user, IP) pair for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
# One counter per account whatever the case and spaces typed (accounts/lockout.py).
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_CLIENT_IP_CALLABLE = "core.network.client_ip"

OTP_TOTP_ISSUER = "Plateforme PTCE"

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(4 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even before collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = None  # files are only ever served through permission-checked views

if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    DEFAULT_FILE_STORAGE_BACKEND = "storages.backends.s3.S3Storage"
    DEFAULT_STORAGE_OPTIONS = {
        "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL"),
        "region_name": os.environ.get("AWS_S3_REGION_NAME"),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
else:
    DEFAULT_FILE_STORAGE_BACKEND = "django.core.files.storage.FileSystemStorage"
    DEFAULT_STORAGE_OPTIONS = {"location": MEDIA_ROOT, "base_url": "/fichiers-non-publics/"}

STORAGES = {
    "default": {"BACKEND": DEFAULT_FILE_STORAGE_BACKEND, "OPTIONS": DEFAULT_STORAGE_OPTIONS},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
# File backend (`make run` chooses it): one file per message in this folder.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "log" / "courriels"))
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Plateforme PTCE <ne-pas-repondre@ptce.example.gouv.fr>"
)
OUTBOX_MAX_ATTEMPTS = 8

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            # Tests run tasks inline, when the transaction that queued them commits.
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend",
        ),
    }
}

# Readiness (/sante/pret/, core/health.py): a worker whose heartbeat (a periodic task, every
# minute) is older than this many seconds counts as stopped; an e-mail still waiting in the
# outbox after this many seconds (its retries span about 22 h) makes the platform not ready.
PTCE_WORKER_HEARTBEAT_TIMEOUT = int(os.environ.get("PTCE_WORKER_HEARTBEAT_TIMEOUT", "300"))
PTCE_OUTBOX_MAX_PENDING_AGE = int(os.environ.get("PTCE_OUTBOX_MAX_PENDING_AGE", str(24 * 3600)))

# Prometheus metrics at /sante/metriques/ (core/metrics.py), for whoever sends
# `Authorization: Bearer <PTCE_METRICS_TOKEN>`; no token: the page does not exist (404).
PTCE_METRICS_TOKEN = os.environ.get("PTCE_METRICS_TOKEN", "").strip()
if PRODUCTION and PTCE_METRICS_TOKEN and len(PTCE_METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("PTCE_METRICS_TOKEN doit contenir au moins 32 caractères.")

# Content Security Policy: scripts only from the platform, with a per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # The DSFR sets inline style attributes from its scripts; styles cannot run code.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Logs (ptce/observability.py): PTCE_LOG_FORMAT=json writes one JSON object per line with the
# request id (core/requestid.py, also sent back in X-Request-ID); PTCE_LOG_REQUESTS adds one
# line per request (on by default with JSON).
PTCE_LOG_FORMAT = os.environ.get("PTCE_LOG_FORMAT", "text").strip().lower() or "text"
PTCE_LOG_REQUESTS = env_bool("PTCE_LOG_REQUESTS", default=PTCE_LOG_FORMAT == "json")
LOGGING = logging_config(PTCE_LOG_FORMAT, os.environ.get("LOG_LEVEL", "INFO"))

# Error tracking, only when SENTRY_DSN is set: no personal data (ptce/observability.py).
SENTRY_ENABLED = init_sentry(os.environ, ENVIRONMENT)

# Django-dsfr reads its configuration from the database; the platform renders its own shell.
DSFR_USE_INTEGRITY_CHECKSUMS = True
# The DSFR marks optional fields, not required ones (read by django-dsfr's field templates;
# core.forms.PtceForm keeps django-dsfr's transitional warning out of the way).
DSFR_MARK_OPTIONAL_FIELDS = True

PLATFORM_NAME = "Plateforme PTCE"
PLATFORM_TAGLINE = "Pôles territoriaux de coopération économique"

# accounts — sign-in with ProConnect (OpenID Connect). Disabled (no button, no routes) unless
# the discovery URL, the client id and the client secret are all set. See docs/proconnect.md.
PROCONNECT_DISCOVERY_URL = os.environ.get("PROCONNECT_DISCOVERY_URL", "").strip()
PROCONNECT_CLIENT_ID = os.environ.get("PROCONNECT_CLIENT_ID", "").strip()
PROCONNECT_CLIENT_SECRET = os.environ.get("PROCONNECT_CLIENT_SECRET", "").strip()
PROCONNECT_SCOPES = os.environ.get(
    "PROCONNECT_SCOPES", "openid email given_name usual_name siret idp_id"
).split()
PROCONNECT_ACR_VALUES = os.environ.get("PROCONNECT_ACR_VALUES", "eidas1").strip()
# An `acr` in this list, or an `amr` containing one of these methods, counts as the staff
# second factor; otherwise staff still pass the platform's own TOTP step.
PROCONNECT_MFA_ACR_VALUES = env_list("PROCONNECT_MFA_ACR_VALUES", default=["eidas2", "eidas3"])
PROCONNECT_MFA_AMR_VALUES = env_list(
    "PROCONNECT_MFA_AMR_VALUES", default=["mfa", "mca", "otp", "totp", "pop", "hwk", "sc"]
)
PROCONNECT_TIMEOUT = float(os.environ.get("PROCONNECT_TIMEOUT", "10"))
if PROCONNECT_DISCOVERY_URL:
    # The sign-in and sign-out forms post here, then redirect to ProConnect: browsers apply
    # `form-action` to that redirect, so the provider's origin must be allowed.
    from urllib.parse import urlsplit as _urlsplit

    _proconnect_url = _urlsplit(PROCONNECT_DISCOVERY_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] = [
        *CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"],
        f"{_proconnect_url.scheme}://{_proconnect_url.netloc}",
    ]

# --- registry (company register, SIRENE) ---------------------------------------------------
# "local" (tables loaded by `manage.py import_sirene`), "online" (API Recherche d'entreprises,
# local table only when the API fails) or "online_then_local" (also when the API does not know
# the number). Tests never use the network: "local" unless a test says otherwise.
SIRENE_SOURCE = os.environ.get("SIRENE_SOURCE", "local" if TESTING else "online_then_local")
SIRENE_API_BASE_URL = os.environ.get(
    "SIRENE_API_BASE_URL", "https://recherche-entreprises.api.gouv.fr"
)
SIRENE_API_TIMEOUT = float(os.environ.get("SIRENE_API_TIMEOUT", "2"))
SIRENE_API_RETRIES = int(os.environ.get("SIRENE_API_RETRIES", "2"))
# While a person waits (form save, auto-fill): local table first, then one try this short.
SIRENE_API_INTERACTIVE_TIMEOUT = float(os.environ.get("SIRENE_API_INTERACTIVE_TIMEOUT", "0.15"))
# After a failure, lookups skip the API for this many seconds (degraded mode, local table).
SIRENE_API_PAUSE_SECONDS = int(os.environ.get("SIRENE_API_PAUSE_SECONDS", "60"))
SIRENE_API_BACKOFF = float(os.environ.get("SIRENE_API_BACKOFF", "0.3"))
SIRENE_API_CACHE_SECONDS = int(os.environ.get("SIRENE_API_CACHE_SECONDS", str(24 * 3600)))
SIRENE_API_NOT_FOUND_CACHE_SECONDS = int(
    os.environ.get("SIRENE_API_NOT_FOUND_CACHE_SECONDS", "3600")
)
# Auto-fill endpoint: lookups per signed-in user and minute.
SIRENE_LOOKUPS_PER_MINUTE = int(os.environ.get("SIRENE_LOOKUPS_PER_MINUTE", "30"))

# --- retention of personal data (privacy/retention.py, docs/personal-data.md) ---------------
PTCE_RETENTION = {
    # Drafts nobody touched for this many months are deleted with their pieces.
    "DRAFT_MONTHS": int(os.environ.get("PTCE_RETENTION_DRAFT_MONTHS", "24")),
    # Bodies (text, HTML, attachments) of sent or failed e-mails; the row is kept.
    "OUTBOX_BODY_DAYS": int(os.environ.get("PTCE_RETENTION_OUTBOX_BODY_DAYS", "90")),
    # Log of staff accesses to personal data.
    "ACCESS_LOG_DAYS": int(os.environ.get("PTCE_RETENTION_ACCESS_LOG_DAYS", "365")),
    # Candidate accounts without sign-in for this many years get a warning e-mail...
    "INACTIVE_ACCOUNT_YEARS": int(os.environ.get("PTCE_RETENTION_INACTIVE_ACCOUNT_YEARS", "3")),
    # ...and are anonymised if still inactive this many days after it.
    "INACTIVE_WARNING_DAYS": int(os.environ.get("PTCE_RETENTION_INACTIVE_WARNING_DAYS", "30")),
    # Rows handled per transaction.
    "BATCH_SIZE": int(os.environ.get("PTCE_RETENTION_BATCH_SIZE", "200")),
}

# --- backups (core/backup.py, core/backup_schedule.py, docs/deploy.md) ------------------------
# Daily backup to the "backups" storage, keeping the last N daily and M weekly archives.
PTCE_BACKUP_KEEP_DAILY = int(os.environ.get("PTCE_BACKUP_KEEP_DAILY", "7"))
PTCE_BACKUP_KEEP_WEEKLY = int(os.environ.get("PTCE_BACKUP_KEEP_WEEKLY", "4"))
# A restore check older than this (hours) makes the readiness check report a problem.
PTCE_BACKUP_MAX_AGE_HOURS = int(os.environ.get("PTCE_BACKUP_MAX_AGE_HOURS", "36"))
if os.environ.get("PTCE_BACKUP_BUCKET"):
    STORAGES["backups"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["PTCE_BACKUP_BUCKET"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL"),
            "region_name": os.environ.get("AWS_S3_REGION_NAME"),
            "default_acl": "private",
            "file_overwrite": False,
        },
    }
else:
    STORAGES["backups"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": Path(os.environ.get("PTCE_BACKUP_DIR", BASE_DIR / "var" / "backups"))
        },
    }
