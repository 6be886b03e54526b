"""Writing notifications. Call these inside the transaction of the event that causes them."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.functional import Promise

from portal import pagecache
from portal.accounts.models import User
from portal.notifications import unread
from portal.notifications.models import Notification

logger = logging.getLogger(__name__)


def render_for(
    recipient: User, text: str | Promise, params: Mapping[str, object] | None = None
) -> str:
    """`text % params` in the recipient's language.

    Pass the lazy message and its parameters separately: `_("...") % {...}` would be
    rendered at once, in the language of whoever caused the event. Pass dates, times and
    numbers as values, not strings: they are written as the recipient's language writes them
    (2026年12月3日 / Dec. 3, 2026), the way the pages write them.
    """
    return render_each_for(recipient, [text], params)[0]


def render_each_for(
    recipient: User, texts: Iterable[str | Promise], params: Mapping[str, object] | None = None
) -> list[str]:
    """Each of `texts` % `params` in the recipient's language (see render_for), the
    parameters written out once for all of them."""
    return render_each_in(recipient.language, texts, params)


def render_each_in(
    language: str, texts: Iterable[str | Promise], params: Mapping[str, object] | None = None
) -> list[str]:
    """render_each_for for a recipient known only by their language (a hot path that read
    the recipients' ids and languages in SQL)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        values = {key: localized(value) for key, value in (params or {}).items()}
        return [str(text) % values if params else str(text) for text in texts]


def localized(value: object) -> str:
    """`value` as the active language writes it on a page (dates in local time)."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, datetime.time):
        return formats.time_format(value, "TIME_FORMAT")
    return str(value)


def notification_create(
    *,
    recipient: User,
    text: str | Promise,
    params: Mapping[str, object] | None = None,
    kind: str = Notification.Kind.GENERAL,
    link: str = "",
) -> Notification:
    """Store a notification and deliver it once the surrounding transaction commits.

    `text` may be a lazy translation with %-placeholders filled from `params`: both are
    rendered in the recipient's language (see render_for).
    """
    rendered = render_for(recipient, text, params)
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, text=rendered, link=link
    )
    deliver_after_commit()
    return notification


def notification_create_many(
    *,
    recipients: Iterable[User],
    text: str | Promise,
    params: Mapping[str, object] | None = None,
    kind: str = Notification.Kind.GENERAL,
    link: str = "",
) -> list[Notification]:
    """One notification per distinct recipient."""
    seen: set[int] = set()
    created = []
    for user in recipients:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        created.append(
            notification_create(recipient=user, text=text, params=params, kind=kind, link=link)
        )
    return created


def notifications_written(*, recipient_ids: Iterable[int]) -> None:
    """For rows a hot path wrote in SQL (childcare_book, see childcare/services.py): refresh
    the recipients' unread counts and deliver the rows once the transaction commits (at once
    when there is none).

    In a write request whose rows are already committed, both ride in the request's last
    Redis round trip, with the page cache's generations (pagecache.in_closing_round_trip):
    the counts are deleted and the "run queued" mark set there, and a run is queued after
    it if the mark was not standing, just as request_delivery does."""
    keys = [cache.make_key(key) for key in unread.keys(recipient_ids)]

    def forget_and_mark(pipe: Any) -> None:
        if keys:
            pipe.delete(*keys)
        # cache.add's SET NX; Django's Redis cache stores an int as it is, so cache.get
        # reads this 1 back as 1.
        pipe.set(cache.make_key(DELIVERY_QUEUED_KEY), 1, nx=True, ex=DELIVERY_QUEUED_SECONDS)

    def queue_unless_waiting(replies: list | None) -> None:
        # With Redis failing, a run is queued regardless, as request_delivery does.
        if replies is None or replies[-1]:
            _queue_delivery_run()

    if pagecache.in_closing_round_trip(forget_and_mark, queue_unless_waiting):
        return
    unread.forget(recipient_ids)
    deliver_after_commit()


def notifications_deliver_after_commit(
    notification_ids: list[int], *, recipient_ids: Iterable[int] | None = None
) -> None:
    """For rows a set-based job wrote with bulk_create: deliver them once the job commits.

    Their recipients' unread counts are refreshed; pass `recipient_ids` to save the query.
    """
    if recipient_ids is None:
        recipient_ids = Notification.objects.filter(pk__in=notification_ids).values_list(
            "recipient_id", flat=True
        )
    notifications_written(recipient_ids=recipient_ids)


# While this cache entry exists, a delivery run is queued or working off a backlog, and it
# looks for new rows again before it stops (tasks.deliver_pending): no second run needs
# queueing. The run starts DELIVERY_DELAY_SECONDS after it is queued, so that under load one
# run (and one broker message) delivers the notifications of every request of that moment;
# in-app the notification shows at once, only its email waits. The entry expires on its own
# should the queued run be lost; resend_unsent is the backstop.
DELIVERY_QUEUED_KEY = "notifications:delivery-queued"
DELIVERY_QUEUED_SECONDS = 60
DELIVERY_DELAY_SECONDS = 1


def deliver_after_commit() -> None:
    """Have the notifications written in this transaction delivered once it commits."""
    transaction.on_commit(request_delivery)


def request_delivery() -> None:
    """Queue a delivery run (tasks.deliver_pending) unless one is already waiting."""
    try:
        waiting = not cache.add(DELIVERY_QUEUED_KEY, 1, DELIVERY_QUEUED_SECONDS)
    except Exception:
        logger.warning("Cache unavailable; queueing a delivery run regardless", exc_info=True)
        waiting = False
    if not waiting:
        _queue_delivery_run()


def _queue_delivery_run() -> None:
    """Queue tasks.deliver_pending: the "run queued" mark was not standing (or the cache
    could not tell)."""
    from portal.notifications.tasks import deliver_pending

    # The rows are already committed: if the broker is unreachable now, the beat job
    # (resend_unsent) delivers them later, so a broker failure must not break the request.
    try:
        deliver_pending.apply_async(countdown=DELIVERY_DELAY_SECONDS)
    except Exception:
        logger.warning("Broker unavailable; notifications left for the resend job")
        clear_delivery_mark()


def clear_delivery_mark() -> None:
    """Remove the "run queued" mark: the next commit queues a run of its own. With the cache
    down the mark expires on its own (DELIVERY_QUEUED_SECONDS)."""
    try:
        cache.delete(DELIVERY_QUEUED_KEY)
    except Exception:
        logger.warning("Cache unavailable; the queued mark expires on its own")


def notification_mark_read(*, notification: Notification, by: User) -> None:
    if notification.recipient_id != by.pk or notification.read_at:
        return
    notification.read_at = timezone.now()
    notification.save(update_fields=["read_at"])


def notifications_mark_all_read(*, by: User) -> int:
    marked = Notification.objects.visible_to(by).unread().update(read_at=timezone.now())
    unread.forget([by.pk])
    return marked
