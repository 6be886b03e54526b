"""The MQTT device gateway: subscribes to `<prefix>/+/up` and feeds the ingest service.

paho's network thread only queues what arrives; the gateway's own loop takes whatever is
queued (up to `batch` messages) and hands it to `device_messages_ingest` in one
transaction, so under load the database sees few large statements, and when idle an SOS is
written as soon as it arrives.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
import uuid
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.db import close_old_connections

from eldercare.services.devices import Incoming, device_messages_ingest, mqtt_unwrap

logger = logging.getLogger(__name__)

# An SOS or a fall must not wait behind a backlog of heartbeats: a cheap look at the raw
# payload sends it to the urgent inbox, taken first. It only reorders; the ingest service
# still checks everything, so a payload that fools this look is handled like any other.
URGENT = re.compile(rb'type\\?"\s*:\s*\\?"(?:sos|fall)\\?"')


def mqtt_client(url: str, client_id: str = "") -> mqtt.Client:
    """A connected-on-demand paho client for `mqtt://[user:password@]host[:port]`."""
    parts = urlparse(url)
    client = mqtt.Client(
        callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id or f"portal-{uuid.uuid4().hex[:12]}",
        clean_session=not client_id,
    )
    if parts.username:
        client.username_pw_set(parts.username, parts.password)
    if parts.scheme == "mqtts":
        client.tls_set()
    client.max_queued_messages_set(0)
    client.max_inflight_messages_set(1000)
    client._gateway_address = (parts.hostname or "127.0.0.1", parts.port or 1883)
    return client


def mqtt_connect(client: mqtt.Client) -> None:
    host, port = client._gateway_address
    client.connect(host, port, keepalive=30)


class Gateway:
    def __init__(
        self, *, url: str, prefix: str, batch: int = 500, client_id: str = "", group: str = ""
    ) -> None:
        self.url = url
        self.prefix = prefix.rstrip("/")
        # Several gateways in one MQTT shared subscription ($share/<group>/...) split the
        # messages between them: the broker gives each message to one of them.
        self.group = group
        self.batch = batch
        self.client_id = client_id
        self.inbox: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.urgent: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.subscribed = threading.Event()
        self.processed = 0

    def _on_connect(
        self, client: mqtt.Client, userdata: object, flags: object, rc: object, props: object = None
    ) -> None:
        # QoS 1: the broker keeps what arrives while the gateway restarts (persistent session).
        topic = f"{self.prefix}/+/up"
        client.subscribe(f"$share/{self.group}/{topic}" if self.group else topic, qos=1)

    def _on_subscribe(self, *args: object) -> None:
        self.subscribed.set()
        logger.info("device gateway subscribed to %s/+/up", self.prefix)

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        target = self.urgent if URGENT.search(message.payload) else self.inbox
        target.put((message.topic, message.payload))

    def run(self, stop: threading.Event) -> None:
        client = mqtt_client(self.url, self.client_id)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        mqtt_connect(client)
        client.loop_start()
        try:
            while not stop.is_set():
                items = []
                while True:
                    try:
                        items.append(self.urgent.get_nowait())
                    except queue.Empty:
                        break
                if not items:
                    try:
                        items.append(self.inbox.get(timeout=0.05))
                    except queue.Empty:
                        continue
                while len(items) < self.batch and self.urgent.empty():
                    try:
                        items.append(self.inbox.get_nowait())
                    except queue.Empty:
                        break
                self.handle(items)
        finally:
            client.loop_stop()
            client.disconnect()

    def handle(self, items: list[tuple[str, bytes]]) -> None:
        close_old_connections()
        incoming = [mqtt_unwrap(payload, topic) for topic, payload in items]
        try:
            device_messages_ingest(incoming)
        except Exception:
            # One bad message must not lose the batch: retry one by one, log what fails.
            logger.exception("batch of %d failed; retrying one by one", len(incoming))
            for item in incoming:
                try:
                    device_messages_ingest([item])
                except Exception:
                    logger.exception("message on %s failed", item.topic)
                    time.sleep(0.01)
        self.processed += len(items)


__all__ = ["Gateway", "Incoming", "mqtt_client", "mqtt_connect"]
