"""Bench: 500 parents watching their child's day live do not slow the station staff's pages.

    .venv/bin/python bench/live_day.py [--parents 500] [--poll 10] [--seconds 10] [--rounds 2]

Uses bench/pages.py's production stack (a database of its own, `bench_live_day`, with the demo data,
gunicorn with gunicorn.conf.py, Redis cache and cached_db sessions). 500 parent accounts are
made guardians of the demo station's children, each with a signed-in session. Then, per round:

1. wrk on the station staff's pages (/childcare/staff/ and the station's day) with nobody
   polling: the baseline of that round;
2. the same while 500 parents poll their child's live fragment every `--poll` seconds with
   If-None-Match, as static/js/live_day.js does (a thread pool keeps that rate);

and prints the ratio (req/s while polled ÷ req/s at baseline), the polls' own rate, their
304 share and p95. The machine is shared: run it several times and read the range.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import pages  # noqa: E402

# A database and cache prefix of its own, so that it may run beside `make bench-pages`.
pages.DB_NAME = "bench_live_day"
pages.PREFIX = "bench_live_day"
pages.PROD_ENV.update(
    {
        "DATABASE_URL": f"{pages.PG_SERVER}/{pages.DB_NAME}",
        "CACHE_KEY_PREFIX": pages.PREFIX,
        "MEDIA_ROOT": "/tmp/bench_live_day_media",
    }
)


class Pollers:
    """`parents` parents, each asking every `every` seconds, spread evenly over the period."""

    def __init__(self, port: int, parents: list[tuple[str, str]], every: float) -> None:
        self.port = port
        self.parents = parents
        self.every = every
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.lock = threading.Lock()

    def run_slice(self, mine: list[tuple[str, str]]) -> None:
        from childcare.live import child_version

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        # Each open page holds the ETag of its first load: read the same token from the cache.
        etags = {
            path + cookie: f'"{child_version(int(path.split("/")[3]))}"' for cookie, path in mine
        }
        gap = self.every / max(1, len(mine))
        while not self.stop.is_set():
            for cookie, path in mine:
                if self.stop.is_set():
                    return
                start = time.perf_counter()
                headers = {"Cookie": cookie}
                if path + cookie in etags:
                    headers["If-None-Match"] = etags[path + cookie]
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                except OSError:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                    continue
                elapsed = (time.perf_counter() - start) * 1000
                if response.getheader("ETag"):
                    etags[path + cookie] = response.getheader("ETag")
                with self.lock:
                    self.latencies.append(elapsed)
                    self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
                self.stop.wait(max(0.0, gap - elapsed / 1000))

    def start(self, threads: int = 25) -> list[threading.Thread]:
        slices = [self.parents[i::threads] for i in range(threads)]
        workers = [threading.Thread(target=self.run_slice, args=(s,), daemon=True) for s in slices]
        for worker in workers:
            worker.start()
        return workers


def make_parents(n: int) -> tuple[list[tuple[str, str]], int]:
    """n parent accounts, each a guardian of one of the demo station's children."""
    from childcare.models import Enrolment, Guardian
    from portal.accounts.demo import demo_user
    from portal.accounts.models import Role, RoleAssignment, User

    staff = demo_user("station_staff")
    station_id = staff.station_ids()[0]
    children = list(
        Enrolment.objects.filter(station_id=station_id, status="enrolled").values_list(
            "child_id", flat=True
        )
    )
    users = User.objects.bulk_create(
        [User(email=f"bench-parent-{i}@example.invalid", name=f"家长{i}") for i in range(n)]
    )
    RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=Role.PARENT) for u in users])
    Guardian.objects.bulk_create(
        [
            Guardian(child_id=children[i % len(children)], user=u, name=u.name, relation="家长")
            for i, u in enumerate(users)
        ]
    )
    parents = []
    for i, user in enumerate(users):
        cookie = cookie_for(user)
        parents.append((cookie, f"/childcare/children/{children[i % len(children)]}/live/"))
    return parents, station_id


def cookie_for(user: object) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from portal.accounts.signed_in import HINT_COOKIE

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    # With the signed-in user's id, as a browser holds it after its first page.
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {HINT_COOKIE}={user.pk}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=500)
    parser.add_argument("--poll", type=float, default=10.0, help="seconds between a parent's polls")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    os.environ.update(pages.PROD_ENV)
    print(f"Bench database {pages.DB_NAME}: creating, migrating, loading demo data …", flush=True)
    pages.recreate_database()
    pages.clear_cache()
    pages.seed_demo()
    import django

    django.setup()
    parents, station_id = make_parents(args.parents)
    staff_cookie = pages.session_cookie("station_staff")
    staff_pages = [
        ("station staff /childcare/staff/", "/childcare/staff/"),
        ("station day", f"/childcare/staff/stations/{station_id}/day/"),
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(pages.WRK_SCRIPT)
        script = Path(handle.name)
    log = Path(tempfile.gettempdir()) / "bench_live_day_gunicorn.log"
    port = pages.free_port()
    server = pages.start_gunicorn(port, log)
    ratios: dict[str, list[float]] = {label: [] for label, _p in staff_pages}
    try:
        for _label, path in staff_pages:
            pages.check(port, path, staff_cookie)
        pages.check(port, parents[0][1], parents[0][0])
        for n in range(args.rounds):
            for label, path in staff_pages:
                base = pages.wrk(port, path, staff_cookie, args, script)
                pollers = Pollers(port, parents, args.poll)
                workers = pollers.start()
                time.sleep(min(args.poll, 5))  # let the polling reach its rate
                pollers.latencies.clear()
                pollers.statuses.clear()
                started = time.perf_counter()
                loaded = pages.wrk(port, path, staff_cookie, args, script)
                elapsed = time.perf_counter() - started
                pollers.stop.set()
                for worker in workers:
                    worker.join(timeout=30)
                ratio = loaded["rps"] / base["rps"]
                ratios[label].append(ratio)
                polls = sum(pollers.statuses.values())
                share_304 = pollers.statuses.get(304, 0) / max(1, polls)
                p95 = (
                    statistics.quantiles(pollers.latencies, n=20)[-1]
                    if len(pollers.latencies) > 20
                    else float("nan")
                )
                print(
                    f"[round {n + 1}] {label:32} alone {base['rps']:7.0f} req/s  "
                    f"with {args.parents} parents polling {loaded['rps']:7.0f} req/s  "
                    f"ratio {ratio:.3f}  | polls {polls / elapsed:5.1f}/s, "
                    f"304 {share_304:.0%}, p95 {p95:.1f} ms, statuses {pollers.statuses}"
                    + (
                        f"  ERRORS {base['errors'] + loaded['errors']}"
                        if base["errors"] or loaded["errors"]
                        else ""
                    ),
                    flush=True,
                )
    finally:
        script.unlink()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print("\nRange over rounds (ratio = staff page req/s with parents polling ÷ alone):")
    for label, values in ratios.items():
        print(f"  {label:32} ratio {min(values):.3f}–{max(values):.3f}")


if __name__ == "__main__":
    main()
