"""The CSV import of health readings (a device export or a spreadsheet)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from eldercare import rules
from eldercare.models import (
    Alert,
    AlertKind,
    CareFacility,
    Elder,
    FamilyContact,
    HealthReading,
    ReadingImport,
    ReadingKind,
    ReadingSource,
)
from eldercare.selectors import thresholds_for
from eldercare.services.common import (
    alert_words,
    facility_staff_users,
)
from eldercare.services.readings import reading_alert_values
from portal.accounts.models import User
from portal.notifications.models import Notification
from portal.notifications.services import notification_create_many


@dataclass
class ImportResult:
    batch: ReadingImport
    rows: int
    alerts: int


class ImportRejected(ValidationError):
    """The file was refused (an error of the form's `file` field); `line` is the 1-based line
    of the first problem (0: the file as a whole)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__({"file": ValidationError(message)})
        self.line = line


CSV_COLUMNS = ["elder_id", "measured_at", "kind", "value", "value2"]
IMPORT_BATCH_SIZE = 2000


def _parse_decimal(text: str) -> Decimal:
    value = Decimal(text.strip())
    if not value.is_finite():
        raise InvalidOperation
    return value


_SINK_COLUMNS = ("elder_id", "measured_at", "kind", "value", "value2")


@contextmanager
def _reading_sink(*, batch_id: int, user_id: int) -> Iterator[Callable[[tuple], None]]:
    """Where imported rows go, written as they are read: one COPY stream on PostgreSQL (the
    ORM's bulk INSERT spends most of an import compiling SQL); batched bulk_create on other
    databases (the SQLite of a bare local run). Rows are tuples in _SINK_COLUMNS order."""
    extra = (ReadingSource.IMPORT.value, user_id, batch_id)
    if connection.vendor == "postgresql":
        table = HealthReading._meta.db_table
        columns = ", ".join((*_SINK_COLUMNS, "source", "recorded_by_id", "batch_id"))
        with connection.cursor() as cursor:
            # An exception inside the block aborts the COPY; the surrounding atomic block
            # then rolls back whatever was streamed.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                yield lambda row: copy.write_row(row + extra)
        return
    pending: list[HealthReading] = []

    def write(row: tuple) -> None:
        pending.append(
            HealthReading(
                **dict(zip(_SINK_COLUMNS, row, strict=True)),
                source=ReadingSource.IMPORT,
                recorded_by_id=user_id,
                batch_id=batch_id,
            )
        )
        if len(pending) >= IMPORT_BATCH_SIZE:
            HealthReading.objects.bulk_create(pending)
            pending.clear()

    yield write
    if pending:
        HealthReading.objects.bulk_create(pending)


def _decoded_lines(file: IO[bytes]) -> Iterator[str]:
    """The file's lines as text, decoded one by one so that a bad byte has a line number."""
    for number, raw in enumerate(file, start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                _("Line %(line)d: the file is not UTF-8 text.") % {"line": number}, number
            ) from exc


def readings_import(
    *, facility: CareFacility, file: IO[bytes], filename: str = "", by: User
) -> ImportResult:
    """Import readings a device exported as CSV, in one streaming pass.

    Columns: elder_id, measured_at (ISO 8601 with offset), kind (bp, heart_rate, glucose,
    temperature, weight), value, value2 (diastolic, blood pressure only). The elders of the
    file must be served by `facility`. Queries do not grow with the rows: one query for the
    facility's elders, one for their thresholds, then the rows stream into one COPY (a bulk
    INSERT per batch off PostgreSQL), validated as they pass. Any bad row rejects the whole
    file (the transaction rolls back) with the line number.
    """
    reader = csv.reader(_decoded_lines(file))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportRejected(_("Line 1: the CSV is malformed."), 1) from exc
    if header is None:
        raise ImportRejected(_("The file is empty."), 0)
    if [h.strip().lower() for h in header] != CSV_COLUMNS:
        raise ImportRejected(
            _("Line 1: the columns must be: %(cols)s.") % {"cols": ",".join(CSV_COLUMNS)}, 1
        )
    names = {
        pk: name or resident_name
        for pk, name, resident_name in Elder.objects.filter(facility=facility).values_list(
            "pk", "name", "resident__name"
        )
    }
    elder_ids = set(names)
    limits = thresholds_for(elder_ids)
    kinds = set(ReadingKind.values)
    now = timezone.now()
    rows = 0
    alerts = 0
    with transaction.atomic():
        batch = ReadingImport.objects.create(facility=facility, uploaded_by=by, filename=filename)
        # The first out-of-range reading of each elder is held back and inserted after the
        # stream, so that its alert can point at it; there is at most one per elder.
        first_alert: dict[int, tuple[HealthReading, str]] = {}
        counts: dict[int, int] = {}
        line = 1
        with _reading_sink(batch_id=batch.pk, user_id=by.pk) as write:
            try:
                for row in reader:
                    line = line_no = reader.line_num
                    if not row or (len(row) == 1 and not row[0].strip()):
                        continue
                    if len(row) != len(CSV_COLUMNS):
                        raise ImportRejected(
                            _("Line %(line)d: expected %(n)d columns, found %(m)d.")
                            % {"line": line_no, "n": len(CSV_COLUMNS), "m": len(row)},
                            line_no,
                        )
                    raw_elder, raw_at, kind, raw_value, raw_value2 = (c.strip() for c in row)
                    if not raw_elder.isdigit() or int(raw_elder) not in elder_ids:
                        raise ImportRejected(
                            _("Line %(line)d: no elder %(id)s at this facility.")
                            % {"line": line_no, "id": raw_elder[:20]},
                            line_no,
                        )
                    if kind not in kinds:
                        raise ImportRejected(
                            _("Line %(line)d: unknown measurement %(kind)s.")
                            % {"line": line_no, "kind": kind[:20]},
                            line_no,
                        )
                    try:
                        measured_at = parse_datetime(raw_at)
                    except ValueError:
                        measured_at = None
                    if measured_at is None or timezone.is_naive(measured_at):
                        raise ImportRejected(
                            _("Line %(line)d: the time must look like 2024-08-14T08:30:00+08:00.")
                            % {"line": line_no},
                            line_no,
                        )
                    too_odd = rules.reading_time_refusal(measured_at, now)
                    if too_odd:
                        raise ImportRejected(
                            _("Line %(line)d: %(reason)s") % {"line": line_no, "reason": too_odd},
                            line_no,
                        )
                    value = _parse_decimal(raw_value)
                    value2 = _parse_decimal(raw_value2) if raw_value2 else None
                    if (kind == ReadingKind.BLOOD_PRESSURE) != (value2 is not None):
                        raise ImportRejected(
                            _("Line %(line)d: only blood pressure has a value2.")
                            % {"line": line_no},
                            line_no,
                        )
                    measure = "bp_systolic" if kind == "bp" else kind
                    low, high = rules.PLAUSIBLE[measure]
                    low2, high2 = rules.PLAUSIBLE["bp_diastolic"]
                    if not low <= value <= high or (
                        value2 is not None and not low2 <= value2 <= high2
                    ):
                        raise ImportRejected(
                            _("Line %(line)d: the value is not possible for this measurement.")
                            % {"line": line_no},
                            line_no,
                        )
                    elder_id = int(raw_elder)
                    rows += 1
                    message = reading_alert_values(kind, value, value2, limits[elder_id])
                    if message:
                        counts[elder_id] = counts.get(elder_id, 0) + 1
                        if elder_id not in first_alert:
                            first_alert[elder_id] = (
                                HealthReading(
                                    elder_id=elder_id,
                                    kind=kind,
                                    measured_at=measured_at,
                                    value=value,
                                    value2=value2,
                                    source=ReadingSource.IMPORT,
                                    recorded_by=by,
                                    batch=batch,
                                ),
                                message,
                            )
                            continue
                    write((elder_id, measured_at, kind, value, value2))
            except (InvalidOperation, ValueError) as exc:
                raise ImportRejected(
                    _("Line %(line)d: a number or time cannot be read.") % {"line": line}, line
                ) from exc
            except csv.Error as exc:
                raise ImportRejected(
                    _("Line %(line)d: the CSV is malformed.") % {"line": line}, line
                ) from exc
        if rows == 0:
            raise ImportRejected(_("The file has no readings."), 0)
        # One alert per elder and import: a device file may hold dozens of high readings of
        # one elder, and staff need one thing to act on, not dozens.
        HealthReading.objects.bulk_create([reading for reading, _m in first_alert.values()])
        created = Alert.objects.bulk_create(
            [
                Alert(
                    elder_id=elder_id,
                    kind=AlertKind.READING,
                    date=timezone.localdate(reading.measured_at),
                    values={
                        "name": names.get(elder_id) or str(elder_id),
                        **message,
                        "count": counts[elder_id],
                    },
                    reading=reading,
                )
                for elder_id, (reading, message) in first_alert.items()
            ]
        )
        alerts = len(created)
        if created:
            _notify_import_alerts(facility, created)
        batch.rows = rows
        batch.alerts = alerts
        batch.save(update_fields=["rows", "alerts"])
    return ImportResult(batch=batch, rows=rows, alerts=alerts)


def _notify_import_alerts(facility: CareFacility, alerts: list[Alert]) -> None:
    """Tell staff and family of the alerts of one import: two look-ups for all of them."""
    staff = facility_staff_users(facility.pk)
    family: dict[int, list[User]] = {}
    for contact in FamilyContact.objects.filter(
        elder_id__in=[a.elder_id for a in alerts],
        user__isnull=False,
        notify_alerts=True,
        can_see_health=True,
    ).select_related("user"):
        family.setdefault(contact.elder_id, []).append(contact.user)
    for alert in alerts:
        notification_create_many(
            recipients=staff,
            text=alert_words(alert),
            kind=Notification.Kind.ALERT,
            link=reverse("eldercare:alert_detail", args=[alert.pk]),
        )
        notification_create_many(
            recipients=family.get(alert.elder_id, []),
            text=alert_words(alert),
            kind=Notification.Kind.ALERT,
            link=reverse("eldercare:family_elder", args=[alert.elder_id]),
        )
