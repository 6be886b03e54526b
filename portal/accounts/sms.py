"""Pluggable SMS senders. settings.SMS_SENDER names the class; production sets a gateway."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsSender:
    def send(self, *, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSmsSender(SmsSender):
    """Prints the message on the console: for local runs only."""

    def send(self, *, phone: str, text: str) -> None:
        logger.warning("SMS to %s: %s", phone, text)
        print(f"[SMS to {phone}] {text}", flush=True)


class OutboxSmsSender(SmsSender):
    """Keeps messages in memory, so tests can read the verification code."""

    outbox: list[dict[str, str]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.outbox.append({"phone": phone, "text": text})


def get_sms_sender() -> SmsSender:
    return import_string(settings.SMS_SENDER)()
