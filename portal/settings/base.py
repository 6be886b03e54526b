"""Settings shared by every mode, read from the environment (django-environ).

With nothing set, the portal uses the local PostgreSQL's `portal` database (trust
authentication, as `make run` and `make test` expect) and executes Celery tasks eagerly
in-process. DATABASE_URL selects another database; CELERY_BROKER_URL / REDIS_URL select a
real broker and cache.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-secret")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# The portal's own apps come first: their message catalogues then take precedence over the
# third-party ones for the same English words ("Name", "Sessions", "Note", ...).
INSTALLED_APPS = [
    "portal",
    "portal.accounts",
    "portal.notifications",
    "portal.dashboards",
    "portal.reports",
    "communities",
    "childcare",
    "eldercare",
    "casework",
    "billing",
    "portal.api",
    "portal.history",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "ninja",
    "pgtrigger",
    "pghistory",
    "csp",
]

MIDDLEWARE = [
    "portal.security.SecureCookiesMiddleware",
    "portal.logs.RequestIdMiddleware",
    "portal.health.HealthCheckMiddleware",
    "portal.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.security.ContentSecurityPolicyMiddleware",
    "portal.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "portal.accounts.middleware.AuthenticationMiddleware",
    "portal.accounts.middleware.UserLanguageMiddleware",
    "portal.history.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.middleware.RequireTwoFactorMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Content-Security-Policy and Permissions-Policy -------------------------------------------
# Scripts, styles, fonts and images come from the portal's own static files only: no inline
# <script>, no <style> element, no style="" attribute (tests/portal/test_csp.py checks every
# template). Bootstrap's icons in CSS are data: URLs; the report page's htmx polls its own
# origin. The same policy applies locally and in the tests, so a page that needs more breaks
# there first (the browser tests fail on any CSP violation in the console).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features no page uses, refused for every origin.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    )
}

# --- Database -------------------------------------------------------------------------------
# SQLite needs IMMEDIATE transactions so that two writers never deadlock on a lock upgrade.
DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default="postgres://postgres@127.0.0.1:5432/portal",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    # SQLite cannot build the "one role assignment per scope" constraint (NULLS NOT
    # DISTINCT); PostgreSQL, which production and the tests use, enforces it.
    SILENCED_SYSTEM_CHECKS = ["models.W047"]
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Django's PostgreSQL backend, its connection check made without a round trip when it can be
# (portal/db/postgresql/base.py).
POSTGRESQL_ENGINE = "portal.db.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = POSTGRESQL_ENGINE
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Change history (django-pghistory) -------------------------------------------------------
# The history triggers are installed after every `migrate` rather than through the tracked
# apps' migrations: the event tables live in portal.history, the tracked apps stay as they are.
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = True
# GET requests write no history; POSTs (and services run by the worker) carry their context.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# --- Cache (allauth rate limits live here) --------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.pagecache.PortalRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="portal"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Pages kept rendered in Redis while nothing they read has changed (portal/pagecache.py):
# needs the Redis cache; at most PAGE_CACHE_SECONDS old (a page may mention the time of day).
PAGE_CACHE = env.bool("PAGE_CACHE", default=False)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "portal.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "portal.accounts.forms.PortalLoginForm"}
ACCOUNT_LOGIN_METHODS = {"phone", "email"}
ACCOUNT_SIGNUP_FIELDS = ["phone*", "email", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Verification is mandatory in production; locally the code is printed on the console.
# allauth has no "optional" phone verification: when enabled, a new phone number must be
# confirmed with the SMS code before the first sign-in (locally, read it on the console).
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_PHONE_VERIFICATION_ENABLED = env.bool("ACCOUNT_PHONE_VERIFICATION_ENABLED", default=True)
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
# Six digits, as every Chinese SMS code looks; letters and dashes confuse people here.
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
    "verify_phone": "1/30s/key,3/m/ip",
}
ACCOUNT_SESSION_REMEMBER = None
# The per-IP limits above need the visitor's own address. Behind the HTTPS proxy every
# request comes from the proxy: name how many proxies of yours append to X-Forwarded-For
# (the compose deployment sets 1), or the header your proxy puts the client address in
# (e.g. X-Real-IP). With neither, the connection's address is used and X-Forwarded-For,
# which anyone can send, is ignored.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", default="") or None
# Two-factor sign-in (TOTP: an authenticator app, with recovery codes). Administrators,
# officials and community staff see the most sensitive records: with PORTAL_REQUIRE_TOTP on
# (always in production) they are led to set up an authenticator app after signing in and
# can open no other page until they have one (portal.accounts.middleware). Off by default
# locally so that the demo accounts can be walked without a phone app; tests turn it on
# where they test it.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "一老一小"
# One 30-second step either side: a phone's clock a little off still signs in.
MFA_TOTP_TOLERANCE = 1
# People here are known by their SMS-verified phone number; an email address, when given,
# may still wait for its confirmation mail: that must not stop a second factor being set up.
MFA_ALLOW_UNVERIFIED_EMAIL = True
PORTAL_REQUIRE_TOTP = env.bool("PORTAL_REQUIRE_TOTP", default=False)

# Where verification codes go: "console" locally; a real gateway class in production.
SMS_SENDER = env("SMS_SENDER", default="portal.accounts.sms.ConsoleSmsSender")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="一老一小 <noreply@localhost>")
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS: list = []  # each app carries its own locale/ (see makemessages_app)
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
# One way of writing dates and numbers per language (portal/locale_formats/<locale>/formats.py);
# numbers are grouped only where a template asks (intcomma, number_format), never an id.
FORMAT_MODULE_PATH = ["portal.locale_formats"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Production sends both preference cookies, and every other cookie, over HTTPS only.
ELDER_MODE_COOKIE_SECURE = False
COOKIES_SECURE = False

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
# No broker configured: run tasks in-process so a bare `make run` still delivers notifications.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker keeps its database connection from one task to the next, as a web process keeps
# it from one request to the next (CONN_MAX_AGE, health-checked): portal.celery closes it
# after a task only when it is broken or too old. Without this setting Celery's Django fixup
# closes it before and after every task, and every mail run would open a new connection.
CELERY_DB_REUSE_MAX = 1_000_000
# A broker outage must not hang the web request that enqueues: fail fast, the beat re-sends.
# visibility_timeout: a message taken by a worker that dies (kill -9, lost machine) is handed
# out again after this many seconds. It must exceed CELERY_TASK_TIME_LIMIT and every retry
# countdown, or a message still being worked on would be handed out twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "socket_timeout": 2,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict = {
    "notifications-resend-unsent": {
        "task": "portal.notifications.tasks.resend_unsent",
        "schedule": timedelta(minutes=5),
    },
    "casework-overdue-visits": {
        "task": "casework.tasks.overdue_visits_daily",
        "schedule": timedelta(days=1),
    },
    "casework-carer-reviews": {
        "task": "casework.tasks.carer_reviews_daily",
        "schedule": timedelta(days=1),
    },
    "dashboards-refresh-rollups": {
        "task": "portal.dashboards.tasks.refresh_rollups",
        "schedule": timedelta(hours=1),
    },
    # Before the monthly reports (02:30), so that their money figures include last month.
    "billing-issue-statements": {
        "task": "billing.tasks.issue_monthly_statements",
        "schedule": crontab(minute=30, hour=1, day_of_month=1),
    },
    "billing-remind-overdue": {
        "task": "billing.tasks.remind_overdue_statements",
        "schedule": crontab(minute=0, hour=9),
    },
    "reports-monthly": {
        "task": "portal.reports.tasks.schedule_monthly_reports",
        "schedule": crontab(minute=30, hour=2, day_of_month=1),
    },
    "eldercare-remind-reassessments": {
        "task": "eldercare.tasks.remind_reassessments",
        "schedule": timedelta(hours=24),
    },
    "childcare-delete-expired-photos": {
        "task": "childcare.tasks.delete_expired_photos",
        "schedule": crontab(minute=15, hour=3),
    },
    "eldercare-raise-missed-checkins": {
        "task": "eldercare.tasks.raise_missed_checkins",
        "schedule": timedelta(minutes=15),
    },
}

# --- Logging --------------------------------------------------------------------------------
# JSON lines (production's default) or plain text (local default); each line carries the
# request id, which also reaches the Celery tasks the request starts (portal/logs.py).
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "portal.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "portal.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
# The worker logs through the same handler (JSON lines, request ids), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Error reporting: Sentry, or a self-hosted Sentry or GlitchTip, when SENTRY_DSN is set.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from portal.logs import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# Demo users are created only where this is true (never in production settings).
DEMO_DATA_ALLOWED = True

PORTAL_NAME = _("One Old, One Young care portal")
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# Numbers the national texts leave unconfirmed (DOMAIN.md). Each rules module holds its
# default with the source; set the variable to correct one without a release.
_RULE_OVERRIDES = {
    "CHILDCARE_MIXED_CLASS_CHILDREN_PER_CARER": int,
    "CHILDCARE_FEVER_CELSIUS": str,
    "ELDERCARE_REASSESS_DAYS": int,
    "ELDERCARE_REASSESS_SEVERE_DAYS": int,
}
for _name, _cast in _RULE_OVERRIDES.items():
    if env.str(_name, default=""):
        globals()[_name] = _cast(env.str(_name))

# --- Fees and subsidies (billing/) ----------------------------------------------------------
# The monthly rent per m² (yuan) that premises would fetch on the market: the dashboards value
# the premises communities lend free, and the rent relief on premises let below it, at it.
BILLING_REFERENCE_RENT_PER_M2 = Decimal(env.str("BILLING_REFERENCE_RENT_PER_M2", default="20.00"))

# --- Data feed (/api/v1/) -------------------------------------------------------------------
# Requests per token, and per client address for the public resources ("N/s|m|h|d").
API_RATE_PER_TOKEN = env("API_RATE_PER_TOKEN", default="600/m")
API_RATE_ANONYMOUS = env("API_RATE_ANONYMOUS", default="120/m")

# --- Smart-care devices (eldercare/services/devices.py) -------------------------------------
# The MQTT broker the device gateway (`manage.py device_gateway`) subscribes to; empty: no
# gateway, devices push over HTTP (POST /eldercare/devices/ingest/) only.
DEVICE_MQTT_URL = env("DEVICE_MQTT_URL", default="")
DEVICE_MQTT_TOPIC_PREFIX = env("DEVICE_MQTT_TOPIC_PREFIX", default="portal/devices")
# An HTTP push must carry a timestamp this close to the server's clock (against replays).
DEVICE_HTTP_WINDOW_SECONDS = env.int("DEVICE_HTTP_WINDOW_SECONDS", default=300)
# A battery reported below this percentage raises one "battery low" alert.
DEVICE_BATTERY_LOW_PERCENT = env.int("DEVICE_BATTERY_LOW_PERCENT", default=20)
# An SOS or fall alarm nobody acknowledged within this many minutes is sent by SMS to the
# family contacts and the community staff.
ELDERCARE_ALARM_ESCALATE_MINUTES = env.int("ELDERCARE_ALARM_ESCALATE_MINUTES", default=5)
CELERY_BEAT_SCHEDULE["eldercare-escalate-alarms"] = {
    "task": "eldercare.tasks.escalate_alarms",
    "schedule": timedelta(minutes=1),
}
CELERY_BEAT_SCHEDULE["eldercare-silent-devices"] = {
    "task": "eldercare.tasks.check_silent_devices",
    "schedule": timedelta(minutes=1),
}
