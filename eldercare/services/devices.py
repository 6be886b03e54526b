"""Smart-care devices: registering them, taking in what they send, and their alarms.

Both ways in — the MQTT gateway (`manage.py device_gateway`) and the HTTP push endpoint —
call `device_messages_ingest`, which takes a batch (the HTTP endpoint sends a batch of one).
A batch is one transaction: the common case (heartbeats) costs one INSERT and one UPDATE
for the whole batch; readings, alarms and device alerts are written one by one.

A message is a JSON object signed by its device with HMAC-SHA256 over its exact bytes:

    {"id": "m-1", "device": "SN123", "type": "heartbeat|reading|sos|fall",
     "ts": 1733200000 or "2026-12-03T08:00:00+08:00", "battery": 87,
     "reading": {"kind": "bp", "value": 135, "value2": 85}}

Over MQTT the payload is `{"sig": "<hex>", "body": "<the message as a string>"}`; over HTTP
the body is the message and the headers carry the signature over `"<timestamp>." + body`.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from eldercare import rules
from eldercare.models import (
    Alarm,
    AlarmOutcome,
    AlarmSms,
    AlarmStatus,
    Alert,
    AlertKind,
    AlertStatus,
    CareFacility,
    DeadLetter,
    DeadLetterReason,
    Device,
    Elder,
    FamilyContact,
    HealthReading,
    MessageType,
    ReadingKind,
    ReadingSource,
)
from eldercare.selectors import thresholds_for
from eldercare.services.common import facility_staff_users, family_users_to_notify, notify_alert
from eldercare.services.readings import reading_alert_values
from portal.accounts.models import Role, RoleAssignment, User
from portal.notifications.models import Notification
from portal.notifications.services import notification_create_many

logger = logging.getLogger(__name__)

DEAD_LETTER_PAYLOAD_CHARS = 2000


def sign(secret: str, data: bytes) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


# --- the register ---------------------------------------------------------------------------


def device_register(
    *,
    elder: Elder,
    kind: str,
    serial: str,
    facility: CareFacility | None,
    installed_at: datetime.datetime,
    heartbeat_interval: datetime.timedelta | None = None,
    by: User,
) -> Device:
    """Register a device for an elder. Its secret is on the returned row: show it once."""
    serial = serial.strip()
    if not serial:
        raise ValidationError({"serial": _("Enter the serial number.")})
    if Device.objects.filter(serial=serial).exists():
        raise ValidationError({"serial": _("A device with this serial number is registered.")})
    device = Device(
        elder=elder,
        kind=kind,
        serial=serial,
        facility=facility,
        installed_at=installed_at,
        secret=secrets.token_hex(32),
    )
    if heartbeat_interval is not None:
        device.heartbeat_interval = heartbeat_interval
    try:
        with transaction.atomic():
            device.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"serial": _("A device with this serial number is registered.")}
        ) from exc
    return device


def device_secret_rotate(*, device: Device, by: User) -> Device:
    """Give the device a new secret (shown once); messages signed with the old one fail."""
    device.secret = secrets.token_hex(32)
    Device.objects.filter(pk=device.pk).update(secret=device.secret)
    return device


# --- ingest ---------------------------------------------------------------------------------


@dataclass
class Incoming:
    """One message as it arrived, before any check."""

    body: bytes
    signature: str
    via: str  # "mqtt" or "http"
    topic: str = ""
    # What the signature covers, when not the body alone (HTTP: "<timestamp>." + body).
    signed: bytes | None = None
    # HTTP only: the timestamp header, checked against DEVICE_HTTP_WINDOW_SECONDS.
    http_timestamp: str | None = None
    raw: bytes | None = None


@dataclass
class Outcome:
    status: str  # "accepted", "duplicate" or "refused"
    reason: str = ""
    alarm_id: int | None = None


@dataclass
class _Valid:
    incoming: Incoming
    device: DeviceRow
    data: dict
    type: str
    sent_at: datetime.datetime
    battery: int | None
    reading: tuple[str, Decimal, Decimal | None] | None
    index: int
    message_pk: int | None = None
    extra: dict = field(default_factory=dict)


class _Refused(Exception):
    def __init__(self, reason: str, detail: str, device: DeviceRow | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.device = device


def mqtt_unwrap(payload: bytes, topic: str = "") -> Incoming:
    """The MQTT envelope `{"sig": ..., "body": ...}` as an Incoming; a payload that is not
    an envelope still becomes one, to be refused as malformed with its raw bytes kept."""
    try:
        envelope = json.loads(payload)
        body = envelope["body"]
        sig = envelope["sig"]
        if not isinstance(body, str) or not isinstance(sig, str):
            raise TypeError
        return Incoming(body=body.encode(), signature=sig, via="mqtt", topic=topic, raw=payload)
    except (ValueError, KeyError, TypeError):
        return Incoming(body=b"", signature="", via="mqtt", topic=topic, raw=payload)


def _parse_time(value: object) -> datetime.datetime:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
    if isinstance(value, str):
        moment = datetime.datetime.fromisoformat(value)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment
    raise ValueError


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError
    number = Decimal(str(value))
    if not number.is_finite():
        raise ValueError
    return number.quantize(Decimal("0.1"))


# The device columns the ingest path reads (see device_messages_ingest).
INGEST_FIELDS = (
    "id",
    "serial",
    "secret",
    "elder_id",
    "facility_id",
    "battery",
    "silent_alert_id",
    "battery_alert_id",
)


@dataclass(slots=True)
class DeviceRow:
    """What ingest knows of a device: the columns it reads, as a plain row. Building a model
    instance for each of a batch's devices was a tenth of the gateway's time."""

    pk: int
    serial: str
    secret: str
    elder_id: int
    facility_id: int | None
    battery: int | None
    silent_alert_id: int | None
    battery_alert_id: int | None


_NOT_JSON = object()
# Choices' `.values` builds a new list on every call; the ingest path asks per message.
MESSAGE_TYPES = frozenset(MessageType.values)
READING_KINDS = frozenset(ReadingKind.values)
ALARM_TYPES = frozenset({MessageType.SOS, MessageType.FALL})


def _parse_body(body: bytes) -> object:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return _NOT_JSON


def _check(
    incoming: Incoming,
    data: object,
    devices: dict[str, DeviceRow],
    now: datetime.datetime,
    index: int,
) -> _Valid:
    if data is None:
        raise _Refused(DeadLetterReason.MALFORMED, "not an envelope with sig and body")
    if data is _NOT_JSON:
        raise _Refused(DeadLetterReason.MALFORMED, "not JSON")
    if not isinstance(data, dict) or not isinstance(data.get("device"), str):
        raise _Refused(DeadLetterReason.MALFORMED, "no device serial")
    device = devices.get(data["device"])
    if device is None:
        raise _Refused(DeadLetterReason.UNKNOWN_DEVICE, data["device"][:100])
    signed = incoming.signed if incoming.signed is not None else incoming.body
    if not hmac.compare_digest(sign(device.secret, signed), incoming.signature.lower()):
        raise _Refused(DeadLetterReason.BAD_SIGNATURE, "signature does not match", device)
    if incoming.http_timestamp is not None:
        try:
            stamp = float(incoming.http_timestamp)
        except ValueError as exc:
            raise _Refused(DeadLetterReason.STALE, "timestamp is not a number", device) from exc
        if abs(now.timestamp() - stamp) > settings.DEVICE_HTTP_WINDOW_SECONDS:
            raise _Refused(DeadLetterReason.STALE, "timestamp outside the window", device)
    message_id = data.get("id")
    if not isinstance(message_id, str) or not 0 < len(message_id) <= 64:
        raise _Refused(DeadLetterReason.MALFORMED, "no message id", device)
    kind = data.get("type")
    if kind not in MESSAGE_TYPES:
        raise _Refused(DeadLetterReason.MALFORMED, "unknown type", device)
    try:
        sent_at = _parse_time(data.get("ts"))
    except (ValueError, OverflowError, OSError) as exc:
        raise _Refused(DeadLetterReason.MALFORMED, "no valid ts", device) from exc
    if rules.reading_time_refusal(sent_at, now):
        raise _Refused(DeadLetterReason.BAD_TIME, sent_at.isoformat(), device)
    battery = data.get("battery")
    if battery is not None and (
        isinstance(battery, bool) or not isinstance(battery, int) or not 0 <= battery <= 100
    ):
        raise _Refused(DeadLetterReason.MALFORMED, "battery is not 0-100", device)
    reading = None
    if kind == MessageType.READING:
        reading = _check_reading(data.get("reading"), device)
    return _Valid(incoming, device, data, kind, sent_at, battery, reading, index)


def _check_reading(raw: object, device: DeviceRow) -> tuple[str, Decimal, Decimal | None]:
    if not isinstance(raw, dict) or raw.get("kind") not in READING_KINDS:
        raise _Refused(DeadLetterReason.MALFORMED, "reading without a known kind", device)
    kind = raw["kind"]
    try:
        value = _decimal(raw.get("value"))
        value2 = _decimal(raw["value2"]) if raw.get("value2") is not None else None
    except (ValueError, InvalidOperation) as exc:
        raise _Refused(DeadLetterReason.MALFORMED, "reading value is not a number", device) from exc
    if (kind == ReadingKind.BLOOD_PRESSURE) != (value2 is not None):
        raise _Refused(DeadLetterReason.MALFORMED, "value2 only and always for bp", device)
    low, high = rules.PLAUSIBLE["bp_systolic" if kind == "bp" else kind]
    if not low <= value <= high:
        raise _Refused(DeadLetterReason.MALFORMED, "reading value not plausible", device)
    return kind, value, value2


def device_messages_ingest(
    incoming: list[Incoming], *, now: datetime.datetime | None = None
) -> list[Outcome]:
    """Take in a batch of messages; one Outcome per message, in order.

    Refused messages go to the dead-letter table with their reason; a message already taken
    in (same device, same id) changes nothing; the rest update their device (last heard and
    battery placed by the device's time, so a late message does not overwrite a newer
    one), store readings with their alerts, and open alarms.
    """
    now = now or timezone.now()
    outcomes: list[Outcome | None] = [None] * len(incoming)
    # Each body is parsed once, here; _check refuses what did not parse.
    parsed = [_parse_body(item.body) for item in incoming]
    serials = {
        d["device"] for d in parsed if isinstance(d, dict) and isinstance(d.get("device"), str)
    }
    # Only the columns ingest reads: loading every column (timestamps above all) of a few
    # hundred devices per batch was a tenth of the gateway's time.
    devices = {
        row[1]: DeviceRow(*row)
        for row in Device.objects.filter(serial__in=serials, active=True).values_list(
            *INGEST_FIELDS
        )
    }
    valid: list[_Valid] = []
    dead: list[DeadLetter] = []
    for index, item in enumerate(incoming):
        try:
            valid.append(_check(item, parsed[index], devices, now, index))
        except _Refused as refused:
            outcomes[index] = Outcome("refused", refused.reason)
            raw = item.raw if item.raw is not None else item.body
            dead.append(
                DeadLetter(
                    received_at=now,
                    via=item.via,
                    topic=item.topic[:200],
                    device_id=refused.device.pk if refused.device else None,
                    reason=refused.reason,
                    detail=refused.detail[:300],
                    payload=raw.decode("utf-8", "replace")[:DEAD_LETTER_PAYLOAD_CHARS],
                )
            )
    with transaction.atomic():
        if not any(item.type in ALARM_TYPES for item in valid):
            # Heartbeats and readings need not wait for the WAL flush: the gateway has
            # already acknowledged them to the broker when they reached its queue, so a crash
            # in the next fraction of a second loses them either way. A batch with an SOS or
            # a fall commits durably, as before.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        if dead:
            DeadLetter.objects.bulk_create(dead)
        accepted = _insert_messages(valid, now)
        for item in valid:
            if item.message_pk is None:
                outcomes[item.index] = Outcome("duplicate")
        _update_devices(accepted)
        _readings(accepted)
        for item in accepted:
            outcomes[item.index] = Outcome("accepted", alarm_id=_apply(item, now))
        _device_alerts(accepted, now)
    return [o or Outcome("refused") for o in outcomes]


def _insert_messages(valid: list[_Valid], now: datetime.datetime) -> list[_Valid]:
    """One INSERT for the batch, its rows passed as one JSON document (a statement of fixed
    size, whatever the batch; the json module writes it in C, where array parameters were
    escaped element by element in Python); the unique constraint drops repeats."""
    if not valid:
        return []
    rows = [
        {
            "d": item.device.pk,
            "m": item.data["id"],
            "t": item.type,
            "s": item.sent_at.isoformat(),
            "v": item.incoming.via,
            "p": item.data,
        }
        for item in valid
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO eldercare_devicemessage "
            "(device_id, message_id, type, sent_at, received_at, via, payload) "
            "SELECT d, m, t, s, %s, v, p "
            "FROM jsonb_to_recordset(%s::jsonb) AS u(d bigint, m text, t text, "
            "s timestamptz, v text, p jsonb) "
            "ON CONFLICT ON CONSTRAINT eldercare_devicemessage_once DO NOTHING "
            "RETURNING id, device_id, message_id",
            [now, json.dumps(rows, separators=(",", ":"))],
        )
        inserted = {(device_id, message_id): pk for pk, device_id, message_id in cursor.fetchall()}
    accepted = []
    for item in valid:
        # The same message twice in one batch: the first occurrence is the one taken.
        pk = inserted.pop((item.device.pk, item.data["id"]), None)
        if pk is not None:
            item.message_pk = pk
            accepted.append(item)
    return accepted


def _update_devices(accepted: list[_Valid]) -> None:
    """Last heard and battery of every device in the batch, in one UPDATE. GREATEST and the
    CASE keep the newest by the device's time when messages arrive out of order."""
    latest: dict[int, tuple[datetime.datetime, int | None, datetime.datetime | None]] = {}
    for item in accepted:
        pk = item.device.pk
        heard, battery, battery_at = latest.get(pk, (item.sent_at, None, None))
        heard = max(heard, item.sent_at)
        if item.battery is not None and (battery_at is None or item.sent_at >= battery_at):
            battery, battery_at = item.battery, item.sent_at
        latest[pk] = (heard, battery, battery_at)
    if not latest:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE eldercare_device AS d SET "
            "last_heard = GREATEST(d.last_heard, v.heard), "
            "battery = CASE WHEN v.battery IS NOT NULL AND "
            "(d.last_heard IS NULL OR v.battery_at >= d.last_heard) "
            "THEN v.battery ELSE d.battery END "
            "FROM jsonb_to_recordset(%s::jsonb) "
            "AS v(id bigint, heard timestamptz, battery smallint, battery_at timestamptz) "
            "WHERE d.id = v.id RETURNING d.id, d.battery",
            [
                json.dumps(
                    [
                        {
                            "id": pk,
                            "heard": heard.isoformat(),
                            "battery": battery,
                            "battery_at": battery_at and battery_at.isoformat(),
                        }
                        for pk, (heard, battery, battery_at) in latest.items()
                    ]
                )
            ],
        )
        batteries = dict(cursor.fetchall())
    for item in accepted:
        item.device.battery = batteries.get(item.device.pk, item.device.battery)


def _readings(accepted: list[_Valid]) -> None:
    """The batch's readings in one INSERT; an alert (one by one) for those out of range."""
    items = [i for i in accepted if i.type == MessageType.READING and i.reading]
    if not items:
        return
    elder_ids = {i.device.elder_id for i in items}
    elders = Elder.objects.select_related("resident").in_bulk(elder_ids)
    limits = thresholds_for(elder_ids)
    readings = HealthReading.objects.bulk_create(
        [
            HealthReading(
                elder_id=i.device.elder_id,
                kind=i.reading[0],
                value=i.reading[1],
                value2=i.reading[2],
                measured_at=i.sent_at,
                source=ReadingSource.DEVICE,
            )
            for i in items
        ]
    )
    for item, reading in zip(items, readings, strict=True):
        kind, value, value2 = item.reading
        elder = elders[item.device.elder_id]
        values = reading_alert_values(kind, value, value2, limits[elder.pk])
        if values:
            alert = Alert.objects.create(
                elder=elder,
                kind=AlertKind.READING,
                date=timezone.localdate(item.sent_at),
                values={"name": elder.display_name, **values},
                reading=reading,
            )
            notify_alert(alert)


def _apply(item: _Valid, now: datetime.datetime) -> int | None:
    """Alarms: the rare messages that must reach people, written one by one."""
    if item.type in (MessageType.SOS, MessageType.FALL):
        return alarm_open(
            device=item.device,
            message_pk=item.message_pk,
            kind=item.type,
            at=item.sent_at,
            now=now,
        ).pk
    return None


def alarm_open(
    *,
    device: Device | DeviceRow,
    message_pk: int,
    kind: str,
    at: datetime.datetime,
    now: datetime.datetime,
) -> Alarm:
    """Open an alarm and tell the facility's staff and the family who may see alerts."""
    elder = Elder.objects.select_related("resident").get(pk=device.elder_id)
    alarm = Alarm.objects.create(
        elder=elder,
        device_id=device.pk,
        message_id=message_pk,
        kind=kind,
        raised_at=at,
        opened_at=now,
    )
    text = (
        _("SOS from %(elder)s: someone must go now.")
        if kind == "sos"
        else _("Fall detected for %(elder)s: someone must go now.")
    )
    params = {"elder": elder.display_name}
    notification_create_many(
        recipients=facility_staff_users(device.facility_id or elder.facility_id),
        text=text,
        params=params,
        kind=Notification.Kind.ALERT,
        link=reverse("eldercare:alarm_board"),
    )
    notification_create_many(
        recipients=family_users_to_notify(elder),
        text=text,
        params=params,
        kind=Notification.Kind.ALERT,
        link=reverse("eldercare:family_elder", args=[elder.pk]),
    )
    return alarm


def _close_device_alert(device: Device | DeviceRow, column: str, alert_id: int, note: str) -> None:
    if Device.objects.filter(pk=device.pk, **{f"{column}_id": alert_id}).update(**{column: None}):
        Alert.objects.filter(pk=alert_id).exclude(status=AlertStatus.CLOSED).update(
            status=AlertStatus.CLOSED, closed_at=timezone.now(), close_note=note
        )


def _raise_device_alert(
    device: Device | DeviceRow, column: str, kind: str, values: dict, now: datetime.datetime
) -> bool:
    """One alert per device and kind: the conditional UPDATE claims the device's slot; a
    second job or gateway that lost the race rolls its alert back with its savepoint.
    The alert stores its values; `alert_text` words it in each reader's language."""
    elder = Elder.objects.select_related("resident").get(pk=device.elder_id)
    with transaction.atomic():
        alert = Alert.objects.create(
            elder=elder,
            kind=kind,
            date=timezone.localdate(now),
            values={"name": elder.display_name, "device": device.serial, **values},
        )
        claimed = Device.objects.filter(pk=device.pk, **{f"{column}__isnull": True}).update(
            **{column: alert}
        )
        if not claimed:
            transaction.set_rollback(True)
            return False
        notify_alert(alert)
    return True


def _device_alerts(accepted: list[_Valid], now: datetime.datetime) -> None:
    seen: set[int] = set()
    for item in accepted:
        device = item.device
        if device.pk in seen:
            continue
        seen.add(device.pk)
        if device.silent_alert_id:
            _close_device_alert(
                device,
                "silent_alert",
                device.silent_alert_id,
                gettext("The device reported again."),
            )
            device.silent_alert_id = None
        low = settings.DEVICE_BATTERY_LOW_PERCENT
        if device.battery is not None and device.battery < low and not device.battery_alert_id:
            _raise_device_alert(
                device,
                "battery_alert",
                AlertKind.BATTERY_LOW,
                {"battery": device.battery},
                now,
            )
        elif device.battery is not None and device.battery >= low and device.battery_alert_id:
            _close_device_alert(
                device,
                "battery_alert",
                device.battery_alert_id,
                gettext("The battery was charged."),
            )


# --- beat jobs ------------------------------------------------------------------------------


def devices_check_silent(*, now: datetime.datetime | None = None) -> int:
    """Raise one "device silent" alert for each device not heard within its heartbeat
    interval. Idempotent: a device with an open silent alert is skipped."""
    now = now or timezone.now()
    raised = 0
    for device in Device.objects.silent(now).filter(silent_alert__isnull=True):
        with transaction.atomic():
            raised += _raise_device_alert(
                device,
                "silent_alert",
                AlertKind.DEVICE_SILENT,
                {"since": (device.last_heard or device.installed_at).isoformat()},
                now,
            )
    return raised


def _community_staff(elder: Elder) -> list[User]:
    path = elder.community.region.path
    ids = [
        a.user_id
        for a in RoleAssignment.objects.filter(
            role=Role.COMMUNITY_STAFF, region__isnull=False
        ).select_related("region")
        if path.startswith(a.region.path)
    ]
    return list(User.objects.filter(pk__in=ids, is_active=True))


def alarms_escalate(*, now: datetime.datetime | None = None) -> int:
    """Alarms still open ELDERCARE_ALARM_ESCALATE_MINUTES after they opened go by SMS to the
    family contacts with a phone and to the community's staff. Idempotent: the alarm is
    claimed with a conditional UPDATE on `escalated_at`, and each SMS row is sent once."""
    from eldercare.tasks import send_alarm_sms

    now = now or timezone.now()
    limit = now - datetime.timedelta(minutes=settings.ELDERCARE_ALARM_ESCALATE_MINUTES)
    due = Alarm.objects.filter(
        status=AlarmStatus.OPEN, escalated_at__isnull=True, opened_at__lte=limit
    ).values_list("pk", flat=True)
    escalated = 0
    for pk in list(due):
        with transaction.atomic():
            if not Alarm.objects.filter(
                pk=pk, status=AlarmStatus.OPEN, escalated_at__isnull=True
            ).update(escalated_at=now):
                continue
            alarm = Alarm.objects.select_related("elder__resident", "elder__community__region").get(
                pk=pk
            )
            name = alarm.elder.display_name
            text = gettext(
                "%(kind)s for %(elder)s not answered for %(minutes)s minutes. Please call or go."
            ) % {
                "kind": alarm.get_kind_display(),
                "elder": name,
                "minutes": settings.ELDERCARE_ALARM_ESCALATE_MINUTES,
            }
            phones: list[tuple[str, str]] = [
                (c.phone, "family")
                for c in FamilyContact.objects.filter(elder=alarm.elder, can_see_health=True)
                .exclude(phone="")
                .order_by("pk")
            ]
            staff = _community_staff(alarm.elder)
            phones += [(u.phone, Role.COMMUNITY_STAFF) for u in staff if u.phone]
            rows = AlarmSms.objects.bulk_create(
                [AlarmSms(alarm=alarm, phone=p, role=r, text=text) for p, r in phones],
                ignore_conflicts=True,
            )
            notification_create_many(
                recipients=staff,
                text=_("Alarm not answered: %(elder)s"),
                params={"elder": name},
                kind=Notification.Kind.ESCALATION,
                link=reverse("eldercare:alarm_board"),
            )
            ids = list(
                AlarmSms.objects.filter(alarm=alarm, sent_at__isnull=True).values_list(
                    "pk", flat=True
                )
            )
            transaction.on_commit(lambda ids=ids: [send_alarm_sms.delay(i) for i in ids])
            logger.info("alarm %s escalated to %s phones", pk, len(rows))
            escalated += 1
    return escalated


def alarm_sms_send(*, sms_id: int) -> bool:
    """Send one escalation SMS; claimed first, so two workers send it once."""
    from portal.accounts.sms import get_sms_sender

    if not AlarmSms.objects.filter(pk=sms_id, sent_at__isnull=True).update(sent_at=timezone.now()):
        return False
    sms = AlarmSms.objects.get(pk=sms_id)
    get_sms_sender().send(phone=sms.phone, text=sms.text)
    return True


# --- answering an alarm ---------------------------------------------------------------------


def alarm_acknowledge(*, alarm: Alarm, by: User) -> Alarm:
    """Someone is on the way. Stops the escalation."""
    with transaction.atomic():
        if not Alarm.objects.filter(pk=alarm.pk, status=AlarmStatus.OPEN).update(
            status=AlarmStatus.ACKNOWLEDGED, acknowledged_at=timezone.now(), acknowledged_by=by
        ):
            raise ValidationError(_("Only an open alarm can be acknowledged."))
    alarm.refresh_from_db()
    return alarm


def alarm_close(*, alarm: Alarm, action: str, outcome: str, by: User) -> Alarm:
    """Close an alarm with what was done and its outcome; the family is told."""
    action = action.strip()
    errors = {}
    if not action:
        errors["action"] = _("Write what was done.")
    if outcome not in AlarmOutcome.values:
        errors["outcome"] = _("Choose the outcome.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        locked = Alarm.objects.select_for_update().get(pk=alarm.pk)
        if locked.status == AlarmStatus.CLOSED:
            raise ValidationError(_("This alarm is already closed."))
        locked.status = AlarmStatus.CLOSED
        locked.action = action
        locked.outcome = outcome
        locked.closed_at = now
        locked.closed_by = by
        if locked.acknowledged_at is None:
            locked.acknowledged_at, locked.acknowledged_by = now, by
        locked.save()
        elder = Elder.objects.select_related("resident").get(pk=locked.elder_id)
        notification_create_many(
            recipients=family_users_to_notify(elder),
            text=_("Alarm for %(elder)s closed: %(outcome)s — %(action)s"),
            params={
                "elder": elder.display_name,
                "outcome": locked.get_outcome_display(),
                "action": action,
            },
            kind=Notification.Kind.ALERT,
            link=reverse("eldercare:family_elder", args=[elder.pk]),
        )
    return locked


__all__ = [
    "Incoming",
    "Outcome",
    "alarm_acknowledge",
    "alarm_close",
    "alarm_open",
    "alarm_sms_send",
    "alarms_escalate",
    "device_messages_ingest",
    "device_register",
    "device_secret_rotate",
    "devices_check_silent",
    "mqtt_unwrap",
    "sign",
]
