"""The warm-up gunicorn runs in its master before forking (portal/warmup.py)."""

from portal.celery import app
from portal.warmup import template_names, warm


def test_warm_compiles_the_templates_and_finalizes_the_celery_app():
    # (a few of allauth's templates need apps the portal does not install, and are skipped)
    assert len(template_names()) - 5 <= warm() <= len(template_names())
    assert app.finalized
    assert "portal.notifications.tasks.deliver_pending" in app.tasks
