from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from portal.notifications.models import Notification

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def deliver_notification(notification_id: int) -> bool:
    """Deliver one notification: in-app (by marking it sent) and by email if the user has one.

    Idempotent: the row is claimed with `UPDATE ... WHERE sent_at IS NULL`; a second worker
    (or a re-sent task) finds nothing to claim and returns False.
    """
    claimed = Notification.objects.filter(pk=notification_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    email = notification.recipient.email
    if email:
        try:
            link = notification.link
            body = notification.text + (f"\n\n{settings.PORTAL_BASE_URL}{link}" if link else "")
            send_mail(
                subject=notification.text[:60],
                message=body,
                from_email=None,
                recipient_list=[email],
            )
        except OSError:
            # Give the row back so the retry (or the beat job) can claim it again.
            Notification.objects.filter(pk=notification_id).update(sent_at=None)
            raise
        Notification.objects.filter(pk=notification_id).update(emailed=True)
    return True


@shared_task
def resend_unsent(older_than_seconds: int = 60) -> int:
    """Beat job: enqueue every notification left unsent (broker down when it was created)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Notification.objects.filter(sent_at__isnull=True, created__lt=cutoff)
        .order_by("created")
        .values_list("pk", flat=True)[:5000]
    )
    for notification_id in ids:
        deliver_notification.delay(notification_id)
    if ids:
        logger.info("Re-sent %d unsent notifications", len(ids))
    return len(ids)
