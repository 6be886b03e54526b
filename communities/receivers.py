"""What the communities app does when something happens in the apps below it."""

from __future__ import annotations

from typing import Any

from portal.accounts.models import User


def on_phone_verified(sender: object, user: User, **kwargs: Any) -> None:
    """A verified phone number that is a resident's links the account to that resident."""
    from communities.services import resident_link_by_phone

    resident_link_by_phone(user=user)
