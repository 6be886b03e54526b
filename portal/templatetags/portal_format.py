"""Small template filters for writing text the way each language writes it."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
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
