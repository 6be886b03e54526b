"""Bench: community staff list pages with 50,000 households/residents, against 1,000 in the
same run.

    .venv/bin/python bench/communities_lists.py [50000]

Uses its own database (TEST_DATABASE_NAME, default bench_communities; created and migrated on
first use, emptied before each size). Rows go in with bulk inserts. Each page is requested
through the test client as the staff member of the big community, five times; the median time
and the query count are printed, then the ratio of the big size to the small one.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_communities")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from communities.models import Community, Household, Premises, Region, Resident  # noqa: E402
from communities.validators import id_number_check_character  # noqa: E402
from portal.accounts.models import Role, RoleAssignment, User  # noqa: E402

BATCH = 5000
RUNS = 5
PAGES = [
    ("staff home", "/communities/"),
    ("households", "/communities/households/"),
    ("households ?q=", "/communities/households/?q=99"),
    ("residents", "/communities/residents/"),
    ("residents ?q=", "/communities/residents/?q=居民99"),
    ("premises", "/communities/premises/?status=available"),
]


def empty() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE accounts_user, communities_region, notifications_notification "
            "RESTART IDENTITY CASCADE"
        )


def seed(n: int) -> User:
    city = Region.objects.create(code="bench-city", name="Bench", level="city")
    communities = []
    for i in range(4):
        region = Region.objects.create(
            code=f"bench-{i}", name=f"社区{i}", level="community", parent=city
        )
        communities.append(Community.objects.create(region=region, population=n))
    # Most rows in the staff member's own community; the rest in three others.
    home = communities[0]
    households = Household.objects.bulk_create(
        [
            Household(community=home if i % 4 else communities[i % 3 + 1], address=f"{i}号")
            for i in range(n)
        ],
        batch_size=BATCH,
    )
    born = datetime.date(1970, 1, 1)
    residents = []
    for i, household in enumerate(households):
        first17 = f"530828{born:%Y%m%d}{i % 1000:03d}"
        # Unique numbers: vary the address code per thousand (still valid check characters).
        first17 = f"{530000 + i // 1000:06d}" + first17[6:]
        residents.append(
            Resident(
                household=household,
                name=f"居民{i}",
                sex="F",
                date_of_birth=born,
                id_number=first17 + id_number_check_character(first17),
                phone=f"139{i:08d}",
            )
        )
    Resident.objects.bulk_create(residents, batch_size=BATCH)
    Premises.objects.bulk_create(
        [
            Premises(community=home, name=f"用房{i}", address="x", area_m2=50)
            for i in range(max(10, n // 100))
        ]
    )
    staff = User.objects.create(phone="+8613600000000", name="bench staff")
    RoleAssignment.objects.create(user=staff, role=Role.COMMUNITY_STAFF, region=home.region)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return staff


def measure(n: int) -> dict[str, tuple[int, float]]:
    empty()
    staff = seed(n)
    client = Client()
    client.force_login(staff)
    results = {}
    for label, url in PAGES:
        assert client.get(url).status_code == 200  # warm-up
        timings = []
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200
        results[label] = (len(ctx.captured_queries), statistics.median(timings) * 1000)
    return results


def main() -> None:
    big = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)
    print(f"database: {connection.settings_dict['NAME']}")
    small_n = 1_000
    small, large = measure(small_n), measure(big)
    print(
        f"{'page':<16} {'queries':>8} {'ms @' + format(small_n, ','):>10} "
        f"{'queries':>8} {'ms @' + format(big, ','):>11} {'time ratio':>10}"
    )
    for label, _url in PAGES:
        q1, t1 = small[label]
        q2, t2 = large[label]
        print(f"{label:<16} {q1:>8} {t1:>10.1f} {q2:>8} {t2:>11.1f} {t2 / t1:>9.1f}x")
    print(f"data ratio {big / small_n:.0f}x")


if __name__ == "__main__":
    main()
