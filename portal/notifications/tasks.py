from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from portal.notifications.models import Notification
from portal.notifications.services import DELIVERY_QUEUED_KEY

logger = logging.getLogger(__name__)

BATCH = 200


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def deliver_pending() -> int:
    """Deliver every notification not yet sent, oldest first: in-app by marking it sent, and
    by email to recipients who have an address. Returns how many rows it delivered.

    Queued once the writing transaction commits (services.request_delivery); one run
    delivers the rows of every request that committed before it started. Rows are claimed
    in batches with `FOR UPDATE SKIP LOCKED` and marked sent in the same transaction, so two
    runs (a redelivered message, the beat job) never deliver a row twice. A mail that fails
    gives its row, and the batch's rows not yet mailed, back unsent, and the run is retried.
    """
    # From here on a newly committed notification queues a run of its own: none is missed.
    cache.delete(DELIVERY_QUEUED_KEY)
    delivered = 0
    while True:
        with transaction.atomic():
            batch = list(
                Notification.objects.filter(sent_at__isnull=True)
                .select_related("recipient")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:BATCH]
            )
            Notification.objects.filter(pk__in=[n.pk for n in batch]).update(sent_at=timezone.now())
        _email(batch)
        delivered += len(batch)
        if len(batch) < BATCH:
            return delivered


def _email(batch: list[Notification]) -> None:
    to_mail = [n for n in batch if n.recipient.email]
    if not to_mail:
        return
    mailed: list[int] = []
    try:
        with get_connection() as connection:
            for notification in to_mail:
                link = notification.link
                body = notification.text + (f"\n\n{settings.PORTAL_BASE_URL}{link}" if link else "")
                EmailMessage(
                    subject=notification.text[:60],
                    body=body,
                    to=[notification.recipient.email],
                    connection=connection,
                ).send()
                mailed.append(notification.pk)
    except OSError:
        # Give the rows not yet mailed back, so the retry (or the beat job) claims them.
        unsent = [n.pk for n in to_mail if n.pk not in mailed]
        Notification.objects.filter(pk__in=unsent).update(sent_at=None)
        raise
    finally:
        Notification.objects.filter(pk__in=mailed).update(emailed=True)


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
