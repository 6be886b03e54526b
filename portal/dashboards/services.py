"""Writes of the dashboards app: asking the worker to refresh the figures."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction

from portal.accounts.models import User

logger = logging.getLogger(__name__)


def rollup_refresh_request(*, month: datetime.date, by: User) -> None:
    """Enqueue a refresh of every region's figures for `month` once the request commits."""
    from portal.dashboards.tasks import refresh_rollups

    def enqueue() -> None:
        try:
            refresh_rollups.delay(month.isoformat())
        except Exception:
            # The hourly beat job refreshes anyway; a broker outage must not break the page.
            logger.warning("Broker unavailable; rollup refresh for %s left to the schedule", month)

    logger.info("Rollup refresh for %s requested by user %s", month, by.pk)
    transaction.on_commit(enqueue)
