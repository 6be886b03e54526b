"""Beat jobs of the childcare app."""

from __future__ import annotations

from celery import shared_task

from childcare.family_services import photos_delete_expired


@shared_task
def delete_expired_photos() -> int:
    """Nightly: delete photos older than their station's retention period (idempotent)."""
    return photos_delete_expired()
