"""The unread-notification count in every page's header, kept in the cache.

Counted once, then served from the cache until a notification of that user is written,
read or deleted (forgotten at once and again when the transaction commits). Rows written
in bulk are forgotten by the services that write them (notifications_deliver_after_commit,
notifications_mark_all_read). The entry also expires after TIMEOUT seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction

from portal.accounts import signed_in

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.notifications.models import Notification

TIMEOUT = 300


def key(user_id: object) -> str:
    return signed_in.unread_key(user_id)


def unread_count(user: User) -> int:
    key_ = key(user.pk)
    count = signed_in.prefetched(user, key_)
    if count is None:
        count = user.notifications.filter(read_at__isnull=True).count()
        cache.set(key_, count, TIMEOUT)
    return count


def keys(user_ids: Iterable[int]) -> list[str]:
    """The cache keys of these users' counts, each once."""
    return [key(user_id) for user_id in set(user_ids)]


def forget(user_ids: Iterable[int]) -> None:
    stale = keys(user_ids)
    if not stale:
        return
    cache.delete_many(stale)
    if transaction.get_connection().in_atomic_block:
        # Again once the rows are committed: a page may count them before that.
        transaction.on_commit(lambda: cache.delete_many(stale))


def on_notification_changed(sender: type, instance: Notification, **kwargs: object) -> None:
    forget([instance.recipient_id])
