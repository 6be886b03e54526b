"""Health readings, their imports, elders' thresholds and alerts."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from eldercare import rules
from eldercare.models.choices import (
    READING_UNITS,
    AlertKind,
    AlertStatus,
    ReadingKind,
    ReadingSource,
)
from eldercare.models.elders import Elder, ElderRelatedQuerySet
from eldercare.models.facilities import CareFacility
from portal.accounts.models import User

# --- health readings, thresholds and alerts -------------------------------------------------


class ReadingImport(models.Model):
    facility = models.ForeignKey(
        CareFacility, on_delete=models.CASCADE, related_name="reading_imports"
    )
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    filename = models.CharField(max_length=200, blank=True)
    rows = models.PositiveIntegerField(default=0)
    alerts = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.rows})"


class HealthReading(models.Model):
    Kind = ReadingKind
    Source = ReadingSource

    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="readings", verbose_name=_("elder")
    )
    kind = models.CharField(_("measurement"), max_length=12, choices=ReadingKind.choices)
    measured_at = models.DateTimeField(_("measured at"))
    # Systolic for blood pressure; the only value for the others.
    value = models.DecimalField(_("value"), max_digits=6, decimal_places=1)
    value2 = models.DecimalField(
        _("diastolic"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    source = models.CharField(
        max_length=8, choices=ReadingSource.choices, default=ReadingSource.STAFF
    )
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    batch = models.ForeignKey(
        ReadingImport, on_delete=models.CASCADE, null=True, blank=True, related_name="readings"
    )

    objects = ElderRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("health reading")
        verbose_name_plural = _("health readings")
        ordering = ["-measured_at", "-pk"]
        indexes = [models.Index(fields=["elder", "-measured_at"], name="eldercare_reading_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReadingKind.values), name="eldercare_reading_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind="bp", value2__isnull=False)
                | (~Q(kind="bp") & Q(value2__isnull=True)),
                name="eldercare_reading_diastolic_only_for_bp",
            ),
            models.CheckConstraint(
                condition=Q(source__in=ReadingSource.values),
                name="eldercare_reading_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.display_value}"

    @property
    def display_value(self) -> str:
        unit = READING_UNITS[self.kind]
        if self.kind == ReadingKind.BLOOD_PRESSURE:
            return f"{self.value:.0f}/{self.value2:.0f} {unit}"
        return f"{self.value} {unit}"


THRESHOLD_MEASURES = tuple(rules.DEFAULT_THRESHOLDS)


class ElderThreshold(models.Model):
    """An elder's own alert range for one measure, replacing the default in rules.py."""

    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="thresholds", verbose_name=_("elder")
    )
    measure = models.CharField(
        _("measure"),
        max_length=12,
        choices=[
            ("bp_systolic", _("Systolic blood pressure")),
            ("bp_diastolic", _("Diastolic blood pressure")),
            ("heart_rate", _("Heart rate")),
            ("glucose", _("Blood glucose")),
            ("temperature", _("Temperature")),
            ("weight", _("Weight")),
        ],
    )
    low = models.DecimalField(
        _("alert below"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    high = models.DecimalField(
        _("alert above"), max_digits=6, decimal_places=1, null=True, blank=True
    )

    objects = ElderRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert threshold")
        verbose_name_plural = _("alert thresholds")
        constraints = [
            models.UniqueConstraint(
                fields=["elder", "measure"], name="eldercare_elderthreshold_unique"
            ),
            models.CheckConstraint(
                condition=Q(measure__in=THRESHOLD_MEASURES),
                name="eldercare_elderthreshold_measure_valid",
            ),
            models.CheckConstraint(
                condition=Q(low__isnull=True) | Q(high__isnull=True) | Q(low__lt=models.F("high")),
                name="eldercare_elderthreshold_low_below_high",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder} {self.measure}"


class AlertQuerySet(ElderRelatedQuerySet):
    def open(self) -> AlertQuerySet:
        """Alerts nobody has acknowledged yet."""
        return self.filter(status=AlertStatus.OPEN)


class Alert(models.Model):
    Kind = AlertKind
    Status = AlertStatus

    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("elder")
    )
    kind = models.CharField(
        pgettext_lazy("eldercare", "kind"), max_length=16, choices=AlertKind.choices
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    date = models.DateField(_("date"))
    # What the alert says is stored as its kind plus these values and worded when read, in
    # the reader's language (`text`): staff working in Chinese and a family reading in
    # English see the same alert each in their own words. `message` is only for alerts
    # stored before that, and for kind "other".
    values = models.JSONField(_("values"), default=dict, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    reading = models.ForeignKey(
        HealthReading, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    created = models.DateTimeField(pgettext_lazy("eldercare", "created"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    close_note = models.TextField(_("note on closing"), blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AlertKind.values), name="eldercare_alert_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AlertStatus.values), name="eldercare_alert_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(close_note="")),
                name="eldercare_alert_closed_has_note",
            ),
            # The missed check-in job may run many times a day: one alert per elder per day.
            models.UniqueConstraint(
                fields=["elder", "date"],
                condition=Q(kind="missed_checkin"),
                name="eldercare_alert_missed_checkin_once_per_day",
            ),
        ]
        indexes = [
            models.Index(
                fields=["elder", "status"],
                condition=~Q(status="closed"),
                name="eldercare_alert_open_idx",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The alert in the active language (see `alert_text`)."""
        return alert_text(self.kind, self.values, self.message)


def reading_text(values: dict) -> str:
    """“Blood pressure 165/95 mmHg is out of range.” in the active language."""
    if values.get("reading") == ReadingKind.BLOOD_PRESSURE:
        return _("Blood pressure %(v)s/%(v2)s mmHg is out of range.") % {
            "v": values.get("value"),
            "v2": values.get("value2"),
        }
    kind = values.get("reading")
    label = ReadingKind(kind).label if kind in ReadingKind.values else kind
    return _("%(kind)s %(value)s is out of range.") % {"kind": label, "value": values.get("value")}


def alert_text(kind: str, values: dict, message: str = "") -> str:
    """An alert's words from its kind and values, in the active language."""
    if not values:
        return message
    if kind == AlertKind.MISSED_CHECKIN:
        return _("%(name)s was expected at %(place)s but has not checked in.") % values
    if kind == AlertKind.READING:
        text = f"{values.get('name', '')}: {reading_text(values)}"
        if values.get("count", 1) > 1:
            text += _(" (%(n)d readings out of range in this import)") % {"n": values["count"]}
        return text
    if kind == AlertKind.BATTERY_LOW:
        return _("%(name)s: the battery of %(device)s is at %(battery)s%%.") % values
    if kind == AlertKind.DEVICE_SILENT:
        since = timezone.localtime(datetime.datetime.fromisoformat(values["since"]))
        return _("%(name)s: %(device)s has not been heard from since %(when)s.") % {
            **values,
            "when": formats.date_format(since, "DATETIME_FORMAT"),
        }
    return message


class ElderAccessLog(models.Model):
    """Who read an elder's health readings or alerts (health data is sensitive under PIPL
    art. 28; reads are logged like a child's records). One insert per page, a row per elder
    shown; a family contact reading their own elder's page is not logged."""

    class What(models.TextChoices):
        RECORD = "record", _("Opened the elder's record (readings and alerts)")
        ALERTS = "alerts", _("Saw the elder's alerts in a list")
        ALERT = "alert", _("Opened an alert")

    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="access_logs", verbose_name=_("elder")
    )
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    what = models.CharField(_("what"), max_length=10, choices=What.choices)
    path = models.CharField(_("page"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("read of an elder's health records")
        verbose_name_plural = _("reads of elders' health records")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["elder", "at"], name="eldercare_access_elder_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(what__in=["record", "alerts", "alert"]),
                name="eldercare_elderaccesslog_what_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.elder_id} · {self.at:%Y-%m-%d %H:%M}"
