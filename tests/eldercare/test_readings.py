"""Health readings, thresholds, alerts and the CSV import."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from eldercare import services
from eldercare.models import Alert, ElderThreshold, HealthReading, ReadingImport
from eldercare.services import readings_csv
from portal.notifications.models import Notification
from tests.eldercare.factories import ElderFactory

pytestmark = pytest.mark.django_db

HEADER = "elder_id,measured_at,kind,value,value2\n"


def _csv(*lines: str) -> io.BytesIO:
    return io.BytesIO((HEADER + "".join(line + "\n" for line in lines)).encode())


def _rows(elder_ids: list[int], n: int) -> list[str]:
    kinds = [
        ("bp", "128", "82"),
        ("heart_rate", "72", ""),
        ("glucose", "5.6", ""),
        ("temperature", "36.5", ""),
        ("weight", "58.2", ""),
    ]
    out = []
    for i in range(n):
        kind, value, value2 = kinds[i % len(kinds)]
        elder = elder_ids[i % len(elder_ids)]
        out.append(f"{elder},2024-08-14T08:{i % 60:02d}:00+08:00,{kind},{value},{value2}")
    return out


def test_reading_out_of_range_alerts_staff_and_family(
    elder, facility_staff, family, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.reading_record(
            elder=elder,
            kind="bp",
            value=Decimal("165"),
            value2=Decimal("95"),
            measured_at=timezone.now(),
            by=facility_staff,
        )
    alert = Alert.objects.get(elder=elder)
    assert alert.kind == "reading" and "165/95" in alert.text
    assert Notification.objects.filter(recipient=family, kind="alert").count() == 1
    assert Notification.objects.filter(recipient=facility_staff, kind="alert").count() == 1


def test_reading_in_range_raises_no_alert(elder, facility_staff):
    services.reading_record(
        elder=elder,
        kind="temperature",
        value=Decimal("36.6"),
        measured_at=timezone.now(),
        by=facility_staff,
    )
    assert not Alert.objects.exists()


def test_elder_threshold_replaces_the_default(elder, facility_staff):
    ElderThreshold.objects.create(elder=elder, measure="heart_rate", low=40, high=120)
    services.reading_record(
        elder=elder,
        kind="heart_rate",
        value=Decimal("110"),
        measured_at=timezone.now(),
        by=facility_staff,
    )
    assert not Alert.objects.exists()


def test_impossible_reading_is_a_form_error(client, elder, facility_staff):
    client.force_login(facility_staff)
    response = client.post(
        reverse("eldercare:reading_create", args=[elder.pk]),
        {"kind": "temperature", "value": "98.6", "measured_at": "2024-08-14T08:00"},
    )
    assert response.status_code == 200 and response.context["form"].errors["value"]
    assert not HealthReading.objects.exists()


def test_alert_is_closed_with_a_note_and_family_told(
    client, elder, facility_staff, family, django_capture_on_commit_callbacks
):
    alert = Alert.objects.create(elder=elder, kind="other", date=timezone.localdate(), message="x")
    client.force_login(facility_staff)
    url = reverse("eldercare:alert_detail", args=[alert.pk])
    response = client.post(url, {"note": ""})
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.status == "open"
    client.post(reverse("eldercare:alert_acknowledge", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"note": "已联系家庭医生，复测正常"})
    alert.refresh_from_db()
    assert alert.status == "closed" and alert.close_note
    assert Notification.objects.filter(recipient=family, kind="alert").exists()


def test_import_stores_rows_and_raises_one_alert_per_elder(facility, elder, facility_staff):
    other = ElderFactory(facility=facility)
    lines = _rows([elder.pk, other.pk], 10) + [
        f"{elder.pk},2024-08-14T09:00:00+08:00,bp,170,100",
        f"{elder.pk},2024-08-14T09:05:00+08:00,temperature,38.2,",
    ]
    result = services.readings_import(facility=facility, file=_csv(*lines), by=facility_staff)
    assert result.rows == 12 and result.alerts == 1
    assert HealthReading.objects.filter(source="import").count() == 12
    assert Alert.objects.get().elder == elder


@pytest.mark.parametrize(
    ("line", "expected_line"),
    [
        ("{e},2024-08-14T08:00:00+08:00,heart_rate", 3),
        ("999999,2024-08-14T08:00:00+08:00,heart_rate,70,", 3),
        ("{e},2024-08-14T08:00:00+08:00,pulse,70,", 3),
        ("{e},yesterday,heart_rate,70,", 3),
        ("{e},2024-08-14T08:00:00,heart_rate,70,", 3),
        ("{e},2024-08-14T08:00:00+08:00,heart_rate,seventy,", 3),
        ("{e},2024-08-14T08:00:00+08:00,heart_rate,NaN,", 3),
        ("{e},2024-08-14T08:00:00+08:00,bp,120,", 3),
        ("{e},2024-08-14T08:00:00+08:00,heart_rate,70,80", 3),
        ("{e},2024-08-14T08:00:00+08:00,temperature,98.6,", 3),
    ],
)
def test_import_rejects_a_bad_row_with_its_line_and_imports_nothing(
    facility, elder, facility_staff, line, expected_line
):
    good = f"{elder.pk},2024-08-14T07:00:00+08:00,heart_rate,70,"
    with pytest.raises(services.ImportRejected) as exc:
        services.readings_import(
            facility=facility, file=_csv(good, line.format(e=elder.pk)), by=facility_staff
        )
    assert exc.value.line == expected_line
    assert str(expected_line) in exc.value.messages[0]
    assert not HealthReading.objects.exists()
    assert not ReadingImport.objects.exists()


def test_import_rejects_a_bad_row_after_a_full_batch(
    facility, elder, facility_staff, settings, monkeypatch
):
    monkeypatch.setattr(readings_csv, "IMPORT_BATCH_SIZE", 5)
    lines = _rows([elder.pk], 12) + ["oops"]
    with pytest.raises(services.ImportRejected) as exc:
        services.readings_import(facility=facility, file=_csv(*lines), by=facility_staff)
    assert exc.value.line == 14
    assert not HealthReading.objects.exists()


def test_import_rejects_an_elder_of_another_facility(facility, facility_staff, other_elder):
    line = f"{other_elder.pk},2024-08-14T08:00:00+08:00,heart_rate,70,"
    with pytest.raises(services.ImportRejected) as exc:
        services.readings_import(facility=facility, file=_csv(line), by=facility_staff)
    assert exc.value.line == 2
    assert not HealthReading.objects.exists()


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"", 0),
        (b"id,when,what\n1,2,3\n", 1),
        (HEADER.encode(), 0),
        (HEADER.encode() + b"\xff\xfe1,2\n", 2),
    ],
)
def test_import_rejects_a_malformed_file(facility, facility_staff, content, line):
    with pytest.raises(services.ImportRejected) as exc:
        services.readings_import(facility=facility, file=io.BytesIO(content), by=facility_staff)
    assert exc.value.line == line
    assert not HealthReading.objects.exists()


def test_import_page_shows_the_line_number(client, facility, elder, facility_staff):
    client.force_login(facility_staff)
    upload = _csv(f"{elder.pk},2024-08-14T08:00:00+08:00,heart_rate,abc,")
    upload.name = "device.csv"
    response = client.post(
        reverse("eldercare:readings_import", args=[facility.pk]), {"file": upload}
    )
    assert response.status_code == 200
    assert "2" in str(response.context["form"].errors["file"])
    assert not HealthReading.objects.exists()


@pytest.mark.parametrize("persona", ["other_facility_staff", "outsider", "family"])
def test_import_page_is_404_to_others(client, request, facility, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("eldercare:readings_import", args=[facility.pk])).status_code == 404


def test_import_queries_do_not_grow_with_rows(facility, facility_staff):
    elders = [ElderFactory(facility=facility).pk for _ in range(3)]

    def count(n: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            services.readings_import(
                facility=facility, file=_csv(*_rows(elders, n)), by=facility_staff
            )
        return len(ctx.captured_queries)

    small = count(10)
    large = count(services.IMPORT_BATCH_SIZE - 1)
    assert small == large
