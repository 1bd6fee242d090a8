"""Settings for the OMS, all read from the environment (12-factor); PostgreSQL only."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def public_url(environ) -> str:
    """Base of links sent to customers: OMS_PUBLIC_URL, else the local server on PORT (as `make demo` runs it)."""
    explicit = environ.get("OMS_PUBLIC_URL", "").strip()
    if explicit:
        return explicit.rstrip("/")
    port = environ.get("PORT", "").strip() or "8000"
    if not port.isdigit():
        raise RuntimeError(f"PORT must be a number, got {port!r}")
    return f"http://127.0.0.1:{port}"


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "dev-only-insecure-key-set-SECRET_KEY-in-production" if DEBUG or env_bool("OMS_DEV", True) else ""
)
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off and OMS_DEV=0")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Database: DATABASE_URL, or an embedded PostgreSQL under var/ --------------------------
VAR_DIR = Path(os.environ.get("OMS_VAR_DIR", BASE_DIR / "var"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    from oms.dbserver import embedded_database_url

    DATABASE_URL = embedded_database_url(data_dir=VAR_DIR / "pgdata")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))
}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise RuntimeError("The OMS runs on PostgreSQL only: DATABASE_URL must be a postgres:// URL")
# Django's backend, with a persistent connection's health check that reads its socket instead of a
# SELECT 1 round trip on every request (oms/postgresql/base.py).
DATABASES["default"]["ENGINE"] = "oms.postgresql"
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Statements sent with server-side binding (the intake's, the bulk writes') are prepared by psycopg after
# this many runs on a connection, so PostgreSQL stops planning them anew: planning was most of the
# database's work per API order (0.4–0.9 ms per statement). Django turns this off by default for the sake of
# connection poolers: set OMS_DB_PREPARE_THRESHOLD=off behind PgBouncer in transaction mode (before 1.21).
_prepare = os.environ.get("OMS_DB_PREPARE_THRESHOLD", "5").strip().lower()
DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
    None if _prepare in ("", "off", "none") else int(_prepare)
)
DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("TEST_DATABASE_NAME", "test_oms")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "django_tables2",
    "django_fsm_log",
    "axes",
    "oms",
    "inventory",
    "orders",
    "fulfillment",
    "aftersales",
    "connectors",
    "reconciliation",
    "reports",
    # After the project's apps: `manage.py import` is ours (oms/management/commands/import.py),
    # not django-import-export's command of the same name.
    "import_export",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "oms.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "oms.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oms.urls"
WSGI_APPLICATION = "oms.wsgi.application"
AUTH_USER_MODEL = "oms.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oms.navigation.navigation",
            ],
            # ``{{ value|note }}`` everywhere: stored reasons and notes in the reader's language (oms.notes).
            "builtins": ["oms.templatetags.notes", "oms.templatetags.numbers"],
        },
    }
]

# django-axes first: it refuses a login attempt for a locked-out username + address before checking it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Languages ---------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our zh_Hans number formats group thousands (¥498,437.60); Django's own do not.
FORMAT_MODULE_PATH = ["oms.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")

# --- Static files: served by the app itself (warehouses may be offline) -------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# OMS_MANIFEST_STATIC=1 (set in the Docker image, after collectstatic) serves hashed, compressed files;
# otherwise files are served straight from the source folders.
MANIFEST_STATIC = env_bool("OMS_MANIFEST_STATIC", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if MANIFEST_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not MANIFEST_STATIC

# --- E-mail ------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The folder of django.core.mail.backends.filebased.EmailBackend (bench/outbox_delivery.py uses it).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH") or None
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "OMS <oms@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# SMS / webhook delivery for the outbox: "logging" writes to the log; see oms/notifications.py.
OMS_SMS_BACKEND = os.environ.get("OMS_SMS_BACKEND", "oms.notifications.LoggingSmsBackend")
OMS_WEBHOOK_BACKEND = os.environ.get("OMS_WEBHOOK_BACKEND", "oms.notifications.LoggingWebhookBackend")
# Calls to sales platforms queued in the outbox (connectors: tracking write-back, stock push).
OMS_CONNECTOR_BACKEND = "connectors.delivery.ConnectorBackend"
# The key that encrypts the shops' credentials (Fernet); derived from SECRET_KEY when not set.
OMS_CONNECTOR_CREDENTIALS_KEY = os.environ.get("OMS_CONNECTOR_CREDENTIALS_KEY", "")
# Calls to a shop's API: attempts per call, first wait before a retry (doubled each time, at most 30 s).
OMS_CONNECTOR_HTTP_ATTEMPTS = int(os.environ.get("OMS_CONNECTOR_HTTP_ATTEMPTS", "4"))
OMS_CONNECTOR_RETRY_SECONDS = float(os.environ.get("OMS_CONNECTOR_RETRY_SECONDS", "1.0"))
OMS_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OMS_OUTBOX_MAX_ATTEMPTS", "8"))
# Who hears about low stock (inventory alerts).
OMS_PURCHASING_EMAIL = os.environ.get("OMS_PURCHASING_EMAIL", "purchasing@example.com")

# --- Celery: Redis broker when CELERY_BROKER_URL is set; otherwise tasks run eagerly ------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A broker that does not answer must not hold a request: connect and publish give up within seconds
# (the committed work is picked up by the periodic sweeps; see oms/dispatch.py).
CELERY_BROKER_CONNECTION_TIMEOUT = float(os.environ.get("CELERY_BROKER_CONNECTION_TIMEOUT", "2"))
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 1}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# The worker keeps its PostgreSQL connection between tasks. Celery's Django fixup closes every connection
# before and after each task unless CELERY_DB_REUSE_MAX is set (celery/celery#9824 reverted honouring
# CONN_MAX_AGE); with it set, the fixup closes them only every that many tasks, and oms/celery.py applies
# CONN_MAX_AGE / CONN_HEALTH_CHECKS at each task boundary as Django does per request (close_old_connections).
# 0 restores a new connection per task.
CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "1000"))
CELERY_BEAT_SCHEDULE = {
    "outbox-deliver-due": {"task": "oms.tasks.outbox_deliver_due_task", "schedule": timedelta(minutes=1)},
    "backup-nightly": {"task": "oms.tasks.backup_database_task", "schedule": crontab(hour=2, minute=30)},
    "inventory-check-stock": {
        "task": "inventory.tasks.check_stock_task",
        "schedule": crontab(hour=3, minute=0),
    },
    "orders-allocate": {"task": "orders.tasks.allocate_orders_task", "schedule": timedelta(minutes=1)},
    "connectors-stock-sync": {"task": "connectors.tasks.stock_sync_task", "schedule": timedelta(minutes=5)},
    "connectors-pull-orders": {"task": "connectors.tasks.pull_orders_task", "schedule": timedelta(minutes=5)},
    "orders-cancel-unpaid": {
        "task": "orders.tasks.cancel_unpaid_orders_task",
        "schedule": timedelta(minutes=5),
    },
    "orders-sla-review": {"task": "orders.tasks.orders_sla_review_task", "schedule": timedelta(minutes=10)},
    "orders-complete-delivered": {
        "task": "orders.tasks.complete_delivered_orders_task",
        "schedule": crontab(minute=40),
    },
}
CELERY_BEAT_SCHEDULE.update(
    {
        "reports-refresh-recent": {
            "task": "reports.tasks.refresh_recent_summaries_task",
            "schedule": timedelta(minutes=5),
        },
        "reports-refresh-all": {
            "task": "reports.tasks.refresh_all_summaries_task",
            "schedule": crontab(hour=4, minute=0),
        },
    }
)
# Domain apps add their periodic tasks here as they arrive.
CELERY_BEAT_SCHEDULE |= {
    "fulfillment-create-shipments": {
        "task": "fulfillment.tasks.shipments_create_pending_task",
        "schedule": timedelta(minutes=1),
    },
    "fulfillment-tracking-poll": {
        "task": "fulfillment.tasks.tracking_poll_due_task",
        "schedule": timedelta(minutes=30),
    },
    "fulfillment-shipped-notices": {
        "task": "fulfillment.tasks.shipped_notices_due_task",
        "schedule": timedelta(minutes=1),
    },
    "fulfillment-flag-late": {
        "task": "fulfillment.tasks.shipments_flag_late_task",
        "schedule": timedelta(hours=1),
    },
    "fulfillment-void-intercepted-waybills": {
        "task": "fulfillment.tasks.waybills_cancel_intercepted_task",
        "schedule": timedelta(minutes=5),
    },
}
# Reconciliation: collect new drop-ship lines, receipts and after-sales charges (idempotent).
CELERY_BEAT_SCHEDULE["reconciliation-collect-items"] = {
    "task": "reconciliation.tasks.items_collect_task",
    "schedule": timedelta(minutes=5),
}

# --- Orders ----------------------------------------------------------------------------------
OMS_UNPAID_CANCEL_MINUTES = int(os.environ.get("OMS_UNPAID_CANCEL_MINUTES", "30"))
OMS_ALLOCATE_ON_INTAKE = env_bool("OMS_ALLOCATE_ON_INTAKE", True)  # allocate right after approval
OMS_INTAKE_BATCH_MAX = 500
# Parcels of one customer shipped within this many seconds share one "shipped" message.
OMS_SHIPPED_NOTICE_SETTLE_SECONDS = int(os.environ.get("OMS_SHIPPED_NOTICE_SETTLE_SECONDS", "120"))

# --- After-sales ---------------------------------------------------------------------------
# Refunds above this amount wait for the finance manager (aftersales.approve_large_refund).
OMS_LARGE_REFUND_AMOUNT = os.environ.get("OMS_LARGE_REFUND_AMOUNT", "1000.00")
OMS_AFTERSALES_PHOTO_MAX_BYTES = int(os.environ.get("OMS_AFTERSALES_PHOTO_MAX_BYTES", str(5 * 1024 * 1024)))
OMS_AFTERSALES_MAX_PHOTOS = int(os.environ.get("OMS_AFTERSALES_MAX_PHOTOS", "6"))
OMS_SURVEY_LINK_DAYS = int(os.environ.get("OMS_SURVEY_LINK_DAYS", "60"))
# Where customers open links sent to them (survey, tracking); no trailing slash.
OMS_PUBLIC_URL = public_url(os.environ)
CELERY_BEAT_SCHEDULE["aftersales-survey-invites"] = {
    "task": "aftersales.tasks.survey_invites_task",
    "schedule": crontab(minute=15),
}

# --- Backups (manage.py backup / restore) ---------------------------------------------------
OMS_BACKUP_DIR = Path(os.environ.get("OMS_BACKUP_DIR", VAR_DIR / "backups"))
OMS_BACKUP_KEEP = int(os.environ.get("OMS_BACKUP_KEEP", "14"))

# --- API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "oms.api_parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Per channel token (or per address without one); a channel over its rate gets 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["oms.throttling.ChannelRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"channel": os.environ.get("OMS_API_RATE", "1200/min")},
}
# Rate limits and throttles count in this cache: set OMS_CACHE_URL (redis://…) when several web
# processes serve, so they share one count; otherwise each process counts for itself.
OMS_CACHE_URL = os.environ.get("OMS_CACHE_URL", "")
# The public tracking page (order number + last four digits of the phone): lookups per address, and
# failed lookups per order number (django-ratelimit, counted in the cache above).
OMS_TRACKING_RATE_PER_ADDRESS = os.environ.get("OMS_TRACKING_RATE_PER_ADDRESS", "30/10m")
OMS_TRACKING_FAILURES_PER_ORDER = os.environ.get("OMS_TRACKING_FAILURES_PER_ORDER", "5/h")
# django-ratelimit asks for a shared cache: the local-memory default counts per process (one demo or
# test process); production sets OMS_CACHE_URL to Redis (Django's own Redis cache increments atomically).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
CACHES = {
    "default": {"BACKEND": "oms.cache.RedisCache", "LOCATION": OMS_CACHE_URL}
    if OMS_CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Transactions that queue notifications share one flush task while it waits to start (oms.notifications):
# the key saying so must be seen by web and worker processes, so only with a shared cache. Without one,
# each transaction that queued messages sends its own flush task (still batch delivery).
OMS_OUTBOX_FLUSH_DEBOUNCE = env_bool("OMS_OUTBOX_FLUSH_DEBOUNCE", bool(OMS_CACHE_URL))
# With the debounce, the flush task starts this many seconds after the first commit that asks: the notices
# committed meanwhile go in the same batch (a task per ~20 orders at 100 orders/s instead of one per few).
OMS_OUTBOX_FLUSH_DELAY = float(os.environ.get("OMS_OUTBOX_FLUSH_DELAY", "0.2"))
# The channel stock API (inventory) also accepts the channels' API tokens (orders) — named here, so
# inventory never imports orders.
OMS_STOCK_API_AUTHENTICATION = ["orders.api_auth.ChannelTokenAuthentication"]
SPECTACULAR_SETTINGS = {
    "TITLE": "OMS API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema is the channels' contract: they authenticate with a token. (The back office's own pages
    # may also call the stock endpoint with their session; that is not part of the public contract.)
    "AUTHENTICATION_WHITELIST": ["orders.api_auth.ChannelTokenAuthentication"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "oms.api_schema.add_common_responses",
    ],
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
# django-fsm-log's simple backend that can also collect rows for one bulk write (oms.audit).
DJANGO_FSM_LOG_STORAGE_METHOD = "oms.audit.StateLogBackend"
DJANGO_FSM_LOG_IGNORED_MODELS = ()

# --- Security (production values when DEBUG is off) ----------------------------------------
# Back-office staff sign in once a shift: a session lasts OMS_SESSION_HOURS (default 12) from sign-in.
SESSION_COOKIE_AGE = int(float(os.environ.get("OMS_SESSION_HOURS", "12")) * 3600)
# Login lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is refused for AXES_COOLOFF_TIME; a successful login resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0"))
AXES_VERBOSE = False
# Content-Security-Policy (django-csp): scripts only from this site or with the page's nonce; inline
# style attributes stay allowed (progress bars, chart boxes), nothing is framed and no plugin loads.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not env_bool("OMS_DEV", True))
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SECURE_SSL_REDIRECT)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SECURE_SSL_REDIRECT else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # the container health check speaks plain HTTP

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusal_without_traceback": {"()": "oms.log_filters.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        # A 403 or 400 is an ordinary refusal: one line, not a traceback.
        "django.request": {"filters": ["refusal_without_traceback"]},
    },
}

# Electronic waybill secrets kept out of the database: {"<carrier account code>": "<secret>"} as JSON.
OMS_CARRIER_SECRETS = json.loads(os.environ.get("OMS_CARRIER_SECRETS", "") or "{}")
