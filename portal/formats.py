"""Ways of writing quantities that Django's formats do not cover."""

from __future__ import annotations

from django.utils.translation import gettext as _


def format_duration(minutes: int | float | None) -> str:
    """Minutes as hours and minutes in the reader's language: "2 小时 15 分钟" / "2 h 15 min"."""
    if minutes is None:
        return "–"
    total = round(minutes)
    hours, rest = divmod(total, 60)
    if hours and rest:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    if hours:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(minutes)s min") % {"minutes": rest}
