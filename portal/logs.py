"""Logs as JSON lines, each with the id of the request (or of the request that started the
Celery task) it belongs to; errors to Sentry or GlitchTip when SENTRY_DSN is set.

The request id comes from the proxy's X-Request-ID header when it sends a sensible one, or is
made here; it is sent back in the response's X-Request-ID, travels to every task the request
enqueues as a message header, and is on every log line written while either runs.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from celery import signals
from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
task_var: contextvars.ContextVar[tuple[str, str]] = contextvars.ContextVar("task", default=("", ""))

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy may hand us: a UUID or similar token, never free text into our logs.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
task_logger = logging.getLogger("portal.tasks")
access_logger = logging.getLogger("portal.access")


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Gives each request its id (the proxy's, or a new one) for logs, tasks and history."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else new_request_id()
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            _sentry_tag(request_id)
            response = self.get_response(request)
            # The access log, as a JSON line like every other (gunicorn's own is off). The
            # path only: a query string can carry a searched name.
            access_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _sentry_tag(request_id: str) -> None:
    try:
        import sentry_sdk
    except ImportError:  # pragma: no cover - sentry-sdk is a dependency
        return
    if sentry_sdk.get_client().is_active():
        sentry_sdk.set_tag("request_id", request_id)


class ContextFilter(logging.Filter):
    """Puts the current request id and task on every record (empty outside both)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # django.request logs a 4xx/5xx after the middleware has finished; it names the request.
        record.request_id = request_id_var.get() or getattr(
            getattr(record, "request", None), "request_id", ""
        )
        record.task_id, record.task_name = task_var.get()
        return True


# LogRecord attributes that are not the caller's `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
    "task_id",
    "task_name",
    "color_message",
    "request",
    "server_time",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, task, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "task_id", "task_name"):
            value = getattr(record, key, "")
            if value:
                entry[key] = value
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


# --- Celery: the request id travels with the task -------------------------------------------


@signals.before_task_publish.connect
def _send_request_id(headers: dict | None = None, **_kwargs: Any) -> None:
    request_id = request_id_var.get()
    if headers is not None and request_id and "request_id" not in headers:
        headers["request_id"] = request_id


_task_tokens: dict[str, tuple[contextvars.Token, contextvars.Token]] = {}


@signals.task_prerun.connect
def _receive_request_id(task_id: str = "", task: Any = None, **_kwargs: Any) -> None:
    request = getattr(task, "request", None)
    request_id = getattr(request, "request_id", None) or ""
    if not request_id and request is not None:
        request_id = (getattr(request, "headers", None) or {}).get("request_id") or ""
    _task_tokens[task_id] = (
        # A task run eagerly inside a request keeps that request's id.
        request_id_var.set(request_id or request_id_var.get()),
        task_var.set((task_id, getattr(task, "name", ""))),
    )


@signals.task_postrun.connect
def _forget_request_id(task_id: str = "", **_kwargs: Any) -> None:
    tokens = _task_tokens.pop(task_id, None)
    if tokens:
        request_id_var.reset(tokens[0])
        task_var.reset(tokens[1])


def _ids(values: Any) -> Any:
    """Tasks take ids: keep numbers and short tokens, never free text (which may be personal)."""
    if isinstance(values, dict):
        return {k: _ids(v) for k, v in values.items()}
    if isinstance(values, list | tuple):
        return [_ids(v) for v in values]
    if isinstance(values, bool | int) or values is None:
        return values
    if isinstance(values, str) and len(values) <= 64 and _VALID_REQUEST_ID.match(values):
        return values
    return "…"


@signals.task_failure.connect
def _log_failed_for_good(
    sender: Any = None,
    task_id: str = "",
    exception: BaseException | None = None,
    args: Any = None,
    kwargs: Any = None,
    **_kwargs: Any,
) -> None:
    """A task that raised with no retry left: logged as an error with its arguments' ids."""
    task_logger.error(
        "Task %s failed for good: %s",
        getattr(sender, "name", "?"),
        f"{type(exception).__name__}: {exception}"[:500],
        extra={
            "failed_task": getattr(sender, "name", "?"),
            "failed_task_id": task_id,
            "task_args": _ids(list(args or ())),
            "task_kwargs": _ids(dict(kwargs or {})),
        },
    )


def init_sentry(dsn: str, *, environment: str, release: str, traces_sample_rate: float) -> None:
    """Errors (and error log lines) of the web and the worker to Sentry or GlitchTip."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        traces_sample_rate=traces_sample_rate,
        # Personal data of children and elders stays here: no user ids, cookies or bodies.
        send_default_pii=False,
        max_request_body_size="never",
    )
