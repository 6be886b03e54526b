"""Cursor pagination by a unique, ordered key: a page costs the same at row 10 or 10 million.

The cursor is opaque to clients (base64 of the last key seen); a cursor that does not decode
is a 422 with a message, never a 500.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja.errors import HttpError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass
class Page:
    results: list
    next: str | None


def _decode(cursor: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8")
    except (ValueError, UnicodeError, binascii.Error):
        raise HttpError(422, _("This cursor is not one the API gave out.")) from None
    if not text.startswith("k=") or "\x00" in text or len(text) > 300:
        raise HttpError(422, _("This cursor is not one the API gave out."))
    return text[2:]


def _encode(key: object) -> str:
    return base64.urlsafe_b64encode(f"k={key}".encode()).decode("ascii")


def keyset_page(queryset: QuerySet, *, key: str, cursor: str | None, page_size: int | None) -> Page:
    """The page after `cursor` of `queryset` ordered by the unique field `key`."""
    size = min(MAX_PAGE_SIZE, max(1, page_size or DEFAULT_PAGE_SIZE))
    queryset = queryset.order_by(key)
    if cursor:
        after = _decode(cursor)
        if key == "pk" and not (after.isdigit() and len(after) <= 18):
            raise HttpError(422, _("This cursor is not one the API gave out."))
        queryset = queryset.filter(**{f"{key}__gt": after})
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(results=rows, next=_encode(getattr(rows[-1], key)) if more else None)
