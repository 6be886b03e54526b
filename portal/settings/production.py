"""Production: no default secret, DEBUG off, HTTPS and strict cookies.

Required environment: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, REDIS_URL,
CELERY_BROKER_URL. See README "Configure".
"""

from django.core.exceptions import ImproperlyConfigured

from portal.settings.base import *  # noqa: F403
from portal.settings.base import EMAIL_BACKEND, POSTGRESQL_ENGINE, env

DEBUG = False
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", default="json")  # noqa: F405
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "portal.pagecache.PortalRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="portal"),
    }
}
PAGE_CACHE = env.bool("PAGE_CACHE", default=True)
# Sessions are read from Redis (written through to the database): no query per request, and
# read in the same round trip as the signed-in user (portal.accounts.sessions).
SESSION_ENGINE = "portal.accounts.sessions"
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False

# Most people here sign up with their mobile number: its SMS code is mandatory. An email
# address is optional; when one is given it gets a verification mail.
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION = "optional"
SMS_SENDER = env("SMS_SENDER")

# Defaults that quietly undo a deployment are refused at start-up: verification codes and
# mail written to the log reach nobody (and leak to whoever reads the log), and a database
# without a password is open to every container on the network. `make check-deploy` opts in
# to the console senders explicitly, as it checks the settings, not a deployment.
_CONSOLE_SMS = {"portal.accounts.sms.ConsoleSmsSender", "portal.accounts.sms.OutboxSmsSender"}
_CONSOLE_MAIL = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}
if not env.bool("DJANGO_ALLOW_CONSOLE_SENDERS", default=False):
    if SMS_SENDER in _CONSOLE_SMS:
        raise ImproperlyConfigured(
            f"SMS_SENDER={SMS_SENDER} does not send verification codes; set a real gateway."
        )
    if EMAIL_BACKEND in _CONSOLE_MAIL:
        raise ImproperlyConfigured(
            f"Mail goes to {EMAIL_BACKEND}; set EMAIL_URL (e.g. smtp+tls://user:pass@host:587)."
        )
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must name PostgreSQL in production.")
DATABASES["default"]["ENGINE"] = POSTGRESQL_ENGINE
if not DATABASES["default"].get("PASSWORD"):
    raise ImproperlyConfigured("DATABASE_URL has no password (postgres://user:password@host/db).")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Every cookie is sent over HTTPS only: the session, the CSRF token, the language and elder
# mode choices (portal/views.py reads these two settings), and the messages cookie (Django's
# cookie message storage follows SESSION_COOKIE_SECURE).
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
ELDER_MODE_COOKIE_SECURE = True
# ... and any other Set-Cookie line, deletions included (portal.security.SecureCookiesMiddleware).
COOKIES_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

DEMO_DATA_ALLOWED = False
# Administrators, officials and community staff must sign in with a second factor.
PORTAL_REQUIRE_TOTP = True
