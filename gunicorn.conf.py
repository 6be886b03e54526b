"""gunicorn's configuration for the portal, read from the working directory by
`gunicorn portal.wsgi` (the Dockerfile and docker-compose.yml start it from /app).

The application is imported once in the master (`preload_app`) and warmed there before any
worker is forked: every template compiled, every translation catalogue and the URL patterns
loaded (portal/warmup.py). A fresh worker answers its first request as fast as its hundredth.
Environment: WEB_CONCURRENCY (workers, default 4), GUNICORN_BIND (default 0.0.0.0:8000),
GUNICORN_TIMEOUT (seconds, default 30); command-line options override these.

gunicorn writes a `Server: gunicorn` header of its own on every response, before the
application's headers, and has no setting to leave it out (benoitc/gunicorn#825); a Django
middleware cannot remove it. The response class is changed here, in the master process, so
every worker forked from it answers without the header.
"""

from __future__ import annotations

import os

from gunicorn.http import wsgi

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
preload_app = True
wsgi_app = "portal.wsgi:application"

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self: wsgi.Response) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server


def when_ready(server: object) -> None:
    """Warm the preloaded application in the master, before any worker is forked."""
    from portal.warmup import warm

    warm()


def post_fork(server: object, worker: object) -> None:
    """A worker never shares a database connection of the master (the warm-up opens none).
    With the page cache on, it starts its listener for table changes (one of the workers
    listens for all, portal.pagecache.TableChanges) now rather than at its first page."""
    from django.db import connections

    from portal import pagecache

    for conn in connections.all(initialized_only=True):
        conn.close()
    if pagecache.enabled():
        pagecache.table_changes()
