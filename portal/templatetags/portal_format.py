"""Small template filters for writing text the way each language writes it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext

register = template.Library()


@register.filter
def parens(value: object) -> str:
    """`value` in brackets: full-width in Chinese (（王家长）), half-width in English."""
    if value in (None, ""):
        return ""
    return gettext(" (%(text)s)") % {"text": value}


@register.filter
def figure(value: object) -> object:
    """A number grouped as the reader's language writes it (28,900); anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return number_format(value, force_grouping=True)


@register.filter
def short_moment(value: datetime.datetime | None) -> str:
    """A recent moment without its year, as the reader's language writes it, in local time:
    12月3日 08:40 / Dec. 3, 08:40."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{date_format(value, 'MONTH_DAY_FORMAT')} {date_format(value, 'H:i')}"


@register.filter
def masked_phone(value: object) -> str:
    """A phone number with only its last four digits shown (*******1234): enough to tell
    who is calling, not a number to copy."""
    digits = str(value or "").strip()
    if len(digits) <= 4:
        return digits
    return "*" * (len(digits) - 4) + digits[-4:]


@register.filter
def yuan(value: object) -> object:
    """Money with its fen, grouped as the reader's language writes numbers (1,100.00)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return number_format(value, 2, force_grouping=True)
