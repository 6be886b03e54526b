"""kill -9 of the Celery worker in the middle of a monthly report: after a worker starts
again the report is finished, exactly once (real worker processes, real Redis, PostgreSQL)."""

from __future__ import annotations

import datetime
import json
import os
import signal
import time

import psycopg
import pytest

from portal.dashboards.models import RegionIndicator
from portal.notifications.models import Notification
from portal.reports.models import MonthlyReport
from portal.reports.services import monthly_report_request
from tests.portal.test_worker import (  # noqa: F401 - fixtures
    _database_url,
    enqueue_to_broker,
    key_prefix,
    start_worker,
    stop_worker,
)
from tests.reports.test_worker import worker_media  # noqa: F401 - fixture

WAIT_SECONDS = 90
# The killed worker's message is handed out again after this (production: an hour).
VISIBILITY_TIMEOUT = "3"


def _wait(condition, what: str, log) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} not within {WAIT_SECONDS}s:\n{log.read_text()}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_report_whose_worker_is_killed_is_finished_once_by_the_next_worker(
    worker_media,  # noqa: F811
    tmp_path,
    key_prefix,  # noqa: F811
    enqueue_to_broker,  # noqa: F811
    official,
    county_tree,
):
    env = {"TEST_CELERY_VISIBILITY_TIMEOUT": VISIBILITY_TIMEOUT}
    # Hold the rollup table: the worker claims the report, then waits on this lock in the
    # middle of building it, where it is killed.
    blocker = psycopg.connect(_database_url())
    blocker.execute(f"LOCK TABLE {RegionIndicator._meta.db_table} IN EXCLUSIVE MODE")
    first, first_log, _mail = start_worker(tmp_path, key_prefix, name="first", extra_env=env)
    second = None
    try:
        report = monthly_report_request(
            region=county_tree, month=datetime.date(2026, 8, 1), by=official
        )

        def building() -> bool:
            report.refresh_from_db()
            waiting = psycopg.connect(_database_url(), autocommit=True)
            try:
                row = waiting.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND query ILIKE %s",
                    [f"%{RegionIndicator._meta.db_table}%"],
                ).fetchone()
            finally:
                waiting.close()
            return report.status == MonthlyReport.Status.RUNNING and row[0] > 0

        _wait(building, "the first worker building the report", first_log)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        blocker.rollback()

        second, second_log, _mail = start_worker(tmp_path, key_prefix, name="second", extra_env=env)

        def finished() -> bool:
            report.refresh_from_db()
            return report.is_finished

        _wait(finished, "the report", second_log)
    finally:
        blocker.close()
        stop_worker(first)
        if second is not None:
            stop_worker(second)

    assert report.status == MonthlyReport.Status.READY, report.error
    assert report.attempts == 2  # the killed attempt and the one that finished
    assert (worker_media / report.pdf.name).read_bytes()[:5] == b"%PDF-"
    # Exactly once: one "ready" notification for the county's official, one success.
    ready = Notification.objects.filter(recipient=official, link=report.get_absolute_url())
    assert ready.count() == 1
    lines = [json.loads(x) for x in second_log.read_text().splitlines() if x[:1] == "{"]
    succeeded = [
        line
        for line in lines
        if line.get("task_name") == "portal.reports.tasks.generate_monthly_report"
        and "succeeded" in line["message"]
    ]
    assert len(succeeded) == 1 and "'ready'" in succeeded[0]["message"]
    assert any("delivered again" in line["message"] for line in lines)
