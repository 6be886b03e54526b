"""Reads of an elder's health readings and alerts are logged (one insert a page)."""

import pytest
from django.urls import reverse

from eldercare.models import ElderAccessLog
from tests.eldercare.factories import AlertFactory, ElderFactory, HealthReadingFactory

pytestmark = pytest.mark.django_db

What = ElderAccessLog.What


def _logged(user):
    return sorted(ElderAccessLog.objects.filter(user=user).values_list("elder_id", "what"))


def test_opening_an_elders_record_is_logged(client, facility_staff, elder):
    HealthReadingFactory(elder=elder)
    client.force_login(facility_staff)
    response = client.get(reverse("eldercare:elder_detail", args=[elder.pk]))
    assert response.status_code == 200
    assert _logged(facility_staff) == [(elder.pk, What.RECORD)]


def test_the_alert_list_logs_each_elder_shown_once(client, facility_staff, elder, facility):
    second = ElderFactory(name="王爷爷", facility=facility)
    AlertFactory(elder=elder)
    AlertFactory(elder=elder)
    AlertFactory(elder=second)
    client.force_login(facility_staff)
    assert client.get(reverse("eldercare:alert_list")).status_code == 200
    assert _logged(facility_staff) == sorted([(elder.pk, What.ALERTS), (second.pk, What.ALERTS)])


def test_opening_an_alert_is_logged(client, facility_staff, elder):
    alert = AlertFactory(elder=elder)
    client.force_login(facility_staff)
    assert client.get(reverse("eldercare:alert_detail", args=[alert.pk])).status_code == 200
    assert _logged(facility_staff) == [(elder.pk, What.ALERT)]


def test_the_facility_day_logs_the_elders_whose_alerts_it_shows(
    client, facility_staff, elder, facility
):
    AlertFactory(elder=elder)
    client.force_login(facility_staff)
    assert client.get(reverse("eldercare:facility_day", args=[facility.pk])).status_code == 200
    assert _logged(facility_staff) == [(elder.pk, What.ALERTS)]


def test_a_refused_read_logs_nothing(client, other_facility_staff, outsider, elder):
    AlertFactory(elder=elder)
    for user in (other_facility_staff, outsider):
        client.force_login(user)
        assert client.get(reverse("eldercare:elder_detail", args=[elder.pk])).status_code == 404
        client.get(reverse("eldercare:alert_list"))
    assert not ElderAccessLog.objects.exists()
