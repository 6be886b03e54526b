"""A real Celery worker on the real Redis broker builds a monthly report asked for on the page."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from portal.reports.models import MonthlyReport
from tests.portal.test_worker import (  # noqa: F401 - fixtures
    celery_worker,
    enqueue_to_broker,
    key_prefix,
)

WAIT_SECONDS = 90


@pytest.fixture
def worker_media(monkeypatch, tmp_path, settings):
    """The worker and this process store and read report files in the same place."""
    root = tmp_path / "worker-media"
    monkeypatch.setenv("MEDIA_ROOT", str(root))
    settings.MEDIA_ROOT = root
    return root


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_builds_the_report_requested_on_the_page(
    worker_media, request, client, official, county_tree
):
    # Started after worker_media, so the worker inherits its MEDIA_ROOT.
    _mail_dir, worker_log = request.getfixturevalue("celery_worker")
    request.getfixturevalue("enqueue_to_broker")
    client.force_login(official)
    response = client.post(
        reverse("reports:report_request"), {"region": county_tree.code, "month": "2026-10"}
    )
    report = MonthlyReport.objects.get()
    assert response.url == reverse("reports:report_detail", args=[report.pk])

    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.is_finished:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"worker did not finish in {WAIT_SECONDS}s:\n{worker_log.read_text()}")

    assert report.status == MonthlyReport.Status.READY, report.error
    assert report.progress == 100
    assert (worker_media / report.pdf.name).read_bytes()[:5] == b"%PDF-"
    page = client.get(reverse("reports:report_progress", args=[report.pk])).content.decode()
    assert 'data-testid="download-pdf"' in page and "hx-trigger" not in page


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_request_id_reaches_the_task_and_its_json_log_lines(
    worker_media, request, client, official, county_tree
):
    _mail_dir, worker_log = request.getfixturevalue("celery_worker")
    request.getfixturevalue("enqueue_to_broker")
    client.force_login(official)
    response = client.post(
        reverse("reports:report_request"),
        {"region": county_tree.code, "month": "2026-09"},
        headers={"X-Request-ID": "proxy-req-0001-abcdef"},
    )
    assert response["X-Request-ID"] == "proxy-req-0001-abcdef"
    report = MonthlyReport.objects.get()

    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.is_finished:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"worker did not finish in {WAIT_SECONDS}s:\n{worker_log.read_text()}")
    assert report.status == MonthlyReport.Status.READY, report.error

    # The report is ready before Celery logs "succeeded" (after the task returns): wait for it.
    task_lines = []
    while time.monotonic() < deadline:
        lines = [
            json.loads(line) for line in worker_log.read_text().splitlines() if line[:1] == "{"
        ]
        task_lines = [
            line
            for line in lines
            if line.get("task_name") == "portal.reports.tasks.generate_monthly_report"
        ]
        if any("succeeded" in line["message"] for line in task_lines):
            break
        time.sleep(0.5)
    assert task_lines, worker_log.read_text()
    assert {line.get("request_id") for line in task_lines} == {"proxy-req-0001-abcdef"}
    assert any("succeeded" in line["message"] for line in task_lines)
