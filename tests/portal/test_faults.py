"""Faults with real processes: Redis restarted while notifications wait, PostgreSQL restarted
under a running web server. Each test starts PRIVATE instances (own port, own data folder)
and kills and restarts only those, never the shared services other runs use."""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.test import override_settings

from portal.celery import app
from portal.notifications.models import Notification
from portal.notifications.services import notification_create
from portal.notifications.tasks import resend_unsent
from tests.factories import UserFactory
from tests.portal.test_worker import (  # noqa: F401 - fixture
    _drop_broker_connections,
    key_prefix,
    shared_cache,
    start_worker,
    stop_worker,
)

WAIT_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(condition, what: str, *logs: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    details = "\n".join(log.read_text() for log in logs if log.exists())
    pytest.fail(f"{what} not within {WAIT_SECONDS}s:\n{details}")


# --- Redis ----------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of this test's own, persisted as production's (append-only file)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is installed by bin/services-up's packages"
        self.process = subprocess.Popen(  # noqa: S603 - fixed command line
            [
                binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--dir", str(self.folder),
                "--appendonly", "yes",
                "--appendfsync", "always",
                "--save", "",
                "--logfile", str(self.folder / "redis.log"),
            ],
        )  # fmt: skip
        _wait(self.answers, "private Redis", self.folder / "redis.log")

    def answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_timeout=1).ping()
        except redis.RedisError:
            return False

    def kill(self) -> None:
        """kill -9: no chance to save anything that was not already on disk."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path):
    folder = tmp_path / "redis"
    folder.mkdir()
    server = PrivateRedis(folder)
    server.start()
    yield server
    if server.process and server.process.poll() is None:
        server.kill()


@pytest.fixture
def enqueue_to_private_redis(private_redis, key_prefix):  # noqa: F811
    """This process sends its task messages to the private Redis, and shares the worker's
    cache (which stays up: only the broker is killed here)."""
    conf = app.conf
    saved = conf.task_always_eager, conf.broker_url, conf.broker_transport_options
    conf.task_always_eager = False
    conf.broker_url = private_redis.url
    conf.broker_transport_options = {**saved[2], "global_keyprefix": key_prefix}
    _drop_broker_connections()
    try:
        with override_settings(CACHES=shared_cache(key_prefix)):
            yield
    finally:
        conf.task_always_eager, conf.broker_url, conf.broker_transport_options = saved
        _drop_broker_connections()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_notifications_waiting_across_redis_restarts_are_each_delivered_once(
    tmp_path,
    private_redis,
    key_prefix,  # noqa: F811
    enqueue_to_private_redis,
):
    users = [UserFactory(email=f"fault{n}@example.cn") for n in range(12)]

    def delivered(rows: list[Notification]) -> bool:
        return Notification.objects.filter(
            pk__in=[n.pk for n in rows], sent_at__isnull=False, emailed=True
        ).count() == len(rows)

    # 1. Queued while no worker runs (one delivery run for all eight); then Redis is killed
    #    and started again: the run's message survives on disk.
    waiting = [notification_create(recipient=u, text="名额空出") for u in users[:8]]
    private_redis.kill()
    private_redis.start()
    worker, log, mail_dir = start_worker(tmp_path, key_prefix, broker_url=private_redis.url)
    try:
        _wait(lambda: delivered(waiting), "the queued notifications", log)
        # (Redis is killed once the run's message is acknowledged: kombu's worker exits when
        # the broker goes away while it holds an unacknowledged message; its supervisor
        # restarts it, which is not what this test is about.)
        broker = redis.Redis.from_url(private_redis.url)
        _wait(lambda: not broker.hlen(f"{key_prefix}unacked"), "the run's acknowledgement", log)
        broker.close()
        # 2. Created while Redis is down: the request does not fail, the rows wait unsent.
        private_redis.kill()
        _drop_broker_connections()
        during = [notification_create(recipient=u, text="名额空出") for u in users[8:]]
        private_redis.start()
        time.sleep(2)
        assert not Notification.objects.filter(
            pk__in=[n.pk for n in during], sent_at__isnull=False
        ).exists()
        # 3. The beat job re-sends the rest; run twice, as an overlapping beat would.
        _drop_broker_connections()
        assert resend_unsent(older_than_seconds=0) == len(during)
        resend_unsent(older_than_seconds=0)
        _wait(lambda: delivered(during), "the re-sent notifications", log)
        # 4. Redis killed again under the running worker, which reconnects on its own.
        private_redis.kill()
        private_redis.start()
        _drop_broker_connections()
        late = notification_create(recipient=users[0], text="再次提醒")
        _wait(lambda: delivered([late]), "a notification after the worker reconnected", log)
        time.sleep(2)  # room for a duplicate, if one were coming
    finally:
        stop_worker(worker)

    # The file backend may append several messages to one file: count the messages.
    sent_to = re.findall(r"^To: (.+)$", "".join(p.read_text() for p in mail_dir.iterdir()), re.M)
    expected = sorted([u.email for u in users] + [users[0].email])
    assert sorted(sent_to) == expected


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    assert path, f"{name} not found"
    return path


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (initdb) on a port of its own."""

    def __init__(self) -> None:
        # Not under pytest's tmp_path: its parents are private to root, and PostgreSQL
        # runs as the postgres user when the tests run as root.
        self.folder = Path(tempfile.mkdtemp(prefix="portal-fault-pg-", dir="/tmp"))
        self.port = _free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.folder, "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.folder / "data"), "-U", "postgres",
                  "--auth=trust", "--no-sync")  # fmt: skip

    def _run(self, *command: str) -> None:
        subprocess.run(  # noqa: S603 - fixed command lines
            [*self.as_postgres, *command], check=True, capture_output=True, timeout=120
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder}"
        self._run(_pg_bin("pg_ctl"), "-D", str(self.folder / "data"), "-o", options,
                  "-l", str(self.folder / "postgres.log"), "-w", "start")  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        """immediate: as a crash does, every connection cut at once."""
        self._run(_pg_bin("pg_ctl"), "-D", str(self.folder / "data"), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def private_postgres():
    server = PrivatePostgres()
    server.start()
    yield server
    server.remove()


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def test_the_web_server_answers_again_after_postgresql_restarts(tmp_path, private_postgres):
    port = _free_port()
    env = {
        **os.environ,
        # As production runs it: persistent connections with health checks.
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": "fault-test-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": private_postgres.url.replace("postgres@", "postgres:unused@"),
        "DATABASE_CONN_MAX_AGE": "600",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp://127.0.0.1:1",
        "DJANGO_ALLOW_CONSOLE_SENDERS": "true",
        "SMS_SENDER": "portal.accounts.sms.ConsoleSmsSender",
    }
    log_path = tmp_path / "gunicorn.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log_path.open("w") as log:
        web = subprocess.Popen(  # noqa: S603 - fixed command line, our own venv
            [str(gunicorn), "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/healthz/"
    try:
        _wait(lambda: _get(url) == 200, "the web server", log_path)
        assert _get(url) == 200  # on the connection kept from the first request

        # Restarted between two requests: the very first request afterwards already
        # answers; the kept connection is found dead by the health check and replaced.
        private_postgres.stop("immediate")
        private_postgres.start()
        assert _get(url) == 200

        # A request while the database is down is told so (503): no hang, no crash...
        private_postgres.stop("immediate")
        assert _get(url) == 503
        private_postgres.start()
        # ...and the next one after the restart answers. The process was never restarted.
        assert _get(url) == 200
        assert web.poll() is None
    finally:
        web.terminate()
        try:
            web.wait(timeout=15)
        except subprocess.TimeoutExpired:
            web.kill()
    assert "Traceback" not in log_path.read_text()
