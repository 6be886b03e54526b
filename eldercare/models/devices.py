"""Smart-care devices ("Internet + smart elderly care"): the register, the messages they
send, the messages refused, and the alarms an SOS press or a detected fall opens.

A message is identified by its device and the id the device gave it: the unique constraint
makes a repeat (a retry, a replay, the broker delivering twice) change nothing.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from eldercare.models.elders import Elder, visible_elder_ids
from eldercare.models.facilities import CareFacility
from eldercare.models.readings import Alert
from portal.accounts.models import Role, User


class DeviceKind(models.TextChoices):
    SOS_BUTTON = "sos_button", _("SOS button or pendant")
    WRISTBAND = "wristband", _("Fall-detecting wristband")
    BP_METER = "bp_meter", _("Blood-pressure meter")
    GLUCOSE_METER = "glucose_meter", _("Blood-glucose meter")
    BED_SENSOR = "bed_sensor", _("Bed-occupancy mattress")
    DOOR_SENSOR = "door_sensor", _("Door sensor")


class MessageType(models.TextChoices):
    HEARTBEAT = "heartbeat", _("Heartbeat")
    READING = "reading", _("Reading")
    SOS = "sos", _("SOS")
    FALL = "fall", _("Fall detected")


class DeadLetterReason(models.TextChoices):
    UNKNOWN_DEVICE = "unknown_device", _("Unknown device")
    BAD_SIGNATURE = "bad_signature", _("Bad signature")
    MALFORMED = "malformed", _("Malformed payload")
    BAD_TIME = "bad_time", _("Time out of range")
    STALE = "stale", _("Outside the timestamp window")


class AlarmKind(models.TextChoices):
    SOS = "sos", _("SOS")
    FALL = "fall", _("Fall detected")


class AlarmStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("alarm", "Open")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("alarm", "Acknowledged")
    CLOSED = "closed", pgettext_lazy("alarm", "Closed")


class AlarmOutcome(models.TextChoices):
    FALSE_ALARM = "false_alarm", _("False alarm")
    HELPED = "helped", _("Helped on the spot")
    DOCTOR = "doctor", _("Seen by a doctor")
    HOSPITAL = "hospital", _("Taken to hospital")
    OTHER = "other", _("Other")


class DeviceQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> DeviceQuerySet:
        """Devices of the elders a user may see as staff (family do not manage devices)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(elder_id__in=Elder.objects.managed_by(user).values("pk"))

    def silent(self, now: datetime.datetime) -> DeviceQuerySet:
        """Active devices not heard from within their heartbeat interval."""
        return self.filter(active=True).filter(
            Q(last_heard__isnull=True, installed_at__lt=now - models.F("heartbeat_interval"))
            | Q(last_heard__lt=now - models.F("heartbeat_interval"))
        )


class Device(models.Model):
    Kind = DeviceKind

    kind = models.CharField(_("type"), max_length=16, choices=DeviceKind.choices)
    serial = models.CharField(_("serial number"), max_length=64, unique=True)
    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="devices", verbose_name=_("elder")
    )
    # Installed at a facility, or (null) in the elder's home.
    facility = models.ForeignKey(
        CareFacility,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("facility (empty: at home)"),
    )
    installed_at = models.DateTimeField(_("installed on"))
    # The HMAC key the device signs with. Shown once when the device is registered; kept
    # because verifying an HMAC needs the key itself (a hash would not do).
    secret = models.CharField(max_length=64, editable=False)
    heartbeat_interval = models.DurationField(
        _("heartbeat interval"), default=datetime.timedelta(minutes=10)
    )
    battery = models.PositiveSmallIntegerField(_("battery %"), null=True, blank=True)
    last_heard = models.DateTimeField(_("last heard"), null=True, blank=True)
    active = models.BooleanField(_("in service"), default=True)
    # The open "device silent" / "battery low" alerts, cleared when the device reports again.
    silent_alert = models.ForeignKey(
        Alert, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    battery_alert = models.ForeignKey(
        Alert, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["serial"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DeviceKind.values), name="eldercare_device_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(battery__isnull=True) | Q(battery__lte=100),
                name="eldercare_device_battery_percent",
            ),
            models.CheckConstraint(
                condition=Q(heartbeat_interval__gt=datetime.timedelta(0)),
                name="eldercare_device_heartbeat_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"


class DeviceMessage(models.Model):
    """An accepted message. `sent_at` is the device's time: out-of-order messages are placed
    by it, not by arrival."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="messages")
    message_id = models.CharField(max_length=64)
    type = models.CharField(max_length=12, choices=MessageType.choices)
    sent_at = models.DateTimeField()
    received_at = models.DateTimeField()
    via = models.CharField(max_length=4)
    payload = models.JSONField()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "message_id"], name="eldercare_devicemessage_once"
            ),
            models.CheckConstraint(
                condition=Q(type__in=MessageType.values), name="eldercare_devicemessage_type_valid"
            ),
        ]
        indexes = [models.Index(fields=["device", "-sent_at"], name="eldercare_devmsg_time_idx")]

    def __str__(self) -> str:
        return f"{self.device_id}/{self.message_id}"


class DeadLetterQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> DeadLetterQuerySet:
        """Refused messages of the devices a user manages; those from no known device only
        to administrators (they name no elder, so no facility's staff can act on them)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(device__in=Device.objects.visible_to(user))


class DeadLetter(models.Model):
    """A message refused, with the reason: never a crash, never silently dropped."""

    Reason = DeadLetterReason

    received_at = models.DateTimeField(db_index=True)
    via = models.CharField(max_length=4)
    topic = models.CharField(max_length=200, blank=True)
    device = models.ForeignKey(
        Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="dead_letters"
    )
    reason = models.CharField(max_length=16, choices=DeadLetterReason.choices)
    detail = models.CharField(max_length=300, blank=True)
    # The raw payload, cut to a size that cannot fill the disk.
    payload = models.TextField(blank=True)

    objects = DeadLetterQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=DeadLetterReason.values),
                name="eldercare_deadletter_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} {self.received_at:%Y-%m-%d %H:%M:%S}"


class AlarmQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> AlarmQuerySet:
        """Staff of the elder's facility or community; family who may see health and alerts."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(elder_id__in=visible_elder_ids(user, "can_see_health"))

    def handled_by(self, user: User) -> AlarmQuerySet:
        """Alarms a user answers: staff of the elder's facility or community."""
        return self.filter(elder__in=Elder.objects.managed_by(user))


class Alarm(models.Model):
    """An SOS press or a detected fall. Opened at once; escalated by SMS when nobody
    acknowledges it within ELDERCARE_ALARM_ESCALATE_MINUTES."""

    Kind = AlarmKind
    Status = AlarmStatus
    Outcome = AlarmOutcome

    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="alarms", verbose_name=_("elder")
    )
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="alarms")
    message = models.OneToOneField(DeviceMessage, on_delete=models.CASCADE, related_name="alarm")
    kind = models.CharField(_("type"), max_length=8, choices=AlarmKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=AlarmStatus.choices, default=AlarmStatus.OPEN
    )
    raised_at = models.DateTimeField(_("raised at"))
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.TextField(_("what was done"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=AlarmOutcome.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AlarmQuerySet.as_manager()

    class Meta:
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AlarmKind.values), name="eldercare_alarm_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AlarmStatus.values), name="eldercare_alarm_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=AlarmOutcome.values),
                name="eldercare_alarm_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed")
                | (Q(closed_at__isnull=False) & ~Q(outcome="") & Q(acknowledged_at__isnull=False)),
                name="eldercare_alarm_closed_has_outcome",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "opened_at"],
                condition=~Q(status="closed"),
                name="eldercare_alarm_unclosed_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.elder}"


class AlarmSms(models.Model):
    """One escalation SMS. The row is written with the escalation; the task that sends it
    claims it with a conditional UPDATE, so it is sent once."""

    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="sms")
    phone = models.CharField(max_length=20)
    role = models.CharField(
        max_length=20, choices=[("family", "family"), (Role.COMMUNITY_STAFF, "community staff")]
    )
    text = models.TextField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alarm", "phone"], name="eldercare_alarmsms_once"),
        ]

    def __str__(self) -> str:
        return f"{self.alarm_id} → {self.phone}"
