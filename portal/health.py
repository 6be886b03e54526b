"""The health check, answered before host validation and the HTTPS redirect.

Compose's check (and any load balancer's) calls http://127.0.0.1:8000/healthz/ from inside
the container: that Host is rightly not in DJANGO_ALLOWED_HOSTS and the request is plain
HTTP, so behind CommonMiddleware or SecurityMiddleware it would get 400 or a redirect.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

HEALTH_PATH = "/healthz/"


def health_response() -> JsonResponse:
    """200 when the database answers (CONN_HEALTH_CHECKS replaces a dropped connection)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database error means "not healthy", never a 500 page
        connection.close()
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return health_response()
        return self.get_response(request)
