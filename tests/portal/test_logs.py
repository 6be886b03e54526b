"""Request ids, JSON log lines, tasks that fail for good, and error reporting to Sentry."""

from __future__ import annotations

import gzip
import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from celery import shared_task
from django.conf import settings
from django.test import Client

from portal.logs import ContextFilter, JsonFormatter, request_id_var


def test_a_proxys_request_id_is_kept_and_a_missing_or_odd_one_is_made():
    client = Client()
    given = client.get("/healthz/", headers={"X-Request-ID": "abcd-1234-efgh-5678"})
    assert given["X-Request-ID"] == "abcd-1234-efgh-5678"
    made = client.get("/healthz/")["X-Request-ID"]
    odd = client.get("/healthz/", headers={"X-Request-ID": 'x" injected {}'})["X-Request-ID"]
    assert len(made) == 32 and len(odd) == 32 and made != odd


def _json_line(record: logging.LogRecord) -> dict:
    ContextFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_a_log_line_is_one_json_object_with_the_request_id_and_extras():
    token = request_id_var.set("req-0001-aaaa")
    try:
        record = logging.LogRecord(
            "portal.x", logging.WARNING, __file__, 1, "saved %s", ("儿童",), None
        )
        record.report_id = 7
        line = _json_line(record)
    finally:
        request_id_var.reset(token)
    assert line["message"] == "saved 儿童" and line["level"] == "WARNING"
    assert line["request_id"] == "req-0001-aaaa" and line["report_id"] == 7
    assert "\n" not in JsonFormatter().format(record)


class _Lines(logging.Handler):
    """The lines a logger writes, formatted as production's handler formats them."""

    def __init__(self) -> None:
        super().__init__()
        self.addFilter(ContextFilter())
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def log_lines():
    def attach(name: str, level: int) -> _Lines:
        handler = _Lines()
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        previous = logger.level
        logger.setLevel(level)
        attached.append((logger, handler, previous))
        return handler

    attached: list = []
    yield attach
    for logger, handler, previous in attached:
        logger.removeHandler(handler)
        logger.setLevel(previous)


@pytest.mark.django_db
def test_the_request_id_is_on_the_requests_own_log_lines(client, log_lines):
    lines = log_lines("django.request", logging.WARNING)
    client.get("/communities/no-such-page/", headers={"X-Request-ID": "req-404-000001"})
    (line,) = lines.lines
    assert line["request_id"] == "req-404-000001" and "Not Found" in line["message"]


@pytest.mark.django_db
def test_each_request_writes_one_access_line_without_its_query_string(client, log_lines):
    lines = log_lines("portal.access", logging.INFO)
    client.get("/communities/residents/?q=张三", headers={"X-Request-ID": "req-access-0001"})
    (line,) = lines.lines
    assert line["request_id"] == "req-access-0001" and line["status"] == 302
    assert line["path"] == "/communities/residents/" and "张三" not in json.dumps(line)


@shared_task(name="tests.always_fails")
def always_fails(notification_id: int, note: str) -> None:
    raise ValueError("gateway refused")


def test_a_task_that_fails_for_good_is_logged_with_its_arguments_ids(log_lines):
    lines = log_lines("portal.tasks", logging.ERROR)
    always_fails.apply(args=[42], kwargs={"note": "孩子的家庭住址 free text"})
    (line,) = lines.lines
    assert line["failed_task"] == "tests.always_fails"
    assert line["task_args"] == [42]
    # Free text may be personal: it is not copied into the log.
    assert line["task_kwargs"] == {"note": "…"}
    assert "gateway refused" in line["message"]


class _Collector(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli  # present whenever sentry-sdk chose it

            body = brotli.decompress(body)
        _Collector.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def sentry_server():
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    _Collector.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


SCRIPT = """
import logging, django, sentry_sdk
django.setup()
from django.test import Client
from portal.logs import request_id_var
request_id_var.set("req-sentry-0001")
sentry_sdk.set_tag("request_id", request_id_var.get())
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("portal.demo").exception("report build crashed")
sentry_sdk.flush(5)
"""


def test_errors_reach_sentry_when_sentry_dsn_is_set(sentry_server):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{sentry_server}/1",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SCRIPT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    payload = b"".join(_Collector.received).decode()
    assert "ZeroDivisionError" in payload and "report build crashed" in payload
    assert "req-sentry-0001" in payload


def test_without_sentry_dsn_nothing_is_sent():
    import sentry_sdk

    assert not settings.SENTRY_DSN
    assert not sentry_sdk.get_client().is_active()
