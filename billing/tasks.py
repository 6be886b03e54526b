"""Beat jobs of fees and subsidies."""

from __future__ import annotations

import datetime

from celery import shared_task

from billing.services import statements_issue_for_month, statements_remind_overdue
from portal import months


@shared_task
def issue_monthly_statements(month: str = "") -> int:
    """On the 1st (Beijing time): last month's statements for every station with a price list.
    `month` ("2026-11-01") issues another ended month. Idempotent: issued statements stay."""
    day = (
        datetime.date.fromisoformat(month)
        if month
        else months.previous_month(months.current_month())
    )
    return len(statements_issue_for_month(month=day))


@shared_task
def remind_overdue_statements() -> int:
    """Daily: remind families once of a statement past its due day with money owed."""
    return statements_remind_overdue()
