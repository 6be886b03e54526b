"""Bench: the main page of every role against a minimal Django view, on the production stack.

    .venv/bin/python bench/pages.py [--seconds 10] [--connections 16] [--rounds 1]
                                    [--sizes demo,large] [--profile DIR]

1. Re-creates a database of its own (`bench_pages`), migrates it and loads the demo data
   (one demo user per role); Redis database 13 with its own key prefix for cache and sessions.
2. Starts gunicorn with the project's gunicorn.conf.py (preloaded and warmed, 4 workers) and
   the production settings (DEBUG off, Redis cache, cached_db sessions), serving the portal
   plus a minimal Django view (bench/bare_wsgi.py: no middleware, one URL pattern).
3. For each role, a signed-in session of its demo user (the session and CSRF cookies a
   browser holds after its first page); then wrk with 16 connections for 10 s on the
   minimal view and on each role's main page, in turn. Prints requests/s, the ratio to the
   minimal view of the same round, p50/p95 latency, whether the page cache served the page
   (portal/pagecache.py: "hit" for the kept copy), and, in-process with the same settings,
   the cost of rendering the page (queries, ms: what a first view, or the first view after
   a change, costs) beside the cost of serving its kept copy.
4. Repeats at the 1,000,000-resident size of bench/dashboard_scale.py (its data builder).

The machine is shared: run it several times and read the range. Needs PostgreSQL and Redis
(bin/services-up) and wrk (`make bench-pages` installs it). Not run by the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import os
import pstats
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "bench_pages"
PG_SERVER = "postgres://postgres:bench@127.0.0.1:5432"  # a local trust login ignores the password
REDIS = "redis://127.0.0.1:6379/13"
PREFIX = "bench_pages"
MINIMAL = "/bench/minimal/"

# (label, demo user, path)
PAGES: list[tuple[str, str, str]] = [
    ("parent /childcare/my/", "parent", "/childcare/my/"),
    ("family /eldercare/family/", "elder_family", "/eldercare/family/"),
    ("station staff /childcare/staff/", "station_staff", "/childcare/staff/"),
    ("facility staff /eldercare/", "facility_staff", "/eldercare/"),
    ("community staff /communities/", "community_staff", "/communities/"),
    ("care registry /care/children/", "community_staff", "/care/children/"),
    ("volunteer /care/", "volunteer", "/care/"),
    ("county dashboard /dashboards/530828/", "county_official", "/dashboards/530828/"),
    ("city dashboard /dashboards/530800/", "city_official", "/dashboards/530800/"),
]

PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "DJANGO_SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
    "REDIS_URL": REDIS,
    "CELERY_BROKER_URL": REDIS,
    "CACHE_KEY_PREFIX": PREFIX,
    "DJANGO_ALLOW_CONSOLE_SENDERS": "true",
    "SMS_SENDER": "portal.accounts.sms.ConsoleSmsSender",
    "EMAIL_URL": "consolemail://",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "LOG_LEVEL": "WARNING",
    "MEDIA_ROOT": "/tmp/bench_pages_media",
    "WEB_CONCURRENCY": "4",
}

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def clear_cache() -> None:
    import redis

    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(f"{PREFIX}:*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])


def seed_demo() -> None:
    """Migrate and load the demo data (seed_demo refuses production settings: use local)."""
    env = {**os.environ, **PROD_ENV, "DJANGO_SETTINGS_MODULE": "portal.settings.local"}
    env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    env["CELERY_TASK_ALWAYS_EAGER"] = "true"
    py = sys.executable
    subprocess.run(
        [py, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [py, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def session_cookie(key: str) -> str:
    """A signed-in session of the demo user `key`, in the configured session engine."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from portal.accounts.demo import demo_user
    from portal.accounts.signed_in import HINT_COOKIE

    user = demo_user(key)
    # Roles that must use a second factor (production settings) need an authenticator app,
    # or every page sends them to set one up.
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    # Staff signing in with a second factor: the session records that the factor was given,
    # as the sign-in flow does (allauth.mfa keeps it here), so the bench needs no code.
    store["account_authentication_methods"] = [
        {"method": "password", "at": time.time()},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    store.create()
    # A browser holds the CSRF cookie from its first page on and sends it with every request.
    from django.middleware.csrf import CSRF_ALLOWED_CHARS
    from django.utils.crypto import get_random_string

    csrf = get_random_string(32, CSRF_ALLOWED_CHARS)
    # And the signed-in user's id, which the browser keeps from its first page on
    # (portal.accounts.signed_in.HINT_COOKIE).
    return (
        f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}; "
        f"{HINT_COOKIE}={user.pk}"
    )


def in_process(path: str, cookie: str, repeat: int, profile: Path | None) -> dict:
    """For GET `path` with the same settings, no HTTP: queries and median ms of rendering the
    page (the page cache off), and median ms of serving its kept copy (the page cache on)."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from portal import pagecache

    client = Client(HTTP_HOST="127.0.0.1")
    for pair in cookie.split("; "):
        name, value = pair.split("=", 1)
        client.cookies[name] = value

    def timed(profiler: cProfile.Profile | None = None) -> float:
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            client.get(path)
            if profiler:
                profiler.disable()
            timings.append((time.perf_counter() - start) * 1000)
        return statistics.median(timings)

    with override_settings(PAGE_CACHE=False):
        response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"{path}: HTTP {response.status_code} in-process ({response.get('Location')})")
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        count = len(queries.captured_queries)  # now: each request clears Django's query log
        profiler = cProfile.Profile() if profile else None
        render_ms = timed(profiler)
    if profiler and profile:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
        target = profile / (re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_") + ".txt")
        target.write_text(out.getvalue())
    if not pagecache.table_changes().ready.wait(10):
        sys.exit("the page cache's LISTEN connection did not come up")
    # The first view keeps the page; one that set a cookie (a fresh CSRF token) is not kept,
    # and the next is. Up to three views until the kept copy is served.
    kept = any(client.get(path).get(pagecache.HIT_HEADER) == "hit" for _ in range(3))
    kept_ms = timed() if kept else None
    return {"queries": count, "render_ms": render_ms, "kept_ms": kept_ms}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, **PROD_ENV, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--error-logfile",
            str(log),
            "bench.bare_wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited; see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", MINIMAL)
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGTERM)
    sys.exit(f"gunicorn did not start; see {log}")


def check(port: int, path: str, cookie: str) -> str:
    """GET `path` once; its X-Page-Cache header ("hit" when the kept copy was served)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        sys.exit(f"{path}: HTTP {response.status} ({response.getheader('Location')})")
    return response.getheader("X-Page-Cache") or "-"


def wrk(port: int, path: str, cookie: str, args: argparse.Namespace, script: Path) -> dict:
    command = ["wrk", "-t", "2", "-c", str(args.connections), "-d", f"{args.seconds}s"]
    command += ["-s", str(script), "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", out, re.M)
    if not match:
        sys.exit(f"wrk gave no summary:\n{out}")
    requests, micros, p50, p95, status_errors, socket_errors = map(int, match.groups())
    return {
        "rps": requests / (micros / 1e6),
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "errors": status_errors + socket_errors,
    }


def measure(size: str, args: argparse.Namespace, script: Path) -> list[dict]:
    cookies = {key: session_cookie(key) for _label, key, _path in PAGES}
    profile_dir = None
    if args.profile:
        profile_dir = Path(args.profile) / size
        profile_dir.mkdir(parents=True, exist_ok=True)
    queries = {}
    for label, key, path in PAGES:
        queries[label] = in_process(path, cookies[key], 30, profile_dir)
    log = Path(tempfile.gettempdir()) / "bench_pages_gunicorn.log"
    port = free_port()
    server = start_gunicorn(port, log)
    rows: list[dict] = []
    try:
        for _label, key, path in PAGES:
            check(port, path, cookies[key])
        for n in range(args.rounds):
            base = wrk(port, MINIMAL, "", args, script)
            rows.append({"size": size, "round": n + 1, "page": "minimal Django view", **base})
            print(
                f"[{size} round {n + 1}] {'minimal Django view (no middleware)':38} "
                f"{base['rps']:8.0f} req/s  p50 {base['p50']:6.1f} ms  p95 {base['p95']:6.1f} ms",
                flush=True,
            )
            for label, key, path in PAGES:
                result = wrk(port, path, cookies[key], args, script)
                after = check(port, path, cookies[key])
                cost = queries[label]
                kept_ms = f"{cost['kept_ms']:4.1f}" if cost["kept_ms"] is not None else "  - "
                ratio = result["rps"] / base["rps"]
                rows.append({"size": size, "round": n + 1, "page": label, "ratio": ratio, **result})
                print(
                    f"[{size} round {n + 1}] {label:38} {result['rps']:8.0f} req/s  "
                    f"ratio {ratio:.3f}  p50 {result['p50']:6.1f} ms  p95 {result['p95']:6.1f} ms"
                    f"  cache {after}  in-process: render {cost['render_ms']:5.1f} ms "
                    f"({cost['queries']} queries), kept {kept_ms} ms"
                    + (f"  ERRORS {result['errors']}" if result["errors"] else ""),
                    flush=True,
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--sizes", default="demo,large", help="demo, large or both")
    parser.add_argument("--profile", help="write a cProfile summary per page into this folder")
    args = parser.parse_args()

    os.environ.update(PROD_ENV)
    print(f"Bench database {DB_NAME}: creating, migrating, loading demo data …", flush=True)
    recreate_database()
    clear_cache()
    seed_demo()

    import django

    django.setup()
    from bench import dashboard_scale
    from portal import months
    from portal.dashboards import rollup

    os.environ.update(PROD_ENV)  # importing dashboard_scale set its own database in the env
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(WRK_SCRIPT)
        script = Path(handle.name)
    rows: list[dict] = []
    sizes = args.sizes.split(",")
    try:
        if "large" in sizes:
            dashboard_scale.bench_tree()
        for size in sizes:
            if size == "large":
                start = time.perf_counter()
                _name, residents, children, elders = dashboard_scale.SIZES[-1]
                dashboard_scale.grow(residents, children, elders)
                print(f"\n[large] {dashboard_scale.counts()}", flush=True)
                print(f"[large] data built in {time.perf_counter() - start:.0f} s", flush=True)
            rollup.refresh_month(months.current_month())
            clear_cache()
            rows += measure(size, args, script)
    finally:
        script.unlink()
    print("\nRange over rounds (ratio = page req/s ÷ minimal view req/s in the same round):")
    for size in sizes:
        for label, _key, _path in PAGES:
            mine = [r for r in rows if r["size"] == size and r["page"] == label]
            ratios = [r["ratio"] for r in mine]
            p95 = [r["p95"] for r in mine]
            print(
                f"  [{size}] {label:38} ratio {min(ratios):.3f}–{max(ratios):.3f}  "
                f"p95 {min(p95):.1f}–{max(p95):.1f} ms"
            )
    if any(r["errors"] for r in rows):
        sys.exit("FAILED: some requests failed (see above)")


if __name__ == "__main__":
    main()
