"""Tests run against PostgreSQL, as production does."""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import POSTGRESQL_ENGINE, env

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/portal"),
}
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_portal")}
# As deployed, a connection is checked before it is used again (a dead one is replaced); the
# real-worker tests set the age to keep the worker's connection between tasks, as deployed.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = POSTGRESQL_ENGINE
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The real-worker test starts a worker with a file backend and eager mode off.
EMAIL_BACKEND = env("TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("TEST_EMAIL_FILE_PATH", default=None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
SMS_SENDER = "portal.accounts.sms.OutboxSmsSender"
CELERY_BROKER_URL = env("TEST_CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
# The real-worker test gives its worker a key prefix of its own, so that runs sharing the
# Redis server never take each other's messages.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "global_keyprefix": env("TEST_CELERY_KEYPREFIX", default=""),
}
# The fault tests kill a worker: its message comes back within seconds, not an hour.
if env("TEST_CELERY_VISIBILITY_TIMEOUT", default=""):
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        visibility_timeout=env.int("TEST_CELERY_VISIBILITY_TIMEOUT"),
        unacked_restore_interval=1,
        unacked_restore_throttle=1,
    )
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A real worker shares the Redis cache of the test that starts it (as production's web and
# worker processes do): tests/portal/test_worker.py sets these for both.
if env("TEST_CACHE_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "portal.pagecache.PortalRedisCache",
            "LOCATION": env("TEST_CACHE_URL"),
            "KEY_PREFIX": env("TEST_CACHE_KEYPREFIX", default=""),
        }
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "zh-hans"
# Tests serve static files from the source folders; nothing is collected.
WHITENOISE_AUTOREFRESH = True
