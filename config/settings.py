"""Yardstick settings, read from environment variables.

With nothing set, the app runs as a local demo: SQLite next to the code,
Celery tasks executed in-process, e-mail printed to the console. Setting
DATABASE_URL and REDIS_URL switches to PostgreSQL and real Celery workers.
YARDSTICK_PRODUCTION=1 turns on the production checks and hardening.
"""

import datetime
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from brands.sso import DEFAULT_GROUP_ROLES, parse_group_roles
from config.env import env_bool, env_int, env_list, env_str, env_url
from config.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = env_bool("YARDSTICK_PRODUCTION", False)
DEBUG = env_bool("DEBUG", not PRODUCTION)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY)
if PRODUCTION:
    if SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters in production"
        )
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when YARDSTICK_PRODUCTION is on")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "brands",
    "surveys",
    "scoring",
    "reports",
    "api",
    "demo",
    # django-ninja's templates and static files: the API's docs page uses its bundled Swagger
    # UI, served from our own static files (the Content-Security-Policy allows no CDN).
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "brands.context_processors.navigation",
                "reports.context_processors.my_work",
            ],
            # Django's i18n tags, with fixed messages kept per language (config/template_i18n.py).
            "libraries": {"i18n": "config.template_i18n"},
        },
    },
]
# Naming our i18n library "i18n" on purpose is what templates.W003 warns of; a test
# (tests/i18n/test_template_tags.py) fails on any other library name used twice.
SILENCED_SYSTEM_CHECKS = ["templates.W003"]

# Database: SQLite next to the code unless DATABASE_URL says otherwise.
DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameter binding lets psycopg prepare the statements a request
    # repeats (sessions, users, answer saves), which saves PostgreSQL the planning.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DATABASE_HEALTH_CHECKS", False)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "brands.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=60)

LANGUAGE_CODE = "en-gb"
# The languages Yardstick speaks: a question-set version may carry its texts in each of them
# (surveys/question_set_format.py LANGUAGES holds the same codes; a test keeps the two equal).
# LANGUAGE_CODE stays British English, which Django maps to "en" here.
LANGUAGES = [
    ("en", "English"),
    ("nl", "Dutch"),
    ("fr", "French"),
    ("de", "German"),
    ("el", "Greek"),
    ("ro", "Romanian"),
    ("cs", "Czech"),
]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
# The interface's messages: locale/<code>/LC_MESSAGES/django.po, written by us and compiled at
# install (`make messages`; docs/translations.md says how to add a language). Every language
# named here is complete: a test fails on any message of the code it leaves untranslated.
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES_COMPLETE = ["nl", "fr", "de", "el", "ro", "cs"]
# English keeps British dates and numbers (config/formats/en); the others use Django's own.
FORMAT_MODULE_PATH = ["config.formats"]
# Set by the language switcher before login (config/locale.py); after login the profile rules.
LANGUAGE_COOKIE_NAME = "yardstick_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
# Outside production, WhiteNoise serves straight from the source folders, so
# no collectstatic is needed for the demo, the tests or the benchmarks.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
    # Built reports: never served by the web server, only through the download view,
    # which checks the requester's access. For object storage, point BACKEND and
    # OPTIONS at e.g. django-storages' S3 backend in a settings override.
    "reports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("REPORTS_ROOT", str(MEDIA_ROOT / "reports"))},
    },
}

# Celery: with REDIS_URL the tasks go to real workers, without it they run
# in-process so that the local demo needs nothing but Python.
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False

# The figures cache (scoring.selectors.figures_cache): group-wide aggregates kept until a
# figure changes. Shared by every web process when it lives in Redis: FIGURES_CACHE_URL
# names the Redis to use; in production it defaults to REDIS_URL's server (keys prefixed
# "figures"), so that one computation after a change serves every process.
# FIGURES_CACHE_URL=local keeps it in each process's memory (the default outside production).
_figures_cache = env_str("FIGURES_CACHE_URL").strip()
if _figures_cache != "local":
    _figures_cache = env_url("FIGURES_CACHE_URL", schemes=("redis", "rediss")) or (
        REDIS_URL if PRODUCTION else ""
    )
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if _figures_cache and _figures_cache != "local":
    CACHES["figures"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _figures_cache,
        "KEY_PREFIX": "figures",
        # A Redis that does not answer must not hold a page up: the cache is read through.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "socket_connect_timeout": 2}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Round reminders (surveys/services/reminders.py): one digest per person a day, sent at
# ROUND_REMINDER_HOUR (in TIME_ZONE) for open rounds due within ROUND_REMINDER_DAYS_BEFORE
# days, and every ROUND_REMINDER_OVERDUE_EVERY_DAYS days once a round is overdue.
ROUND_REMINDER_HOUR = env_int("ROUND_REMINDER_HOUR", 7, minimum=0)
if ROUND_REMINDER_HOUR > 23:
    raise ImproperlyConfigured("ROUND_REMINDER_HOUR must be an hour of the day, 0 to 23")
ROUND_REMINDER_DAYS_BEFORE = env_int("ROUND_REMINDER_DAYS_BEFORE", 3, minimum=0)
ROUND_REMINDER_OVERDUE_EVERY_DAYS = env_int("ROUND_REMINDER_OVERDUE_EVERY_DAYS", 7, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "report-jobs-sweep": {"task": "reports.tasks.sweep_report_jobs", "schedule": 60.0},
    "report-files-expire": {"task": "reports.tasks.expire_report_files", "schedule": 3600.0},
    "round-reminders": {
        "task": "surveys.tasks.send_round_reminders",
        "schedule": crontab(hour=ROUND_REMINDER_HOUR, minute=0),
    },
}

# --- Integrations (issue 18; docs/integrations.md): issue trackers and outgoing webhooks. ---
# Tracker tokens and webhook secrets are stored encrypted with Fernet under TRACKER_SECRET_KEY
# (a key from `Fernet.generate_key()`; several, comma-separated, to rotate: the first encrypts,
# all decrypt). Unset, a key is derived from SECRET_KEY, so changing SECRET_KEY then makes the
# stored tokens unreadable: set TRACKER_SECRET_KEY in production.
TRACKER_SECRET_KEY = env_str("TRACKER_SECRET_KEY").strip()
# Calls to a tracker's REST API give up after this many seconds.
TRACKER_TIMEOUT = env_int("TRACKER_TIMEOUT", 10, minimum=1)
# How often Celery beat asks the trackers for the state of the linked open issues (the
# fallback when their webhook is not set up or a call of it was lost).
TRACKER_POLL_SECONDS = env_int("TRACKER_POLL_SECONDS", 15 * 60, minimum=60)
# Outgoing webhooks are delivered by a task on a queue of their own, so a slow receiver never
# holds up the reports: the workers must consume it (`celery worker -Q celery,webhooks`).
WEBHOOK_QUEUE = env_str("WEBHOOK_QUEUE", "webhooks").strip() or "webhooks"
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10, minimum=1)
# A failed delivery is tried again after WEBHOOK_RETRY_BASE_SECONDS, then twice as long each
# time (at most an hour), WEBHOOK_MAX_ATTEMPTS attempts in all.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 5, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)
# Webhook and tracker addresses on private, loopback or link-local networks are refused in
# production (a brand lead must not make the server call its own neighbours), unless this is on.
INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES = env_bool(
    "INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES", not PRODUCTION
)
CELERY_TASK_ROUTES = {"brands.tasks.deliver_webhook": {"queue": WEBHOOK_QUEUE}}
CELERY_BEAT_SCHEDULE["tracker-issues-poll"] = {
    "task": "scoring.tasks.poll_tracker_issues",
    "schedule": float(TRACKER_POLL_SECONDS),
}
CELERY_BEAT_SCHEDULE["webhook-deliveries-sweep"] = {
    "task": "brands.tasks.sweep_webhook_deliveries",
    "schedule": 60.0,
}
# --- end of integrations ---

# Report jobs (reports/tasks.py). A report building longer than the soft limit is
# stopped with a message; the hard limit kills it. A job still queued after
# REPORT_QUEUED_LIMIT seconds (no worker took it) is failed by the sweep, and a
# ready file is deleted REPORT_RETENTION_DAYS after it was built.
REPORT_SOFT_TIME_LIMIT = env_int("REPORT_SOFT_TIME_LIMIT", 5 * 60, minimum=10)
REPORT_TIME_LIMIT = env_int("REPORT_TIME_LIMIT", REPORT_SOFT_TIME_LIMIT + 60, minimum=15)
if REPORT_TIME_LIMIT <= REPORT_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("REPORT_TIME_LIMIT must be longer than REPORT_SOFT_TIME_LIMIT")
REPORT_MAX_ATTEMPTS = env_int("REPORT_MAX_ATTEMPTS", 3, minimum=1)
REPORT_QUEUED_LIMIT = env_int("REPORT_QUEUED_LIMIT", 30 * 60, minimum=60)
REPORT_RETENTION_DAYS = env_int("REPORT_RETENTION_DAYS", 7, minimum=1)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Yardstick <yardstick@localhost>")
# With EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend, mails are written here.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
# Where people reach Yardstick: links in mails sent without a request (the round reminders).
SITE_URL = (env_str("SITE_URL").strip() or "http://localhost:8000").rstrip("/")

# Uploads are refused above this size (bytes) before they are read into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("UPLOAD_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# Django keeps all of an uploaded file, whatever its size; this handler drops what
# comes past the largest upload limit, so an oversized file costs no disk (surveys/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "surveys.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Uploaded Excel workbooks (questionnaires, question sets) above this size are refused
# with a message; Django itself does not cap file fields (see docs/workbooks.md).
WORKBOOK_UPLOAD_MAX_BYTES = env_int(
    "WORKBOOK_UPLOAD_MAX_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE, minimum=1024
)

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline;
# nothing may frame a page, and forms post only to us. Styles allow 'unsafe-inline' because
# plotly.js sets style attributes and adds <style> rules as it draws (htmx adds one <style>
# for its request indicators too). The browser tests fail on any console error, so a page
# that breaks the policy fails them.
INSTALLED_APPS.append("csp")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # On by default so that `check --deploy` is clean; the header only has an effect
    # once the domain is submitted to the browsers' preload list.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# --- Hardening and operations (issue 8): login throttling, sessions, logs, proxies. ---
# Logs: one JSON object per line in production (for a log collector), readable text
# elsewhere; every line carries the request id (config.request_id).
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "text").strip().lower()
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").strip().upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}"
    )
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
# Celery workers log through the same handlers instead of replacing them with their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
MIDDLEWARE.insert(0, "config.request_id.RequestIdMiddleware")
# Lets changes made outside our services (the admin site) name their actor in the audit log.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "brands.audit.AuditRequestMiddleware",
)
# The person's language (profile, else cookie, else browser) for everything the request builds.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "config.locale.UserLanguageMiddleware",
)

# How many reverse proxies of ours stand in front of the app and append to X-Forwarded-For;
# 0 ignores the header (a client could forge it). Used by login throttling and the audit log.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one username, or
# from one address, further attempts are refused for the cool-off period (each refused
# attempt restarts it). Failures older than the cool-off are forgotten.
INSTALLED_APPS.append("axes")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    "brands.auth.ThrottledLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "config.proxy.client_address"
AXES_LOCKOUT_CALLABLE = "brands.views.lockout"
# Successful logins are in the audit log (brands.AuditEvent); axes keeps only the failures.
AXES_DISABLE_ACCESS_LOG = True

# Sessions end SESSION_COOKIE_AGE seconds after login (set above), or when the browser
# closes if SESSION_EXPIRE_AT_BROWSER_CLOSE is on.
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
# --- end of hardening and operations ---

# Invitation links to a self-fill stop working after this many days.
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 14, minimum=1)

# Evidence posted by pipelines (surveys/services/evidence.py, docs/pipeline-evidence.md): shown
# as stale once it is older than EVIDENCE_STALE_DAYS; a time it says it was observed more than
# EVIDENCE_CLOCK_SKEW_SECONDS in the future is refused (the pipeline's clock is wrong).
EVIDENCE_STALE_DAYS = env_int("EVIDENCE_STALE_DAYS", 30, minimum=1)
EVIDENCE_CLOCK_SKEW_SECONDS = env_int("EVIDENCE_CLOCK_SKEW_SECONDS", 300, minimum=0)
# --- The JSON API (api/, docs/api.md). ---
# A token lives at most API_TOKEN_MAX_DAYS days; its last use is written at most once every
# API_TOKEN_LAST_USED_EVERY seconds. Each token may make API_RATE_LIMIT requests per
# API_RATE_LIMIT_WINDOW seconds; more are answered 429 with Retry-After. The counters live
# in Redis when REDIS_URL is set (shared by every web process), else in each process's memory.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365, minimum=1)
API_TOKEN_LAST_USED_EVERY = env_int("API_TOKEN_LAST_USED_EVERY", 60, minimum=0)
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 120, minimum=1)
API_RATE_LIMIT_WINDOW = env_int("API_RATE_LIMIT_WINDOW", 60, minimum=1)
# A list answers at most this many items per request (`limit`).
API_PAGE_SIZE_MAX = env_int("API_PAGE_SIZE_MAX", 100, minimum=1)
MIDDLEWARE.append("api.middleware.JsonErrorsMiddleware")
CACHES["api"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "api",
        # A Redis that does not answer lets requests through (api/ratelimit.py).
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}
)
# --- end of the JSON API ---

# --- Single sign-on with OpenID Connect (issue 8; brands/oidc.py, docs/operations.md). ---
# Off unless OIDC_CLIENT_ID is set: then the login page offers "Sign in with
# <OIDC_PROVIDER_NAME>" next to the password form, which stays.
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID").strip()
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "single sign-on").strip() or "single sign-on"
_OIDC_SCHEMES = ("https",) if PRODUCTION else ("https", "http")
OIDC_ISSUER = env_url("OIDC_ISSUER", schemes=_OIDC_SCHEMES)
OIDC_DISCOVERY_URL = env_url("OIDC_DISCOVERY_URL", schemes=_OIDC_SCHEMES) or (
    OIDC_ISSUER.rstrip("/") + "/.well-known/openid-configuration" if OIDC_ISSUER else ""
)
# Each endpoint, when set, wins over the discovery document.
OIDC_OP_AUTHORIZATION_ENDPOINT = env_url("OIDC_AUTHORIZATION_ENDPOINT", schemes=_OIDC_SCHEMES)
OIDC_OP_TOKEN_ENDPOINT = env_url("OIDC_TOKEN_ENDPOINT", schemes=_OIDC_SCHEMES)
OIDC_OP_USER_ENDPOINT = env_url("OIDC_USERINFO_ENDPOINT", schemes=_OIDC_SCHEMES)
OIDC_OP_JWKS_ENDPOINT = env_url("OIDC_JWKS_URI", schemes=_OIDC_SCHEMES)
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email profile").strip()
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO", "RS256").strip()
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
OIDC_CLOCK_SKEW = env_int("OIDC_CLOCK_SKEW", 60, minimum=0)
# Roles from claims (brands/sso.py): values of OIDC_GROUPS_CLAIM named in OIDC_GROUP_ROLES give
# group roles; values "<OIDC_BRAND_ROLE_PREFIX><brand slug or code>:<lead|data_scientist|viewer>"
# give brand roles. Applied at every sign-on, adding and taking away.
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups").strip()
OIDC_GROUP_ROLES = parse_group_roles(env_str("OIDC_GROUP_ROLES", DEFAULT_GROUP_ROLES))
OIDC_BRAND_ROLE_PREFIX = env_str("OIDC_BRAND_ROLE_PREFIX", "brand:").strip()
# 1: the first sign-on of someone with a *verified* e-mail address may take over the existing
# account with that address (once; afterwards the provider's subject identifies them).
OIDC_MATCH_VERIFIED_EMAIL = env_bool("OIDC_MATCH_VERIFIED_EMAIL", False)
if OIDC_ENABLED:
    if not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("OIDC_CLIENT_SECRET must be set when OIDC_CLIENT_ID is")
    if OIDC_RP_SIGN_ALGO not in ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512"):
        raise ImproperlyConfigured(
            f"OIDC_SIGN_ALGO must be RS256, RS384, RS512, ES256, ES384 or ES512 (signatures "
            f"checked against the provider's JWKS), not {OIDC_RP_SIGN_ALGO!r}"
        )
    if not OIDC_DISCOVERY_URL and not (
        OIDC_OP_AUTHORIZATION_ENDPOINT and OIDC_OP_TOKEN_ENDPOINT and OIDC_OP_JWKS_ENDPOINT
    ):
        raise ImproperlyConfigured(
            "Single sign-on needs OIDC_ISSUER (or OIDC_DISCOVERY_URL), or else all of "
            "OIDC_AUTHORIZATION_ENDPOINT, OIDC_TOKEN_ENDPOINT and OIDC_JWKS_URI"
        )
    AUTHENTICATION_BACKENDS.append("brands.oidc.OIDCBackend")
# --- end of single sign-on ---
