"""Day care: attendance, families' notices and the day places they hold."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from eldercare.models.elders import Elder, ElderRelatedQuerySet
from eldercare.models.facilities import CareFacility
from portal.accounts.models import User


class AttendanceQuerySet(ElderRelatedQuerySet):
    family_flag = None


# --- day care -------------------------------------------------------------------------------


class DayCareAttendance(models.Model):
    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("elder")
    )
    facility = models.ForeignKey(
        CareFacility,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("facility"),
    )
    date = models.DateField(_("date"))
    # The n-th place taken that day, and the places the facility had: with the unique
    # (facility, date, seat_no) below the database refuses more check-ins than places even if
    # a writer skipped the row lock in attendance_check_in.
    seat_no = models.PositiveIntegerField()
    places = models.PositiveIntegerField()
    checked_in_at = models.DateTimeField(pgettext_lazy("eldercare", "checked in at"))
    checked_in_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    checked_out_at = models.DateTimeField(
        pgettext_lazy("eldercare", "checked out at"), null=True, blank=True
    )
    checked_out_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("day-care attendance")
        verbose_name_plural = _("day-care attendances")
        ordering = ["-date", "checked_in_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["elder", "date"], name="eldercare_attendance_once_per_day"
            ),
            models.UniqueConstraint(
                fields=["facility", "date", "seat_no"], name="eldercare_attendance_seat_unique"
            ),
            models.CheckConstraint(
                condition=Q(seat_no__gte=1) & Q(seat_no__lte=models.F("places")),
                name="eldercare_attendance_seat_within_places",
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_out_at__gte=models.F("checked_in_at")),
                name="eldercare_attendance_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder} {self.date}"


class DayCareNotice(models.Model):
    """Family or staff say an elder will (or will not) come on a day, beside the weekly plan.

    An elder is expected on a day when the notice says so, or when the day is in their plan
    and no notice says otherwise (see `expected_q`)."""

    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="daycare_notices", verbose_name=_("elder")
    )
    date = models.DateField(_("date"))
    coming = models.BooleanField(_("coming"))
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    # The centre whose day place a "coming" notice holds (counted in DayCarePlaces.reserved);
    # kept on the notice so the place is freed at that centre even if the elder moves.
    place_facility = models.ForeignKey(
        CareFacility, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("day-care notice")
        verbose_name_plural = _("day-care notices")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["elder", "date"], name="eldercare_notice_one_per_day"),
            models.CheckConstraint(
                condition=Q(coming=True) | Q(place_facility__isnull=True),
                name="eldercare_notice_only_coming_holds_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder} {self.date} {self.coming}"


def regular_q(day: datetime.date) -> Q:
    """Elders expected on `day` by their weekly plan alone: the day is in the plan and no
    notice (coming or not) was given for it."""
    notices = DayCareNotice.objects.filter(elder=models.OuterRef("pk"), date=day)
    return Q(day_care_weekdays__contains=str(day.weekday())) & ~models.Exists(notices)


def expected_q(day: datetime.date) -> Q:
    """Elders expected at day care on `day`: by a "coming" notice, or by plan unless a notice
    says no. (A plan day with a "coming" notice is covered by the notice.)"""
    notices = DayCareNotice.objects.filter(elder=models.OuterRef("pk"), date=day)
    return regular_q(day) | models.Exists(notices.filter(coming=True))


class DayCarePlaces(models.Model):
    """The day places of one day-care centre on one day that "coming" notices hold.

    Places taken on a day = `reserved` (elders with a "coming" notice) + the regulars of the
    weekly plan who gave no notice (`regular_q`, counted live because staff may change a plan
    without any notice). The two never count the same elder: a notice takes the elder out of
    `regular_q`. `daycare_notice_set` locks this row (select_for_update) so two families taking
    the last place at once are serialised; the CheckConstraint reserved <= capacity refuses an
    over-reservation even from a writer that skipped the lock. Check-in stays the hard limit
    on who is actually in the building."""

    facility = models.ForeignKey(
        CareFacility, on_delete=models.CASCADE, related_name="+", verbose_name=_("facility")
    )
    date = models.DateField(_("date"))
    # The facility's day_places, copied under the lock at each reservation.
    capacity = models.PositiveIntegerField(_("day-care places"))
    reserved = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("day-care places of a day")
        verbose_name_plural = _("day-care places of a day")
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "date"], name="eldercare_daycareplaces_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(reserved__lte=models.F("capacity")),
                name="eldercare_daycareplaces_reserved_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.date} {self.reserved}/{self.capacity}"
