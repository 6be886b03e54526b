"""Attributing writes made outside a request (services run by the worker, the shell)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pghistory
from django.db import connection

from portal.accounts.models import User


@contextlib.contextmanager
def history_context(*, by: User | None, reason: str = "") -> Iterator[None]:
    """Record `by` (and `reason`, where the form asks for one) on the history of every change
    made inside the block. Nested inside a request's context, the two are merged."""
    metadata: dict[str, object] = {}
    if by is not None and by.pk is not None:
        metadata["user"] = by.pk
    if reason:
        metadata["reason"] = reason
    if connection.vendor != "postgresql":
        # The history is kept by PostgreSQL triggers; a bare local run on SQLite has none.
        yield
        return
    with pghistory.context(**metadata):
        yield
