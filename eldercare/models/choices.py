"""Choices of the eldercare models (module level so that Meta constraints can use them)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FacilityKind(models.TextChoices):
    NURSING_HOME = "nursing_home", _("Nursing home")
    DAY_CARE = "day_care", _("Day-care centre")
    HOME_CARE = "home_care", _("Home-care service centre")


class FacilityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("eldercare", "Open")
    PREPARING = "preparing", _("Preparing")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", pgettext_lazy("eldercare", "Closed")


class SupportCategory(models.TextChoices):
    CENTRAL = "central", _("Centrally supported")
    DISPERSED = "dispersed", _("Dispersed support")
    LOW_INCOME = "low_income", _("Low-income")
    NONE = "none", _("None")


class ElderStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LEFT = "left", pgettext_lazy("eldercare", "Left")


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class RiskEventKind(models.TextChoices):
    FALL = "fall", _("Fall")
    CHOKING = "choking", _("Choking")
    SELF_HARM = "self_harm", _("Self-harm")
    WANDERING = "wandering", _("Wandering off")


class MealKind(models.TextChoices):
    BREAKFAST = "breakfast", _("Breakfast")
    LUNCH = "lunch", _("Lunch")
    DINNER = "dinner", _("Dinner")


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    SERVED = "served", _("Served")
    CANCELLED = "cancelled", _("Cancelled")


class ReadingKind(models.TextChoices):
    BLOOD_PRESSURE = "bp", _("Blood pressure")
    HEART_RATE = "heart_rate", _("Heart rate")
    GLUCOSE = "glucose", _("Blood glucose")
    TEMPERATURE = "temperature", _("Temperature")
    WEIGHT = "weight", _("Weight")


READING_UNITS = {
    "bp": "mmHg",
    "heart_rate": _("beats/min"),
    "glucose": "mmol/L",
    "temperature": "°C",
    "weight": "kg",
}


class ReadingSource(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    IMPORT = "import", _("Imported from a device")
    DEVICE = "device", _("Sent by a device")


class AlertKind(models.TextChoices):
    READING = "reading", _("Health reading out of range")
    MISSED_CHECKIN = "missed_checkin", _("Expected but not checked in")
    DEVICE_SILENT = "device_silent", _("Device silent")
    BATTERY_LOW = "battery_low", _("Device battery low")
    OTHER = "other", _("Other")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("eldercare alert", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", pgettext_lazy("eldercare alert", "Closed")


class Shift(models.TextChoices):
    DAY = "day", _("Day shift")
    NIGHT = "night", _("Night shift")


# Functional rooms and accessibility features (checklists). Each is a boolean column so that
# the database stores only valid entries and officials can count them with one query.
ROOM_FIELDS = (
    "has_dining_room",
    "has_kitchen",
    "has_rest_rooms",
    "has_rehabilitation_room",
    "has_activity_room",
    "has_medical_room",
    "has_bathing_room",
)
ACCESSIBILITY_FIELDS = (
    "has_ramps",
    "has_handrails",
    "has_lift",
    "has_accessible_toilet",
    "has_call_bells",
    "has_non_slip_floors",
)
