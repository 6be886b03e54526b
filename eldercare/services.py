"""Writes for elderly care. Each service is atomic and takes who acts as `by`.

Callers pass objects they fetched through `visible_to`/`managed_by`; the services check the
business rules (capacity, one check-in a day, scores in range) and raise `ServiceError` with
a translated message the view shows as a form error.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from eldercare import rules
from eldercare.models import (
    AbilityAssessment,
    Alert,
    AlertKind,
    AlertStatus,
    BookingStatus,
    CareFacility,
    CarePlan,
    CareRiskEvent,
    DayCareAttendance,
    DayCareNotice,
    DayCarePlaces,
    Elder,
    ElderThreshold,
    FamilyContact,
    HealthReading,
    Meal,
    MealBooking,
    ReadingImport,
    ReadingKind,
    ReadingSource,
    RiskAssessment,
    RoundRecord,
    ShiftHandover,
    expected_q,
    regular_q,
)
from portal.accounts.models import Role, RoleAssignment, User
from portal.notifications.models import Notification
from portal.notifications.services import notification_create, notification_create_many


class ServiceError(Exception):
    """A business rule refused the write; `message` is translated and safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- who is told ----------------------------------------------------------------------------


def facility_staff_users(facility_id: int | None) -> list[User]:
    if facility_id is None:
        return []
    return list(
        User.objects.filter(
            role_assignments__role=Role.FACILITY_STAFF,
            role_assignments__facility_id=facility_id,
            is_active=True,
        ).distinct()
    )


def family_users_to_notify(elder: Elder) -> list[User]:
    return [
        c.user
        for c in FamilyContact.objects.filter(
            elder=elder, user__isnull=False, notify_alerts=True, can_see_health=True
        ).select_related("user")
    ]


# --- elders ---------------------------------------------------------------------------------


# Two people saving the same record at the same moment: the form's uniqueness check passed
# for both, the database constraint stops the second. It gets this message, not an error page.
SAVED_TWICE = _(
    "Someone else saved the same record at the same moment. Please check and try again."
)


def elder_save(*, elder: Elder, by: User) -> Elder:
    """Create or update an elder; the form has already cleaned the fields."""
    try:
        with transaction.atomic():
            elder.full_clean()
            elder.save()
    except IntegrityError as exc:
        raise ServiceError(SAVED_TWICE) from exc
    return elder


def family_contact_add(
    *,
    elder: Elder,
    name: str,
    relation: str,
    phone: str = "",
    user: User | None = None,
    can_see_health: bool = True,
    can_see_medical: bool = False,
    can_book: bool = True,
    notify_alerts: bool = True,
    by: User,
) -> FamilyContact:
    try:
        with transaction.atomic():
            if user is not None:
                if FamilyContact.objects.filter(elder=elder, user=user).exists():
                    raise ServiceError(_("This account is already a contact of this elder."))
                RoleAssignment.objects.get_or_create(user=user, role=Role.ELDER_FAMILY)
            return FamilyContact.objects.create(
                elder=elder,
                user=user,
                name=name,
                relation=relation,
                phone=phone,
                can_see_health=can_see_health,
                can_see_medical=can_see_medical,
                can_book=can_book,
                notify_alerts=notify_alerts,
            )
    except IntegrityError as exc:
        raise ServiceError(SAVED_TWICE) from exc


def risk_event_record(
    *, elder: Elder, kind: str, occurred_on: datetime.date, note: str = "", by: User
) -> CareRiskEvent:
    with transaction.atomic():
        return CareRiskEvent.objects.create(
            elder=elder, kind=kind, occurred_on=occurred_on, note=note, recorded_by=by
        )


# --- assessments ----------------------------------------------------------------------------


def assessment_create(
    *,
    elder: Elder,
    assessed_on: datetime.date,
    scores: dict[str, int],
    notes: str = "",
    by: User,
) -> AbilityAssessment:
    """Score an ability assessment (GB/T 42195-2022) and refresh the care plan."""
    bad = rules.validate_scores(scores)
    if bad:
        raise ServiceError(
            _("Some scores are missing or out of range: %(items)s")
            % {"items": ", ".join(str(rules.ITEMS[c].label) for c in bad)}
        )
    domains = rules.domain_scores(scores)
    total = sum(domains.values())
    window_start = assessed_on - datetime.timedelta(days=rules.RAISE_EVENT_WINDOW_DAYS)
    events = CareRiskEvent.objects.filter(
        elder=elder,
        kind__in=rules.RAISE_EVENT_KINDS,
        occurred_on__gt=window_start,
        occurred_on__lte=assessed_on,
    ).count()
    diagnosis = elder.has_dementia_or_psychiatric_diagnosis
    base = rules.level_for_total(total)
    level = rules.final_level(
        total=total, has_dementia_or_psychiatric=diagnosis, risk_events_30d=events
    )
    reason = ""
    if level > base:
        reason = str(
            _("Diagnosis of dementia or psychiatric illness")
            if diagnosis
            else _("%(n)d care-risk events in 30 days") % {"n": events}
        )
    with transaction.atomic():
        assessment = AbilityAssessment.objects.create(
            elder=elder,
            assessed_on=assessed_on,
            assessor=by,
            scores={code: scores[code] for code in rules.ITEMS},
            self_care=domains["self_care"],
            motor=domains["motor"],
            mental=domains["mental"],
            perception=domains["perception"],
            total=total,
            base_level=base,
            level=level,
            raise_reason=reason,
            next_due=rules.next_due(assessed_on, level),
            notes=notes,
        )
        care_plan_refresh(elder=elder, by=by)
    return assessment


def risk_assessment_create(
    *, elder: Elder, assessed_on: datetime.date, risks: Iterable[str], notes: str = "", by: User
) -> RiskAssessment:
    """Record the admission risk assessment (GB 38600-2019) and refresh the care plan."""
    risks = set(risks)
    unknown = risks - set(rules.RISK_CODES)
    if unknown:
        raise ServiceError(_("Unknown risk: %(codes)s") % {"codes": ", ".join(sorted(unknown))})
    with transaction.atomic():
        assessment = RiskAssessment.objects.create(
            elder=elder,
            assessed_on=assessed_on,
            assessor=by,
            notes=notes,
            **{f"risk_{code}": code in risks for code in rules.RISK_CODES},
        )
        care_plan_refresh(elder=elder, by=by)
    return assessment


def care_plan_refresh(*, elder: Elder, by: User) -> CarePlan:
    """Replace the current care plan with one that follows from the latest level and risks."""
    with transaction.atomic():
        latest = (
            AbilityAssessment.objects.filter(elder=elder).order_by("-assessed_on", "-pk").first()
        )
        risk = RiskAssessment.objects.filter(elder=elder).order_by("-assessed_on", "-pk").first()
        level = latest.level if latest else 0
        risks = risk.risk_codes() if risk else []
        interval, measures = rules.care_plan_for(level, risks)
        CarePlan.objects.filter(elder=elder, is_current=True).update(is_current=False)
        return CarePlan.objects.create(
            elder=elder,
            level=latest.level if latest else None,
            risks=risks,
            round_interval_hours=interval,
            measures=measures,
            created_by=by,
        )


def reassessment_reminders_send(*, today: datetime.date) -> int:
    """Remind facility staff of assessments falling due; each assessment is reminded once.

    Only the latest assessment of an elder counts. The row is claimed with a conditional
    UPDATE (reminder_sent_at IS NULL), so two runs of the job never remind twice.
    """
    horizon = today + datetime.timedelta(days=rules.REASSESSMENT_REMINDER_DAYS)
    later = AbilityAssessment.objects.filter(
        elder_id=OuterRef("elder_id"), assessed_on__gt=OuterRef("assessed_on")
    )
    candidates = (
        AbilityAssessment.objects.filter(
            next_due__lte=horizon,
            reminder_sent_at__isnull=True,
            elder__status=Elder.Status.ACTIVE,
        )
        .exclude(Exists(later))
        .select_related("elder__resident")
    )
    sent = 0
    for assessment in candidates:
        with transaction.atomic():
            claimed = AbilityAssessment.objects.filter(
                pk=assessment.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=timezone.now())
            if not claimed:
                continue
            elder = assessment.elder
            notification_create_many(
                recipients=facility_staff_users(elder.facility_id),
                text=_("%(name)s is due for a new ability assessment on %(date)s."),
                params={"name": elder.display_name, "date": assessment.next_due.isoformat()},
                kind=Notification.Kind.REMINDER,
                link=reverse("eldercare:elder_detail", args=[elder.pk]),
            )
            sent += 1
    return sent


# --- day care -------------------------------------------------------------------------------


def attendance_check_in(
    *, elder: Elder, facility: CareFacility, by: User, at: datetime.datetime | None = None
) -> DayCareAttendance:
    """Check an elder in for today; refused when already in or the day's places are taken."""
    at = at or timezone.now()
    day = timezone.localdate(at)
    if facility.day_places <= 0:
        raise ServiceError(_("This facility has no day-care places."))
    with transaction.atomic():
        # The lock on the facility row serialises check-ins of one facility: without it two
        # staff checking in the last two elders at once would both see a free place.
        locked = CareFacility.objects.select_for_update().get(pk=facility.pk)
        if DayCareAttendance.objects.filter(elder=elder, date=day).exists():
            raise ServiceError(_("%(name)s is already checked in today.") % {"name": elder})
        taken = DayCareAttendance.objects.filter(facility=locked, date=day).count()
        if taken >= locked.day_places:
            raise ServiceError(_("All day-care places are taken today."))
        try:
            with transaction.atomic():
                attendance = DayCareAttendance.objects.create(
                    elder=elder,
                    facility=locked,
                    date=day,
                    seat_no=taken + 1,
                    places=locked.day_places,
                    checked_in_at=at,
                    checked_in_by=by,
                )
        except IntegrityError as exc:
            raise ServiceError(
                _("%(name)s is already checked in today.") % {"name": elder}
            ) from exc
        # A missed check-in alert of the morning is settled by the arrival.
        Alert.objects.filter(
            elder=elder, date=day, kind=AlertKind.MISSED_CHECKIN, status=AlertStatus.OPEN
        ).update(status=AlertStatus.ACKNOWLEDGED, acknowledged_at=at, acknowledged_by=by)
        for contact in FamilyContact.objects.filter(
            elder=elder, user__isnull=False, notify_alerts=True
        ).select_related("user"):
            notification_create(
                recipient=contact.user,
                text=_("%(name)s checked in at %(place)s at %(time)s."),
                params={
                    "name": elder.display_name,
                    "place": locked.name,
                    "time": timezone.localtime(at).strftime("%H:%M"),
                },
                kind=Notification.Kind.ATTENDANCE,
                link=reverse("eldercare:family_elder", args=[elder.pk]),
            )
    return attendance


def attendance_check_out(
    *, attendance: DayCareAttendance, by: User, at: datetime.datetime | None = None
) -> DayCareAttendance:
    at = at or timezone.now()
    with transaction.atomic():
        updated = DayCareAttendance.objects.filter(
            pk=attendance.pk, checked_out_at__isnull=True
        ).update(checked_out_at=at, checked_out_by=by)
        if not updated:
            raise ServiceError(_("Already checked out."))
    attendance.refresh_from_db()
    return attendance


def missed_checkins_raise(*, now: datetime.datetime | None = None) -> int:
    """Alert staff and family for each elder expected today and not checked in by the
    facility's deadline. One alert per elder per day (a unique constraint backs it)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    today = timezone.localdate(now)
    elders = (
        Elder.objects.filter(
            expected_q(today),
            status=Elder.Status.ACTIVE,
            facility__kind=CareFacility.Kind.DAY_CARE,
            facility__status=CareFacility.Status.OPEN,
            facility__checkin_deadline__lte=local.time(),
        )
        .exclude(attendances__date=today)
        .exclude(alerts__kind=AlertKind.MISSED_CHECKIN, alerts__date=today)
        .select_related("resident", "facility")
    )
    raised = 0
    for elder in elders:
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    elder=elder,
                    kind=AlertKind.MISSED_CHECKIN,
                    date=today,
                    message=str(
                        _("%(name)s was expected at %(place)s but has not checked in.")
                        % {"name": elder.display_name, "place": elder.facility.name}
                    ),
                )
                _notify_alert(alert)
        except IntegrityError:
            # Another run of the job raised it first.
            continue
        raised += 1
    return raised


DAY_FULL = _("The centre is full that day. Please choose another day.")


def _places_locked(facility_id: int, day: datetime.date) -> DayCarePlaces:
    """The day's place counter of a centre, created if missing and locked for this transaction.

    ON CONFLICT DO NOTHING lets two first reservations of a day create the row at once; the
    FOR UPDATE that follows then serialises them."""
    DayCarePlaces.objects.bulk_create(
        [DayCarePlaces(facility_id=facility_id, date=day, capacity=0)], ignore_conflicts=True
    )
    return DayCarePlaces.objects.select_for_update().get(facility_id=facility_id, date=day)


def _place_free(notice: DayCareNotice) -> None:
    """Give back the place a "coming" notice holds (caller is inside a transaction)."""
    if notice.place_facility_id is None:
        return
    _places_locked(notice.place_facility_id, notice.date)
    DayCarePlaces.objects.filter(facility_id=notice.place_facility_id, date=notice.date).update(
        reserved=F("reserved") - 1
    )
    notice.place_facility = None


def daycare_notice_set(
    *, elder: Elder, date: datetime.date, coming: bool, by: User
) -> DayCareNotice:
    """Record that an elder will (or will not) come on a day; replaces an earlier notice.

    "Coming" holds a day place at the elder's centre (see `DayCarePlaces` for how places are
    counted); a full day is refused and changes nothing. "Not coming" frees a held place."""
    if date < timezone.localdate():
        raise ServiceError(_("Choose today or a later day."))
    if elder.facility_id is None or elder.facility.kind != CareFacility.Kind.DAY_CARE:
        raise ServiceError(_("This elder is not served by a day-care centre."))
    facility_id = elder.facility_id
    with transaction.atomic():
        # Lock the day's counter of the elder's centre before reading the earlier notice, so
        # two notices for the same elder and day (a double tap) see each other's result.
        places = _places_locked(facility_id, date)
        notice = DayCareNotice.objects.select_for_update().filter(elder=elder, date=date).first()
        held_here = notice is not None and notice.place_facility_id == facility_id
        if notice is None:
            notice = DayCareNotice(elder=elder, date=date)
        if coming and not held_here:
            # A regular of the day already has a place (counted by plan): the notice only
            # moves it from the plan count to `reserved`, so no free place is needed.
            is_regular = Elder.objects.filter(regular_q(date), pk=elder.pk).exists()
            capacity = CareFacility.objects.get(pk=facility_id).day_places
            if not is_regular:
                regulars = Elder.objects.filter(
                    regular_q(date), facility_id=facility_id, status=Elder.Status.ACTIVE
                ).count()
                if places.reserved + regulars >= capacity:
                    raise ServiceError(DAY_FULL)
            if notice.place_facility_id is not None:
                # The elder moved centre since the notice: give the old centre its place back.
                _place_free(notice)
            try:
                with transaction.atomic():
                    DayCarePlaces.objects.filter(pk=places.pk).update(
                        reserved=F("reserved") + 1, capacity=capacity
                    )
            except IntegrityError as exc:
                raise ServiceError(DAY_FULL) from exc
            notice.place_facility_id = facility_id
        elif not coming:
            _place_free(notice)
        notice.coming = coming
        notice.by = by
        try:
            with transaction.atomic():
                notice.save()
        except IntegrityError as exc:
            raise ServiceError(SAVED_TWICE) from exc
    return notice


def daycare_notice_delete(*, notice: DayCareNotice, by: User) -> None:
    """Withdraw a notice; the elder goes back to their weekly plan and a held place is freed."""
    if notice.date < timezone.localdate():
        raise ServiceError(_("Choose today or a later day."))
    with transaction.atomic():
        locked = DayCareNotice.objects.select_for_update().filter(pk=notice.pk).first()
        if locked is None:
            return
        _place_free(locked)
        locked.delete()


# --- meals ----------------------------------------------------------------------------------


def meal_save(*, meal: Meal, by: User) -> Meal:
    with transaction.atomic():
        if meal.pk:
            locked = Meal.objects.select_for_update().get(pk=meal.pk)
            if meal.capacity < locked.booked:
                raise ServiceError(
                    _("%(n)d portions are already booked; capacity cannot be lower.")
                    % {"n": locked.booked}
                )
            meal.booked = locked.booked
        try:
            with transaction.atomic():
                meal.save()
        except IntegrityError as exc:
            raise ServiceError(_("This meal is already on the menu for that day.")) from exc
    return meal


def meal_book(*, meal: Meal, elder: Elder, by: User) -> MealBooking:
    """Book one portion of a meal for an elder."""
    if meal.date < timezone.localdate():
        raise ServiceError(_("This meal is in the past."))
    with transaction.atomic():
        # The lock on the meal row closes the race of two bookings for the last portion; the
        # CheckConstraint booked <= capacity refuses the write if a caller skipped the lock.
        locked = Meal.objects.select_for_update().get(pk=meal.pk)
        if (
            MealBooking.objects.filter(meal=locked, elder=elder)
            .exclude(status=BookingStatus.CANCELLED)
            .exists()
        ):
            raise ServiceError(_("%(name)s already has this meal booked.") % {"name": elder})
        if locked.booked >= locked.capacity:
            raise ServiceError(_("This meal is fully booked."))
        try:
            with transaction.atomic():
                Meal.objects.filter(pk=locked.pk).update(booked=F("booked") + 1)
                booking = MealBooking.objects.create(meal=locked, elder=elder, booked_by=by)
        except IntegrityError as exc:
            raise ServiceError(_("This meal is fully booked.")) from exc
    return booking


def meal_booking_cancel(*, booking: MealBooking, by: User) -> MealBooking:
    with transaction.atomic():
        Meal.objects.select_for_update().get(pk=booking.meal_id)
        updated = MealBooking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
            status=BookingStatus.CANCELLED
        )
        if not updated:
            raise ServiceError(_("Only a booked meal can be cancelled."))
        Meal.objects.filter(pk=booking.meal_id).update(booked=F("booked") - 1)
    booking.refresh_from_db()
    return booking


def meal_booking_serve(*, booking: MealBooking, by: User) -> MealBooking:
    updated = MealBooking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
        status=BookingStatus.SERVED
    )
    if not updated:
        raise ServiceError(_("Only a booked meal can be served."))
    booking.refresh_from_db()
    return booking


# --- readings, thresholds and alerts --------------------------------------------------------


def thresholds_for(elder_ids: Iterable[int]) -> dict[int, dict[str, tuple]]:
    """Each elder's alert ranges: the defaults of rules.py with their own rows on top.
    One query whatever the number of elders."""
    result: dict[int, dict[str, tuple]] = {pk: dict(rules.DEFAULT_THRESHOLDS) for pk in elder_ids}
    for row in ElderThreshold.objects.filter(elder_id__in=list(result)):
        result[row.elder_id][row.measure] = (row.low, row.high)
    return result


_MEASURE = {
    "heart_rate": "heart_rate",
    "glucose": "glucose",
    "temperature": "temperature",
    "weight": "weight",
}


def reading_alert_message(
    kind: str, value: Decimal, value2: Decimal | None, limits: dict[str, tuple]
) -> str | None:
    """The alert text for a reading outside the elder's range, or None when in range."""
    if kind == ReadingKind.BLOOD_PRESSURE:
        bad = rules.out_of_range(value, *limits["bp_systolic"]) or (
            value2 is not None and rules.out_of_range(value2, *limits["bp_diastolic"])
        )
        if bad:
            return str(
                _("Blood pressure %(v)s/%(v2)s mmHg is out of range.")
                % {"v": f"{value:.0f}", "v2": f"{value2:.0f}"}
            )
        return None
    if rules.out_of_range(value, *limits[_MEASURE[kind]]):
        return str(
            _("%(kind)s %(value)s is out of range.")
            % {"kind": ReadingKind(kind).label, "value": value}
        )
    return None


def _notify_alert(alert: Alert) -> None:
    elder = alert.elder
    link_staff = reverse("eldercare:alert_detail", args=[alert.pk])
    notification_create_many(
        recipients=facility_staff_users(elder.facility_id),
        text=alert.message,
        kind=Notification.Kind.ALERT,
        link=link_staff,
    )
    notification_create_many(
        recipients=family_users_to_notify(elder),
        text=alert.message,
        kind=Notification.Kind.ALERT,
        link=reverse("eldercare:family_elder", args=[elder.pk]),
    )


def reading_record(
    *,
    elder: Elder,
    kind: str,
    value: Decimal,
    value2: Decimal | None = None,
    measured_at: datetime.datetime,
    by: User,
) -> HealthReading:
    """Store a reading a staff member took; raise an alert if it is out of range."""
    if kind not in ReadingKind.values:
        raise ServiceError(_("Unknown measurement."))
    if (kind == ReadingKind.BLOOD_PRESSURE) != (value2 is not None):
        raise ServiceError(_("Blood pressure needs both numbers; other readings only one."))
    low, high = rules.PLAUSIBLE["bp_systolic" if kind == "bp" else kind]
    if not low <= value <= high:
        raise ServiceError(_("This value cannot be right; please measure again."))
    with transaction.atomic():
        reading = HealthReading.objects.create(
            elder=elder,
            kind=kind,
            value=value,
            value2=value2,
            measured_at=measured_at,
            source=ReadingSource.STAFF,
            recorded_by=by,
        )
        message = reading_alert_message(kind, value, value2, thresholds_for([elder.pk])[elder.pk])
        if message:
            alert = Alert.objects.create(
                elder=elder,
                kind=AlertKind.READING,
                date=timezone.localdate(measured_at),
                message=f"{elder.display_name}: {message}",
                reading=reading,
            )
            _notify_alert(alert)
    return reading


@dataclass
class ImportResult:
    batch: ReadingImport
    rows: int
    alerts: int


class ImportRejected(ServiceError):
    """The file was refused; `line` is the 1-based line of the first problem (0: the file)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


CSV_COLUMNS = ["elder_id", "measured_at", "kind", "value", "value2"]
IMPORT_BATCH_SIZE = 2000


def _parse_decimal(text: str) -> Decimal:
    value = Decimal(text.strip())
    if not value.is_finite():
        raise InvalidOperation
    return value


_SINK_COLUMNS = ("elder_id", "measured_at", "kind", "value", "value2")


@contextmanager
def _reading_sink(*, batch_id: int, user_id: int) -> Iterator[Callable[[tuple], None]]:
    """Where imported rows go, written as they are read: one COPY stream on PostgreSQL (the
    ORM's bulk INSERT spends most of an import compiling SQL); batched bulk_create on other
    databases (the SQLite of a bare local run). Rows are tuples in _SINK_COLUMNS order."""
    extra = (ReadingSource.IMPORT.value, user_id, batch_id)
    if connection.vendor == "postgresql":
        table = HealthReading._meta.db_table
        columns = ", ".join((*_SINK_COLUMNS, "source", "recorded_by_id", "batch_id"))
        with connection.cursor() as cursor:
            # An exception inside the block aborts the COPY; the surrounding atomic block
            # then rolls back whatever was streamed.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608
                yield lambda row: copy.write_row(row + extra)
        return
    pending: list[HealthReading] = []

    def write(row: tuple) -> None:
        pending.append(
            HealthReading(
                **dict(zip(_SINK_COLUMNS, row, strict=True)),
                source=ReadingSource.IMPORT,
                recorded_by_id=user_id,
                batch_id=batch_id,
            )
        )
        if len(pending) >= IMPORT_BATCH_SIZE:
            HealthReading.objects.bulk_create(pending)
            pending.clear()

    yield write
    if pending:
        HealthReading.objects.bulk_create(pending)


def _decoded_lines(file: IO[bytes]) -> Iterator[str]:
    """The file's lines as text, decoded one by one so that a bad byte has a line number."""
    for number, raw in enumerate(file, start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                _("Line %(line)d: the file is not UTF-8 text.") % {"line": number}, number
            ) from exc


def readings_import(
    *, facility: CareFacility, file: IO[bytes], filename: str = "", by: User
) -> ImportResult:
    """Import readings a device exported as CSV, in one streaming pass.

    Columns: elder_id, measured_at (ISO 8601 with offset), kind (bp, heart_rate, glucose,
    temperature, weight), value, value2 (diastolic, blood pressure only). The elders of the
    file must be served by `facility`. Queries do not grow with the rows: one query for the
    facility's elders, one for their thresholds, then the rows stream into one COPY (a bulk
    INSERT per batch off PostgreSQL), validated as they pass. Any bad row rejects the whole
    file (the transaction rolls back) with the line number.
    """
    reader = csv.reader(_decoded_lines(file))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportRejected(_("Line 1: the CSV is malformed."), 1) from exc
    if header is None:
        raise ImportRejected(_("The file is empty."), 0)
    if [h.strip().lower() for h in header] != CSV_COLUMNS:
        raise ImportRejected(
            _("Line 1: the columns must be: %(cols)s.") % {"cols": ",".join(CSV_COLUMNS)}, 1
        )
    names = {
        pk: name or resident_name
        for pk, name, resident_name in Elder.objects.filter(facility=facility).values_list(
            "pk", "name", "resident__name"
        )
    }
    elder_ids = set(names)
    limits = thresholds_for(elder_ids)
    kinds = set(ReadingKind.values)
    rows = 0
    alerts = 0
    with transaction.atomic():
        batch = ReadingImport.objects.create(facility=facility, uploaded_by=by, filename=filename)
        # The first out-of-range reading of each elder is held back and inserted after the
        # stream, so that its alert can point at it; there is at most one per elder.
        first_alert: dict[int, tuple[HealthReading, str]] = {}
        counts: dict[int, int] = {}
        line = 1
        with _reading_sink(batch_id=batch.pk, user_id=by.pk) as write:
            try:
                for row in reader:
                    line = line_no = reader.line_num
                    if not row or (len(row) == 1 and not row[0].strip()):
                        continue
                    if len(row) != len(CSV_COLUMNS):
                        raise ImportRejected(
                            _("Line %(line)d: expected %(n)d columns, found %(m)d.")
                            % {"line": line_no, "n": len(CSV_COLUMNS), "m": len(row)},
                            line_no,
                        )
                    raw_elder, raw_at, kind, raw_value, raw_value2 = (c.strip() for c in row)
                    if not raw_elder.isdigit() or int(raw_elder) not in elder_ids:
                        raise ImportRejected(
                            _("Line %(line)d: no elder %(id)s at this facility.")
                            % {"line": line_no, "id": raw_elder[:20]},
                            line_no,
                        )
                    if kind not in kinds:
                        raise ImportRejected(
                            _("Line %(line)d: unknown measurement %(kind)s.")
                            % {"line": line_no, "kind": kind[:20]},
                            line_no,
                        )
                    measured_at = parse_datetime(raw_at)
                    if measured_at is None or timezone.is_naive(measured_at):
                        raise ImportRejected(
                            _("Line %(line)d: the time must look like 2024-08-14T08:30:00+08:00.")
                            % {"line": line_no},
                            line_no,
                        )
                    value = _parse_decimal(raw_value)
                    value2 = _parse_decimal(raw_value2) if raw_value2 else None
                    if (kind == ReadingKind.BLOOD_PRESSURE) != (value2 is not None):
                        raise ImportRejected(
                            _("Line %(line)d: only blood pressure has a value2.")
                            % {"line": line_no},
                            line_no,
                        )
                    measure = "bp_systolic" if kind == "bp" else kind
                    low, high = rules.PLAUSIBLE[measure]
                    low2, high2 = rules.PLAUSIBLE["bp_diastolic"]
                    if not low <= value <= high or (
                        value2 is not None and not low2 <= value2 <= high2
                    ):
                        raise ImportRejected(
                            _("Line %(line)d: the value is not possible for this measurement.")
                            % {"line": line_no},
                            line_no,
                        )
                    elder_id = int(raw_elder)
                    rows += 1
                    message = reading_alert_message(kind, value, value2, limits[elder_id])
                    if message:
                        counts[elder_id] = counts.get(elder_id, 0) + 1
                        if elder_id not in first_alert:
                            first_alert[elder_id] = (
                                HealthReading(
                                    elder_id=elder_id,
                                    kind=kind,
                                    measured_at=measured_at,
                                    value=value,
                                    value2=value2,
                                    source=ReadingSource.IMPORT,
                                    recorded_by=by,
                                    batch=batch,
                                ),
                                message,
                            )
                            continue
                    write((elder_id, measured_at, kind, value, value2))
            except (InvalidOperation, ValueError) as exc:
                raise ImportRejected(
                    _("Line %(line)d: a number or time cannot be read.") % {"line": line}, line
                ) from exc
            except csv.Error as exc:
                raise ImportRejected(
                    _("Line %(line)d: the CSV is malformed.") % {"line": line}, line
                ) from exc
        if rows == 0:
            raise ImportRejected(_("The file has no readings."), 0)
        # One alert per elder and import: a device file may hold dozens of high readings of
        # one elder, and staff need one thing to act on, not dozens.
        HealthReading.objects.bulk_create([reading for reading, _m in first_alert.values()])
        created = Alert.objects.bulk_create(
            [
                Alert(
                    elder_id=elder_id,
                    kind=AlertKind.READING,
                    date=timezone.localdate(reading.measured_at),
                    message=(
                        f"{names.get(elder_id) or elder_id}: {message}"
                        + (
                            str(
                                _(" (%(n)d readings out of range in this import)")
                                % {"n": counts[elder_id]}
                            )
                            if counts[elder_id] > 1
                            else ""
                        )
                    )[:300],
                    reading=reading,
                )
                for elder_id, (reading, message) in first_alert.items()
            ]
        )
        alerts = len(created)
        if created:
            _notify_import_alerts(facility, created)
        batch.rows = rows
        batch.alerts = alerts
        batch.save(update_fields=["rows", "alerts"])
    return ImportResult(batch=batch, rows=rows, alerts=alerts)


def _notify_import_alerts(facility: CareFacility, alerts: list[Alert]) -> None:
    """Tell staff and family of the alerts of one import: two look-ups for all of them."""
    staff = facility_staff_users(facility.pk)
    family: dict[int, list[User]] = {}
    for contact in FamilyContact.objects.filter(
        elder_id__in=[a.elder_id for a in alerts],
        user__isnull=False,
        notify_alerts=True,
        can_see_health=True,
    ).select_related("user"):
        family.setdefault(contact.elder_id, []).append(contact.user)
    for alert in alerts:
        notification_create_many(
            recipients=staff,
            text=alert.message,
            kind=Notification.Kind.ALERT,
            link=reverse("eldercare:alert_detail", args=[alert.pk]),
        )
        notification_create_many(
            recipients=family.get(alert.elder_id, []),
            text=alert.message,
            kind=Notification.Kind.ALERT,
            link=reverse("eldercare:family_elder", args=[alert.elder_id]),
        )


def threshold_set(
    *, elder: Elder, measure: str, low: Decimal | None, high: Decimal | None, by: User
) -> ElderThreshold:
    if measure not in rules.DEFAULT_THRESHOLDS:
        raise ServiceError(_("Unknown measure."))
    if low is not None and high is not None and low >= high:
        raise ServiceError(_("The lower limit must be below the upper limit."))
    with transaction.atomic():
        row, _created = ElderThreshold.objects.update_or_create(
            elder=elder, measure=measure, defaults={"low": low, "high": high}
        )
    return row


def alert_acknowledge(*, alert: Alert, by: User) -> Alert:
    with transaction.atomic():
        updated = Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
            status=AlertStatus.ACKNOWLEDGED, acknowledged_at=timezone.now(), acknowledged_by=by
        )
        if not updated:
            raise ServiceError(_("Only an open alert can be acknowledged."))
    alert.refresh_from_db()
    return alert


def alert_close(*, alert: Alert, note: str, by: User) -> Alert:
    """Close an alert with a note of what was done; the family is told."""
    note = note.strip()
    if not note:
        raise ServiceError(_("Write what was done before closing the alert."))
    now = timezone.now()
    with transaction.atomic():
        updated = (
            Alert.objects.filter(pk=alert.pk)
            .exclude(status=AlertStatus.CLOSED)
            .update(
                status=AlertStatus.CLOSED,
                closed_at=now,
                closed_by=by,
                close_note=note,
                acknowledged_at=now if alert.acknowledged_at is None else alert.acknowledged_at,
                acknowledged_by=alert.acknowledged_by or by,
            )
        )
        if not updated:
            raise ServiceError(_("This alert is already closed."))
        alert.refresh_from_db()
        notification_create_many(
            recipients=family_users_to_notify(alert.elder),
            text=_("Alert closed: %(message)s — %(note)s"),
            params={"message": alert.message, "note": note},
            kind=Notification.Kind.ALERT,
            link=reverse("eldercare:family_elder", args=[alert.elder_id]),
        )
    return alert


# --- shift hand-over and rounds -------------------------------------------------------------


def handover_create(
    *,
    facility: CareFacility,
    date: datetime.date,
    shift: str,
    received_by: str,
    summary: str,
    by: User,
) -> ShiftHandover:
    with transaction.atomic():
        return ShiftHandover.objects.create(
            facility=facility,
            date=date,
            shift=shift,
            handed_over_by=by,
            received_by=received_by,
            summary=summary,
        )


def round_record(
    *,
    facility: CareFacility,
    all_well: bool,
    observations: str,
    by: User,
    at: datetime.datetime | None = None,
) -> RoundRecord:
    if not all_well and not observations.strip():
        raise ServiceError(_("Describe what was wrong on the round."))
    with transaction.atomic():
        return RoundRecord.objects.create(
            facility=facility,
            at=at or timezone.now(),
            by=by,
            all_well=all_well,
            observations=observations,
        )
