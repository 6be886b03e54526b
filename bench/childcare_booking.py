"""Bench: concurrent session booking over HTTP on the real stack, against the bare transaction.

    .venv/bin/python bench/childcare_booking.py [--clients 50] [--seconds 10] [--places 15]

1. Creates (or empties) a dedicated database `bench_childcare` on the server of
   $DATABASE_URL (default postgres://postgres@127.0.0.1:5432/), migrates it, and seeds one
   station with --sessions sessions of 15 places and 50 parents, each with their own child
   and a signed-in session.
2. Starts gunicorn on it (the project's gunicorn.conf.py; production settings: DEBUG off,
   the Redis cache, sessions read from Redis, and a real Redis broker on database 12, with
   a Celery worker running, so the notifications of each booking are queued on commit and
   delivered by the worker, each parent mailed through Django's file backend into a
   temporary folder, standing in for SMTP, removed at the end) and, for --seconds per round,
   lets 50 concurrent clients book: each books its child into the sessions in turn (15
   confirmed and 35 waitlisted per session).
3. In the same rounds, the same clients call a bare Django view on the same server
   (bench/bare_wsgi.py: no middleware, no sign-in, no form) doing the same locked
   transaction (BEGIN; SELECT ... FOR UPDATE on the session row; counter and insert; COMMIT).
   And, as a third kind of round, a signed-in POST through all of the portal's middleware
   that books nothing (the elder-mode switch set to what the account holds): what the
   portal's request handling costs before any booking work.
   Prints requests/s of each and the ratios; after every round checks every session:
   confirmed never above its places, the counter equal to the confirmed bookings (0
   overbookings), and 0 errors.
4. Runs pgbench with the same transaction (raw PostgreSQL, no Python) for reference.

Each phase runs --rounds times (bookings emptied in between), after one unmeasured warm-up
round; medians and ranges are reported. Nothing here is run by the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "bench_childcare"
MAIL_DIR = Path(tempfile.gettempdir()) / "bench_childcare_mail"


def database_urls() -> tuple[str, str]:
    """(server URL to the `postgres` maintenance db, URL of the bench database)."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urllib.parse.urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must point at a PostgreSQL server")
    server = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    if not parts.password:
        # Production settings refuse a database URL without a password; a local trust
        # login ignores this one.
        parts = parts._replace(
            netloc=f"{parts.username or 'postgres'}:bench@{parts.hostname}:{parts.port or 5432}"
        )
    bench = urllib.parse.urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    return server, bench


def create_database(server_url: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def seed(clients: int, places: int, sessions: int) -> dict:
    """One station, `sessions` sessions of `places`, `clients` parents with a child each."""
    import datetime

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connection
    from django.utils import timezone

    from childcare.consent import CURRENT_VERSION
    from childcare.models import Child, Guardian, GuardianConsent, Session, Station
    from communities.models import Community, Household, Region, Resident
    from portal.accounts.models import Role, RoleAssignment, User
    from portal.accounts.signed_in import HINT_COOKIE

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE accounts_user, communities_region, notifications_notification, "
            "django_session RESTART IDENTITY CASCADE"
        )
    region = Region.objects.create(code="bench-community", name="Bench", level="community")
    community = Community.objects.create(region=region)
    station = Station.objects.create(name="Bench station", community=community, licensed_places=15)
    session_ids = [
        Session.objects.create(
            station=station,
            kind="full_day",
            date=timezone.localdate() + datetime.timedelta(days=1 + n),
            starts_at=datetime.time(8, 30),
            ends_at=datetime.time(17, 0),
            capacity=places,
        ).pk
        for n in range(sessions)
    ]
    born = timezone.localdate() - datetime.timedelta(days=600)
    families = []
    for n in range(clients):
        # With an email address: the worker mails every booking's notification.
        user = User.objects.create(
            phone=f"+8613700{n:06d}", email=f"parent{n}@bench.invalid", name=f"Parent {n}"
        )
        RoleAssignment.objects.create(user=user, role=Role.PARENT)
        household = Household.objects.create(community=community, address=f"Bench {n}")
        resident = Resident.objects.create(
            household=household, name=f"Child {n}", sex="F", date_of_birth=born
        )
        child = Child.objects.create(resident=resident)
        Guardian.objects.create(child=child, user=user, name=f"Parent {n}", relation="parent")
        # Booking needs the guardian's consent (PIPL art. 31): without it every booking is
        # refused and the bench would measure refusals.
        GuardianConsent.objects.create(
            child=child, user=user, version=CURRENT_VERSION, given_at=timezone.now()
        )
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
                # As a browser holds them after its first page (HINT_COOKIE: who is signed in).
                "cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}; "
                f"{settings.CSRF_COOKIE_NAME}={csrf}; {HINT_COOKIE}={user.pk}",
                "csrf": csrf,
            }
        )
    return {
        "session": session_ids[0],
        "sessions": session_ids,
        "station": station.pk,
        "families": families,
    }


def reset_bookings(session_id: int | None = None) -> None:
    """Empty the bookings of one session, or of all (None)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if session_id is None:
            cursor.execute("DELETE FROM childcare_booking")
            cursor.execute("UPDATE childcare_session SET booked = 0")
        else:
            cursor.execute("DELETE FROM childcare_booking WHERE session_id = %s", [session_id])
            cursor.execute("UPDATE childcare_session SET booked = 0 WHERE id = %s", [session_id])
        cursor.execute("DELETE FROM notifications_notification")
        # Every round starts from the same tables: without this the rows a round deleted
        # stay in the indexes (the overlap index above all) and slow the next round down.
        cursor.execute(
            "VACUUM ANALYZE childcare_booking, childcare_session, notifications_notification"
        )


def overbookings(places: int) -> tuple[int, int]:
    """(sessions booked beyond their places or with a wrong counter, bookings in all)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FILTER (
                       WHERE confirmed > capacity OR confirmed <> booked
                          OR confirmed < least(capacity, live)),
                   coalesce(sum(live), 0)
            FROM (SELECT s.id, s.capacity, s.booked,
                         count(b.id) FILTER (WHERE b.status = 'confirmed') AS confirmed,
                         count(b.id) FILTER (WHERE b.status <> 'cancelled') AS live
                  FROM childcare_session s LEFT JOIN childcare_booking b ON b.session_id = s.id
                  GROUP BY s.id) t
            """
        )
        bad, total = cursor.fetchone()
    return int(bad), int(total)


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
            "bench.bare_wsgi:application",
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


# What each kind of round posts. "floor" is a signed-in POST through every middleware (sign-in,
# CSRF, history, messages...) whose view writes nothing and redirects: the elder-mode switch,
# set to what the account already holds. It shows what the portal's request handling costs
# before any booking work.
KINDS = ("bare", "portal", "floor")


def http_round(port: int, data: dict, seconds: float, kind: str) -> dict:
    """Every client books its child into the sessions in turn until `seconds` have passed.

    kind "portal": the portal's booking form (POST, signed in, CSRF); "bare": the bare view;
    "floor": the elder-mode switch, once per session in turn (see KINDS).
    """
    bare = kind == "bare"
    families = data["families"]
    outcome: dict = {"accepted": 0, "refused": 0, "errors": 0, "first_error": "", "done": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(len(families) + 1)
    deadline: list[float] = []

    def client(family: dict) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        counts = {"accepted": 0, "refused": 0, "errors": 0}
        first_error = ""
        for session_id in data["sessions"]:
            if time.perf_counter() >= deadline[0]:
                break
            if bare:
                path = "/bench/book/"
                fields = {"session": session_id, "child": family["child"], "user": family["user"]}
                headers = {"Content-Type": "application/x-www-form-urlencoded"}
            elif kind == "floor":
                path = "/preferences/elder-mode/"
                fields = {
                    "enabled": "0",
                    "next": "/childcare/my/",
                    "csrfmiddlewaretoken": family["csrf"],
                }
                headers = {
                    "Cookie": family["cookie"],
                    "Content-Type": "application/x-www-form-urlencoded",
                }
            else:
                path = f"/childcare/sessions/{session_id}/book/"
                fields = {"child": family["child"], "csrfmiddlewaretoken": family["csrf"]}
                headers = {
                    "Cookie": family["cookie"],
                    "Content-Type": "application/x-www-form-urlencoded",
                }
            outcome_kind, error = "errors", ""
            try:
                conn.request("POST", path, body=urllib.parse.urlencode(fields), headers=headers)
                response = conn.getresponse()
                body = response.read()
                location = response.getheader("Location", "")
                if bare and response.status == 200 and body in (b"confirmed", b"waitlisted"):
                    outcome_kind = "accepted"
                elif not bare and response.status == 302 and location.endswith("/childcare/my/"):
                    outcome_kind = "accepted"  # booked (confirmed or waitlisted); switch set
                elif kind == "portal" and response.status == 302 and "/childcare/" in location:
                    outcome_kind = "refused"  # a clear message, nothing changed
                else:
                    error = f"HTTP {response.status} {location} {body[:80]!r}"
            except OSError as exc:
                error = repr(exc)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            counts[outcome_kind] += 1
            if error and not first_error:
                first_error = error
        conn.close()
        with lock:
            for key, value in counts.items():
                outcome[key] += value
            outcome["done"] += sum(counts.values())
            if first_error and not outcome["first_error"]:
                outcome["first_error"] = first_error

    threads = [threading.Thread(target=client, args=(f,)) for f in families]
    for t in threads:
        t.start()
    deadline.append(time.perf_counter() + seconds)
    started = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    outcome["seconds"] = elapsed
    outcome["rps"] = outcome["done"] / elapsed
    return outcome


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    """A Celery worker on the bench broker: it delivers the notifications bookings queue."""
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "portal",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def queue_length(broker: str) -> int:
    import redis

    return int(redis.Redis.from_url(broker).llen("celery"))


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


BROKER = "redis://127.0.0.1:6379/12"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--attempts", type=int, default=200, help="pgbench transactions")
    parser.add_argument("--places", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args()

    server_url, bench_url = database_urls()
    create_database(server_url)
    env = dict(os.environ)
    env.update(
        {
            # Production settings, as deployed: DEBUG off, sessions read from Redis, the
            # Redis cache. Django's file mail backend stands in for SMTP: each mail is built
            # as for the relay and written to a file in MAIL_DIR. (The console backend's
            # output went through the worker's stdout logging, which cost the worker a fifth
            # more than the mail itself and which no relay costs.)
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "DJANGO_SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_ALLOW_CONSOLE_SENDERS": "true",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "SMS_SENDER": "portal.accounts.sms.ConsoleSmsSender",
            "EMAIL_URL": f"filemail:///{MAIL_DIR}",
            "DATABASE_URL": bench_url,
            "REDIS_URL": BROKER,
            "CELERY_BROKER_URL": BROKER,
            "CACHE_KEY_PREFIX": "bench_childcare",
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
    data = seed(args.clients, args.places, args.sessions)

    log = Path(tempfile.gettempdir()) / "bench_childcare_gunicorn.log"
    worker_log = Path(tempfile.gettempdir()) / "bench_childcare_worker.log"
    port = args.port or free_port()
    worker = start_worker(env, worker_log)
    gunicorn = start_gunicorn(env, port, args.workers, log)
    print(
        f"HTTP: {args.clients} concurrent clients, {args.seconds:.0f} s per round "
        f"(gunicorn, {args.workers} workers, PostgreSQL, Redis broker and a Celery worker), "
        f"sessions of {args.places} places; the portal's booking form beside a bare Django "
        "view doing the same locked transaction, and a signed-in POST that only redirects"
    )
    runs: dict[str, list[float]] = {kind: [] for kind in KINDS}
    names = {
        "bare": "bare Django view       ",
        "portal": "portal booking         ",
        "floor": "portal POST, no booking",
    }
    failures = []
    try:
        # One unmeasured round first: workers import, connect and warm their caches.
        for kind in KINDS:
            reset_bookings()
            http_round(port, data, 3, kind)
        for n in range(args.rounds):
            for label in KINDS:
                reset_bookings()
                result = http_round(port, data, args.seconds, label)
                bad, total = overbookings(args.places)
                runs[label].append(result["rps"])
                name = names[label]
                print(
                    f"  round {n + 1} {name}: {result['rps']:7.1f} requests/s "
                    f"({result['done']} in {result['seconds']:.1f} s), bookings {total}, "
                    f"refused {result['refused']}, errors {result['errors']}, "
                    f"overbooked sessions {bad}",
                    flush=True,
                )
                if bad:
                    failures.append(f"round {n + 1} {label}: {bad} sessions overbooked")
                if result["errors"]:
                    failures.append(
                        f"round {n + 1} {label}: {result['errors']} errors, first: "
                        f"{result['first_error']} (see {log})"
                    )
            print(
                f"  round {n + 1} ratio portal/bare = {runs['portal'][-1] / runs['bare'][-1]:.3f}"
                f", no-booking POST/bare = {runs['floor'][-1] / runs['bare'][-1]:.3f}"
                f"; notifications waiting in the broker: {queue_length(BROKER)}",
                flush=True,
            )
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        shutil.rmtree(MAIL_DIR, ignore_errors=True)

    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(PGBENCH_SCRIPT)
        script = Path(handle.name)
    print(
        f"pgbench (reference, no Python): {args.attempts} transactions from {args.clients} "
        "clients (BEGIN; SELECT ... FOR UPDATE; INSERT booking; UPDATE counter; COMMIT)"
    )
    tps_runs: list[float] = []
    try:
        for n in range(args.rounds):
            reset_bookings()
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
        reset_bookings()

    ratios = [p / b for p, b in zip(runs["portal"], runs["bare"], strict=True)]
    floors = [f / b for f, b in zip(runs["floor"], runs["bare"], strict=True)]
    portal, bare = statistics.median(runs["portal"]), statistics.median(runs["bare"])
    raw = statistics.median(tps_runs)
    print(
        f"median: portal booking {portal:.1f} requests/s, bare Django view {bare:.1f} "
        f"requests/s, raw PostgreSQL {raw:.1f} tx/s; portal/bare per round "
        f"{min(ratios):.3f}–{max(ratios):.3f} (median {statistics.median(ratios):.3f}), "
        f"portal/raw {portal / raw:.3f}; the POST without booking at "
        f"{min(floors):.3f}–{max(floors):.3f} of the bare view"
    )
    if failures:
        sys.exit("FAILED: " + "; ".join(failures))


if __name__ == "__main__":
    main()
