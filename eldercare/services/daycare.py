"""Day care: check-in and check-out, missed check-ins, families' notices and day places."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eldercare.models import (
    Alert,
    AlertKind,
    AlertStatus,
    CareFacility,
    DayCareAttendance,
    DayCareNotice,
    DayCarePlaces,
    Elder,
    FamilyContact,
    expected_q,
    regular_q,
)
from eldercare.services.common import (
    SAVED_TWICE,
    notify_alert,
)
from portal.accounts.models import User
from portal.notifications.models import Notification
from portal.notifications.services import notification_create

# --- day care -------------------------------------------------------------------------------


def attendance_check_in(
    *, elder: Elder, facility: CareFacility, by: User, at: datetime.datetime | None = None
) -> DayCareAttendance:
    """Check an elder in for today; refused when already in or the day's places are taken."""
    at = at or timezone.now()
    day = timezone.localdate(at)
    if facility.day_places <= 0:
        raise ValidationError(_("This facility has no day-care places."))
    with transaction.atomic():
        # The lock on the facility row serialises check-ins of one facility: without it two
        # staff checking in the last two elders at once would both see a free place.
        locked = CareFacility.objects.select_for_update().get(pk=facility.pk)
        if DayCareAttendance.objects.filter(elder=elder, date=day).exists():
            raise ValidationError(_("%(name)s is already checked in today.") % {"name": elder})
        taken = DayCareAttendance.objects.filter(facility=locked, date=day).count()
        if taken >= locked.day_places:
            raise ValidationError(_("All day-care places are taken today."))
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
            raise ValidationError(
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
            raise ValidationError(_("Already checked out."))
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
                    values={"name": elder.display_name, "place": elder.facility.name},
                )
                notify_alert(alert)
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
        raise ValidationError(_("Choose today or a later day."))
    if elder.facility_id is None or elder.facility.kind != CareFacility.Kind.DAY_CARE:
        raise ValidationError(_("This elder is not served by a day-care centre."))
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
                    raise ValidationError(DAY_FULL)
            if notice.place_facility_id is not None:
                # The elder moved centre since the notice: give the old centre its place back.
                _place_free(notice)
            try:
                with transaction.atomic():
                    DayCarePlaces.objects.filter(pk=places.pk).update(
                        reserved=F("reserved") + 1, capacity=capacity
                    )
            except IntegrityError as exc:
                raise ValidationError(DAY_FULL) from exc
            notice.place_facility_id = facility_id
        elif not coming:
            _place_free(notice)
        notice.coming = coming
        notice.by = by
        try:
            with transaction.atomic():
                notice.save()
        except IntegrityError as exc:
            raise ValidationError(SAVED_TWICE) from exc
    return notice


def daycare_notice_delete(*, notice: DayCareNotice, by: User) -> None:
    """Withdraw a notice; the elder goes back to their weekly plan and a held place is freed."""
    if notice.date < timezone.localdate():
        raise ValidationError(_("Choose today or a later day."))
    with transaction.atomic():
        locked = DayCareNotice.objects.select_for_update().filter(pk=notice.pk).first()
        if locked is None:
            return
        _place_free(locked)
        locked.delete()
