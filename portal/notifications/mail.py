"""A notification's mail: Django's EmailMessage, written out in a third of the time.

Python's email package (the compat32 policy Django's messages use) sends every header line
through email.header.Header when it writes a message, even a line that is already plain ASCII
and short, which Header gives back unchanged: for a notification's mail that was half the
cost of writing it. By then Django has encoded every header of such a mail (the subject and
the sender's name as RFC 2047 words), so `PlainHeaders` writes a line that Header would give
back unchanged as it is, and hands any other line to compat32. The bytes are the same
(tests/notifications/test_mail.py compares them with Django's own).
"""

from __future__ import annotations

import functools
from email.policy import Compat32
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import sanitize_address

# RFC 5322's recommended limit, which compat32 folds at.
_LINE = 78


class PlainHeaders(Compat32):
    def fold_binary(self, name: str, value: Any) -> bytes:
        if _written_as_is(name, value):
            return f"{name}: {value.replace(chr(10), self.linesep)}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


def _written_as_is(name: str, value: Any) -> bool:
    """Header would give `value` back unchanged: plain ASCII, each line short enough, no
    trailing blanks, and every line after the first a continuation with something on it."""
    if not isinstance(value, str) or not value.isascii() or "\r" in value:
        return False
    first, *more = lines = value.split("\n")
    return (
        len(name) + 2 + len(first) <= _LINE
        and all(line == line.rstrip() for line in lines)
        and all(len(line) <= _LINE and line[:1] == " " and line.strip() for line in more)
    )


PLAIN_HEADERS = PlainHeaders()


class NotificationMail(EmailMessage):
    """An EmailMessage whose MIME message writes its headers with PlainHeaders. Its From
    header is the sender encoded once per process instead of once per mail (from_email, which
    the backend gives the relay, stays as configured)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.extra_headers.setdefault(
            "From", encoded_sender(self.from_email, self.encoding or settings.DEFAULT_CHARSET)
        )

    def message(self) -> Any:
        message = super().message()
        message.policy = PLAIN_HEADERS
        return message


@functools.lru_cache(maxsize=8)
def encoded_sender(address: str, charset: str) -> str:
    """`address` as Django writes it into the From header ("一老一小 <noreply@...>" with the
    name as an RFC 2047 word): plain ASCII, which Django then writes as it is."""
    return sanitize_address(address, charset)
