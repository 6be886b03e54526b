"""The compose deployment and the production settings: nothing quietly insecure, health
checks that pass, services that restart."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.test import Client

BASE = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((BASE / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
ONE_SHOT = {"migrate"}

GOOD_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "DJANGO_SECRET_KEY": "a-long-random-secret-for-this-test-only-0123456789",
    "DJANGO_ALLOWED_HOSTS": "portal.example.cn",
    "DATABASE_URL": "postgres://portal:s3cret@127.0.0.1:5432/portal",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://portal:pw@smtp.example.cn:587",
    "SMS_SENDER": "gateway.sms.Sender",
}


def test_every_long_running_service_restarts_unless_stopped():
    assert {"postgres", "redis", "web", "worker", "beat", "backup"} <= set(SERVICES)
    for name, service in SERVICES.items():
        if name not in ONE_SHOT:
            assert service.get("restart") == "unless-stopped", name
    assert SERVICES["migrate"]["restart"] == "no"


def test_no_secret_or_sender_has_an_insecure_fallback():
    text = (BASE / "docker-compose.yml").read_text()
    for variable in ("POSTGRES_PASSWORD", "SMS_SENDER", "EMAIL_URL", "DJANGO_SECRET_KEY"):
        uses = re.findall(r"\$\{" + variable + r"(:?[-?])?", text)
        assert uses, variable
        assert all(op == ":?" for op in uses), f"{variable} has a default: {uses}"
    assert "ConsoleSmsSender" not in text and "consolemail" not in text


@pytest.mark.django_db
def test_web_health_check_needs_no_allowed_host_and_no_https(settings):
    test = SERVICES["web"]["healthcheck"]["test"]
    url = next(part for part in test if part.startswith("http"))
    assert url == "http://127.0.0.1:8000/healthz/"
    # As production is set: a foreign Host and an HTTPS redirect for everything else.
    settings.ALLOWED_HOSTS = ["portal.example.cn"]
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/healthz/", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/", HTTP_HOST="127.0.0.1:8000").status_code == 400


def test_backup_service_runs_the_nightly_script_with_media_and_retention():
    backup = SERVICES["backup"]
    assert backup["command"][0] == "/opt/portal/bin/backup" and "--nightly" in backup["command"]
    assert "./bin:/opt/portal/bin:ro" in backup["volumes"]
    assert any(v.startswith("media:") for v in backup["volumes"])
    assert "BACKUP_KEEP_DAYS" in backup["environment"]
    assert os.access(BASE / "bin" / "backup", os.X_OK) and os.access(
        BASE / "bin" / "restore", os.X_OK
    )


def _check(**overrides: str | None) -> subprocess.CompletedProcess:
    env: dict[str, str | None] = {
        k: v for k, v in os.environ.items() if k not in GOOD_ENV and not k.startswith("EMAIL")
    }
    env.update(GOOD_ENV)
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE,
        env={k: v for k, v in env.items() if v is not None},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SMS_SENDER": "portal.accounts.sms.ConsoleSmsSender"}, "SMS_SENDER"),
        ({"EMAIL_URL": "consolemail://"}, "EMAIL_URL"),
        ({"EMAIL_URL": None, "EMAIL_BACKEND": None}, "EMAIL_URL"),
        ({"DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal"}, "password"),
    ],
)
def test_production_refuses_to_start_with_an_insecure_default(overrides, message):
    result = _check(**overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_production_starts_with_real_senders_and_a_database_password():
    result = _check()
    assert result.returncode == 0, result.stderr
