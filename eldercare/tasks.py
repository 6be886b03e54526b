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


@shared_task
def escalate_alarms() -> int:
    """Every minute: SMS for SOS and fall alarms nobody acknowledged in time (once each)."""
    from eldercare.services.devices import alarms_escalate

    return alarms_escalate()


@shared_task
def check_silent_devices() -> int:
    """Every minute: one "device silent" alert per device not heard within its interval."""
    from eldercare.services.devices import devices_check_silent

    return devices_check_silent()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_alarm_sms(sms_id: int) -> bool:
    from eldercare.services.devices import alarm_sms_send

    return alarm_sms_send(sms_id=sms_id)
