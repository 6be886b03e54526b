"""Smart-care devices against the real Mosquitto (127.0.0.1:1883) and PostgreSQL: the MQTT
gateway and the HTTP endpoint feed one ingest service; alarms, escalation, silent devices."""

from __future__ import annotations

import datetime
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from eldercare.gateway import Gateway, mqtt_client, mqtt_connect
from eldercare.models import (
    Alarm,
    AlarmSms,
    AlarmStatus,
    Alert,
    AlertKind,
    AlertStatus,
    DeadLetter,
    Device,
    DeviceKind,
    DeviceMessage,
    HealthReading,
)
from eldercare.services.devices import (
    Incoming,
    alarm_acknowledge,
    alarm_close,
    alarms_escalate,
    device_messages_ingest,
    device_register,
    devices_check_silent,
    sign,
)
from portal.accounts.sms import OutboxSmsSender
from portal.notifications.models import Notification
from tests.eldercare.factories import FamilyContactFactory

BROKER = "mqtt://127.0.0.1:1883"


def wait_for(check: Callable[[], object], timeout: float = 15) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def device(elder, facility_staff):
    return device_register(
        elder=elder,
        kind=DeviceKind.SOS_BUTTON,
        serial=f"SN-{uuid.uuid4().hex[:8]}",
        facility=elder.facility,
        installed_at=timezone.now() - datetime.timedelta(days=1),
        by=facility_staff,
    )


def body(device: Device, type_: str = "heartbeat", **extra: object) -> bytes:
    message = {
        "id": extra.pop("id", uuid.uuid4().hex),
        "device": device.serial,
        "type": type_,
        "ts": extra.pop("ts", time.time()),
    }
    message.update(extra)
    return json.dumps(message).encode()


def envelope(secret: str, raw: bytes) -> bytes:
    return json.dumps({"sig": sign(secret, raw), "body": raw.decode()}).encode()


@pytest.fixture
def gateway() -> Iterator[tuple[Gateway, Callable[[str, bytes], None]]]:
    """A gateway on a topic prefix of its own, and a publisher to it."""
    prefix = f"test-{uuid.uuid4().hex[:10]}/devices"
    gw = Gateway(url=BROKER, prefix=prefix)
    stop = threading.Event()
    thread = threading.Thread(target=gw.run, args=(stop,), daemon=True)
    thread.start()
    assert gw.subscribed.wait(10), "the gateway did not subscribe"
    publisher = mqtt_client(BROKER)
    mqtt_connect(publisher)
    publisher.loop_start()

    def publish(serial: str, payload: bytes) -> None:
        publisher.publish(f"{prefix}/{serial}/up", payload, qos=1).wait_for_publish(10)

    yield gw, publish
    publisher.loop_stop()
    publisher.disconnect()
    stop.set()
    thread.join(10)


@pytest.mark.django_db(transaction=True)
def test_sos_over_mqtt_opens_alarm_notifies_escalates_and_closes(
    gateway, device, elder, facility_staff, family, community_staff
):
    OutboxSmsSender.outbox.clear()
    FamilyContactFactory(elder=elder, user=None, name="张先生", relation="son", phone="13900001111")
    _gw, publish = gateway
    publish(device.serial, envelope(device.secret, body(device, "sos", battery=90)))
    alarm = wait_for(lambda: Alarm.objects.filter(device=device).first())
    assert alarm.status == AlarmStatus.OPEN and alarm.kind == "sos"
    for user in (facility_staff, family):
        assert Notification.objects.filter(
            recipient=user, kind=Notification.Kind.ALERT, text__contains="张奶奶"
        ).exists()

    # The clock stands still at 4 minutes: nothing; at 6 minutes: SMS, once.
    assert alarms_escalate(now=alarm.opened_at + datetime.timedelta(minutes=4)) == 0
    later = alarm.opened_at + datetime.timedelta(minutes=6)
    assert alarms_escalate(now=later) == 1
    assert alarms_escalate(now=later) == 0
    phones = set(AlarmSms.objects.filter(alarm=alarm).values_list("phone", flat=True))
    assert phones == {"13900001111", community_staff.phone}
    wait_for(lambda: AlarmSms.objects.filter(alarm=alarm, sent_at__isnull=False).count() == 2)
    assert {m["phone"] for m in OutboxSmsSender.outbox} >= phones

    alarm = alarm_acknowledge(alarm=alarm, by=facility_staff)
    closed = alarm_close(
        alarm=alarm, action="扶起，测量血压正常", outcome="helped", by=facility_staff
    )
    assert closed.status == AlarmStatus.CLOSED and closed.acknowledged_by == facility_staff
    assert Notification.objects.filter(recipient=family, text__contains="扶起").exists()


@pytest.mark.django_db(transaction=True)
def test_replayed_message_over_mqtt_changes_nothing(gateway, device):
    gw, publish = gateway
    raw = body(device, "sos", id="once")
    publish(device.serial, envelope(device.secret, raw))
    wait_for(lambda: Alarm.objects.filter(device=device).exists())
    publish(device.serial, envelope(device.secret, raw))
    publish(device.serial, envelope(device.secret, body(device, "heartbeat", id="after")))
    wait_for(lambda: DeviceMessage.objects.filter(device=device, message_id="after").exists())
    assert Alarm.objects.filter(device=device).count() == 1
    assert DeviceMessage.objects.filter(device=device).count() == 2
    assert not DeadLetter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_gateways_in_one_shared_subscription_store_each_message_once(device):
    """Scaled out (`--group`), the broker gives each message to one gateway: all 40 are
    stored, none twice, and both gateways took some."""
    prefix = f"test-{uuid.uuid4().hex[:10]}/devices"
    stop = threading.Event()
    gateways = [
        Gateway(url=BROKER, prefix=prefix, client_id=f"gw-{uuid.uuid4().hex[:8]}", group="t")
        for _ in range(2)
    ]
    threads = [threading.Thread(target=gw.run, args=(stop,), daemon=True) for gw in gateways]
    for thread in threads:
        thread.start()
    try:
        assert all(gw.subscribed.wait(10) for gw in gateways)
        publisher = mqtt_client(BROKER)
        mqtt_connect(publisher)
        publisher.loop_start()
        for n in range(40):
            raw = body(device, id=f"m{n}", ts=time.time() - 40 + n)
            publisher.publish(
                f"{prefix}/{device.serial}/up", envelope(device.secret, raw), qos=1
            ).wait_for_publish(10)
        publisher.loop_stop()
        publisher.disconnect()
        wait_for(lambda: DeviceMessage.objects.filter(device=device).count() >= 40)
        wait_for(lambda: sum(gw.processed for gw in gateways) >= 40)
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    assert DeviceMessage.objects.filter(device=device).count() == 40
    assert sum(gw.processed for gw in gateways) == 40
    assert all(gw.processed > 0 for gw in gateways), [gw.processed for gw in gateways]
    assert not DeadLetter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_bad_signature_unknown_device_and_malformed_land_in_dead_letters(gateway, device):
    _gw, publish = gateway
    publish(device.serial, envelope("not-the-secret", body(device, "sos")))
    ghost = json.dumps({"id": "g1", "device": "NO-SUCH", "type": "sos", "ts": time.time()})
    publish("NO-SUCH", json.dumps({"sig": "00", "body": ghost}).encode())
    publish(device.serial, b"\xff not json")
    publish(device.serial, envelope(device.secret, body(device, "reading", reading={"kind": "bp"})))
    future = time.time() + 3 * 86400
    publish(device.serial, envelope(device.secret, body(device, "heartbeat", ts=future)))
    reasons = wait_for(
        lambda: (
            sorted(DeadLetter.objects.values_list("reason", flat=True))
            if DeadLetter.objects.count() == 5
            else None
        )
    )
    assert reasons == sorted(
        ["bad_signature", "unknown_device", "malformed", "malformed", "bad_time"]
    )
    assert not Alarm.objects.exists()
    assert not DeviceMessage.objects.exists()


@pytest.mark.django_db
def test_http_push_signed_with_timestamp_is_taken_once(client, device):
    raw = body(device, "sos", id="h1")
    stamp = str(int(time.time()))
    headers = {
        "HTTP_X_DEVICE_TIMESTAMP": stamp,
        "HTTP_X_DEVICE_SIGNATURE": sign(device.secret, stamp.encode() + b"." + raw),
    }
    url = reverse("eldercare:device_ingest")
    first = client.post(url, raw, content_type="application/json", **headers)
    again = client.post(url, raw, content_type="application/json", **headers)
    assert (first.status_code, first.json()["status"]) == (202, "accepted")
    assert (again.status_code, again.json()["status"]) == (202, "duplicate")
    assert Alarm.objects.filter(device=device).count() == 1


@pytest.mark.django_db
def test_http_push_outside_the_window_or_badly_signed_is_refused(client, device):
    raw = body(device, "sos")
    url = reverse("eldercare:device_ingest")
    old = str(int(time.time()) - 3600)
    stale = client.post(
        url,
        raw,
        content_type="application/json",
        HTTP_X_DEVICE_TIMESTAMP=old,
        HTTP_X_DEVICE_SIGNATURE=sign(device.secret, old.encode() + b"." + raw),
    )
    unsigned = client.post(url, raw, content_type="application/json")
    assert stale.status_code == unsigned.status_code == 400
    assert sorted(DeadLetter.objects.values_list("reason", flat=True)) == [
        "bad_signature",
        "stale",
    ]
    assert not Alarm.objects.exists()


def _mqtt(device: Device, raw: bytes) -> Incoming:
    return Incoming(body=raw, signature=sign(device.secret, raw), via="mqtt")


@pytest.mark.django_db
def test_out_of_order_messages_are_placed_by_their_time(device):
    now = time.time()
    device_messages_ingest([_mqtt(device, body(device, ts=now, battery=80))])
    device_messages_ingest([_mqtt(device, body(device, ts=now - 600, battery=10))])
    device.refresh_from_db()
    assert device.battery == 80
    assert device.last_heard.timestamp() == pytest.approx(now, abs=0.01)
    assert not Alert.objects.filter(kind=AlertKind.BATTERY_LOW).exists()


@pytest.mark.django_db
def test_device_reading_out_of_range_raises_an_alert(device, facility_staff):
    raw = body(device, "reading", reading={"kind": "bp", "value": 185, "value2": 100})
    device_messages_ingest([_mqtt(device, raw)])
    reading = HealthReading.objects.get(elder=device.elder)
    assert reading.source == "device"
    assert Alert.objects.filter(reading=reading, kind=AlertKind.READING).exists()


@pytest.mark.django_db
def test_silent_device_raises_one_alert_and_clears_when_it_returns(device, facility_staff):
    start = timezone.now()
    device_messages_ingest([_mqtt(device, body(device, ts=start.timestamp()))])
    assert devices_check_silent(now=start + datetime.timedelta(minutes=5)) == 0
    late = start + datetime.timedelta(minutes=11)
    assert devices_check_silent(now=late) == 1
    assert devices_check_silent(now=late + datetime.timedelta(minutes=5)) == 0
    alert = Alert.objects.get(kind=AlertKind.DEVICE_SILENT)
    assert alert.status == AlertStatus.OPEN
    # Stored as kind and values, worded for each reader in their own language.
    assert alert.message == "" and alert.values["device"] == device.serial
    with translation.override("en"):
        english = alert.text
    with translation.override("zh-hans"):
        chinese = alert.text
    assert f"{device.serial} has not been heard from since" in english
    assert device.serial in chinese and "heard" not in chinese and "年" in chinese
    notified = Notification.objects.get(recipient=facility_staff, kind="alert").text
    assert notified == (english if facility_staff.language == "en" else chinese)

    device_messages_ingest([_mqtt(device, body(device))])
    alert.refresh_from_db()
    device.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED and device.silent_alert_id is None
    assert Alert.objects.filter(kind=AlertKind.DEVICE_SILENT).count() == 1


@pytest.mark.django_db
def test_low_battery_raises_one_alert_cleared_when_charged(device):
    device_messages_ingest([_mqtt(device, body(device, battery=12))])
    device_messages_ingest([_mqtt(device, body(device, battery=11))])
    assert Alert.objects.filter(kind=AlertKind.BATTERY_LOW, status=AlertStatus.OPEN).count() == 1
    alert = Alert.objects.get(kind=AlertKind.BATTERY_LOW)
    with translation.override("en"):
        assert alert.text.endswith(f"the battery of {device.serial} is at 12%.")
    with translation.override("zh-hans"):
        assert "12%" in alert.text and "battery" not in alert.text
    device_messages_ingest([_mqtt(device, body(device, battery=95))])
    assert not Alert.objects.filter(kind=AlertKind.BATTERY_LOW, status=AlertStatus.OPEN).exists()


@pytest.mark.django_db
def test_alarm_board_polls_with_etag_and_scopes(client, device, facility_staff, outsider):
    device_messages_ingest([_mqtt(device, body(device, "fall"))])
    client.force_login(facility_staff)
    url = reverse("eldercare:alarm_board_json")
    first = client.get(url)
    assert [a["elder"] for a in first.json()["alarms"]] == ["张奶奶"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    page = client.get(reverse("eldercare:alarm_board"))
    assert b"js/alarms.js" in page.content and b"<script>" not in page.content
    alarm = Alarm.objects.get()
    client.force_login(outsider)
    assert client.get(url).json()["alarms"] == []
    assert client.get(reverse("eldercare:alarm_detail", args=[alarm.pk])).status_code == 404


@pytest.mark.django_db
def test_refused_messages_page_shows_the_users_own_devices_only(
    client, device, facility_staff, other_facility_staff, admin_user
):
    forged = Incoming(body=body(device, "sos"), signature="00", via="mqtt")
    ghost = Incoming(body=b'{"device": "NO-SUCH", "id": "x"}', signature="00", via="mqtt")
    device_messages_ingest([forged, ghost])
    own, unknown = DeadLetter.objects.order_by("pk")
    assert own.device == device and unknown.device is None
    url = reverse("eldercare:dead_letter_list")

    client.force_login(facility_staff)
    html = client.get(url).content.decode()
    assert f"dead-letter-{own.pk}" in html and f"dead-letter-{unknown.pk}" not in html
    client.force_login(other_facility_staff)
    html = client.get(url).content.decode()
    assert "dead-letter-" not in html
    client.force_login(admin_user)
    html = client.get(url).content.decode()
    assert f"dead-letter-{own.pk}" in html and f"dead-letter-{unknown.pk}" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ts", [946684799, "9999-12-31T23:59:59-14:00", "1999-12-31T23:59:59+08:00", "{ahead}"]
)
def test_a_device_reading_dated_before_2000_or_over_a_day_ahead_is_a_dead_letter(device, ts):
    if ts == "{ahead}":
        ts = time.time() + 86400 + 600
    raw = body(device, "reading", ts=ts, reading={"kind": "heart_rate", "value": 70})
    incoming = Incoming(body=raw, signature=sign(device.secret, raw), via="mqtt")
    [outcome] = device_messages_ingest([incoming])
    assert outcome.status == "refused"
    assert DeadLetter.objects.get().reason == "bad_time"
    assert not HealthReading.objects.exists() and not DeviceMessage.objects.exists()


BAD_READING_TIMES = [
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+08:00",
    "1999-12-31T23:59:59+08:00",
    "{ahead}",
]


def _bad_time(ts: str) -> object:
    return time.time() + 86400 + 600 if ts == "{ahead}" else ts


@pytest.mark.django_db
@pytest.mark.parametrize("ts", BAD_READING_TIMES)
def test_http_push_of_a_reading_dated_out_of_range_is_refused_and_stores_nothing(
    client, device, elder, facility_staff, ts
):
    raw = body(device, "reading", ts=_bad_time(ts), reading={"kind": "heart_rate", "value": 70})
    stamp = str(int(time.time()))
    response = client.post(
        reverse("eldercare:device_ingest"),
        raw,
        content_type="application/json",
        HTTP_X_DEVICE_TIMESTAMP=stamp,
        HTTP_X_DEVICE_SIGNATURE=sign(device.secret, stamp.encode() + b"." + raw),
    )
    assert response.status_code == 400
    assert response.json() == {"status": "refused", "reason": "bad_time"}
    assert not HealthReading.objects.exists() and not DeviceMessage.objects.exists()
    client.force_login(facility_staff)
    assert client.get(reverse("eldercare:elder_detail", args=[elder.pk])).status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("ts", ["9999-12-31T23:59:59-14:00", "1999-12-31T23:59:59+08:00"])
def test_a_reading_dated_out_of_range_over_mqtt_is_refused_and_stores_nothing(gateway, device, ts):
    _gw, publish = gateway
    raw = body(device, "reading", ts=ts, reading={"kind": "heart_rate", "value": 70})
    publish(device.serial, envelope(device.secret, raw))
    letter = wait_for(lambda: DeadLetter.objects.first())
    assert letter.reason == "bad_time" and letter.device == device
    assert not HealthReading.objects.exists() and not DeviceMessage.objects.exists()
