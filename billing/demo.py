"""Demo data for fees and subsidies: the demonstration station's price list, three months of
statements for its families (worked out and issued by the services, as the month-end job
does), payments and one correction.

The prices are demo figures (the article gives none): a full-time place at 1,100 yuan under
an inclusive ceiling of 1,200, 300 yuan a month from the district for every child, more for
a second child and a low-income household. Safe to run twice: what is issued stays.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

from billing.models import Adjustment, Payment, PaymentMethod, PriceList, Statement, SubsidyGrant
from billing.services import (
    adjustment_create,
    payment_record,
    price_list_save,
    statements_issue_for_month,
    subsidy_categories_ensure_defaults,
    subsidy_grant_create,
)
from childcare.demo import CHILDREN, DROP_IN, MAIN
from childcare.models import Absence, Attendance, Booking, Child, Session, Station
from portal.accounts.demo import demo_user
from portal.months import current_month, previous_month

CORRECTION = "上月半日托多计1次，退还（演示）"


def seed(stdout: TextIO) -> None:
    station = Station.objects.get(name=MAIN)
    staff = demo_user("station_staff")
    last = previous_month(current_month())
    months = [previous_month(previous_month(last)), previous_month(last), last]
    children = {
        child.name: child
        for child in Child.objects.filter(
            enrolments__station=station, resident__name__in=[name for name, *_rest in CHILDREN]
        ).select_related("resident")
    }
    categories = subsidy_categories_ensure_defaults()

    if not PriceList.objects.filter(station=station).exists():
        price_list_save(
            station=station,
            valid_from=months[0],
            monthly_price=Decimal("1100.00"),
            inclusive_ceiling=Decimal("1200.00"),
            half_day_price=Decimal("40.00"),
            drop_in_price=Decimal("25.00"),
            subsidies={
                categories["every-child"]: Decimal("300.00"),
                categories["second-third-child"]: Decimal("100.00"),
                categories["low-income-household"]: Decimal("200.00"),
                categories["child-in-distress"]: Decimal("400.00"),
            },
            by=staff,
        )
    for name, code in (("张一诺", "second-third-child"), ("杨梓萱", "low-income-household")):
        if not SubsidyGrant.objects.filter(child=children[name], category__code=code).exists():
            subsidy_grant_create(
                child=children[name],
                category=categories[code],
                valid_from=months[0],
                note="户口簿、低保证（演示）"
                if code == "low-income-household"
                else "户口簿（演示）",
                by=staff,
            )

    if not Statement.objects.filter(station=station).exists():
        _absences_and_sessions(station, children, months, staff)
    for index, month in enumerate(months):
        if index == 2 and not Adjustment.objects.filter(reason=CORRECTION).exists():
            adjustment_create(
                station=station,
                child=children["刘浩宇"],
                amount=Decimal("-40.00"),
                reason=CORRECTION,
                corrects=Statement.objects.filter(
                    station=station, child=children["刘浩宇"], month=months[1]
                ).first(),
                by=staff,
            )
        statements_issue_for_month(month=month, station=station)

    # Families pay the first two months by the due day; last month's statements are not due
    # yet. One family is late with the middle month (the overdue reminder is theirs).
    for statement in (
        Statement.objects.filter(station=station, month__in=months[:2])
        .with_paid()
        .select_related("child__resident")
    ):
        late = statement.child.name == "黄欣怡" and statement.month == months[1]
        if statement.paid or statement.balance <= 0 or late:
            continue
        method = PaymentMethod.WECHAT if statement.child.pk % 2 else PaymentMethod.CASH
        paid_on = min(statement.due_on - datetime.timedelta(days=5), timezone.localdate())
        payment_record(
            statement=statement,
            amount=statement.balance,
            method=method,
            paid_on=paid_on,
            reference="" if method == PaymentMethod.CASH else f"4200{statement.pk:010d}",
            by=staff,
        )
    statements = Statement.objects.filter(station=station).count()
    stdout.write(
        f"Fees: {statements} statements for {len(months)} months at {MAIN}, "
        f"{Payment.objects.filter(statement__station=station).count()} payments.\n"
    )


def _absences_and_sessions(
    station: Station, children: dict[str, Child], months: list[datetime.date], staff: object
) -> None:
    """A week's holiday reported in advance, a day off reported that morning, and drop-in
    and half-day sessions that children of other families attended."""
    tz = timezone.get_current_timezone()
    week_start = months[1].replace(day=8)
    week_start += datetime.timedelta(days=-week_start.weekday() % 7)  # the Monday from the 8th
    for child, start, end, reported in (
        (children["王子涵"], week_start, week_start + datetime.timedelta(days=4), 10),
        (children["陈思琪"], _weekday_on_or_after(months[2].replace(day=12)), None, 0),
    ):
        absence = Absence.objects.create(
            child=child,
            station=station,
            start=start,
            end=end or start,
            reason=Absence.Reason.FAMILY if reported else Absence.Reason.ILL,
            reported_by=staff,
        )
        at = datetime.datetime.combine(
            start - datetime.timedelta(days=reported), datetime.time(7, 30), tzinfo=tz
        )
        Absence.objects.filter(pk=absence.pk).update(created=at)

    visitors = list(
        Child.objects.filter(resident__name__in=[name for name, *_rest in DROP_IN]).order_by("pk")
    )
    for month in months:
        for offset, kind in ((3, Session.Kind.HOURLY), (17, Session.Kind.HALF_DAY)):
            day = _weekday_on_or_after(month.replace(day=offset))
            session, _created = Session.objects.get_or_create(
                station=station,
                date=day,
                kind=kind,
                starts_at=datetime.time(15, 0)
                if kind == Session.Kind.HOURLY
                else datetime.time(8, 30),
                defaults={
                    "ends_at": datetime.time(17, 0)
                    if kind == Session.Kind.HOURLY
                    else datetime.time(12, 0),
                    "capacity": 3,
                },
            )
            for visitor in visitors[:2]:
                Booking.objects.get_or_create(
                    session=session,
                    child=visitor,
                    defaults={"status": "confirmed", "booked_by": staff},
                )
                arrived = datetime.datetime.combine(day, session.starts_at, tzinfo=tz)
                Attendance.objects.get_or_create(
                    child=visitor,
                    date=day,
                    defaults={
                        "station": station,
                        "checked_in_at": arrived,
                        "checked_out_at": datetime.datetime.combine(
                            day, session.ends_at, tzinfo=tz
                        ),
                        "brought_by": visitor.guardians.first(),
                        "collected_by": visitor.guardians.first(),
                        "recorded_by": staff,
                    },
                )
            Session.objects.filter(pk=session.pk).update(booked=session.bookings.count())


def _weekday_on_or_after(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day
