"""Months as the portal counts them: a month is the date of its first day.

One place for month arithmetic, so that the dashboards, the reports, ages in months and
statements all step over month and year ends the same way.
"""

from __future__ import annotations

import datetime

from django.utils import timezone


def month_start(day: datetime.date) -> datetime.date:
    """The month `day` falls in."""
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    """The month after the one `month` falls in (31 January → 1 February)."""
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    """The month before the one `month` falls in."""
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def current_month() -> datetime.date:
    """This month, in the portal's time zone (Asia/Shanghai)."""
    return month_start(timezone.localdate())


def months_between(earlier: datetime.date, later: datetime.date) -> int:
    """Whole months from `earlier` to `later`, as an age is counted: 31 January to
    28 February is 0 months, to 1 March 1 month."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months
