"""Bench: import 100,000 health readings from a device CSV through the real import service.

    .venv/bin/python bench/eldercare_import.py [rows]

Uses its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bench_eldercare),
created and migrated when missing. Prints the import's rows/s against two baselines measured
in the same run on the same rows — a bare csv parse (the floor of any Python import) and
PostgreSQL COPY of pre-typed rows into the same table (the fastest way into the database) —
and the number of queries at two file sizes, to show that they do not grow with the rows.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_eldercare")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")


def ensure_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


ensure_database(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from communities.models import Community, Region  # noqa: E402
from eldercare import services  # noqa: E402
from eldercare.models import Alert, CareFacility, Elder, HealthReading, ReadingImport  # noqa: E402
from portal.accounts.models import Role, RoleAssignment, User  # noqa: E402

ELDERS = 200
KINDS = [
    ("bp", "128", "82"),
    ("heart_rate", "72", ""),
    ("glucose", "5.6", ""),
    ("temperature", "36.5", ""),
    ("weight", "58.2", ""),
]


def setup() -> tuple[CareFacility, User, list[int]]:
    call_command("migrate", verbosity=0)
    region, _ = Region.objects.get_or_create(
        code="bench-community", defaults={"name": "Bench", "level": "community"}
    )
    community, _ = Community.objects.get_or_create(region=region)
    facility, _ = CareFacility.objects.get_or_create(name="Bench centre", community=community)
    user, _ = User.objects.get_or_create(email="bench@bench.local", defaults={"name": "bench"})
    RoleAssignment.objects.get_or_create(user=user, role=Role.FACILITY_STAFF, facility=facility)
    have = Elder.objects.filter(facility=facility).count()
    Elder.objects.bulk_create(
        Elder(name=f"Elder {i}", community=community, facility=facility)
        for i in range(have, ELDERS)
    )
    ids = list(Elder.objects.filter(facility=facility).values_list("pk", flat=True))
    return facility, user, ids


def make_csv(elder_ids: list[int], rows: int) -> bytes:
    out = io.StringIO()
    out.write("elder_id,measured_at,kind,value,value2\n")
    for i in range(rows):
        kind, value, value2 = KINDS[i % len(KINDS)]
        if i < 1000 and i % 50 == 3:
            value = "39.5"  # a fever; the same few rows in files of any size
        day, minute = 1 + (i // 1440) % 28, i % 1440
        at = f"2024-08-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:00+08:00"
        out.write(f"{elder_ids[i % len(elder_ids)]},{at},{kind},{value},{value2}\n")
    return out.getvalue().encode()


def clear(facility: CareFacility) -> None:
    Alert.objects.filter(elder__facility=facility).delete()
    HealthReading.objects.filter(elder__facility=facility).delete()
    ReadingImport.objects.filter(facility=facility).delete()


def bare_parse(data: bytes) -> float:
    start = time.perf_counter()
    n = sum(1 for _ in csv.reader(io.StringIO(data.decode())))
    assert n > 0
    return time.perf_counter() - start


def copy_baseline(data: bytes, user: User) -> float:
    """COPY the same rows (already typed as the table wants them) straight into the table."""
    reader = csv.reader(io.StringIO(data.decode()))
    next(reader)
    prepared = [(int(e), at, k, v, v2 or None, "import", user.pk) for e, at, k, v, v2 in reader]
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            "COPY eldercare_healthreading (elder_id, measured_at, kind, value, value2, source,"
            " recorded_by_id) FROM STDIN"
        ) as copy:
            for row in prepared:
                copy.write_row(row)
    return time.perf_counter() - start


def run_import(facility: CareFacility, user: User, data: bytes) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        result = services.readings_import(
            facility=facility, file=io.BytesIO(data), filename="bench.csv", by=user
        )
        elapsed = time.perf_counter() - start
    return elapsed, len(ctx.captured_queries), result.rows


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    facility, user, elder_ids = setup()
    clear(facility)
    small = make_csv(elder_ids, rows // 10)
    data = make_csv(elder_ids, rows)

    _t, small_queries, small_rows = run_import(facility, user, small)
    clear(facility)
    parse_s = bare_parse(data)
    copy_s = copy_baseline(data, user)
    clear(facility)
    import_s, queries, imported = run_import(facility, user, data)
    alerts = Alert.objects.filter(elder__facility=facility).count()
    clear(facility)

    print(f"database: {connection.settings_dict['NAME']} ({connection.vendor})")
    print(f"rows: {imported:,} readings for {len(elder_ids)} elders, {len(data) / 1e6:.1f} MB")
    print(f"import service:    {import_s:7.2f} s  {imported / import_s:10,.0f} rows/s")
    print(f"bare csv parse:    {parse_s:7.2f} s  {rows / parse_s:10,.0f} rows/s")
    print(f"PostgreSQL COPY:   {copy_s:7.2f} s  {rows / copy_s:10,.0f} rows/s")
    print(f"import / COPY rows/s ratio:       {copy_s / import_s:.3f}")
    print(f"import / bare parse rows/s ratio: {parse_s / import_s:.3f}")
    print(f"alerts raised: {alerts} (one per elder with readings out of range)")
    print(
        f"queries: {small_queries} for {small_rows:,} rows, {queries} for {imported:,} rows"
        " (plus the one COPY stream, which CaptureQueriesContext does not see)"
    )


if __name__ == "__main__":
    main()
