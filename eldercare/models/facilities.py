"""Care facilities and their staff records (shift hand-overs, rounds)."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import path_prefix_q
from eldercare.models.choices import (
    ACCESSIBILITY_FIELDS,
    ROOM_FIELDS,
    FacilityKind,
    FacilityStatus,
    Shift,
)
from portal.accounts.models import Role, User

# --- facilities -----------------------------------------------------------------------------


class CareFacilityQuerySet(models.QuerySet):
    def open(self) -> CareFacilityQuerySet:
        return self.filter(status=FacilityStatus.OPEN)

    def visible_to(self, user: User) -> CareFacilityQuerySet:
        """Facilities a user works at or oversees. Facilities are not personal data, so
        officials see those of their region; family members those serving their elders."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        # Imported here: elders.py imports this module for the Elder -> CareFacility key.
        from eldercare.models.elders import Elder

        paths = user.region_paths(Role.COMMUNITY_STAFF, Role.OFFICIAL)
        family = Elder.objects.filter(family_contacts__user=user).values("facility_id")
        return self.filter(
            Q(pk__in=user.facility_ids())
            | path_prefix_q("community__region__path", paths)
            | Q(pk__in=family)
        )

    def editable_by(self, user: User) -> CareFacilityQuerySet:
        """Facilities whose records and day a user runs: their own, or their community's."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(
            Q(pk__in=user.facility_ids())
            | path_prefix_q("community__region__path", user.region_paths(Role.COMMUNITY_STAFF))
        )


class CareFacility(models.Model):
    Kind = FacilityKind
    Status = FacilityStatus

    name = models.CharField(pgettext_lazy("eldercare", "name"), max_length=100)
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.PROTECT,
        related_name="care_facilities",
        verbose_name=_("community"),
    )
    kind = models.CharField(
        _("type"), max_length=20, choices=FacilityKind.choices, default=FacilityKind.DAY_CARE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=FacilityStatus.choices, default=FacilityStatus.OPEN
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    beds = models.PositiveIntegerField(_("beds"), default=0)
    day_places = models.PositiveIntegerField(_("day-care places"), default=0)
    opens_at = models.TimeField(_("opens at"), default=datetime.time(8, 0))
    closes_at = models.TimeField(_("closes at"), default=datetime.time(17, 30))
    open_days = models.CharField(
        _("open days"), max_length=50, blank=True, help_text=_("For example: Monday to Friday")
    )
    # An elder expected on a day who has not checked in by this time raises an alert.
    checkin_deadline = models.TimeField(_("check-in expected by"), default=datetime.time(9, 30))
    staff_count = models.PositiveIntegerField(_("number of staff"), default=0)
    manager_name = models.CharField(_("manager"), max_length=50, blank=True)

    has_dining_room = models.BooleanField(_("dining room"), default=False)
    has_kitchen = models.BooleanField(_("kitchen"), default=False)
    has_rest_rooms = models.BooleanField(_("rest rooms"), default=False)
    has_rehabilitation_room = models.BooleanField(_("rehabilitation room"), default=False)
    has_activity_room = models.BooleanField(_("activity room"), default=False)
    has_medical_room = models.BooleanField(_("medical room"), default=False)
    has_bathing_room = models.BooleanField(_("bathing room"), default=False)

    has_ramps = models.BooleanField(_("barrier-free ramps"), default=False)
    has_handrails = models.BooleanField(_("handrails on stairs"), default=False)
    has_lift = models.BooleanField(_("lift"), default=False)
    has_accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    has_call_bells = models.BooleanField(_("emergency call bells"), default=False)
    has_non_slip_floors = models.BooleanField(_("non-slip floors"), default=False)

    objects = CareFacilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("care facility")
        verbose_name_plural = _("care facilities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FacilityKind.values), name="eldercare_carefacility_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FacilityStatus.values),
                name="eldercare_carefacility_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at")),
                name="eldercare_carefacility_opens_before_closing",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("eldercare:facility_detail", args=[self.pk])

    def rooms(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in ROOM_FIELDS if getattr(self, f)]

    def accessibility(self) -> list[str]:
        return [
            str(self._meta.get_field(f).verbose_name)
            for f in ACCESSIBILITY_FIELDS
            if getattr(self, f)
        ]


# --- shift hand-over and rounds (GB 38600-2019) ---------------------------------------------


class FacilityRecordQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> models.QuerySet:
        """Staff records: for the staff who run the facility (they name elders)."""
        return self.filter(facility__in=CareFacility.objects.editable_by(user))


class ShiftHandover(models.Model):
    Shift = Shift

    facility = models.ForeignKey(
        CareFacility, on_delete=models.CASCADE, related_name="handovers", verbose_name=_("facility")
    )
    date = models.DateField(_("date"))
    shift = models.CharField(_("shift"), max_length=6, choices=Shift.choices)
    handed_over_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("handed over by"),
    )
    received_by = models.CharField(_("received by"), max_length=50)
    summary = models.TextField(_("what the next shift must know"))
    created = models.DateTimeField(auto_now_add=True)

    objects = FacilityRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("shift hand-over")
        verbose_name_plural = _("shift hand-overs")
        ordering = ["-date", "-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(shift__in=Shift.values), name="eldercare_shifthandover_shift_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_shift_display()}"


class RoundRecord(models.Model):
    facility = models.ForeignKey(
        CareFacility, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("facility")
    )
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    all_well = models.BooleanField(_("all well"), default=True)
    observations = models.TextField(_("observations"), blank=True)

    objects = FacilityRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(all_well=True) | ~Q(observations=""),
                name="eldercare_roundrecord_problem_described",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.at:%Y-%m-%d %H:%M}"
