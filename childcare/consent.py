"""The text a guardian consents to, versioned: a consent row names the version it was given
for, so a later change of wording never changes what an earlier guardian agreed to.

Add a new version rather than editing one already shown; CURRENT_VERSION is the one new
consents are given for.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CONSENT_TEXTS: dict[str, Promise] = {
    "2025-1": _(
        "I am the child's guardian. I agree that the community and the childcare stations I "
        "choose process my child's personal information (name, sex, date of birth, ID number "
        "if given, health, attendance and care records) in order to register the child, "
        "book sessions, apply for a place and care for the child. A child under 14 is "
        "sensitive personal information (Personal Information Protection Law, articles 28 "
        "and 31). I can withdraw this consent at any time on my child's page; bookings and "
        "applications then stop."
    ),
}
CURRENT_VERSION = "2025-1"


def consent_text(version: str) -> Promise | str:
    """The text of `version` in the active language ("" for an unknown version)."""
    return CONSENT_TEXTS.get(version, "")
