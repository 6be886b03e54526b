"""Refreshing the rollup in the worker: on a schedule (hourly) and on demand."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from portal import months
from portal.dashboards import rollup


@shared_task(acks_late=True)
def refresh_rollups(month_iso: str | None = None) -> list[str]:
    """Recompute every region's figures for a month (default: this month).

    Idempotent: the rollup statements upsert, so a repeated or concurrent run leaves the
    same rows. On the first days of a month the previous month is refreshed too, so its
    flow figures (bookings, meals, visits) are complete.
    """
    if month_iso:
        month = datetime.date.fromisoformat(month_iso)
        return rollup.refresh_month(month)
    today_month = months.current_month()
    keys = rollup.refresh_month(today_month)
    if timezone.localdate().day <= 2:
        rollup.refresh_month(months.previous_month(today_month))
    return keys
