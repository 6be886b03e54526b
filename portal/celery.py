import os

from celery import Celery

import portal.logs  # noqa: F401 - connects the signals that carry the request id to tasks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
