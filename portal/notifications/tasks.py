from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import BadHeaderError, EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import ngettext

from portal.notifications.mail import NotificationMail
from portal.notifications.models import Notification
from portal.notifications.services import (
    DELIVERY_QUEUED_KEY,
    DELIVERY_QUEUED_SECONDS,
    clear_delivery_mark,
    request_delivery,
)

logger = logging.getLogger(__name__)

# Rows one run claims. A full batch queues the next run at once, so a backlog (after an SMTP
# outage, a big reminder job) is worked off in short runs, each well inside the task's time
# limit, and a worker killed mid-run leaves at most this many rows claimed but not mailed.
# Large enough that a run gathers each person's rows of its moment into one mail (a parent
# booking the week's sessions, a town's whole day of reminders) rather than splitting them.
BATCH = 500


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def deliver_pending() -> int:
    """Deliver the oldest notifications not yet sent: in-app by marking them sent, and by
    email to recipients who have an address, one mail per recipient listing all of theirs
    in the run (a parent who books five sessions gets one mail, not five). Returns how many
    rows it delivered.

    Queued once the writing transaction commits (services.request_delivery); one run
    delivers the rows of every request that committed before it started (up to BATCH; a
    full batch queues the next run at once and leaves the "run queued" mark standing, so the
    requests meanwhile queue nothing more; the run that finds less than a batch removes the
    mark, and queues one more run if rows came in since its claim). Rows are claimed with
    `FOR UPDATE SKIP LOCKED` and marked sent in the same transaction, so two runs (a
    redelivered message, the beat job) never deliver a row twice. A mail the relay refuses
    for good (an unknown mailbox) is logged and not retried; any other failure gives the rows
    not yet mailed back unsent, and the run is retried (and the beat job is the backstop).
    """
    with transaction.atomic():
        batch = list(
            Notification.objects.filter(sent_at__isnull=True)
            .select_related("recipient")
            .only("text", "link", "recipient__email", "recipient__language")  # the mail's
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")[:BATCH]
        )
        Notification.objects.filter(pk__in=[n.pk for n in batch]).update(sent_at=timezone.now())
    if len(batch) == BATCH:
        _queue_next_run()
    else:
        _caught_up()
    _email(batch)
    return len(batch)


def _queue_next_run() -> None:
    """More rows are waiting: the next run is queued now, under the "run queued" mark (set
    afresh, so that it outlasts a long backlog), and requests meanwhile queue none."""
    try:
        cache.set(DELIVERY_QUEUED_KEY, 1, DELIVERY_QUEUED_SECONDS)
    except Exception:
        logger.warning("Cache unavailable; requests may queue runs of their own meanwhile")
    deliver_pending.delay()


def _caught_up() -> None:
    """No backlog left: the next commit queues a run of its own. A row committed after this
    run's claim, while the mark still stood, queued none: one more run is queued for it."""
    clear_delivery_mark()
    if Notification.objects.filter(sent_at__isnull=True).exists():
        request_delivery()


def _refused_for_good(exc: Exception) -> bool:
    """The relay refused this address or this message permanently (5xx), or the message
    cannot be written (a header Django refuses): retrying cannot mend it."""
    if isinstance(exc, BadHeaderError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500


def _email(batch: list[Notification]) -> None:
    """One mail per recipient with an address, their rows in the order they were written."""
    by_recipient: dict[int, list[Notification]] = {}
    for notification in batch:
        if notification.recipient.email:
            by_recipient.setdefault(notification.recipient_id, []).append(notification)
    if not by_recipient:
        return
    done: set[int] = set()
    mailed: list[int] = []
    try:
        with get_connection() as connection:
            for rows in by_recipient.values():
                ids = [n.pk for n in rows]
                try:
                    _message(rows, connection).send()
                except (smtplib.SMTPException, BadHeaderError) as exc:
                    if not _refused_for_good(exc):
                        raise
                    logger.warning("Notifications %s not mailed: %s", ids, exc)
                else:
                    mailed.extend(ids)
                done.update(ids)
    except BaseException:
        # Whatever stopped the run (the relay down, a time limit), the rows not yet mailed go
        # back unsent, so the retry (or the beat job) claims them again.
        unsent = [n.pk for rows in by_recipient.values() for n in rows if n.pk not in done]
        Notification.objects.filter(pk__in=unsent).update(sent_at=None)
        raise
    finally:
        Notification.objects.filter(pk__in=mailed).update(emailed=True)


def _message(rows: list[Notification], connection: object) -> EmailMessage:
    """One notification: its text's first line (shortened) as the subject, the text, a
    blank line and its link. Several: the subject counts them in the recipient's language,
    and the body lists each text with its link on the next line, a blank line between them,
    so that each link stays with its own text."""
    recipient = rows[0].recipient
    if len(rows) == 1:
        subject = (rows[0].text.splitlines() or [""])[0][:60]
        body = _with_link(rows[0], "\n\n")
    else:
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            subject = ngettext(
                "%(count)d new notification", "%(count)d new notifications", len(rows)
            ) % {"count": len(rows)}
        body = "\n\n".join(_with_link(n, "\n") for n in rows)
    return NotificationMail(subject=subject, body=body, to=[recipient.email], connection=connection)


def _with_link(notification: Notification, between: str) -> str:
    link = notification.link
    return notification.text + (f"{between}{settings.PORTAL_BASE_URL}{link}" if link else "")


@shared_task
def resend_unsent(older_than_seconds: int = 60) -> int:
    """Beat job: deliver what was left unsent (the broker down when it was written).

    Returns how many rows were waiting longer than `older_than_seconds`; rows younger than
    that are probably in flight and are left to the run their own request queued.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    waiting = Notification.objects.filter(sent_at__isnull=True, created__lt=cutoff).count()
    if waiting:
        deliver_pending.delay()
        logger.info("%d notifications were left unsent; delivering them", waiting)
    return waiting
