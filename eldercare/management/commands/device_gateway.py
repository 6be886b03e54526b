"""`manage.py device_gateway`: the MQTT device gateway, as its own process."""

from __future__ import annotations

import signal
import socket
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from eldercare.gateway import Gateway


class Command(BaseCommand):
    help = "Subscribe to the device broker (DEVICE_MQTT_URL) and take in what devices send."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=settings.DEVICE_MQTT_URL)
        parser.add_argument("--prefix", default=settings.DEVICE_MQTT_TOPIC_PREFIX)
        parser.add_argument("--batch", type=int, default=500)
        # One client id per gateway process: the broker keeps each one's session while it
        # restarts. The host name tells scaled-out containers apart.
        parser.add_argument("--client-id", default=f"portal-device-gateway-{socket.gethostname()}")
        parser.add_argument(
            "--group",
            default="",
            help="Share the subscription with the other gateways of this group (MQTT "
            "$share): run one gateway per core, each with its own --client-id.",
        )

    def handle(self, *args: object, **options: object) -> None:
        if not options["url"]:
            raise CommandError("DEVICE_MQTT_URL is not set: devices can push over HTTP only.")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        gateway = Gateway(
            url=str(options["url"]),
            prefix=str(options["prefix"]),
            batch=int(options["batch"]),
            client_id=str(options["client_id"]),
            group=str(options["group"]),
        )
        runner = threading.Thread(target=gateway.run, args=(stop,), daemon=True)
        runner.start()
        while not gateway.subscribed.wait(0.5):
            if not runner.is_alive():
                raise CommandError("The gateway stopped before it subscribed.")
        # A line others can wait for (the benchmark does): from here nothing is missed.
        self.stdout.write(f"subscribed: {options['url']} {options['prefix']}/+/up")
        self.stdout.flush()
        while runner.is_alive():
            runner.join(0.5)
