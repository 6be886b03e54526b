"""The portal's WSGI application plus, at /bench/minimal/, a minimal Django view.

Served by gunicorn in `bench/pages.py`: the minimal view runs through Django's own request
handler with no middleware and a one-pattern URLconf, in the same workers as the portal,
so the two are measured on the same server in the same run. Never deployed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.test.utils import override_settings
from django.urls import path

from portal.wsgi import application as portal_application

MINIMAL_PATH = "/bench/minimal/"


def minimal(request: HttpRequest) -> HttpResponse:
    """The floor: a Django view returning a short text."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path(MINIMAL_PATH.strip("/") + "/", minimal)]


class MinimalHandler(WSGIHandler):
    """Django's WSGI handler without middleware, resolving against this module's URLs."""

    def load_middleware(self, is_async: bool = False) -> None:
        with override_settings(MIDDLEWARE=[]):
            super().load_middleware(is_async)

    def get_response(self, request: HttpRequest) -> HttpResponse:
        request.urlconf = __name__
        return super().get_response(request)


minimal_application = MinimalHandler()


def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
    """Route /bench/minimal/ to the minimal handler, everything else to the portal."""
    if environ.get("PATH_INFO") == MINIMAL_PATH:
        return minimal_application(environ, start_response)
    return portal_application(environ, start_response)
