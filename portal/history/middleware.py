from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pghistory.middleware
from django.db import connection
from django.http import HttpRequest, HttpResponse


class HistoryMiddleware(pghistory.middleware.HistoryMiddleware):
    """Every write a request makes is attributed to its user, URL and request id.

    Only on PostgreSQL: the history is kept by its triggers, and the context travels in
    PostgreSQL settings (a bare local run on SQLite keeps no history).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        self.enabled = connection.vendor == "postgresql"

    def get_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().get_context(request)
        request_id = getattr(request, "request_id", "")
        if request_id:
            context["request_id"] = request_id
        return context

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.enabled:
            return self.get_response(request)
        return super().__call__(request)
