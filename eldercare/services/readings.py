"""Health readings one at a time, elders' thresholds and alerts."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eldercare import rules
from eldercare.models import (
    Alert,
    AlertKind,
    AlertStatus,
    Elder,
    ElderAccessLog,
    ElderThreshold,
    HealthReading,
    ReadingKind,
    ReadingSource,
)
from eldercare.models.readings import reading_text
from eldercare.selectors import thresholds_for
from eldercare.services.common import (
    alert_words,
    family_users_to_notify,
    notify_alert,
)
from portal.accounts.models import User
from portal.notifications.models import Notification
from portal.notifications.services import notification_create_many

# --- readings, thresholds and alerts --------------------------------------------------------


_MEASURE = {
    "heart_rate": "heart_rate",
    "glucose": "glucose",
    "temperature": "temperature",
    "weight": "weight",
}


def reading_alert_values(
    kind: str, value: Decimal, value2: Decimal | None, limits: dict[str, tuple]
) -> dict | None:
    """What an alert stores about a reading outside the elder's range (None when in range);
    `reading_text` words it in the reader's language."""
    if kind == ReadingKind.BLOOD_PRESSURE:
        bad = rules.out_of_range(value, *limits["bp_systolic"]) or (
            value2 is not None and rules.out_of_range(value2, *limits["bp_diastolic"])
        )
        if bad:
            return {"reading": kind, "value": f"{value:.0f}", "value2": f"{value2:.0f}"}
        return None
    if rules.out_of_range(value, *limits[_MEASURE[kind]]):
        return {"reading": kind, "value": str(value)}
    return None


def reading_alert_message(
    kind: str, value: Decimal, value2: Decimal | None, limits: dict[str, tuple]
) -> str | None:
    """The alert text for a reading outside the elder's range, or None when in range."""
    values = reading_alert_values(kind, value, value2, limits)
    return None if values is None else str(reading_text(values))


def reading_record(
    *,
    elder: Elder,
    kind: str,
    value: Decimal,
    value2: Decimal | None = None,
    measured_at: datetime.datetime,
    by: User,
) -> HealthReading:
    """Store a reading a staff member took; raise an alert if it is out of range."""
    if kind not in ReadingKind.values:
        raise ValidationError({"kind": _("Unknown measurement.")})
    if (kind == ReadingKind.BLOOD_PRESSURE) != (value2 is not None):
        raise ValidationError(_("Blood pressure needs both numbers; other readings only one."))
    low, high = rules.PLAUSIBLE["bp_systolic" if kind == "bp" else kind]
    if not low <= value <= high:
        raise ValidationError({"value": _("This value cannot be right; please measure again.")})
    refusal = rules.reading_time_refusal(measured_at, timezone.now())
    if refusal:
        raise ValidationError({"measured_at": refusal})
    with transaction.atomic():
        reading = HealthReading.objects.create(
            elder=elder,
            kind=kind,
            value=value,
            value2=value2,
            measured_at=measured_at,
            source=ReadingSource.STAFF,
            recorded_by=by,
        )
        values = reading_alert_values(kind, value, value2, thresholds_for([elder.pk])[elder.pk])
        if values:
            alert = Alert.objects.create(
                elder=elder,
                kind=AlertKind.READING,
                date=timezone.localdate(measured_at),
                values={"name": elder.display_name, **values},
                reading=reading,
            )
            notify_alert(alert)
    return reading


def threshold_set(
    *, elder: Elder, measure: str, low: Decimal | None, high: Decimal | None, by: User
) -> ElderThreshold:
    if measure not in rules.DEFAULT_THRESHOLDS:
        raise ValidationError(_("Unknown measure."))
    if low is not None and high is not None and low >= high:
        raise ValidationError(_("The lower limit must be below the upper limit."))
    with transaction.atomic():
        row, _created = ElderThreshold.objects.update_or_create(
            elder=elder, measure=measure, defaults={"low": low, "high": high}
        )
    return row


def alert_acknowledge(*, alert: Alert, by: User) -> Alert:
    with transaction.atomic():
        updated = Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
            status=AlertStatus.ACKNOWLEDGED, acknowledged_at=timezone.now(), acknowledged_by=by
        )
        if not updated:
            raise ValidationError(_("Only an open alert can be acknowledged."))
    alert.refresh_from_db()
    return alert


def alert_close(*, alert: Alert, note: str, by: User) -> Alert:
    """Close an alert with a note of what was done; the family is told."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Write what was done before closing the alert.")})
    now = timezone.now()
    with transaction.atomic():
        updated = (
            Alert.objects.filter(pk=alert.pk)
            .exclude(status=AlertStatus.CLOSED)
            .update(
                status=AlertStatus.CLOSED,
                closed_at=now,
                closed_by=by,
                close_note=note,
                acknowledged_at=now if alert.acknowledged_at is None else alert.acknowledged_at,
                acknowledged_by=alert.acknowledged_by or by,
            )
        )
        if not updated:
            raise ValidationError(_("This alert is already closed."))
        alert.refresh_from_db()
        notification_create_many(
            recipients=family_users_to_notify(alert.elder),
            text=_("Alert closed: %(message)s — %(note)s"),
            params={"message": alert_words(alert), "note": note},
            kind=Notification.Kind.ALERT,
            link=reverse("eldercare:family_elder", args=[alert.elder_id]),
        )
    return alert


def elder_reads_record(*, elder_ids: list[int], by: User, what: str, path: str) -> None:
    """Log that `by` saw these elders' health readings or alerts (one insert for the page).

    Call it after `visible_to` / `managed_by` allowed the read; the log says who saw what.
    """
    if not elder_ids:
        return
    ElderAccessLog.objects.bulk_create(
        [
            ElderAccessLog(elder_id=pk, user=by, what=what, path=path[:200])
            for pk in dict.fromkeys(elder_ids)
        ]
    )
