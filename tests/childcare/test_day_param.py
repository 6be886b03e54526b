"""The station day page's ?date=: the calendar's first and last day fall back to today."""

import pytest
from django.urls import reverse
from django.utils import timezone


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "2024-02-30", "nonsense"])
def test_station_day_with_an_edge_or_bad_date_shows_today(client, station, station_staff, value):
    client.force_login(station_staff)
    response = client.get(reverse("childcare:station_day", args=[station.pk]), {"date": value})
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
