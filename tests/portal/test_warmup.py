"""The warm-up gunicorn runs in its master before forking (portal/warmup.py)."""

import json
import os
import subprocess
import sys

from django.conf import settings

from portal.warmup import template_names, warm

# In a process of its own: in this one another test may already have queued a task, which
# finalizes the Celery app whether or not warm() does.
FRESH_PROCESS = """
import json, django
django.setup()
from portal.celery import app
before = app.finalized
from portal.warmup import warm
warm()
# app._tasks is the registry as it stands (reading app.tasks would finalize the app itself).
print(json.dumps([before, app.finalized, sorted(app._tasks)]))
"""


def test_warm_compiles_the_templates():
    # (a few of allauth's templates need apps the portal does not install, and are skipped)
    assert len(template_names()) - 5 <= warm() <= len(template_names())


def test_warm_finalizes_the_celery_app_with_every_task_registered():
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", FRESH_PROCESS],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"},
        capture_output=True,
        text=True,
        check=True,
    )
    before, after, tasks = json.loads(out.stdout.strip().splitlines()[-1])
    assert (before, after) == (False, True)
    assert "portal.notifications.tasks.deliver_pending" in tasks
