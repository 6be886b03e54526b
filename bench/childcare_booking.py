"""Bench: concurrent session booking over HTTP on the real stack, against raw PostgreSQL.

    .venv/bin/python bench/childcare_booking.py [--clients 50] [--attempts 200] [--places 15]

1. Creates (or empties) a dedicated database `bench_childcare` on the server of
   $DATABASE_URL (default postgres://postgres@127.0.0.1:5432/), migrates it, and seeds one
   station with one session of 15 places and 50 parents, each with their own child and a
   signed-in session.
2. Starts gunicorn on it (settings from env: DATABASE_URL = the bench database, DEBUG off,
   Celery eager as in a broker-less run) and fires 200 booking attempts from 50 concurrent
   clients (4 each: a parent pressing "Book" again is refused as a double booking).
   Prints confirmed (must be 15), waitlisted, refused, errors (must be 0) and requests/s.
3. Runs pgbench with the same workload as a raw transaction (BEGIN; SELECT ... FOR UPDATE on
   the session row; INSERT booking; UPDATE counter; COMMIT) and prints the ratio.

Each phase runs --rounds times (bookings emptied in between), after one unmeasured HTTP
warm-up round; the median is reported.
Nothing here is run by the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "bench_childcare"


def database_urls() -> tuple[str, str]:
    """(server URL to the `postgres` maintenance db, URL of the bench database)."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urllib.parse.urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must point at a PostgreSQL server")
    server = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    bench = urllib.parse.urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    return server, bench


def create_database(server_url: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def seed(clients: int, places: int) -> dict:
    """One station, one session of `places`, `clients` parents each with a child and a login."""
    import datetime

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.utils import timezone

    from childcare.models import Child, Guardian, Session, Station
    from communities.models import Community, Household, Region, Resident
    from portal.accounts.models import Role, RoleAssignment, User

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE accounts_user, communities_region, notifications_notification, "
            "django_session RESTART IDENTITY CASCADE"
        )
    region = Region.objects.create(code="bench-community", name="Bench", level="community")
    community = Community.objects.create(region=region)
    station = Station.objects.create(name="Bench station", community=community, licensed_places=15)
    session = Session.objects.create(
        station=station,
        kind="full_day",
        date=timezone.localdate() + datetime.timedelta(days=1),
        starts_at=datetime.time(8, 30),
        ends_at=datetime.time(17, 0),
        capacity=places,
    )
    born = timezone.localdate() - datetime.timedelta(days=600)
    families = []
    for n in range(clients):
        # Phone only: no email, so the eager delivery task sends none (not what we measure).
        user = User.objects.create(phone=f"+8613700{n:06d}", name=f"Parent {n}")
        RoleAssignment.objects.create(user=user, role=Role.PARENT)
        household = Household.objects.create(community=community, address=f"Bench {n}")
        resident = Resident.objects.create(
            household=household, name=f"Child {n}", sex="F", date_of_birth=born
        )
        child = Child.objects.create(resident=resident)
        Guardian.objects.create(child=child, user=user, name=f"Parent {n}", relation="parent")
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        csrf = secrets.token_hex(16)  # a 32-character secret, accepted as cookie and as token
        families.append(
            {
                "user": user.pk,
                "child": child.pk,
                "cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}; "
                f"{settings.CSRF_COOKIE_NAME}={csrf}",
                "csrf": csrf,
            }
        )
    return {"session": session.pk, "station": station.pk, "families": families}


def reset_bookings(session_id: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM childcare_booking WHERE session_id = %s", [session_id])
        cursor.execute("UPDATE childcare_session SET booked = 0 WHERE id = %s", [session_id])
        cursor.execute("DELETE FROM notifications_notification")


def counts(session_id: int) -> dict[str, int]:
    from childcare.models import Booking, Session

    result = {
        s: Booking.objects.filter(session_id=session_id, status=s).count()
        for s in ("confirmed", "waitlisted")
    }
    result["counter"] = Session.objects.get(pk=session_id).booked
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited; see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    sys.exit(f"gunicorn did not start; see {log}")


def http_round(port: int, data: dict, attempts: int) -> dict:
    families = data["families"]
    per_client = attempts // len(families)
    path = f"/childcare/sessions/{data['session']}/book/"
    outcome: dict = {"accepted": 0, "refused": 0, "errors": 0, "first_error": ""}
    lock = threading.Lock()
    barrier = threading.Barrier(len(families) + 1)

    def client(family: dict) -> None:
        body = urllib.parse.urlencode(
            {"child": family["child"], "csrfmiddlewaretoken": family["csrf"]}
        )
        headers = {
            "Cookie": family["cookie"],
            "Content-Type": "application/x-www-form-urlencoded",
        }
        barrier.wait()
        for _n in range(per_client):
            kind, error = "errors", ""
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                location = response.getheader("Location", "")
                if response.status == 302 and location.endswith("/childcare/my/"):
                    kind = "accepted"  # confirmed or waitlisted
                elif response.status == 302 and "/childcare/stations/" in location:
                    kind = "refused"  # already booked: a clear message, nothing changed
                else:
                    error = f"HTTP {response.status} {location}"
                conn.close()
            except OSError as exc:
                error = repr(exc)
            with lock:
                outcome[kind] += 1
                if kind == "errors" and not outcome["first_error"]:
                    outcome["first_error"] = error

    threads = [threading.Thread(target=client, args=(f,)) for f in families]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    outcome["seconds"] = elapsed
    outcome["rps"] = per_client * len(families) / elapsed
    return outcome


PGBENCH_SCRIPT = """\\set cid :child0 + :client_id
\\set uid :user0 + :client_id
BEGIN;
SELECT booked, capacity FROM childcare_session WHERE id = :sid FOR UPDATE;
WITH ins AS (
  INSERT INTO childcare_booking (session_id, child_id, status, booked_by_id, created)
  SELECT :sid, :cid, CASE WHEN booked < capacity THEN 'confirmed' ELSE 'waitlisted' END,
         :uid, now()
  FROM childcare_session WHERE id = :sid
  ON CONFLICT (session_id, child_id) WHERE NOT (status = 'cancelled') DO NOTHING
  RETURNING status
)
UPDATE childcare_session SET booked = booked + 1
WHERE id = :sid AND EXISTS (SELECT 1 FROM ins WHERE status = 'confirmed');
COMMIT;
"""


def pgbench_round(bench_url: str, data: dict, attempts: int, script: Path) -> float:
    families = data["families"]
    children = [f["child"] for f in families]
    users = [f["user"] for f in families]
    # :client_id runs 0..clients-1; the seed created children and users with consecutive ids.
    assert children == list(range(children[0], children[0] + len(children)))
    assert users == list(range(users[0], users[0] + len(users)))
    parts = urllib.parse.urlsplit(bench_url)
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": parts.hostname or "127.0.0.1",
            "PGPORT": str(parts.port or 5432),
            "PGUSER": urllib.parse.unquote(parts.username or "postgres"),
        }
    )
    if parts.password:
        env["PGPASSWORD"] = urllib.parse.unquote(parts.password)
    out = subprocess.run(
        [
            "pgbench",
            "-n",
            "-c",
            str(len(families)),
            "-j",
            "2",
            "-t",
            str(attempts // len(families)),
            "-f",
            str(script),
            "-D",
            f"sid={data['session']}",
            "-D",
            f"child0={children[0]}",
            "-D",
            f"user0={users[0]}",
            BENCH_DB,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out.stdout)
    if not match:
        sys.exit(out.stdout + out.stderr)
    failed = re.search(r"number of failed transactions: (\d+)", out.stdout)
    if failed and int(failed.group(1)):
        sys.exit("pgbench transactions failed:\n" + out.stdout)
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--places", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args()

    server_url, bench_url = database_urls()
    create_database(server_url)
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": bench_url,
            "DJANGO_SETTINGS_MODULE": "portal.settings.local",
            "DJANGO_DEBUG": "false",
            "CELERY_BROKER_URL": "",
            "REDIS_URL": "",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.update(env)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )

    import django

    django.setup()
    data = seed(args.clients, args.places)

    log = Path(tempfile.gettempdir()) / "bench_childcare_gunicorn.log"
    port = args.port or free_port()
    gunicorn = start_gunicorn(env, port, args.workers, log)
    print(
        f"HTTP: {args.attempts} booking attempts from {args.clients} concurrent clients "
        f"(gunicorn, {args.workers} workers, PostgreSQL) at a session with {args.places} places"
    )
    rps_runs: list[float] = []
    failures = []
    try:
        # One unmeasured round first: workers import, connect and warm their caches.
        reset_bookings(data["session"])
        warm = http_round(port, data, args.attempts)
        print(f"  warm-up (not counted): {warm['rps']:.1f} requests/s, errors {warm['errors']}")
        for n in range(args.rounds):
            reset_bookings(data["session"])
            result = http_round(port, data, args.attempts)
            db = counts(data["session"])
            rps_runs.append(result["rps"])
            print(
                f"  round {n + 1}: confirmed {db['confirmed']}, waitlisted {db['waitlisted']}, "
                f"refused as double bookings {result['refused']}, errors {result['errors']}, "
                f"{result['rps']:.1f} requests/s ({result['seconds']:.2f} s)"
            )
            if db["confirmed"] != args.places or db["counter"] != args.places:
                failures.append(f"round {n + 1}: {db}")
            if result["errors"]:
                failures.append(
                    f"round {n + 1}: {result['errors']} HTTP errors, first: "
                    f"{result['first_error']} (see {log})"
                )
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)

    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(PGBENCH_SCRIPT)
        script = Path(handle.name)
    print(
        f"pgbench: the same {args.attempts} transactions from {args.clients} clients "
        "(BEGIN; SELECT ... FOR UPDATE; INSERT booking; UPDATE counter; COMMIT)"
    )
    tps_runs: list[float] = []
    try:
        for n in range(args.rounds):
            reset_bookings(data["session"])
            tps = pgbench_round(bench_url, data, args.attempts, script)
            db = counts(data["session"])
            tps_runs.append(tps)
            print(
                f"  round {n + 1}: confirmed {db['confirmed']}, waitlisted {db['waitlisted']}, "
                f"{tps:.1f} transactions/s"
            )
            if db["confirmed"] != args.places:
                failures.append(f"pgbench round {n + 1}: {db}")
    finally:
        script.unlink()
        reset_bookings(data["session"])

    http_median = statistics.median(rps_runs)
    raw_median = statistics.median(tps_runs)
    print(
        f"median: HTTP {http_median:.1f} requests/s, raw PostgreSQL {raw_median:.1f} tx/s, "
        f"ratio HTTP/raw = {http_median / raw_median:.3f} (raw is {raw_median / http_median:.1f}x)"
    )
    if failures:
        sys.exit("FAILED: " + "; ".join(failures))


if __name__ == "__main__":
    main()
