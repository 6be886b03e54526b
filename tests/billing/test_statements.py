"""Monthly statements worked out to the fen, issued once, corrected on the next one.

The month is November 2026: 30 days, 21 billable days (Monday to Friday; 1 November is a
Sunday). The clock stands at 1 December 2026, 01:30 Beijing time, when the month-end job runs
(still 30 November in UTC).
"""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from billing import rules
from billing.models import (
    Adjustment,
    Statement,
    StatementLine,
    SubsidyCategory,
    SubsidyGrant,
)
from billing.services import (
    adjustment_create,
    payment_record,
    price_list_save,
    statements_issue_for_month,
    statements_remind_overdue,
)
from billing.tasks import issue_monthly_statements
from childcare.models import (
    Absence,
    Attendance,
    Booking,
    Enrolment,
    EnrolmentEvent,
    Guardian,
    Session,
)
from portal.notifications.models import Notification
from tests.billing.factories import enrol
from tests.childcare.factories import SessionFactory, child_of

BEIJING = ZoneInfo("Asia/Shanghai")
NOVEMBER = datetime.date(2026, 11, 1)
DECEMBER = datetime.date(2026, 12, 1)


def beijing(day: int, month: int = 11, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=BEIJING)


@pytest.fixture
def month_end():
    with time_machine.travel(beijing(1, month=12, hour=1), tick=False):
        yield


@pytest.fixture
def categories(db):
    every = SubsidyCategory.objects.create(code="every", name="普惠托育补贴", for_every_child=True)
    low_income = SubsidyCategory.objects.create(code="low-income", name="低保家庭补贴")
    second = SubsidyCategory.objects.create(code="second", name="二孩补贴")
    return every, low_income, second


@pytest.fixture
def prices(station, station_staff, categories, month_end):
    every, low_income, second = categories
    return price_list_save(
        station=station,
        valid_from=datetime.date(2026, 9, 1),
        monthly_price=Decimal("1180.00"),
        inclusive_ceiling=Decimal("1500.00"),
        half_day_price=Decimal("60.00"),
        drop_in_price=Decimal("25.00"),
        absence_free_days=3,
        subsidies={every: Decimal("200.00"), low_income: Decimal("150.00"), second: Decimal("100")},
        by=station_staff,
    )


def absent(child, station, user, start: int, end: int, reported: datetime.datetime) -> None:
    absence = Absence.objects.create(
        child=child,
        station=station,
        start=datetime.date(2026, 11, start),
        end=datetime.date(2026, 11, end),
        reason="ill",
        reported_by=user,
    )
    Absence.objects.filter(pk=absence.pk).update(created=reported)


def session(child, station, user, day: int, kind: str, *, came: bool, status="confirmed"):
    starts, ends = (datetime.time(8, 30), datetime.time(12, 0))
    if kind == Session.Kind.HOURLY:
        starts, ends = datetime.time(14, 0), datetime.time(16, 0)
    booked = SessionFactory(
        station=station,
        kind=kind,
        date=datetime.date(2026, 11, day),
        starts_at=starts,
        ends_at=ends,
        booked=1 if status == "confirmed" else 0,
    )
    Booking.objects.create(
        session=booked,
        child=child,
        status=status,
        booked_by=user,
        cancelled_at=beijing(1) if status == "cancelled" else None,
    )
    if came:
        guardian = Guardian.objects.filter(child=child).first()
        Attendance.objects.create(
            child=child,
            station=station,
            date=booked.date,
            checked_in_at=beijing(day, hour=8),
            brought_by=guardian,
            recorded_by=user,
        )


@pytest.fixture
def november(station, station_staff, parent, community, categories, prices):
    """A mid-month start, absences in advance and not, sessions attended and not, a grant."""
    child = child_of(parent, community)
    enrol(child, station, station_staff, datetime.date(2026, 11, 11), beijing(10))
    # 16–20 November reported on Friday the 13th: 5 days in advance, the first 3 charged.
    absent(child, station, parent, 16, 20, beijing(13, hour=18))
    # The 24th reported that morning: not in advance, charged.
    absent(child, station, parent, 24, 24, beijing(24, hour=7))
    # Sessions: a half-day before the place started and two drop-ins, attended; a drop-in
    # booked but not attended, and one cancelled: not charged.
    session(child, station, parent, 4, Session.Kind.HALF_DAY, came=True)
    session(child, station, parent, 7, Session.Kind.HOURLY, came=True)
    session(child, station, parent, 28, Session.Kind.HOURLY, came=True)
    session(child, station, parent, 14, Session.Kind.HOURLY, came=False)
    session(child, station, parent, 21, Session.Kind.HOURLY, came=True, status="cancelled")
    every, low_income, second = categories
    SubsidyGrant.objects.create(
        child=child,
        category=low_income,
        valid_from=datetime.date(2026, 10, 1),
        granted_by=station_staff,
    )
    # A second-child grant that ended in October does not count in November.
    SubsidyGrant.objects.create(
        child=child,
        category=second,
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2026, 10, 31),
        granted_by=station_staff,
    )
    return child


def lines_of(statement: Statement) -> list[tuple[str, int, Decimal, str]]:
    return [
        (line.kind, line.quantity, line.amount, line.detail)
        for line in statement.lines.order_by("position")
    ]


def test_billable_days_of_november_2026():
    assert len(rules.billable_days(NOVEMBER)) == 21


def test_rounding_is_half_up_to_the_fen():
    assert rules.round_fen(Decimal("112.385")) == Decimal("112.39")
    assert rules.round_fen(Decimal("112.38499")) == Decimal("112.38")
    assert rules.round_fen(Decimal("786.6666")) == Decimal("786.67")


def test_the_month_worked_out_by_hand(november, station, month_end):
    [statement] = statements_issue_for_month(month=NOVEMBER)

    # Enrolled from Wednesday 11 November: 3 + 5 + 5 + 1 = 14 of 21 billable days.
    #   place            1180 × 14/21 = 786.666… → 786.67
    #   absences         5 days in advance, 3 charged: 1180 × 2/21 = 112.3809… → −112.38
    #   half-day         1 × 60.00 = 60.00
    #   drop-in          2 × 25.00 = 50.00
    #   every child      200 × 14/21 = 133.333… → −133.33
    #   low income       150 × 14/21 = 100.00 → −100.00
    #   total            786.67 − 112.38 + 60 + 50 − 133.33 − 100 = 550.96
    assert lines_of(statement) == [
        ("place", 14, Decimal("786.67"), ""),
        ("absence", 2, Decimal("-112.38"), ""),
        ("half_day", 1, Decimal("60.00"), ""),
        ("drop_in", 2, Decimal("50.00"), ""),
        ("subsidy", 1, Decimal("-133.33"), "普惠托育补贴"),
        ("subsidy", 1, Decimal("-100.00"), "低保家庭补贴"),
    ]
    assert statement.total == Decimal("550.96")
    assert statement.subsidy_total == Decimal("233.33")
    assert (statement.billable_days, statement.enrolled_days) == (21, 14)
    assert statement.due_on == datetime.date(2026, 12, 15)
    assert statement.child == november and statement.station == station


def test_a_full_month_costs_the_monthly_price(station, station_staff, parent, community, prices):
    child = child_of(parent, community)
    enrol(child, station, station_staff, datetime.date(2026, 10, 20), beijing(19, month=10))
    [statement] = statements_issue_for_month(month=NOVEMBER)
    assert lines_of(statement)[0] == ("place", 21, Decimal("1180.00"), "")
    # 1180 − 200 (every child); no grant, so no other subsidy.
    assert statement.total == Decimal("980.00")


def test_a_child_who_left_pays_to_the_day_of_leaving(
    station, station_staff, parent, community, prices
):
    child = child_of(parent, community)
    enrolment = enrol(child, station, station_staff, datetime.date(2026, 9, 1), beijing(1, 9))
    Enrolment.objects.filter(pk=enrolment.pk).update(status="left")
    event = EnrolmentEvent.objects.create(
        enrolment=enrolment, from_status="enrolled", to_status="left", by=station_staff
    )
    # Left on Tuesday 10 November: 2–6 and 9–10 November, 7 billable days.
    EnrolmentEvent.objects.filter(pk=event.pk).update(at=beijing(10, hour=17))
    [statement] = statements_issue_for_month(month=NOVEMBER)
    assert statement.enrolled_days == 7
    # 1180 × 7/21 = 393.33; every child 200 × 7/21 = 66.67.
    assert statement.total == Decimal("393.33") - Decimal("66.67")


def test_running_the_month_end_job_twice_issues_one_statement(november, month_end):
    assert issue_monthly_statements() == 1
    first = Statement.objects.get()
    assert issue_monthly_statements() == 0
    assert issue_monthly_statements(month="2026-11-01") == 0
    assert Statement.objects.get() == first
    assert StatementLine.objects.count() == 6
    # The family was told once.
    assert Notification.objects.filter(link=first.get_absolute_url()).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_month_end_jobs_at_once_issue_one_statement(
    station, station_staff, parent, community, categories
):
    with time_machine.travel(beijing(1, month=12, hour=1), tick=True):
        price_list_save(
            station=station,
            valid_from=NOVEMBER,
            monthly_price=Decimal("1000"),
            inclusive_ceiling=Decimal("1000"),
            by=station_staff,
        )
        child = child_of(parent, community)
        enrol(child, station, station_staff, datetime.date(2026, 10, 1), beijing(1, 10))
        barrier = threading.Barrier(2)
        issued: list[int] = []

        def run() -> None:
            try:
                barrier.wait()
                issued.append(len(statements_issue_for_month(month=NOVEMBER)))
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(issued) == [0, 1]
    assert Statement.objects.filter(child=child, month=NOVEMBER).count() == 1


def test_an_adjustment_appears_on_the_next_month_and_the_issued_one_is_unchanged(
    november, station, station_staff, parent
):
    with time_machine.travel(beijing(1, month=12, hour=1), tick=False):
        [issued] = statements_issue_for_month(month=NOVEMBER)
    adjustment = adjustment_create(
        station=station,
        child=november,
        amount=Decimal("-25.00"),
        reason="11月28日临时托育重复计费",
        corrects=issued,
        by=station_staff,
    )
    # The issued statement cannot be edited, even by a direct UPDATE.
    with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
        Statement.objects.filter(pk=issued.pk).update(total=Decimal("525.96"))
    with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
        StatementLine.objects.filter(statement=issued).update(amount=Decimal("0"))

    with time_machine.travel(beijing(1, month=1, hour=1).replace(year=2027), tick=False):
        [december] = statements_issue_for_month(month=DECEMBER)
    issued.refresh_from_db()
    assert issued.total == Decimal("550.96")
    assert lines_of(issued)[-1][0] == "subsidy"
    assert lines_of(december)[-1] == (
        "adjustment",
        1,
        Decimal("-25.00"),
        "11月28日临时托育重复计费",
    )
    adjustment.refresh_from_db()
    assert adjustment.statement == december
    assert Adjustment.objects.pending().count() == 0
    # December 2026 has 23 billable days, all enrolled: 1180 − 200 − 150 − 25.
    assert december.total == Decimal("805.00")


def test_a_price_above_the_ceiling_is_refused_and_changes_nothing(station, station_staff, prices):
    with pytest.raises(ValidationError) as refused:
        price_list_save(
            station=station,
            valid_from=datetime.date(2027, 1, 1),
            monthly_price=Decimal("1600.00"),
            inclusive_ceiling=Decimal("1500.00"),
            by=station_staff,
        )
    assert "1500.00" in str(refused.value.message_dict["monthly_price"])
    assert station.price_lists.count() == 1
    # The database refuses it too, whatever code path tries.
    with pytest.raises(IntegrityError), transaction.atomic():
        station.price_lists.update(monthly_price=Decimal("1600.00"))


def test_prices_cannot_change_a_month_already_issued(november, station, station_staff, month_end):
    statements_issue_for_month(month=NOVEMBER)
    with pytest.raises(ValidationError):
        price_list_save(
            station=station,
            valid_from=NOVEMBER,
            monthly_price=Decimal("900"),
            inclusive_ceiling=Decimal("1500"),
            by=station_staff,
        )
    assert station.price_lists.get().monthly_price == Decimal("1180.00")


def test_a_month_not_yet_ended_is_not_issued(prices, month_end):
    with pytest.raises(ValidationError):
        statements_issue_for_month(month=DECEMBER)
    assert not Statement.objects.exists()


def test_payments_reduce_what_is_owed_and_never_exceed_it(november, station_staff, month_end):
    [statement] = statements_issue_for_month(month=NOVEMBER)
    payment_record(
        statement=statement,
        amount=Decimal("500.00"),
        method="wechat",
        reference="4200001234",
        paid_on=datetime.date(2026, 11, 30),
        by=station_staff,
    )
    with pytest.raises(ValidationError) as refused:
        payment_record(
            statement=statement,
            amount=Decimal("51.00"),
            method="cash",
            paid_on=datetime.date(2026, 11, 30),
            by=station_staff,
        )
    assert "50.96" in str(refused.value.message_dict["amount"])
    assert Statement.objects.with_paid().get(pk=statement.pk).balance == Decimal("50.96")


def test_overdue_statements_remind_the_family_once(november, parent, station_staff, month_end):
    [statement] = statements_issue_for_month(month=NOVEMBER)
    with time_machine.travel(beijing(16, month=12), tick=False):
        assert statements_remind_overdue() == 1
        assert statements_remind_overdue() == 0
    statement.refresh_from_db()
    assert statement.reminded_at is not None
    assert (
        Notification.objects.filter(
            recipient=parent, link=statement.get_absolute_url(), text__contains="550.96"
        ).count()
        == 2
    )
