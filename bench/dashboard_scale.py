"""Does the county dashboard cost grow with the data? Measured on the real stack.

    .venv/bin/python bench/dashboard_scale.py [--requests 600] [--concurrency 4]

Builds a dedicated database (`bench_dashboards`, dropped and re-created), loads the demo data,
adds 200 bench communities in 20 towns under Lancang county, then grows the data with plain
`INSERT ... SELECT generate_series` in two steps:

    small: ~10,000 residents,    500 childcare children,    500 registry children,    200 elders
    large: 1,000,000 residents, 50,000 childcare children, 50,000 registry children, 20,000 elders

At each size it refreshes the rollup (timed), starts gunicorn (2 workers) on PostgreSQL with
the Redis cache, and measures requests/s and p95 latency of the county dashboard (530828,
signed in as the demo county official, session cookie) beside /healthz/ (a bare Django view
doing one SELECT 1) on the same server, printing the ratios. Needs PostgreSQL on
127.0.0.1:5432 and Redis on 127.0.0.1:6379 (bin/services-up). Not run by the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "bench_dashboards"
PG = "postgres://postgres@127.0.0.1:5432"


def _free_port() -> int:
    # Other benches on this machine start servers too: never assume a fixed port is ours.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


TOWNS, COMMUNITIES_PER_TOWN = 20, 10

SIZES = [
    ("small", 10_000, 500, 200),
    ("large", 1_000_000, 50_000, 20_000),
]

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "portal.settings.local",
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "DJANGO_DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": "/tmp/bench_dashboards_media",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
)
sys.path.insert(0, str(ROOT))


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())


def bench_tree() -> list[int]:
    """200 communities in 20 towns under Lancang, each with one open childcare station."""
    from childcare.models import Station
    from communities.models import Community, Region

    county = Region.objects.get(code="530828")
    ids = []
    for t in range(TOWNS):
        town = Region.objects.create(
            code=f"bench-t{t}", name=f"测试镇{t}", level=Region.Level.TOWN, parent=county
        )
        for c in range(COMMUNITIES_PER_TOWN):
            region = Region.objects.create(
                code=f"bench-c{t}-{c}",
                name=f"测试社区{t}-{c}",
                level=Region.Level.COMMUNITY,
                parent=town,
            )
            community = Community.objects.create(region=region, population=0)
            Station.objects.create(
                name=f"测试驿站{t}-{c}",
                community=community,
                kind="standalone",
                licensed_places=10 + (t * c) % 40,
            )
            ids.append(community.pk)
    return ids


def sql(statement: str, params: list | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.rowcount


def scalar(statement: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, [])
        return cursor.fetchone()[0] or 0


def grow(residents: int, children: int, elders: int) -> None:
    """Top the bench communities up to these totals with set-based inserts.

    The inserts run with the database's row triggers off (session_replication_role =
    replica, as pg_restore loads data): the history triggers' per-row subtransactions make a
    single INSERT of many rows quadratic (20,000 residents took 7 s and 40,000 took 29 s on
    this machine, 0.2 s without them), and generated data needs neither history nor the
    foreign-key checks it is built to satisfy. The bench database is the bench's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        _grow(residents, children, elders)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


def _grow(residents: int, children: int, elders: int) -> None:
    from portal.accounts.demo import demo_user

    admin_id = demo_user("admin").pk
    have = scalar(
        "SELECT count(*) FROM communities_resident r JOIN communities_household h "
        "ON h.id = r.household_id WHERE h.address LIKE 'bench-%%'"
    )
    households = (residents - have) // 4
    first_household = scalar("SELECT coalesce(max(id), 0) FROM communities_household")
    sql(
        """
        INSERT INTO communities_household
            (address, is_relocated, origin_township, origin_village, notes, created, community_id,
             status, refusal_reason, verified_at)
        SELECT 'bench-' || g, false, '', '', '', now(), c.ids[1 + g %% c.n], 'verified', '', now()
        FROM generate_series(1, %s) g,
             (SELECT array_agg(co.id ORDER BY co.id) ids, count(*) n
              FROM communities_community co JOIN communities_region r ON r.id = co.region_id
              WHERE r.code LIKE 'bench-c%%') c
        """,
        [households],
    )
    sql(
        """
        INSERT INTO communities_resident (name, sex, date_of_birth, id_number, phone,
            relation_to_head, created, household_id)
        SELECT '居民' || h.id || '-' || k, CASE WHEN k %% 2 = 0 THEN 'F' ELSE 'M' END,
               date '1950-01-01' + ((h.id * 7 + k * 3653) %% 27000)::int, '', '', '', now(), h.id
        FROM communities_household h, generate_series(1, 4) k
        WHERE h.id > %s AND h.address LIKE 'bench-%%'
        """,
        [first_household],
    )
    # Children and elders are drawn from residents not yet used by any of them.
    free_residents = """
        SELECT r.id, h.community_id, row_number() OVER (ORDER BY r.id) AS n
        FROM communities_resident r JOIN communities_household h ON h.id = r.household_id
        WHERE h.address LIKE 'bench-%%'
          AND NOT EXISTS (SELECT 1 FROM childcare_child x WHERE x.resident_id = r.id)
          AND NOT EXISTS (SELECT 1 FROM casework_casechild x WHERE x.resident_id = r.id)
          AND NOT EXISTS (SELECT 1 FROM eldercare_elder x WHERE x.resident_id = r.id)
    """
    add_children = children - scalar(
        "SELECT count(*) FROM childcare_child c JOIN communities_resident r "
        "ON r.id = c.resident_id JOIN communities_household h ON h.id = r.household_id "
        "WHERE h.address LIKE 'bench-%%'"
    )
    sql(
        f"""
        INSERT INTO childcare_child (allergies, vaccinations_confirmed, created, resident_id)
        SELECT '', true, now(), f.id FROM ({free_residents}) f WHERE f.n <= %s
        """,
        [add_children],
    )
    sql(
        """
        INSERT INTO childcare_enrolment (status, start_date, health_exam_date,
            vaccinations_confirmed, note, created, updated, applied_by_id, child_id, station_id)
        SELECT CASE WHEN c.id %% 3 = 0 THEN 'waitlisted' ELSE 'applied' END, current_date,
               current_date, true, '', now(), now(), %s, c.id, s.id
        FROM childcare_child c
        JOIN communities_resident r ON r.id = c.resident_id
        JOIN communities_household h ON h.id = r.household_id
        JOIN LATERAL (SELECT id FROM childcare_station st
                      WHERE st.community_id = h.community_id LIMIT 1) s ON true
        WHERE NOT EXISTS (SELECT 1 FROM childcare_enrolment e WHERE e.child_id = c.id)
        """,
        [admin_id],
    )
    add_case = children - scalar(
        "SELECT count(*) FROM casework_casechild c JOIN communities_community co "
        "ON co.id = c.community_id JOIN communities_region r ON r.id = co.region_id "
        "WHERE r.code LIKE 'bench-c%%'"
    )
    sql(
        f"""
        INSERT INTO casework_casechild (is_left_behind, parents_away, parents_work_place,
            is_in_distress, distress_illness_disability, distress_family_hardship,
            distress_lack_of_guardianship, distress_other, carer_relation, school, grade,
            risk_level, risk_reason, risk_review_needed, risk_review_reason, plan, status,
            next_visit_due, registered_at, approved_at, closed_reason, community_id,
            registered_by_id, approved_by_id, resident_id)
        SELECT true, 'both', '', f.n %% 5 = 0, false, f.n %% 5 = 0, false, '', '', '', '',
               'medium', '', false, '', '', 'active', current_date + (f.n %% 60)::int - 20,
               now(), now(), '', f.community_id, %s, %s, f.id
        FROM ({free_residents}) f WHERE f.n <= %s
        """,
        [admin_id, admin_id, add_case],
    )
    add_elders = elders - scalar(
        "SELECT count(*) FROM eldercare_elder e JOIN communities_community co "
        "ON co.id = e.community_id JOIN communities_region r ON r.id = co.region_id "
        "WHERE r.code LIKE 'bench-c%%'"
    )
    sql(
        f"""
        INSERT INTO eldercare_elder (name, sex, id_number, support_category, status,
            medical_notes, allergies, dietary_needs, has_dementia_or_psychiatric_diagnosis,
            day_care_weekdays, created, community_id, resident_id)
        SELECT '', '', '', (ARRAY['central', 'dispersed', 'low_income', 'none'])[1 + f.n %% 4],
               'active', '', '', '', false, '', now(), f.community_id, f.id
        FROM ({free_residents}) f WHERE f.n <= %s
        """,
        [add_elders],
    )
    sql(
        """
        INSERT INTO eldercare_abilityassessment (assessed_on, scores, self_care, motor, mental,
            perception, total, base_level, level, raise_reason, next_due, notes, created, elder_id)
        SELECT current_date - (e.id %% 500)::int, '{}'::jsonb, 20, 10, 20, 10, 60, 2, 2, '',
               current_date - (e.id %% 500)::int + 365, '', now(), e.id
        FROM eldercare_elder e
        WHERE NOT EXISTS (SELECT 1 FROM eldercare_abilityassessment a WHERE a.elder_id = e.id)
        """
    )
    sql(
        """
        UPDATE communities_community c SET population = t.n
        FROM (SELECT h.community_id, count(*) n FROM communities_resident r
              JOIN communities_household h ON h.id = r.household_id
              WHERE h.address LIKE 'bench-%%' GROUP BY h.community_id) t
        WHERE t.community_id = c.id
        """
    )
    # Vacuum now, so autovacuum does not start on the million new rows mid-measurement.
    sql("VACUUM ANALYZE")


def counts() -> str:
    return (
        f"residents={scalar('SELECT count(*) FROM communities_resident'):,} "
        f"childcare children={scalar('SELECT count(*) FROM childcare_child'):,} "
        f"registry children={scalar('SELECT count(*) FROM casework_casechild'):,} "
        f"elders={scalar('SELECT count(*) FROM eldercare_elder'):,}"
    )


def time_in_process(repeat: int) -> float:
    """Median ms to read the rollup and render the county page, without HTTP."""
    from django.template.loader import render_to_string

    from communities.models import Region
    from portal import months
    from portal.dashboards.selectors import dashboard_for

    county = Region.objects.get(code="530828")
    month = months.current_month()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        dashboard = dashboard_for(county, month)
        render_to_string("dashboards/_region_body.html", {"dashboard": dashboard})
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def session_cookie() -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from portal.accounts.demo import demo_user
    from portal.accounts.signed_in import HINT_COOKIE

    user = demo_user("county_official")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    # With the signed-in user's id, as a browser holds it after its first page.
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {HINT_COOKIE}={user.pk}"


def start_gunicorn(port: int) -> subprocess.Popen:
    env = os.environ.copy()
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.local"
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "/tmp/bench_dashboards_gunicorn.log",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited; see /tmp/bench_dashboards_gunicorn.log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz/")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start; see /tmp/bench_dashboards_gunicorn.log")


def load(port: int, path: str, cookie: str, requests: int, concurrency: int) -> tuple[float, float]:
    """requests/s and p95 latency (ms) of GET `path`, `concurrency` keep-alive clients."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    per_client = requests // concurrency

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for _ in range(per_client):
            start = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status != 200:
                errors.append(response.status)
        with lock:
            latencies.extend(mine)

    for _ in range(20):  # warm up both workers
        client_conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        client_conn.request("GET", path, headers={"Cookie": cookie})
        client_conn.getresponse().read()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{path}: {len(errors)} responses were not 200 ({errors[:3]})")
    p95 = statistics.quantiles(latencies, n=20)[18] * 1000
    return len(latencies) / elapsed, p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    print(f"Bench database {DB_NAME}: creating, migrating, loading demo data …", flush=True)
    recreate_database()
    setup_django()
    bench_tree()
    from portal import months
    from portal.dashboards import rollup

    results = {}
    for name, residents, children, elders in SIZES:
        start = time.perf_counter()
        grow(residents, children, elders)
        generated = time.perf_counter() - start
        start = time.perf_counter()
        rollup.refresh_month(months.current_month())
        refreshed = time.perf_counter() - start
        in_process = time_in_process(args.requests // 4)
        print(f"\n[{name}] {counts()}")
        print(f"[{name}] data generated in {generated:.1f}s; rollup refreshed in {refreshed:.2f}s")
        print(f"[{name}] in-process page build (median) {in_process:.1f} ms")
        cookie = session_cookie()
        dashboard = "/dashboards/530828/"
        # The two measurements are interleaved over several rounds (medians reported): the
        # machine is shared, so its load drifts.
        port = _free_port()
        server = start_gunicorn(port)
        # The dashboard as production serves it: built from the rollup once per refresh and
        # language, then from the page cache (the in-process build time above is the uncached
        # cost).
        rounds: dict[str, list[tuple[float, float]]] = {"bare": [], "dashboard": []}
        try:
            for _ in range(args.rounds):
                for key, path in (("bare", "/healthz/"), ("dashboard", dashboard)):
                    rounds[key].append(load(port, path, cookie, args.requests, args.concurrency))
        finally:
            server.terminate()
            server.wait(timeout=10)
        bare, dash = (
            (
                statistics.median(r[0] for r in rounds[key]),
                statistics.median(r[1] for r in rounds[key]),
            )
            for key in ("bare", "dashboard")
        )
        results[name] = (bare, dash, refreshed, in_process)
        for label, (rps, p95) in (("/healthz/ (bare view)", bare), ("county dashboard", dash)):
            print(
                f"[{name}] {label:27} {rps:8.1f} req/s  p95 {p95:7.1f} ms   "
                f"÷ bare: {rps / bare[0]:.2f}× req/s, {p95 / bare[1]:.2f}× p95"
            )
    small, large = results["small"], results["large"]
    print("\nLarge ÷ small (same machine, same run):")
    for i, label in enumerate(("bare view", "county dashboard")):
        print(
            f"  {label:24} req/s {large[i][0] / small[i][0]:.2f}×   "
            f"p95 {large[i][1] / small[i][1]:.2f}×"
        )
    print(f"  rollup refresh           {small[2]:.2f}s → {large[2]:.2f}s")
    print(
        f"  in-process page build    {small[3]:.1f} ms → {large[3]:.1f} ms "
        f"({large[3] / small[3]:.2f}×, median, no HTTP)"
    )


if __name__ == "__main__":
    main()
