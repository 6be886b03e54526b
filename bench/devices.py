"""Bench: smart-care devices through Mosquitto and the device gateway into PostgreSQL.

    .venv/bin/python bench/devices.py [devices] [minutes]

10,000 devices each send one message a minute (heartbeats, some readings), plus a burst of
buffered, out-of-order messages as after a network outage. The same pre-signed messages go

  1. through the bare broker: mosquitto_pub -l -> mosquitto_sub, no processing (baseline);
  2. through `manage.py device_gateway` (its own process) into PostgreSQL.

While (2) runs, an SOS is published every second and the bench measures the
time from publish to the alarm row and to the staff's notification row (p50, p95).

It starts a private Mosquitto on a free port (unlimited queues, so a slow subscriber is
measured, not dropped) and uses its own database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_devices), created and migrated when missing.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_devices")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


ensure_database(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from communities.models import Community, Region  # noqa: E402
from eldercare.gateway import mqtt_client, mqtt_connect  # noqa: E402
from eldercare.models import Alarm, CareFacility, Device, DeviceMessage, Elder  # noqa: E402
from eldercare.services.devices import sign  # noqa: E402
from portal.accounts.models import Role, RoleAssignment, User  # noqa: E402
from portal.notifications.models import Notification  # noqa: E402

DEVICES = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
MINUTES = int(sys.argv[2]) if len(sys.argv) > 2 else 3
BURST = DEVICES // 2
SOS_PER_SECOND = 10
# Gateway processes sharing the subscription (MQTT $share), one per core as deployed.
GATEWAYS = int(os.environ.get("BENCH_GATEWAYS", os.cpu_count() or 1))
BENCH_BROKER = "redis://127.0.0.1:6379/13"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_broker(port: int, workdir: Path) -> subprocess.Popen:
    conf = workdir / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        "max_queued_messages 0\nmax_inflight_messages 0\n"
    )
    binary = "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else "mosquitto"
    broker = subprocess.Popen([binary, "-c", str(conf)], stderr=subprocess.DEVNULL)
    for _ in range(50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return broker
        time.sleep(0.1)
    raise SystemExit("private mosquitto did not start")


def setup() -> list[Device]:
    call_command("migrate", verbosity=0)
    Alarm.objects.all().delete()
    DeviceMessage.objects.all().delete()
    Notification.objects.all().delete()
    if Device.objects.count() >= DEVICES:
        return list(Device.objects.order_by("pk")[:DEVICES])
    region, _ = Region.objects.get_or_create(
        code="bench-dev", defaults={"name": "Bench", "level": "community", "path": "/bench-dev/"}
    )
    community, _ = Community.objects.get_or_create(region=region)
    facility, _ = CareFacility.objects.get_or_create(name="Bench home", community=community)
    staff, _ = User.objects.get_or_create(email="bench-staff@example.cn", defaults={"name": "S"})
    RoleAssignment.objects.get_or_create(user=staff, role=Role.FACILITY_STAFF, facility=facility)
    elders = Elder.objects.bulk_create(
        [Elder(name=f"E{i}", community=community, facility=facility) for i in range(DEVICES)]
    )
    installed = timezone.now() - datetime.timedelta(days=1)
    Device.objects.bulk_create(
        [
            Device(
                kind="wristband",
                serial=f"B-{uuid.uuid4().hex[:12]}",
                elder=e,
                facility=facility,
                installed_at=installed,
                secret=secrets.token_hex(32),
                battery=90,
            )
            for e in elders
        ]
    )
    return list(Device.objects.order_by("pk")[:DEVICES])


def envelope(device: Device, message: dict) -> str:
    body = json.dumps(message, separators=(",", ":"))
    return json.dumps({"sig": sign(device.secret, body.encode()), "body": body})


def load(devices: list[Device]) -> list[str]:
    """One message a minute per device, 5% of them readings, then a burst of buffered
    messages from half the devices, older than the rest (out of order)."""
    start = time.time() - MINUTES * 60
    lines = []
    for minute in range(MINUTES):
        for i, d in enumerate(devices):
            message = {
                "id": uuid.uuid4().hex,
                "device": d.serial,
                "type": "heartbeat",
                "ts": start + minute * 60 + i % 60,
                "battery": 80,
            }
            if i % 20 == minute:
                message["type"] = "reading"
                message["reading"] = {"kind": "heart_rate", "value": 72}
            lines.append(envelope(d, message))
    for d in devices[:BURST]:
        message = {"id": uuid.uuid4().hex, "device": d.serial, "type": "heartbeat",
                   "ts": start - 300, "battery": 85}  # fmt: skip
        lines.append(envelope(d, message))
    return lines


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def bare_broker(port: int, path: Path, count: int) -> float:
    topic = f"bench-bare-{uuid.uuid4().hex[:8]}/x/up"
    sub = subprocess.Popen(
        ["mosquitto_sub", "-p", str(port), "-t", topic, "-q", "1", "-C", str(count)],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    began = time.perf_counter()
    subprocess.run(
        ["mosquitto_pub", "-p", str(port), "-t", topic, "-q", "1", "-l"],
        stdin=path.open("rb"),
        check=True,
    )
    sub.wait(timeout=600)
    return count / (time.perf_counter() - began)


def through_gateway(port: int, path: Path, count: int, devices: list[Device]) -> dict:
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    # As in production, the gateway queues notification deliveries for a Celery worker
    # (here a Redis list nobody reads, removed at the end) instead of delivering in-process.
    env = dict(os.environ, CELERY_TASK_ALWAYS_EAGER="false", CELERY_BROKER_URL=BENCH_BROKER)
    gateways = []
    for n in range(GATEWAYS):
        gateway = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "device_gateway",
                "--url",
                f"mqtt://127.0.0.1:{port}",
                "--prefix",
                prefix,
                "--client-id",
                f"bench-{uuid.uuid4().hex[:8]}-{n}",
                "--group",
                prefix,
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for line in gateway.stdout:
            if line.startswith("subscribed"):
                break
        gateways.append(gateway)
    sos_sent: dict[str, float] = {}
    stop = threading.Event()

    def sos() -> None:
        client = mqtt_client(f"mqtt://127.0.0.1:{port}")
        mqtt_connect(client)
        client.loop_start()
        i = 0
        while not stop.is_set():
            device = devices[(i * 7919) % len(devices)]
            message_id = f"sos-{uuid.uuid4().hex}"
            payload = envelope(
                device,
                {
                    "id": message_id,
                    "device": device.serial,
                    "type": "sos",
                    "ts": time.time(),
                },  # fmt: skip
            )
            sos_sent[message_id] = time.time()
            client.publish(f"{prefix}/{device.serial}/up", payload, qos=1)
            i += 1
            stop.wait(1 / SOS_PER_SECOND)
        client.loop_stop()

    alarm_seen: dict[str, float] = {}

    def watch() -> None:
        while not stop.is_set() or len(alarm_seen) < len(sos_sent):
            pending = [m for m in list(sos_sent) if m not in alarm_seen]
            if pending:
                now = time.time()
                rows = Alarm.objects.filter(message__message_id__in=pending).values_list(
                    "pk", "message__message_id"
                )
                for _pk, message_id in rows:
                    alarm_seen[message_id] = now
            time.sleep(0.02)
            if stop.is_set() and time.time() - stopped_at[0] > 30:
                break
        connection.close()

    stopped_at = [0.0]
    threads = [threading.Thread(target=sos), threading.Thread(target=watch)]
    for t in threads:
        t.start()
    time.sleep(1)
    began = time.perf_counter()
    subprocess.run(
        ["mosquitto_pub", "-p", str(port), "-t", f"{prefix}/load/up", "-q", "1", "-l"],
        stdin=path.open("rb"),
        check=True,
    )
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT count(*) FROM eldercare_devicemessage WHERE type <> 'sos'")
            done = cursor.fetchone()[0]
            if done >= count or time.perf_counter() - began > 900:
                break
            time.sleep(0.1)
    elapsed = time.perf_counter() - began
    stop.set()
    stopped_at[0] = time.time()
    threads[0].join()
    threads[1].join(60)
    for gateway in gateways:
        gateway.terminate()
    for gateway in gateways:
        gateway.wait(30)
    import redis

    redis.Redis.from_url(BENCH_BROKER).delete("celery")
    alarm = [alarm_seen[m] - sos_sent[m] for m in alarm_seen]
    return {"rate": done / elapsed, "done": done, "alarm": alarm, "sent": len(sos_sent)}


def main() -> None:
    devices = setup()
    lines = load(devices)
    count = len(lines)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "messages.txt"
        path.write_text("\n".join(lines) + "\n")
        port = free_port()
        broker = start_broker(port, workdir)
        try:
            bare = bare_broker(port, path, count)
            gw = through_gateway(port, path, count, devices)
        finally:
            broker.terminate()
            broker.wait(10)
    staff_notes = Notification.objects.filter(kind="alert").count()
    print(f"devices: {len(devices)}, messages: {count} ({MINUTES} per device + a burst of {BURST})")
    print(f"bare broker (mosquitto_pub -> mosquitto_sub): {bare:,.0f} messages/s")
    print(
        f"gateway into PostgreSQL ({GATEWAYS} process(es) sharing the subscription): "
        f"{gw['rate']:,.0f} messages/s ({gw['done']} stored)"
    )
    print(f"ratio: {gw['rate'] / bare:.2f} x the bare broker (goal >= 0.3)")
    if gw["alarm"]:
        p50, p95 = percentile(gw["alarm"], 0.5), percentile(gw["alarm"], 0.95)
        print(
            f"SOS publish -> alarm row and staff notification row (same transaction), "
            f"{len(gw['alarm'])}/{gw['sent']} SOS under load: p50 {p50:.3f} s, p95 {p95:.3f} s "
            f"(goal p95 < 2 s); notifications written: {staff_notes}"
        )
    print(f"median of alarm latencies: {statistics.median(gw['alarm']):.3f} s")


if __name__ == "__main__":
    main()
