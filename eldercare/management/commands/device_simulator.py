"""`manage.py device_simulator`: the registered devices send heartbeats, readings and now
and then an SOS, over MQTT (DEVICE_MQTT_URL) or HTTP (`--http URL`), so that the alarm
board comes alive in a demo."""

from __future__ import annotations

import json
import random
import time
import urllib.request
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from eldercare.gateway import mqtt_client, mqtt_connect
from eldercare.models import Device
from eldercare.services.devices import sign


class Command(BaseCommand):
    help = "Simulate the registered devices: heartbeats, readings and an occasional SOS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=settings.DEVICE_MQTT_URL or "mqtt://127.0.0.1:1883")
        parser.add_argument("--prefix", default=settings.DEVICE_MQTT_TOPIC_PREFIX)
        parser.add_argument(
            "--http",
            default="",
            help="push to this ingest URL instead of MQTT, e.g. "
            "http://127.0.0.1:8000/eldercare/devices/ingest/",
        )
        parser.add_argument("--interval", type=float, default=5.0, help="seconds per round")
        parser.add_argument("--sos-every", type=int, default=6, help="an SOS every N rounds")
        parser.add_argument("--rounds", type=int, default=0, help="stop after N (0: never)")

    def handle(self, *args: object, **options: object) -> None:
        devices = list(Device.objects.filter(active=True).select_related("elder__resident"))
        if not devices:
            self.stderr.write("No devices: run `manage.py seed_demo` first.")
            return
        send = self._http(str(options["http"])) if options["http"] else self._mqtt(options)
        rounds = int(options["rounds"])
        n = 0
        while not rounds or n < rounds:
            n += 1
            for device in devices:
                send(device, self._message(device, "heartbeat"))
            for device in random.sample(devices, min(5, len(devices))):
                send(device, self._message(device, "reading"))
            if n % int(options["sos_every"]) == 0:
                device = random.choice(devices)
                send(device, self._message(device, "sos"))
                self.stdout.write(f"SOS from {device.serial} ({device.elder.display_name})")
            self.stdout.write(f"round {n}: {len(devices)} devices")
            time.sleep(float(options["interval"]))

    def _message(self, device: Device, kind: str) -> bytes:
        message: dict = {
            "id": uuid.uuid4().hex,
            "device": device.serial,
            "type": kind,
            "ts": time.time(),
            "battery": random.randint(30, 100),
        }
        if kind == "reading":
            message["reading"] = {
                "kind": "bp",
                "value": random.randint(110, 175),
                "value2": random.randint(65, 100),
            }
        return json.dumps(message).encode()

    def _mqtt(self, options: dict) -> Callable[[Device, bytes], None]:
        client = mqtt_client(str(options["url"]))
        mqtt_connect(client)
        client.loop_start()
        prefix = str(options["prefix"]).rstrip("/")

        def send(device: Device, body: bytes) -> None:
            payload = json.dumps({"sig": sign(device.secret, body), "body": body.decode()})
            client.publish(f"{prefix}/{device.serial}/up", payload, qos=1)

        return send

    def _http(self, url: str) -> Callable[[Device, bytes], None]:
        def send(device: Device, body: bytes) -> None:
            stamp = str(int(time.time()))
            request = urllib.request.Request(  # noqa: S310
                url,
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "X-Device-Timestamp": stamp,
                    "X-Device-Signature": sign(device.secret, stamp.encode() + b"." + body),
                },
            )
            try:
                urllib.request.urlopen(request, timeout=5).close()  # noqa: S310
            except OSError as exc:
                self.stderr.write(f"{device.serial}: {exc}")

        return send
