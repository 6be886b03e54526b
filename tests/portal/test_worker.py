"""A real Celery worker, on the real Redis broker, delivers a notification end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import override_settings

from portal.celery import app
from portal.notifications.models import Notification
from portal.notifications.services import notification_create
from tests.factories import UserFactory

STARTUP_SECONDS = 90
WAIT_SECONDS = 30
# The cache a worker shares with the test that starts it, as production's web and worker
# processes share theirs: a notification's delivery request is a cache entry both see.
SHARED_CACHE_URL = "redis://127.0.0.1:6379/15"


def shared_cache(key_prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "portal.pagecache.PortalRedisCache",
            "LOCATION": SHARED_CACHE_URL,
            "KEY_PREFIX": key_prefix,
        }
    }


def _database_url() -> str:
    """The test database this test runs in, as a URL the worker's settings can read."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def key_prefix():
    """Keys of this test's broker traffic, apart from any other run on the same Redis."""
    prefix = f"test-worker-{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(app.conf.broker_url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


def start_worker(
    tmp_path: Path,
    key_prefix: str,
    *,
    name: str = "worker",
    broker_url: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, Path, Path]:
    """Start `celery -A portal worker` on the test database; returns it, its log and mail dir."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "TEST_CELERY_BROKER_URL": broker_url or app.conf.broker_url,
        "TEST_CELERY_KEYPREFIX": key_prefix,
        "TEST_CACHE_URL": SHARED_CACHE_URL,
        "TEST_CACHE_KEYPREFIX": key_prefix,
        "DATABASE_URL": _database_url(),
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "TEST_EMAIL_FILE_PATH": str(mail_dir),
        # As in production: JSON lines, each with the request id of the task's request.
        "LOG_FORMAT": "json",
        **(extra_env or {}),
    }
    log_path = tmp_path / f"{name}.log"
    celery = Path(sys.executable).with_name("celery")
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed command line, our own venv
            [
                str(celery),
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"{name}@%h",
                "-l",
                "info",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_ready(process, log_path)
    except BaseException:
        stop_worker(process)
        raise
    return process, log_path, mail_dir


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture
def celery_worker(tmp_path: Path, key_prefix: str):
    """A worker on the test database and the test broker, stopped after the test."""
    process, log_path, mail_dir = start_worker(tmp_path, key_prefix)
    try:
        yield mail_dir, log_path
    finally:
        stop_worker(process)


def _wait_until_ready(process: subprocess.Popen, log_path: Path) -> None:
    # Start-up (Django, Celery, Redis) is slow on a busy machine; it is not what is tested.
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"worker exited with {process.returncode}:\n{log_path.read_text()}")
        if " ready." in log_path.read_text():
            return
        time.sleep(0.2)
    pytest.fail(f"worker not ready in {STARTUP_SECONDS}s:\n{log_path.read_text()}")


@pytest.fixture
def enqueue_to_broker(key_prefix: str):
    """This process sends real messages to the worker's broker instead of running eagerly,
    and shares the worker's cache."""
    conf = app.conf
    saved = conf.task_always_eager, conf.broker_transport_options
    conf.task_always_eager = False
    conf.broker_transport_options = {**saved[1], "global_keyprefix": key_prefix}
    _drop_broker_connections()
    try:
        with override_settings(CACHES=shared_cache(key_prefix)):
            yield
    finally:
        conf.task_always_eager, conf.broker_transport_options = saved
        _drop_broker_connections()


def _drop_broker_connections() -> None:
    # Celery caches its connection pools on first use; new options need new connections.
    app._pool = None
    app.amqp._producer_pool = None


def _wait_until_delivered(notification: Notification, worker_log: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        if notification.sent_at and notification.emailed:
            return
        time.sleep(0.2)
    pytest.fail(f"worker did not deliver in {WAIT_SECONDS}s:\n{worker_log.read_text()}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_delivers_a_notification_once(celery_worker, enqueue_to_broker):
    mail_dir, worker_log = celery_worker
    user = UserFactory(email="worker-test@example.cn")
    notification = notification_create(recipient=user, text="A place is free on Monday")
    _wait_until_delivered(notification, worker_log)

    messages = list(mail_dir.iterdir())
    assert len(messages) == 1
    assert "worker-test@example.cn" in messages[0].read_text()
    assert Notification.objects.filter(recipient=user, sent_at__isnull=False).count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_and_replaces_a_broken_one(
    tmp_path, key_prefix, enqueue_to_broker
):
    """As deployed (CONN_MAX_AGE 60): the second mail run uses the connection the first
    opened, rather than a new PostgreSQL backend for every task; and when that connection
    dies (PostgreSQL restarted, the backend killed), the next run opens a new one and
    delivers, instead of failing on the dead one."""
    name = f"test-worker-{uuid.uuid4().hex[:12]}"
    process, worker_log, _mail_dir = start_worker(
        tmp_path,
        key_prefix,
        extra_env={
            "DATABASE_URL": f"{_database_url()}?application_name={name}",
            "DATABASE_CONN_MAX_AGE": "60",
        },
    )

    def deliver_one(n: int) -> set:
        user = UserFactory(email=f"keep-{n}@example.cn")
        _wait_until_delivered(notification_create(recipient=user, text=f"#{n}"), worker_log)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, backend_start FROM pg_stat_activity WHERE application_name = %s",
                [name],
            )
            return set(cursor.fetchall())

    try:
        first, second = deliver_one(0), deliver_one(1)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s",
                [name],
            )
        third = deliver_one(2)
    finally:
        stop_worker(process)
    assert len(first) == 1
    assert second == first
    assert len(third) == 1 and third != first
