"""Bench: the daily overdue-visit job over 100,000 children, against 1,000 in the same run.

    TEST_DATABASE_NAME=bench_casework .venv/bin/python bench/casework_overdue.py [100000]

Uses its own database (created and migrated on first use, emptied before each size) so it
never touches the development or test data. Rows are written with bulk inserts. The job is
timed and its queries counted (CaptureQueriesContext); notification delivery is the worker's
job after commit and is not part of the measured work here. The query count includes BEGIN
and COMMIT; time grows with the number of reminders written (one row each), queries do not.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_casework")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from casework import rules, tasks  # noqa: E402
from casework.models import CaseChild, Pairing, Visit, Volunteer, VolunteerTeam  # noqa: E402
from communities.models import Community, Household, Region, Resident  # noqa: E402
from portal.accounts.models import Role, RoleAssignment, User  # noqa: E402

COMMUNITIES = 20
CHILDREN_PER_VOLUNTEER = 8
BATCH = 5000


def empty() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE accounts_user, communities_region, notifications_notification "
            "RESTART IDENTITY CASCADE"
        )


def seed(n: int) -> None:
    """n active children in 20 communities, each paired and visited; about a third overdue."""
    today = timezone.localdate()
    county = Region.objects.create(code="bench-county", name="Bench county", level="county")
    regions = Region.objects.bulk_create(
        [
            Region(
                code=f"bench-{i}",
                name=f"Community {i}",
                level="community",
                parent=county,
                path=f"{county.path}bench-{i}/",
                depth=1,
            )
            for i in range(COMMUNITIES)
        ]
    )
    communities = Community.objects.bulk_create([Community(region=r) for r in regions])
    password = make_password("bench")
    staff = User.objects.bulk_create(
        [User(phone=f"+86136{i:08d}", password=password) for i in range(COMMUNITIES)]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role=Role.COMMUNITY_STAFF, region=r)
            for u, r in zip(staff, regions, strict=True)
        ]
    )
    team = VolunteerTeam.objects.create(name="Bench team", kind="companion_mothers", region=county)
    n_vol = max(COMMUNITIES, n // CHILDREN_PER_VOLUNTEER)
    vol_users = User.objects.bulk_create(
        [User(phone=f"+86135{i:08d}", password=password) for i in range(n_vol)], batch_size=BATCH
    )
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(user=u, team=team, community=communities[i % COMMUNITIES])
            for i, u in enumerate(vol_users)
        ],
        batch_size=BATCH,
    )
    households = Household.objects.bulk_create(
        [Household(community=communities[i % COMMUNITIES], address=f"{i}") for i in range(n)],
        batch_size=BATCH,
    )
    born = today - datetime.timedelta(days=9 * 365)
    kids = Resident.objects.bulk_create(
        [
            Resident(household=h, name=f"Child {i}", sex="F", date_of_birth=born)
            for i, h in enumerate(households)
        ],
        batch_size=BATCH,
    )
    approved = timezone.now() - datetime.timedelta(days=200)
    levels = ["low", "medium", "medium", "high"]
    children = []
    last_visits = []
    for i, kid in enumerate(kids):
        level = levels[i % 4]
        interval = rules.VISIT_INTERVAL_DAYS[level]
        # Every third child's last visit is one interval and a bit ago: overdue today.
        last = today - datetime.timedelta(days=interval + 3 if i % 3 == 0 else 2)
        last_visits.append(last)
        children.append(
            CaseChild(
                resident=kid,
                community=communities[i % COMMUNITIES],
                is_left_behind=True,
                parents_away="both",
                risk_level=level,
                risk_reason="bench",
                status="active",
                registered_by=staff[0],
                approved_by=staff[0],
                approved_at=approved,
                next_visit_due=last + datetime.timedelta(days=interval),
            )
        )
    children = CaseChild.objects.bulk_create(children, batch_size=BATCH)
    by_community: dict[int, list[Volunteer]] = {}
    for v in volunteers:
        by_community.setdefault(v.community_id, []).append(v)
    Pairing.objects.bulk_create(
        [
            Pairing(
                child=c,
                volunteer=by_community[c.community_id][
                    (i // COMMUNITIES) // CHILDREN_PER_VOLUNTEER % len(by_community[c.community_id])
                ],
                is_primary=True,
                started_on=timezone.localdate(approved),
                created_by=staff[0],
            )
            for i, c in enumerate(children)
        ],
        batch_size=BATCH,
    )
    Visit.objects.bulk_create(
        [
            Visit(child=c, kind="home", date=d, visited_by=staff[0])
            for c, d in zip(children, last_visits, strict=True)
        ],
        batch_size=BATCH,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(n: int) -> dict:
    empty()
    started = time.perf_counter()
    seed(n)
    seeded = time.perf_counter() - started
    # The query log is a bounded deque; a full one makes CaptureQueriesContext count nothing.
    reset_queries()
    with CaptureQueriesContext(connection) as first:
        started = time.perf_counter()
        notified = tasks.overdue_visits_notify()
        elapsed = time.perf_counter() - started
    first_queries = len(first)  # read before the log is cleared again
    reset_queries()
    with CaptureQueriesContext(connection) as again:
        renotified = tasks.overdue_visits_notify()
    return {
        "children": n,
        "seed_s": seeded,
        "notified": notified,
        "queries": first_queries,
        "seconds": elapsed,
        "rerun_notified": renotified,
        "rerun_queries": len(again),
    }


def main() -> None:
    big = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)
    # Delivery runs in the worker after commit; here we only count what would be enqueued.
    enqueued: list[int] = []
    tasks.notifications_deliver_after_commit = lambda ids, **_kw: enqueued.extend(ids)

    print(f"database: {connection.settings_dict['NAME']}")
    measure(100)  # warm-up: loads the translation catalogues and primes the connection
    enqueued.clear()
    results = [measure(1_000), measure(big)]
    header = (
        f"{'children':>9} {'seed s':>7} {'overdue':>8} {'queries':>8} {'job s':>7} "
        f"{'re-run notified':>16} {'re-run queries':>15}"
    )
    print(header)
    for r in results:
        print(
            f"{r['children']:>9,} {r['seed_s']:>7.1f} {r['notified']:>8,} {r['queries']:>8} "
            f"{r['seconds']:>7.2f} {r['rerun_notified']:>16} {r['rerun_queries']:>15}"
        )
    base, large = results
    print(
        f"ratio {large['children'] / base['children']:.0f}x children: "
        f"queries {large['queries'] / base['queries']:.2f}x, "
        f"time {large['seconds'] / base['seconds']:.1f}x; "
        f"notifications enqueued {len(enqueued):,}"
    )


if __name__ == "__main__":
    main()
