"""Month arithmetic across month and year ends, in the portal's time zone."""

import datetime

import time_machine

from portal import months

D = datetime.date


def test_next_and_previous_month_step_over_year_ends_and_short_months():
    assert months.next_month(D(2026, 12, 31)) == D(2027, 1, 1)
    assert months.next_month(D(2027, 1, 31)) == D(2027, 2, 1)
    assert months.previous_month(D(2027, 1, 15)) == D(2026, 12, 1)
    assert months.previous_month(D(2027, 3, 1)) == D(2027, 2, 1)
    assert months.month_start(D(2028, 2, 29)) == D(2028, 2, 1)


def test_months_between_counts_whole_months_as_an_age_is_counted():
    assert months.months_between(D(2027, 1, 31), D(2027, 2, 28)) == 0
    assert months.months_between(D(2027, 1, 31), D(2027, 3, 1)) == 1
    assert months.months_between(D(2025, 12, 3), D(2026, 12, 3)) == 12
    assert months.months_between(D(2025, 12, 4), D(2026, 12, 3)) == 11


def test_current_month_is_beijings_month_when_utc_is_still_in_the_last_one():
    # 31 Dec 2026 16:30 UTC is 1 Jan 2027 00:30 in Beijing.
    with time_machine.travel(datetime.datetime(2026, 12, 31, 16, 30, tzinfo=datetime.UTC)):
        assert datetime.datetime.now(datetime.UTC).day == 31
        assert months.current_month() == D(2027, 1, 1)
