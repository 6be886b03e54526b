import os

from celery import Celery, signals
from django import db

import portal.logs  # noqa: F401 - connects the signals that carry the request id to tasks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def close_old_connections(sender: object = None, **kwargs: object) -> None:
    """Before and after each task, as Django does before and after each request: a database
    connection that is broken or older than CONN_MAX_AGE is closed, and the next query
    opens a new one; a sound one is kept (settings.CELERY_DB_REUSE_MAX stops Celery closing
    it every time). A task run eagerly, inside a request or a test, leaves them alone."""
    request = getattr(sender, "request", None)
    if getattr(request, "is_eager", False):
        return
    db.close_old_connections()
