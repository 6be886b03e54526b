"""The portal's WSGI application plus two bare Django views, for the benches only.

/bench/minimal/ (bench/pages.py) returns a short text; /bench/book/ (bench/childcare_booking.py)
runs the booking's locked transaction (BEGIN; SELECT ... FOR UPDATE on the session; counter
and insert; COMMIT) for the ids it is given, without sign-in, forms, messages or templates.
Both run through Django's own request handler with no middleware and a two-pattern URLconf,
in the same gunicorn workers as the portal, so each is measured beside the portal on the same
server in the same run. Never deployed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test.utils import override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from portal.wsgi import application as portal_application

MINIMAL_PATH = "/bench/minimal/"
BOOK_PATH = "/bench/book/"
BARE_BOOKING = """
WITH counted AS (
    UPDATE childcare_session SET booked = booked + 1
    WHERE id = %(session)s AND booked < capacity
    RETURNING id
)
INSERT INTO childcare_booking (session_id, child_id, status, booked_by_id, created)
SELECT %(session)s, %(child)s,
       CASE WHEN EXISTS (SELECT 1 FROM counted) THEN 'confirmed' ELSE 'waitlisted' END,
       %(user)s, now()
ON CONFLICT (session_id, child_id) WHERE NOT (status = 'cancelled') DO NOTHING
RETURNING status
"""


def minimal(request: HttpRequest) -> HttpResponse:
    """The floor: a Django view returning a short text."""
    return HttpResponse(b"ok", content_type="text/plain")


@csrf_exempt
def book(request: HttpRequest) -> HttpResponse:
    """The booking transaction alone: lock the session row, count and insert, commit."""
    ids = {key: int(request.POST[key]) for key in ("session", "child", "user")}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT booked, capacity FROM childcare_session WHERE id = %s FOR UPDATE",
            [ids["session"]],
        )
        cursor.execute(BARE_BOOKING, ids)
        row = cursor.fetchone()
    return HttpResponse((row[0] if row else "refused").encode(), content_type="text/plain")


urlpatterns = [path(MINIMAL_PATH.strip("/") + "/", minimal), path(BOOK_PATH.strip("/") + "/", book)]


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
    """Route the bare views to the middleware-less handler, everything else to the portal."""
    if environ.get("PATH_INFO") in (MINIMAL_PATH, BOOK_PATH):
        return minimal_application(environ, start_response)
    return portal_application(environ, start_response)
