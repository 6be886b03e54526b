"""Beat jobs of elderly care. Both are idempotent: run twice, notify once."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from eldercare.services import missed_checkins_raise, reassessment_reminders_send


@shared_task
def remind_reassessments() -> int:
    """Daily: remind staff of ability assessments falling due (once per assessment)."""
    return reassessment_reminders_send(today=timezone.localdate())


@shared_task
def raise_missed_checkins() -> int:
    """Every quarter hour: alert for elders expected at day care who have not checked in
    by their facility's deadline (once per elder per day)."""
    return missed_checkins_raise()
