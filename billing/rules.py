"""How the portal counts money: the one place for the rounding rule and the billing defaults.

Money is `Decimal` in yuan with two places (fen), never a float.

**Rounding rule.** Every line of a statement is worked out exactly and then rounded once, to the
fen, half up (0.005 → 0.01): a pro-rated place, an absence refund, a subsidy. Intermediate
figures (a daily rate, a fraction of the month) are never rounded. A statement's total is the
sum of its rounded lines, so the lines a family reads always add up to what they owe.

**Billable days** are Monday to Friday. Public holidays and the weekend working days the State
Council moves (调休) are not known to the portal: a month's daily rate is its price divided by
its weekdays.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal

from portal.months import next_month

FEN = Decimal("0.01")

# Our default, not a national rule: the first 3 billable days a month that a family reports
# absent in advance are charged as usual (the place was kept), each further such day is
# refunded at the month's daily rate. A station changes it on its price list.
DEFAULT_ABSENCE_FREE_DAYS = 3

# A statement for a month is due on this day of the following month; once it has passed with
# money still owed, the family is reminded once.
DUE_DAY_OF_NEXT_MONTH = 15


# The subsidy categories of the shared-partner model a new deployment starts with (the
# migration 0002 creates them): code, name, English name, for every enrolled child. They are
# data: the amounts are on each station's price list, and a district may add its own.
DEFAULT_SUBSIDY_CATEGORIES = [
    (
        "every-child",
        "普惠托育补贴（每名在托幼儿）",
        "Inclusive childcare subsidy (every child)",
        True,
    ),
    ("second-third-child", "二孩、三孩家庭补贴", "Second or third child", False),
    ("low-income-household", "低收入家庭补贴", "Low-income household", False),
    ("child-in-distress", "困境儿童补贴", "Child in distress", False),
]


def round_fen(amount: Decimal) -> Decimal:
    """`amount` rounded to the fen, half up (the statement's one rounding rule)."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def month_days(month: datetime.date) -> list[datetime.date]:
    """Every day of the month `month` falls in."""
    count = calendar.monthrange(month.year, month.month)[1]
    return [month.replace(day=day) for day in range(1, count + 1)]


def billable_days(month: datetime.date) -> list[datetime.date]:
    """The month's billable days: Monday to Friday."""
    return [day for day in month_days(month) if day.weekday() < 5]


def due_on(month: datetime.date) -> datetime.date:
    """The day a statement for `month` is due."""
    return next_month(month).replace(day=DUE_DAY_OF_NEXT_MONTH)
