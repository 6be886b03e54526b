"""Building monthly reports in the worker: on demand and on the 1st of every month."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from communities.models import Region
from portal import months
from portal.accounts.models import Role
from portal.dashboards import rollup
from portal.dashboards.selectors import dashboard_for
from portal.reports import build, services
from portal.reports.models import MonthlyReport

logger = logging.getLogger(__name__)

MAX_RETRIES = 3
RETRY_DELAY_SECONDS = 60
# A report left "running" this long was abandoned by a dead worker and may be claimed again.
STALE_AFTER = datetime.timedelta(minutes=10)


def _progress(report_id: int, percent: int) -> None:
    MonthlyReport.objects.filter(pk=report_id).update(progress=percent, updated=timezone.now())


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def generate_monthly_report(self, report_id: int) -> str:  # noqa: ANN001 - bound task
    """Build one report's XLSX and PDF; retried on failure, marked failed after the last try.

    The row is claimed with a conditional UPDATE (pending, or running but abandoned), so a
    duplicate delivery of this task does nothing while another worker is building it, and
    a ready report is never rebuilt. A message the broker delivers again (its worker was
    killed: the message was never acknowledged, `acks_late`) takes over a running report at
    once: the visibility timeout is far longer than the task's hard time limit, so the
    worker that held it cannot still be building. The claim's attempt number is a fencing
    token: only the attempt that still holds the claim may finish the report.
    """
    claimable = Q(status=MonthlyReport.Status.PENDING) | Q(
        status=MonthlyReport.Status.RUNNING, updated__lt=timezone.now() - STALE_AFTER
    )
    if (self.request.delivery_info or {}).get("redelivered"):
        claimable |= Q(status=MonthlyReport.Status.RUNNING)
        logger.warning("Monthly report %s delivered again: taking it over", report_id)
    claimed = MonthlyReport.objects.filter(claimable, pk=report_id).update(
        status=MonthlyReport.Status.RUNNING,
        progress=5,
        attempts=F("attempts") + 1,
        updated=timezone.now(),
    )
    if not claimed:
        return "skipped"
    report = MonthlyReport.objects.select_related("region").get(pk=report_id)
    attempt = report.attempts
    try:
        rollup.refresh_month(report.month)
        _progress(report_id, 30)
        dashboard = dashboard_for(report.region, report.month)
        xlsx = build.report_xlsx(dashboard)
        _progress(report_id, 50)
        pdf = build.report_pdf(dashboard)
        _progress(report_id, 80)
        name = f"{report.region.code}-{report.month:%Y-%m}"
        with transaction.atomic():
            report = MonthlyReport.objects.select_for_update().get(pk=report_id)
            if report.attempts != attempt or report.status != MonthlyReport.Status.RUNNING:
                return "superseded"
            report.xlsx.save(f"{name}.xlsx", ContentFile(xlsx), save=False)
            report.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
            report.status = MonthlyReport.Status.READY
            report.progress = 100
            report.error = ""
            report.finished_at = timezone.now()
            report.save()
            services.monthly_report_notify_ready(report=report)
    except MonthlyReport.DoesNotExist:
        return "gone"
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"[:2000]
        logger.warning(
            "Monthly report %s failed (attempt %s): %s", report_id, self.request.retries + 1, reason
        )
        if self.request.retries < self.max_retries:
            MonthlyReport.objects.filter(pk=report_id, attempts=attempt).update(
                status=MonthlyReport.Status.PENDING, error=reason, updated=timezone.now()
            )
            raise self.retry(
                exc=exc, countdown=RETRY_DELAY_SECONDS * (self.request.retries + 1)
            ) from exc
        with transaction.atomic():
            failed = MonthlyReport.objects.filter(pk=report_id, attempts=attempt).update(
                status=MonthlyReport.Status.FAILED,
                error=reason,
                finished_at=timezone.now(),
                updated=timezone.now(),
            )
            if not failed:
                return "superseded"
            report = MonthlyReport.objects.select_related("region", "requested_by").get(
                pk=report_id
            )
            services.monthly_report_notify_failed(report=report)
        return "failed"
    return "ready"


@shared_task
def schedule_monthly_reports() -> int:
    """On the 1st: last month's report for every region that has officials."""
    month = months.previous_month(months.current_month())
    regions = Region.objects.filter(role_assignments__role=Role.OFFICIAL).distinct()
    count = 0
    for region in regions:
        services.monthly_report_request(region=region, month=month, by=None)
        count += 1
    return count
