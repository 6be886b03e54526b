"""Content-Security-Policy, Permissions-Policy, Secure cookies and no Server header."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

BASE = Path(settings.BASE_DIR)
# The portal's own templates: the project folder and each of its apps' folders.
TEMPLATE_DIRS = (
    [BASE / "templates"]
    + [p for p in BASE.glob("*/templates") if ".venv" not in p.parts]
    + [p for p in BASE.glob("portal/*/templates")]
)
# `*_pdf.html` templates are rendered by WeasyPrint into a PDF (the monthly report, the
# volunteer's certificate), never served to a browser: their <style> elements stay.
PDF_SUFFIX = "_pdf.html"

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.DOTALL)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.DOTALL)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def _templates() -> list[tuple[str, str]]:
    found = []
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")):
            name = path.relative_to(folder).as_posix()
            if not name.endswith(PDF_SUFFIX):
                found.append((name, path.read_text()))
    return found


def inline_code_problems(name: str, text: str) -> list[str]:
    """What in one template's source the CSP would block."""
    problems = []
    for attrs, body in SCRIPT_TAG.findall(text):
        if body.strip() and "application/json" not in attrs:
            problems.append(f"{name}: inline <script> with code")
    for pattern, what in (
        (STYLE_ATTRIBUTE, 'style="" attribute'),
        (STYLE_ELEMENT, "<style> element"),
        (EVENT_HANDLER, "on…= event handler attribute"),
        (JAVASCRIPT_URL, "javascript: URL"),
    ):
        if pattern.search(text):
            problems.append(f"{name}: {what}")
    return problems


def test_the_template_check_finds_what_the_csp_blocks():
    assert inline_code_problems("a", "<script>alert(1)</script>")
    assert inline_code_problems("a", '<div class="x" style="width: 5%">')
    assert inline_code_problems("a", "<style>p{}</style>")
    assert inline_code_problems("a", '<button onclick="go()">')
    assert inline_code_problems("a", '<a href="javascript:go()">')
    assert not inline_code_problems("a", '<script src="/static/js/x.js" defer></script>')
    assert not inline_code_problems("a", '<script type="application/json" id="d">{}</script>')
    assert not inline_code_problems("a", "{{ data|json_script:'growth-data' }}")


def test_no_template_holds_inline_script_or_style():
    templates = _templates()
    assert len(templates) > 50
    problems = [p for name, text in templates for p in inline_code_problems(name, text)]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_every_page_carries_the_policies(client, parent):
    response = client.get(reverse("home"))
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions
    client.force_login(parent)
    response = client.get(reverse("notifications:inbox"), follow=True)
    assert "Content-Security-Policy" in response.headers


@pytest.mark.django_db
def test_the_policy_built_once_is_the_one_django_csp_builds(client):
    from csp.utils import build_policy

    for path in ("/", "/no-such-page/", reverse("childcare:station_finder")):
        response = client.get(path)
        assert response.headers["Content-Security-Policy"] == build_policy(), path
    assert "Content-Security-Policy-Report-Only" not in response.headers


@pytest.mark.django_db(transaction=True)
def test_production_home_page_has_the_csp_and_every_cookie_is_secure():
    """Under the production settings, in a process of its own, over HTTPS behind the proxy."""
    database = connection.settings_dict
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "EMAIL", "DATABASE", "REDIS", "CELERY"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "DJANGO_SECRET_KEY": "a-long-random-secret-for-this-test-only-0123456789",
            "DJANGO_ALLOWED_HOSTS": "portal.example.cn",
            "DATABASE_URL": (
                f"postgres://{database['USER']}:unused@{database['HOST'] or '127.0.0.1'}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            ),
            "REDIS_URL": "redis://127.0.0.1:6379/15",
            "CACHE_KEY_PREFIX": f"csp-walk-{os.getpid()}",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
            "EMAIL_URL": "smtp+tls://portal:pw@smtp.example.cn:587",
            "SMS_SENDER": "portal.accounts.sms.OutboxSmsSender",
            "DJANGO_ALLOW_CONSOLE_SENDERS": "true",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.portal.production_walk", "+8613999990001"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("WALK "))
    walk = json.loads(line[5:])
    assert walk["require_totp"] is True
    steps = {r["step"]: r for r in walk["responses"]}
    assert steps["home"]["status"] == 200
    assert steps["sign-in"]["status"] == 302, walk
    assert steps["start page"]["status"] == 200, walk
    for response in walk["responses"]:
        assert response["csp"] and "script-src 'self'" in response["csp"], response
        assert response["permissions"], response
    names = {c["name"] for c in walk["cookies"]}
    expected = {"csrftoken", "django_language", "elder_mode", "sessionid", "messages", "portal_uid"}
    assert expected <= names, names
    insecure = [c for c in walk["cookies"] if not c["secure"]]
    assert not insecure, insecure


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_sends_no_server_header(tmp_path):
    """gunicorn writes `Server: gunicorn` itself; its config file (gunicorn.conf.py, read from
    the working directory as the Dockerfile and compose run it) takes the line out."""
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    server = subprocess.Popen(  # noqa: S603 - gunicorn from our own virtualenv
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=BASE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "gunicorn.log").open("w"),
    )
    try:
        headers = None
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/") as response:
                    headers = response.headers
            except urllib.error.HTTPError as exc:
                headers = exc.headers
            except OSError:
                time.sleep(0.2)
                continue
            break
        assert headers is not None, (tmp_path / "gunicorn.log").read_text()
        assert "Date" in headers
        assert "Server" not in headers, headers["Server"]
    finally:
        server.terminate()
        server.wait(timeout=30)
