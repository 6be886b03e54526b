"""Writes of the reports app: asking for a monthly report, and telling officials it is ready."""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from communities.models import Region
from portal.accounts.models import Role, User
from portal.notifications.models import Notification
from portal.notifications.services import notification_create_many
from portal.reports.models import MonthlyReport

logger = logging.getLogger(__name__)


def monthly_report_request(
    *, region: Region, month: datetime.date, by: User | None, regenerate: bool = False
) -> MonthlyReport:
    """The one report of `region` and `month`, queued for the worker unless already under way.

    Asking twice gives the same row (unique region+month); a ready report is rebuilt only
    with `regenerate`, a failed one is retried from scratch.
    """
    month = month.replace(day=1)
    with transaction.atomic():
        try:
            with transaction.atomic():
                report, created = MonthlyReport.objects.get_or_create(
                    region=region, month=month, defaults={"requested_by": by}
                )
        except IntegrityError:
            # Another request created it between our read and insert.
            report, created = MonthlyReport.objects.get(region=region, month=month), False
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        restart = report.status == MonthlyReport.Status.FAILED or (
            regenerate and report.status == MonthlyReport.Status.READY
        )
        if restart:
            report.status = MonthlyReport.Status.PENDING
            report.progress = 0
            report.error = ""
            report.attempts = 0
            report.requested_by = by or report.requested_by
            report.save(
                update_fields=["status", "progress", "error", "attempts", "requested_by", "updated"]
            )
        if created or restart:
            transaction.on_commit(lambda: _enqueue(report.pk))
    return report


def _enqueue(report_id: int) -> None:
    from portal.reports.tasks import generate_monthly_report

    try:
        generate_monthly_report.delay(report_id)
    except Exception:
        # The row stays pending; the next request or the monthly beat re-sends it.
        logger.warning("Broker unavailable; monthly report %s left pending", report_id)


def region_officials(region: Region) -> list[User]:
    """Officials of this region or of any region above it."""
    codes = region.path.strip("/").split("/")
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.OFFICIAL,
            role_assignments__region__code__in=codes,
        ).distinct()
    )


def monthly_report_notify_ready(*, report: MonthlyReport) -> None:
    notification_create_many(
        recipients=region_officials(report.region),
        text=_("The monthly report of %(region)s for %(month)s is ready."),
        params={"region": report.region.name, "month": report.month.strftime("%Y-%m")},
        kind=Notification.Kind.REPORT,
        link=reverse("reports:report_detail", args=[report.pk]),
    )


def monthly_report_notify_failed(*, report: MonthlyReport) -> None:
    recipients = [report.requested_by] if report.requested_by else region_officials(report.region)
    notification_create_many(
        recipients=recipients,
        text=_("The monthly report of %(region)s for %(month)s could not be prepared."),
        params={"region": report.region.name, "month": report.month.strftime("%Y-%m")},
        kind=Notification.Kind.REPORT,
        link=reverse("reports:report_detail", args=[report.pk]),
    )
