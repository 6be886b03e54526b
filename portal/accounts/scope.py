"""A user's role assignments, kept in the cache between requests.

Every page asks which roles (and regions, stations, facilities) the signed-in user holds.
They are read from the database once, then from the cache until they change: saving or
deleting a role assignment forgets that user's entry, saving a region forgets every entry
(a region's path is part of the scope), both at once and again when the transaction commits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction

if TYPE_CHECKING:
    from portal.accounts.models import RoleAssignment, User

TIMEOUT = 3600
VERSION_KEY = "accounts:scope:version"


def key(user_id: object) -> str:
    return f"accounts:scope:{user_id}"


def assignments_for(user: User) -> list[RoleAssignment]:
    """The user's role assignments (with their regions), from the cache when it is current."""
    key_ = key(user.pk)
    # What the request fetched with the user (portal.accounts.signed_in), if it did.
    found = getattr(user, "cache_prefetch", None) or cache.get_many([key_, VERSION_KEY])
    version = found.get(VERSION_KEY, 0)
    entry = found.get(key_)
    if entry is not None and entry[0] == version:
        return entry[1]
    assignments = list(user.role_assignments.select_related("region").order_by("pk"))
    cache.set(key_, (version, assignments), TIMEOUT)
    return assignments


def forget(user_id: int) -> None:
    """Drop the user's cached scope now and once the current transaction commits."""
    cache.delete(key(user_id))
    transaction.on_commit(lambda: cache.delete(key(user_id)))


def forget_all() -> None:
    """Make every cached scope stale (a region changed)."""

    def bump() -> None:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, 1, None)

    bump()
    transaction.on_commit(bump)


def on_assignment_changed(sender: type, instance: RoleAssignment, **kwargs: object) -> None:
    forget(instance.user_id)


def on_region_changed(sender: type, **kwargs: object) -> None:
    forget_all()
