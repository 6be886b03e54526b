"""Reads for elderly care beyond one `visible_to`: the pages' rows, each in a fixed number of
queries whatever the data size (asserted in the tests)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from eldercare import rules
from eldercare.models import (
    AbilityAssessment,
    Alert,
    AlertStatus,
    BookingStatus,
    CareFacility,
    CarePlan,
    DayCareAttendance,
    DayCareNotice,
    Elder,
    ElderThreshold,
    FamilyContact,
    HealthReading,
    Meal,
    MealBooking,
    ReadingImport,
    RiskAssessment,
    RoundRecord,
    ShiftHandover,
)
from portal.accounts.models import Role, User
from portal.history.selectors import history_of

# --- facilities -----------------------------------------------------------------------------


def facilities_overview(user: User) -> QuerySet[CareFacility]:
    """The facilities a user runs, each with its active elders and open alerts counted."""
    return (
        CareFacility.objects.editable_by(user)
        .select_related("community__region")
        .annotate(
            elder_count=Count("elders", filter=Q(elders__status="active"), distinct=True),
            open_alerts=Count(
                "elders__alerts", filter=~Q(elders__alerts__status="closed"), distinct=True
            ),
        )
    )


def facility_elders(facility: CareFacility) -> QuerySet[Elder]:
    return Elder.objects.filter(facility=facility).with_person().order_by("status", "name")


def facility_active_elders(facility: CareFacility) -> QuerySet[Elder]:
    return Elder.objects.filter(facility=facility, status=Elder.Status.ACTIVE).with_person()


def facility_staff(facility: CareFacility) -> QuerySet[User]:
    """The accounts with the facility-staff role at `facility`."""
    return User.objects.filter(
        role_assignments__facility=facility, role_assignments__role=Role.FACILITY_STAFF
    ).order_by("name")


def facility_day(facility: CareFacility, day: datetime.date) -> dict[str, Any]:
    """The day at a facility: who is expected, who is in, meals and open alerts.

    An elder is expected as `expected_q` says (a notice decides, else the weekly plan); it is
    worked out here from the prefetched rows so the page costs the same whatever its size."""
    elders = list(
        Elder.objects.filter(facility=facility, status=Elder.Status.ACTIVE)
        .select_related("resident")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=DayCareAttendance.objects.filter(date=day),
                to_attr="day_attendance",
            ),
            Prefetch(
                "daycare_notices",
                queryset=DayCareNotice.objects.filter(date=day),
                to_attr="day_notice",
            ),
        )
        .order_by("name", "pk")
    )
    weekday = str(day.weekday())
    rows = [
        {
            "elder": e,
            "attendance": e.day_attendance[0] if e.day_attendance else None,
            "notice": e.day_notice[0] if e.day_notice else None,
            "expected": e.day_notice[0].coming if e.day_notice else weekday in e.day_care_weekdays,
        }
        for e in elders
    ]
    rows.sort(key=lambda r: (not r["expected"] and not r["attendance"], r["elder"].display_name))
    meals = list(Meal.objects.filter(facility=facility, date=day))
    alerts = list(
        Alert.objects.filter(elder__facility=facility)
        .exclude(status=AlertStatus.CLOSED)
        .select_related("elder__resident")[:50]
    )
    present = sum(1 for r in rows if r["attendance"])
    return {"rows": rows, "present": present, "meals": meals, "alerts": alerts}


def facility_records(facility: CareFacility, user: User) -> dict[str, Any]:
    """The latest shift hand-overs and rounds of a facility."""
    return {
        "handovers": ShiftHandover.objects.visible_to(user)
        .filter(facility=facility)
        .select_related("handed_over_by")[:20],
        "rounds": RoundRecord.objects.visible_to(user)
        .filter(facility=facility)
        .select_related("by")[:30],
    }


def reading_imports(facility: CareFacility) -> QuerySet[ReadingImport]:
    return ReadingImport.objects.filter(facility=facility).select_related("uploaded_by")[:10]


def attendances_run_by(user: User) -> QuerySet[DayCareAttendance]:
    """Attendance rows at the facilities a user runs."""
    return DayCareAttendance.objects.filter(
        facility__in=CareFacility.objects.editable_by(user)
    ).select_related("elder__resident")


# --- elders ---------------------------------------------------------------------------------


def elder_page(elder: Elder) -> dict[str, Any]:
    """What the staff's page of one elder shows."""
    return {
        "assessments": AbilityAssessment.objects.filter(elder=elder)[:10],
        "risk_assessment": RiskAssessment.objects.filter(elder=elder).first(),
        "care_plan": CarePlan.objects.filter(elder=elder, is_current=True).first(),
        "contacts": FamilyContact.objects.filter(elder=elder).select_related("user"),
        "readings": HealthReading.objects.filter(elder=elder)[:20],
        "alerts": Alert.objects.filter(elder=elder)[:20],
        "events": elder.risk_events.all()[:10],
        "thresholds": elder.thresholds.all(),
        "defaults": rules.DEFAULT_THRESHOLDS,
        "attendance": DayCareAttendance.objects.filter(elder=elder)[:14],
        "history": history_of(
            [
                elder,
                *AbilityAssessment.objects.filter(elder=elder).only("pk"),
                *RiskAssessment.objects.filter(elder=elder).only("pk"),
            ]
        ),
    }


def thresholds_for(elder_ids: Iterable[int]) -> dict[int, dict[str, tuple]]:
    """Each elder's alert ranges: the defaults of rules.py with their own rows on top.
    One query whatever the number of elders."""
    result: dict[int, dict[str, tuple]] = {pk: dict(rules.DEFAULT_THRESHOLDS) for pk in elder_ids}
    for row in ElderThreshold.objects.filter(elder_id__in=list(result)):
        result[row.elder_id][row.measure] = (row.low, row.high)
    return result


# --- families -------------------------------------------------------------------------------


def family_contacts(user: User) -> QuerySet[FamilyContact]:
    """A family member's contact rows, one per elder they are a contact of."""
    return (
        FamilyContact.objects.filter(user=user)
        .select_related("elder__resident", "elder__facility")
        .order_by("elder__name")
    )


def family_notices(user: User) -> QuerySet[DayCareNotice]:
    """Day-care notices about the elders a user is a family contact of."""
    return DayCareNotice.objects.filter(elder__family_contacts__user=user).distinct()


def family_bookings(user: User) -> QuerySet[MealBooking]:
    """Meal bookings of the elders a user is a family contact of and may book for."""
    return MealBooking.objects.select_related("meal").filter(
        elder__family_contacts__user=user, elder__family_contacts__can_book=True
    )


def facility_meals(facility_id: int | None) -> QuerySet[Meal]:
    return Meal.objects.filter(facility_id=facility_id)


def family_elder_page(contact: FamilyContact, today: datetime.date) -> dict[str, Any]:
    """A family member's page for one elder: a fixed number of queries, whatever the data."""
    elder = contact.elder
    page: dict[str, Any] = {
        "attendance": list(
            DayCareAttendance.objects.filter(
                elder=elder, date__gte=today - datetime.timedelta(days=13)
            ).select_related("facility")
        ),
        "bookings": list(
            MealBooking.objects.filter(
                elder=elder, meal__date__gte=today - datetime.timedelta(days=7)
            )
            .exclude(status=BookingStatus.CANCELLED)
            .select_related("meal")
            .order_by("meal__date", "meal__kind")
        ),
        "meals": Meal.objects.filter(facility_id=elder.facility_id, date__gte=today).order_by(
            "date", "kind"
        )[:21],
        "notices": list(DayCareNotice.objects.filter(elder=elder, date__gte=today)),
    }
    if contact.can_see_health:
        page["readings"] = list(HealthReading.objects.filter(elder=elder)[:30])
        page["alerts"] = list(Alert.objects.filter(elder=elder)[:20])
        page["assessment"] = AbilityAssessment.objects.filter(elder=elder).first()
    return page


# --- meals ----------------------------------------------------------------------------------


def meals_from(facility: CareFacility, day: datetime.date) -> QuerySet[Meal]:
    """The menu from `day` on (the list page starts the day before today)."""
    return Meal.objects.filter(facility=facility, date__gte=day)[:42]


def meals_run_by(user: User) -> QuerySet[Meal]:
    """Meals at the facilities a user runs."""
    return Meal.objects.filter(facility__in=CareFacility.objects.editable_by(user)).select_related(
        "facility"
    )


def meal_bookings_run_by(user: User) -> QuerySet[MealBooking]:
    """Meal bookings at the facilities a user runs."""
    return MealBooking.objects.filter(meal__facility__in=CareFacility.objects.editable_by(user))


def meal_active_bookings(meal: Meal) -> QuerySet[MealBooking]:
    return meal.bookings.exclude(status=BookingStatus.CANCELLED).select_related("elder__resident")


def kitchen_list(facility: CareFacility, day: datetime.date) -> QuerySet[Meal]:
    """The kitchen's list for a day: each meal with its bookings and their diners."""
    return Meal.objects.filter(facility=facility, date=day).prefetch_related(
        Prefetch(
            "bookings",
            queryset=MealBooking.objects.exclude(status=BookingStatus.CANCELLED)
            .select_related("elder__resident")
            .order_by("elder__name"),
            to_attr="active_bookings",
        )
    )


# --- alerts ---------------------------------------------------------------------------------


def alerts_managed_by(user: User) -> QuerySet[Alert]:
    """Alerts about the elders whose records a user may change."""
    return Alert.objects.filter(elder__in=Elder.objects.managed_by(user))


def alert_list(user: User, *, show_closed: bool) -> QuerySet[Alert]:
    alerts = alerts_managed_by(user).select_related("elder__resident", "elder__facility")
    if not show_closed:
        alerts = alerts.exclude(status=AlertStatus.CLOSED)
    return alerts[:200]


# --- devices and alarms ---------------------------------------------------------------------


def alarms_unclosed(user: User) -> QuerySet:
    """The alarm board: unclosed alarms of the elders a user answers for, oldest first."""
    from eldercare.models import Alarm, AlarmStatus

    return (
        Alarm.objects.handled_by(user)
        .exclude(status=AlarmStatus.CLOSED)
        .select_related("elder__resident", "elder__facility")
        .order_by("opened_at", "pk")
    )


def smart_care_counts(user: User | None, *, elders: QuerySet | None = None) -> dict:
    """Elders under smart management, devices online and silent, alarms opened this month
    and the median minutes to acknowledge them. `elders` (for officials: a region's) or
    the elders `user` manages."""
    import statistics

    from django.utils import timezone

    from eldercare.models import Alarm, Device

    if elders is None:
        elders = Elder.objects.managed_by(user)
    now = timezone.now()
    devices = Device.objects.filter(elder__in=elders, active=True)
    silent = devices.silent(now).count()
    total = devices.count()
    today = timezone.localdate()
    month_start = timezone.make_aware(datetime.datetime(today.year, today.month, 1))
    alarms = Alarm.objects.filter(elder__in=elders, opened_at__gte=month_start)
    waits = [
        (ack - opened).total_seconds() / 60
        for opened, ack in alarms.filter(acknowledged_at__isnull=False).values_list(
            "opened_at", "acknowledged_at"
        )
    ]
    return {
        "elders": elders.filter(devices__active=True).distinct().count(),
        "devices": total,
        "online": total - silent,
        "silent": silent,
        "alarms": alarms.count(),
        "median_ack_minutes": round(statistics.median(waits), 1) if waits else None,
    }
