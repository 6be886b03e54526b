"""An alert is stored as its kind and values and worded in each reader's language: staff
working in Chinese raise it, a family member reading in English gets English, and back."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from eldercare import services
from eldercare.models import Alert
from portal.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _record_high_bp(elder, by, capture):
    with capture(execute=True):
        services.reading_record(
            elder=elder,
            kind="bp",
            value=Decimal("165"),
            value2=Decimal("95"),
            measured_at=timezone.now(),
            by=by,
        )
    return Alert.objects.get(elder=elder)


def test_alert_raised_in_chinese_reads_in_english_for_an_english_reader(
    elder, facility_staff, family, client, django_capture_on_commit_callbacks
):
    facility_staff.language = "zh-hans"
    facility_staff.save()
    family.language = "en"
    family.save()
    with translation.override("zh-hans"):
        alert = _record_high_bp(elder, facility_staff, django_capture_on_commit_callbacks)

    assert alert.values["reading"] == "bp" and alert.message == ""
    with translation.override("en"):
        assert alert.text == "张奶奶: Blood pressure 165/95 mmHg is out of range."
    with translation.override("zh-hans"):
        assert "165/95" in alert.text and "out of range" not in alert.text

    # Each recipient's notification is in their own language.
    to_family = Notification.objects.get(recipient=family, kind="alert")
    to_staff = Notification.objects.get(recipient=facility_staff, kind="alert")
    assert "Blood pressure 165/95 mmHg is out of range." in to_family.text
    assert "out of range" not in to_staff.text and "165/95" in to_staff.text

    # The family's page in English.
    client.force_login(family)
    page = client.get(reverse("eldercare:family_elder", args=[elder.pk])).content.decode()
    assert "Blood pressure 165/95 mmHg is out of range." in page


def test_alert_raised_in_english_reads_in_chinese_and_its_closing_too(
    elder, facility_staff, family, client, django_capture_on_commit_callbacks
):
    facility_staff.language = "en"
    facility_staff.save()
    family.language = "zh-hans"
    family.save()
    with translation.override("en"):
        alert = _record_high_bp(elder, facility_staff, django_capture_on_commit_callbacks)
        services.alert_close(alert=alert, note="Called the doctor.", by=facility_staff)

    client.force_login(family)
    page = client.get(reverse("eldercare:family_elder", args=[elder.pk])).content.decode()
    assert "165/95" in page and "Blood pressure 165/95 mmHg is out of range." not in page
    closed = Notification.objects.filter(recipient=family, kind="alert").order_by("pk").last()
    assert "Called the doctor." in closed.text
    assert "Alert closed" not in closed.text and "out of range" not in closed.text

    # Staff reading in English see English on the alert's page.
    client.force_login(facility_staff)
    page = client.get(reverse("eldercare:alert_detail", args=[alert.pk])).content.decode()
    assert "Blood pressure 165/95 mmHg is out of range." in page


def test_missed_check_in_alert_is_worded_per_reader(elder, settings):
    alert = Alert.objects.create(
        elder=elder,
        kind="missed_checkin",
        date=timezone.localdate(),
        values={"name": "张奶奶", "place": "龙泉湖日间照料中心"},
    )
    with translation.override("en"):
        assert alert.text.startswith("张奶奶 was expected at 龙泉湖日间照料中心")
    with translation.override("zh-hans"):
        assert "was expected" not in alert.text and "张奶奶" in alert.text


def test_alerts_stored_before_values_keep_their_text(elder):
    alert = Alert.objects.create(
        elder=elder, kind="reading", date=timezone.localdate(), message="张奶奶：心率过高"
    )
    assert alert.text == "张奶奶：心率过高"
