"""Writing notifications. Call these inside the transaction of the event that causes them."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Mapping

from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.functional import Promise

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
    with translation.override(recipient.language or "zh-hans"):
        rendered = str(text)
        if params:
            rendered %= {key: localized(value) for key, value in params.items()}
    return rendered


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
    from portal.notifications.tasks import deliver_notification

    rendered = render_for(recipient, text, params)
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, text=rendered, link=link
    )
    transaction.on_commit(lambda: _enqueue(deliver_notification, notification.pk))
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


def notifications_create_rendered(
    items: Iterable[tuple[User, str]], *, kind: str = Notification.Kind.GENERAL, link: str = ""
) -> list[Notification]:
    """Store already rendered notifications in one INSERT; deliver each once the transaction
    commits. For hot paths that render their texts (render_for) before taking a lock."""
    from portal.notifications.tasks import deliver_notification

    created = Notification.objects.bulk_create(
        Notification(recipient=user, kind=kind, text=text, link=link) for user, text in items
    )
    if created:
        unread.forget(n.recipient_id for n in created)
        ids = [n.pk for n in created]

        def enqueue_all() -> None:
            for notification_id in ids:
                _enqueue(deliver_notification, notification_id)

        transaction.on_commit(enqueue_all)
    return created


def notifications_deliver_after_commit(
    notification_ids: list[int], *, recipient_ids: Iterable[int] | None = None
) -> None:
    """For rows a set-based job wrote with bulk_create: deliver each once the job commits.

    Their recipients' unread counts are refreshed; pass `recipient_ids` to save the query.
    """
    from portal.notifications.tasks import deliver_notification

    if recipient_ids is None:
        recipient_ids = Notification.objects.filter(pk__in=notification_ids).values_list(
            "recipient_id", flat=True
        )
    unread.forget(recipient_ids)

    def enqueue_all() -> None:
        for notification_id in notification_ids:
            _enqueue(deliver_notification, notification_id)

    transaction.on_commit(enqueue_all)


def _enqueue(task: Callable, notification_id: int) -> None:
    # The row is already committed: if the broker is unreachable now, the beat job
    # (resend_unsent) delivers it later, so a broker failure must not break the request.
    try:
        task.delay(notification_id)
    except Exception:
        logger.warning(
            "Broker unavailable; notification %s left for the resend job", notification_id
        )


def notification_mark_read(*, notification: Notification, by: User) -> None:
    if notification.recipient_id != by.pk or notification.read_at:
        return
    notification.read_at = timezone.now()
    notification.save(update_fields=["read_at"])


def notifications_mark_all_read(*, by: User) -> int:
    marked = Notification.objects.visible_to(by).unread().update(read_at=timezone.now())
    unread.forget([by.pk])
    return marked
