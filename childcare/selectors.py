"""Reads that span many rows, each in a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from childcare import rules
from childcare.models import (
    Absence,
    Attendance,
    Booking,
    CareClass,
    Child,
    Enrolment,
    GrowthRecord,
    HealthCheck,
    MealRecord,
    NapRecord,
    PhotoConsent,
    ProgressNote,
    Session,
    Station,
    TimetableSlot,
)

HISTORY_DAYS = 30


@dataclass
class DayRow:
    """One child's day, as shown on the station's day page and the parent's child page."""

    date: datetime.date
    child: Child | None = None
    attendance: Attendance | None = None
    checks: dict[str, HealthCheck] = field(default_factory=dict)
    meals: list[MealRecord] = field(default_factory=list)
    naps: list[NapRecord] = field(default_factory=list)
    absence: Absence | None = None

    @property
    def outdoor_short(self) -> bool:
        return self.attendance is not None and (
            self.attendance.outdoor_minutes < rules.OUTDOOR_MINUTES_PER_DAY
        )

    @property
    def morning(self) -> HealthCheck | None:
        return self.checks.get("morning")

    @property
    def midday(self) -> HealthCheck | None:
        return self.checks.get("midday")


@dataclass
class ClassDay:
    care_class: CareClass | None
    rows: list[DayRow]

    @property
    def present(self) -> int:
        """Children who attended that day (the ratio is judged on the day's attendance)."""
        return sum(1 for r in self.rows if r.attendance is not None)

    @property
    def ratio_broken(self) -> bool:
        return self.care_class is not None and self.care_class.ratio_broken(self.present)

    @property
    def expected(self) -> int:
        """Children expected that day: those not reported away by their parents."""
        return sum(1 for r in self.rows if r.absence is None)

    @property
    def expected_ratio_broken(self) -> bool:
        """The carers on duty are too few for the children still expected (art. 20)."""
        return self.care_class is not None and self.care_class.ratio_broken(self.expected)


def station_day(station: Station, day: datetime.date) -> list[ClassDay]:
    """The station's day, class by class: 8 queries whatever the number of children."""
    classes = list(station.classes.all())
    enrolments = (
        Enrolment.objects.filter(station=station, status="enrolled")
        .select_related("child__resident")
        .order_by("child__resident__name", "pk")
    )
    children: dict[int, tuple[int | None, Child]] = {
        e.child_id: (e.care_class_id, e.child) for e in enrolments
    }
    # Drop-in children booked for a session that day are looked after too.
    drop_ins = (
        Booking.objects.filter(session__station=station, session__date=day, status="confirmed")
        .exclude(child_id__in=list(children))
        .select_related("child__resident")
    )
    for booking in drop_ins:
        children.setdefault(booking.child_id, (None, booking.child))
    ids = list(children)
    rows = {cid: DayRow(date=day, child=child) for cid, (_cls, child) in children.items()}
    for att in Attendance.objects.filter(child_id__in=ids, date=day).select_related(
        "brought_by", "collected_by"
    ):
        rows[att.child_id].attendance = att
    for check in HealthCheck.objects.filter(child_id__in=ids, date=day):
        rows[check.child_id].checks[check.period] = check
    for meal in MealRecord.objects.filter(child_id__in=ids, date=day):
        rows[meal.child_id].meals.append(meal)
    for nap in NapRecord.objects.filter(child_id__in=ids, date=day):
        rows[nap.child_id].naps.append(nap)
    for absence in Absence.objects.filter(child_id__in=ids, station=station).on(day):
        rows[absence.child_id].absence = absence
    by_class: dict[int | None, list[DayRow]] = defaultdict(list)
    for cid, (class_id, _child) in children.items():
        by_class[class_id].append(rows[cid])
    result = [ClassDay(care_class=c, rows=by_class.get(c.pk, [])) for c in classes]
    if by_class.get(None):
        result.append(ClassDay(care_class=None, rows=by_class[None]))
    return result


def child_day(child: Child, day: datetime.date) -> DayRow:
    """One child's day (the live part of the parent's page): 4 queries."""
    row = DayRow(date=day, child=child)
    row.attendance = (
        Attendance.objects.filter(child=child, date=day)
        .select_related("brought_by", "collected_by")
        .first()
    )
    row.checks = {c.period: c for c in HealthCheck.objects.filter(child=child, date=day)}
    row.meals = list(MealRecord.objects.filter(child=child, date=day))
    row.naps = list(NapRecord.objects.filter(child=child, date=day))
    return row


@dataclass
class ChildPage:
    child: Child
    today: DayRow
    history: list[DayRow]
    guardians: list
    enrolment: Enrolment | None
    bookings: list[Booking]
    growth: list[GrowthRecord]
    notes: list[ProgressNote]
    timetable: list[TimetableSlot]


def child_page(child: Child, today: datetime.date | None = None) -> ChildPage:
    """Everything on the parent's page for one child: 10 queries whatever the history."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=HISTORY_DAYS)
    days: dict[datetime.date, DayRow] = {}

    def row(day: datetime.date) -> DayRow:
        return days.setdefault(day, DayRow(date=day, child=child))

    row(today)
    for att in Attendance.objects.filter(child=child, date__gte=since).select_related(
        "brought_by", "collected_by"
    ):
        row(att.date).attendance = att
    for check in HealthCheck.objects.filter(child=child, date__gte=since):
        row(check.date).checks[check.period] = check
    for meal in MealRecord.objects.filter(child=child, date__gte=since):
        row(meal.date).meals.append(meal)
    for nap in NapRecord.objects.filter(child=child, date__gte=since):
        row(nap.date).naps.append(nap)
    enrolment = (
        Enrolment.objects.filter(child=child)
        .select_related("station", "care_class")
        .order_by("-created", "-pk")
        .first()
    )
    timetable: list[TimetableSlot] = []
    if enrolment and enrolment.care_class_id and enrolment.status == "enrolled":
        timetable = list(
            TimetableSlot.objects.filter(care_class_id=enrolment.care_class_id).select_related(
                "strand"
            )
        )
    bookings = list(
        Booking.objects.filter(child=child, session__date__gte=since)
        .with_waitlist_position()
        .select_related("session__station")
        .order_by("-session__date", "-session__starts_at")
    )
    history = [days[d] for d in sorted(days, reverse=True) if d != today]
    return ChildPage(
        child=child,
        today=days[today],
        history=history,
        guardians=list(
            child.guardians.annotate(
                photos_withdrawn=Exists(
                    PhotoConsent.objects.filter(guardian=OuterRef("pk"), granted=False)
                )
            )
        ),
        enrolment=enrolment,
        bookings=bookings,
        growth=list(GrowthRecord.objects.filter(child=child)),
        notes=list(ProgressNote.objects.filter(child=child)[:50]),
        timetable=timetable,
    )


def stations_with_free_sessions(stations: QuerySet[Station]) -> QuerySet[Station]:
    """Stations for the finder, each with its upcoming sessions (two queries in all)."""
    return stations.select_related("community__region", "network_lead").prefetch_related(
        Prefetch(
            "sessions",
            queryset=Session.objects.upcoming().order_by("date", "starts_at"),
            to_attr="upcoming_sessions",
        )
    )


# --- session rosters -------------------------------------------------------------------------


@dataclass
class RosterEntry:
    booking: Booking
    collectors: list = field(default_factory=list)  # Guardian rows who may collect


@dataclass
class Roster:
    """Who is booked for a session, with who may collect each child and their allergies,
    and the waiting list in order."""

    session: Session
    booked: list[RosterEntry] = field(default_factory=list)
    waiting: list[RosterEntry] = field(default_factory=list)


def session_rosters(sessions: list[Session]) -> list[Roster]:
    """A roster per session, in the sessions' order: 2 queries whatever the number of
    sessions, bookings and guardians."""
    from childcare.models import Guardian

    rosters = {s.pk: Roster(session=s) for s in sessions}
    if not rosters:
        return []
    bookings = list(
        Booking.objects.active()
        .filter(session__in=list(rosters))
        .select_related("child__resident")
        .order_by("created", "pk")
    )
    collectors = defaultdict(list)
    for guardian in Guardian.objects.filter(
        child__in={b.child_id for b in bookings}, may_collect=True
    ).order_by("pk"):
        collectors[guardian.child_id].append(guardian)
    for booking in bookings:
        entry = RosterEntry(booking=booking, collectors=collectors[booking.child_id])
        roster = rosters[booking.session_id]
        if booking.status == Booking.Status.CONFIRMED:
            roster.booked.append(entry)
        else:
            roster.waiting.append(entry)
    return list(rosters.values())
