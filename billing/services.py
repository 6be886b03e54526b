"""Writes for fees and subsidies. Each service is atomic and raises ValidationError with a
translated message when the rules refuse; nothing is saved in that case.

How a month's statement is worked out (`statement_lines`), for one child at one station:

1. **Place.** The billable days (Monday to Friday) on which the child held a place: from the
   later of the wished start date and the day the place was taken up, to the day the child
   left (inclusive). The full-time price × enrolled days ÷ the month's billable days.
2. **Absences reported in advance** (the notice given before the day began, Beijing time): the
   first `absence_free_days` such days of the month are charged as usual; each further day
   is refunded at the month's daily rate (price ÷ billable days).
3. **Half-day and drop-in sessions attended**: a confirmed booking on a day the child was
   checked in at the station, at the price list's session prices.
4. **Subsidies**: every category on the price list that is for every child or that the child
   holds a grant for during the month, pro-rated like the place. Subsidies never take the
   place below zero: what would, is not paid.
5. **Adjustments** recorded since the last statement, each as a line.

Each line is rounded once to the fen, half up (billing/rules.py); the total is their sum.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing import rules
from billing.models import (
    Adjustment,
    LineKind,
    Payment,
    PaymentMethod,
    PriceList,
    PriceListSubsidy,
    Statement,
    StatementLine,
    SubsidyCategory,
    SubsidyGrant,
)
from childcare.models import (
    Absence,
    Attendance,
    Booking,
    Child,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    SessionKind,
    Station,
)
from portal.accounts.models import User
from portal.months import current_month, month_start
from portal.notifications.services import notification_create

ZERO = Decimal("0.00")


# --- price lists -------------------------------------------------------------------------------


def price_list_save(
    *,
    station: Station,
    valid_from: datetime.date,
    monthly_price: Decimal,
    inclusive_ceiling: Decimal,
    half_day_price: Decimal = ZERO,
    drop_in_price: Decimal = ZERO,
    absence_free_days: int = rules.DEFAULT_ABSENCE_FREE_DAYS,
    subsidies: dict[SubsidyCategory, Decimal] | None = None,
    by: User,
) -> PriceList:
    """Set the station's prices from the month `valid_from` falls in (replacing a price list
    of that same month). Refused when the full-time price is above the inclusive ceiling, or
    when statements from that month on are already issued (they would no longer match)."""
    month = month_start(valid_from)
    if monthly_price > inclusive_ceiling:
        raise ValidationError(
            {
                "monthly_price": _(
                    "%(price)s yuan is above the inclusive price ceiling of %(ceiling)s yuan "
                    "the station committed to: a full-time place may cost at most the ceiling."
                )
                % {"price": monthly_price, "ceiling": inclusive_ceiling}
            }
        )
    with transaction.atomic():
        # Taken under the station's lock so that the month-end job cannot issue a statement
        # for this month between the check below and the new prices.
        Station.objects.select_for_update().get(pk=station.pk)
        if Statement.objects.filter(station=station, month__gte=month).exists():
            raise ValidationError(
                {
                    "valid_from": _(
                        "Statements from %(month)s on are already issued; new prices can "
                        "start from the month after the last statement."
                    )
                    % {"month": f"{month:%Y-%m}"}
                }
            )
        price_list, _created = PriceList.objects.update_or_create(
            station=station,
            valid_from=month,
            defaults={
                "monthly_price": monthly_price,
                "inclusive_ceiling": inclusive_ceiling,
                "half_day_price": half_day_price,
                "drop_in_price": drop_in_price,
                "absence_free_days": absence_free_days,
                "created_by": by,
            },
        )
        price_list.subsidies.all().delete()
        PriceListSubsidy.objects.bulk_create(
            PriceListSubsidy(price_list=price_list, category=category, monthly_amount=amount)
            for category, amount in (subsidies or {}).items()
            if amount
        )
    return price_list


def subsidy_categories_ensure_defaults() -> dict[str, SubsidyCategory]:
    """The default subsidy categories (billing/rules.py), created where missing; every
    category by code. An existing category keeps the name it was given."""
    for code, name, name_en, for_every_child in rules.DEFAULT_SUBSIDY_CATEGORIES:
        SubsidyCategory.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "for_every_child": for_every_child},
        )
    return {category.code: category for category in SubsidyCategory.objects.all()}


def subsidy_grant_create(
    *,
    child: Child,
    category: SubsidyCategory,
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
    note: str = "",
    by: User,
) -> SubsidyGrant:
    """Record that `child` is eligible for `category` (staff saw the evidence)."""
    if category.for_every_child:
        raise ValidationError(
            {"category": _("Every enrolled child receives this subsidy; it needs no grant.")}
        )
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError({"valid_until": _("The end date is before the start date.")})
    return SubsidyGrant.objects.create(
        child=child,
        category=category,
        valid_from=valid_from,
        valid_until=valid_until,
        note=note,
        granted_by=by,
    )


def adjustment_create(
    *,
    station: Station,
    child: Child,
    amount: Decimal,
    reason: str,
    corrects: Statement | None = None,
    by: User,
) -> Adjustment:
    """A correction carried onto the child's next statement at the station (issued statements
    never change). Positive charges the family, negative credits them."""
    if not amount:
        raise ValidationError({"amount": _("An adjustment of zero changes nothing.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the statement is corrected.")})
    if corrects is not None and (corrects.station_id, corrects.child_id) != (
        station.pk,
        child.pk,
    ):
        raise ValidationError(_("That statement is for another child or station."))
    return Adjustment.objects.create(
        station=station,
        child=child,
        amount=rules.round_fen(amount),
        reason=reason.strip(),
        corrects=corrects,
        created_by=by,
    )


# --- statements --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    kind: str
    quantity: int
    amount: Decimal
    unit_price: Decimal | None = None
    detail: str = ""


@dataclass(frozen=True)
class Worked:
    """A statement worked out but not yet issued."""

    lines: list[Line]
    billable_days: int
    enrolled_days: int
    adjustments: list[Adjustment]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def subsidy_total(self) -> Decimal:
        return -sum((line.amount for line in self.lines if line.kind == LineKind.SUBSIDY), ZERO)


def enrolled_spans(
    station: Station, child: Child, first: datetime.date, last: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    """The spans (inclusive) between `first` and `last` when `child` held a place at
    `station`: from the later of the wished start and the day the place was taken up, to the
    day the child left."""
    spans = []
    enrolments = Enrolment.objects.filter(
        station=station,
        child=child,
        status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.LEFT],
    )
    for enrolment in enrolments:
        events = {
            event.to_status: timezone.localdate(event.at)
            for event in EnrolmentEvent.objects.filter(
                enrolment=enrolment, to_status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.LEFT]
            )
        }
        start = max(
            enrolment.start_date, events.get(EnrolmentStatus.ENROLLED, enrolment.start_date)
        )
        end = events.get(EnrolmentStatus.LEFT, last) if enrolment.status == "left" else last
        start, end = max(start, first), min(end, last)
        if start <= end:
            spans.append((start, end))
    return spans


def statement_lines(
    *, station: Station, child: Child, month: datetime.date, price_list: PriceList
) -> Worked:
    """Work out the month's statement for `child` at `station` (see the module docstring)."""
    days = rules.billable_days(month)
    first, last = days[0].replace(day=1), rules.month_days(month)[-1]
    spans = enrolled_spans(station, child, first, last)
    enrolled = [day for day in days if any(start <= day <= end for start, end in spans)]
    price = price_list.monthly_price
    lines: list[Line] = []

    def share(amount: Decimal, count: int) -> Decimal:
        return rules.round_fen(amount * count / len(days))

    place = ZERO
    if enrolled:
        place = share(price, len(enrolled))
        lines.append(Line(LineKind.PLACE, len(enrolled), place))

        absent_in_advance = set()
        for absence in Absence.objects.filter(
            station=station, child=child, start__lte=last, end__gte=first
        ):
            reported_on = timezone.localdate(absence.created)
            absent_in_advance.update(
                day for day in enrolled if absence.start <= day <= absence.end and reported_on < day
            )
        refunded = max(len(absent_in_advance) - price_list.absence_free_days, 0)
        if refunded:
            refund = share(price, refunded)
            place -= refund
            lines.append(Line(LineKind.ABSENCE, refunded, -refund))

    attended = set(
        Attendance.objects.filter(
            station=station, child=child, date__gte=first, date__lte=last
        ).values_list("date", flat=True)
    )
    sessions = Booking.objects.confirmed().filter(
        child=child, session__station=station, session__date__gte=first, session__date__lte=last
    )
    for kind, line_kind, unit in (
        (SessionKind.HALF_DAY, LineKind.HALF_DAY, price_list.half_day_price),
        (SessionKind.HOURLY, LineKind.DROP_IN, price_list.drop_in_price),
    ):
        count = sum(
            1
            for date in sessions.filter(session__kind=kind).values_list("session__date", flat=True)
            if date in attended
        )
        if count:
            lines.append(Line(line_kind, count, rules.round_fen(unit * count), unit_price=unit))

    if enrolled:
        granted = set(
            SubsidyGrant.objects.filter(child=child)
            .covering(first, last)
            .values_list("category_id", flat=True)
        )
        for subsidy in price_list.subsidies.all():
            if not (subsidy.category.for_every_child or subsidy.category_id in granted):
                continue
            amount = min(share(subsidy.monthly_amount, len(enrolled)), place)
            if amount > 0:
                place -= amount
                lines.append(Line(LineKind.SUBSIDY, 1, -amount, detail=subsidy.category.name))

    adjustments = list(
        Adjustment.objects.pending()
        .select_for_update()
        .filter(station=station, child=child)
        .order_by("created", "pk")
    )
    for adjustment in adjustments:
        lines.append(Line(LineKind.ADJUSTMENT, 1, adjustment.amount, detail=adjustment.reason))
    return Worked(lines, len(days), len(enrolled), adjustments)


def _children_to_bill(station: Station, month: datetime.date) -> list[Child]:
    """Children with a place during the month, a session booked in it, or an adjustment."""
    last = rules.month_days(month)[-1]
    ids = set(
        Enrolment.objects.filter(
            station=station,
            status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.LEFT],
            start_date__lte=last,
        ).values_list("child_id", flat=True)
    )
    ids |= set(
        Booking.objects.confirmed()
        .filter(session__station=station, session__date__gte=month, session__date__lte=last)
        .exclude(session__kind=SessionKind.FULL_DAY)
        .values_list("child_id", flat=True)
    )
    ids |= set(
        Adjustment.objects.pending().filter(station=station).values_list("child_id", flat=True)
    )
    return list(Child.objects.filter(pk__in=ids).order_by("pk"))


def statement_issue(
    *, station: Station, child: Child, month: datetime.date, price_list: PriceList
) -> Statement | None:
    """Issue the month's statement for `child` at `station`, once: a second call (a retried
    task, two workers) finds it issued and returns None. Nothing is issued for a month
    without a charge, a subsidy or an adjustment."""
    with transaction.atomic():
        worked = statement_lines(station=station, child=child, month=month, price_list=price_list)
        if not worked.lines:
            return None
        try:
            # The unique constraint on (station, child, month) decides between two runs: the
            # second waits for the first's commit and then fails here, changing nothing.
            with transaction.atomic():
                statement = Statement.objects.create(
                    station=station,
                    child=child,
                    month=month,
                    price_list=price_list,
                    monthly_price=price_list.monthly_price,
                    inclusive_ceiling=price_list.inclusive_ceiling,
                    billable_days=worked.billable_days,
                    enrolled_days=worked.enrolled_days,
                    subsidy_total=worked.subsidy_total,
                    total=worked.total,
                    due_on=rules.due_on(month),
                )
        except IntegrityError:
            return None
        StatementLine.objects.bulk_create(
            StatementLine(
                statement=statement,
                position=position,
                kind=line.kind,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                detail=line.detail,
            )
            for position, line in enumerate(worked.lines, start=1)
        )
        Adjustment.objects.filter(pk__in=[a.pk for a in worked.adjustments]).update(
            statement=statement
        )
        for guardian in child.guardians.filter(user__isnull=False).select_related("user"):
            notification_create(
                recipient=guardian.user,
                text=_("%(child)s's statement for %(month)s from %(station)s: %(total)s yuan."),
                params={
                    "child": child.name,
                    "month": f"{month:%Y-%m}",
                    "station": station.name,
                    "total": statement.total,
                },
                link=statement.get_absolute_url(),
            )
    return statement


def statements_issue_for_month(
    *, month: datetime.date, station: Station | None = None
) -> list[Statement]:
    """Issue every statement of `month` (a month that has ended) for `station`, or for every
    station with a price list. Safe to run again: what is issued stays as it is."""
    month = month_start(month)
    if month >= current_month():
        raise ValidationError(_("Statements are issued once a month has ended."))
    stations = Station.objects.filter(price_lists__valid_from__lte=month).distinct()
    if station is not None:
        stations = stations.filter(pk=station.pk)
    issued = []
    for each in stations.order_by("pk"):
        price_list = PriceList.objects.in_force(each.pk, month)
        for child in _children_to_bill(each, month):
            statement = statement_issue(
                station=each, child=child, month=month, price_list=price_list
            )
            if statement is not None:
                issued.append(statement)
    return issued


# --- payments ----------------------------------------------------------------------------------


def payment_record(
    *,
    statement: Statement,
    amount: Decimal,
    method: str,
    paid_on: datetime.date,
    reference: str = "",
    by: User,
) -> Payment:
    """Record money a family paid against `statement`. Refused above what is still owed."""
    if amount <= 0:
        raise ValidationError({"amount": _("Enter the amount paid, more than zero.")})
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Choose how the family paid.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("A payment cannot be dated in the future.")})
    if method != PaymentMethod.CASH and not reference.strip():
        raise ValidationError(
            {"reference": _("Give the transfer's or the payment's reference number.")}
        )
    with transaction.atomic():
        # Two staff recording the same payment at once: the statement's row lock makes the
        # second see the first's payment in the balance below.
        locked = Statement.objects.select_for_update().get(pk=statement.pk)
        owed = Statement.objects.with_paid().get(pk=locked.pk).balance
        if amount > owed:
            raise ValidationError(
                {
                    "amount": _("Only %(owed)s yuan is still owed on this statement.")
                    % {"owed": owed}
                }
            )
        return Payment.objects.create(
            statement=locked,
            amount=rules.round_fen(amount),
            method=method,
            reference=reference.strip(),
            paid_on=paid_on,
            recorded_by=by,
        )


def statements_remind_overdue() -> int:
    """Remind the guardians of every statement past its due day with money still owed, once
    per statement: each row is claimed by a conditional UPDATE, so a second run (or a second
    worker) reminds nobody again."""
    reminded = 0
    overdue = (
        Statement.objects.with_paid()
        .filter(due_on__lt=timezone.localdate(), reminded_at__isnull=True, balance__gt=0)
        .select_related("child", "station")
    )
    for statement in overdue:
        with transaction.atomic():
            claimed = Statement.objects.filter(pk=statement.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            )
            if not claimed:
                continue
            for guardian in statement.child.guardians.filter(user__isnull=False).select_related(
                "user"
            ):
                notification_create(
                    recipient=guardian.user,
                    text=_(
                        "%(child)s's statement for %(month)s from %(station)s was due on "
                        "%(due)s: %(balance)s yuan is still owed."
                    ),
                    params={
                        "child": statement.child.name,
                        "month": f"{statement.month:%Y-%m}",
                        "station": statement.station.name,
                        "due": statement.due_on,
                        "balance": statement.balance,
                    },
                    link=statement.get_absolute_url(),
                )
            reminded += 1
    return reminded
