"""The facility day page and the family's elder page use a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from eldercare import services
from eldercare.models import Alert, DayCareAttendance, DayCareNotice, MealBooking
from tests.eldercare.factories import (
    ElderFactory,
    FamilyContactFactory,
    HealthReadingFactory,
    MealFactory,
    full_scores,
)

pytestmark = pytest.mark.django_db


def _grow(facility, staff, elder, n: int, start: int = 0) -> None:
    """Add n elders, n days of attendance, meals, bookings, readings and alerts."""
    today = timezone.localdate()
    for i in range(start, start + n):
        other = ElderFactory(facility=facility)
        day = today - datetime.timedelta(days=i)
        DayCareAttendance.objects.create(
            elder=other,
            facility=facility,
            date=today,
            seat_no=DayCareAttendance.objects.filter(facility=facility, date=today).count() + 1,
            places=facility.day_places,
            checked_in_at=timezone.now(),
        )
        DayCareAttendance.objects.create(
            elder=elder,
            facility=facility,
            date=day - datetime.timedelta(days=1),
            seat_no=i + 100,
            places=1000,
            checked_in_at=timezone.now(),
        )
        meal = MealFactory(
            facility=facility, date=day, kind=["breakfast", "lunch", "dinner"][i % 3]
        )
        MealBooking.objects.create(meal=meal, elder=elder)
        HealthReadingFactory(elder=elder)
        HealthReadingFactory(elder=other)
        Alert.objects.create(elder=other, kind="other", date=today, message="x")
        DayCareNotice.objects.create(elder=other, date=today, coming=bool(i % 2))
        DayCareNotice.objects.create(
            elder=elder, date=today + datetime.timedelta(days=i + 1), coming=False
        )
        Alert.objects.create(elder=elder, kind="other", date=today, message="y")
        services.assessment_create(elder=other, assessed_on=today, scores=full_scores(), by=staff)


def test_facility_day_page_queries_are_fixed(
    client, facility, facility_staff, elder, django_assert_num_queries
):
    facility.day_places = 1000
    facility.save()
    client.force_login(facility_staff)
    url = reverse("eldercare:facility_day", args=[facility.pk])
    _grow(facility, facility_staff, elder, 2)
    client.get(url)  # warm the session
    # 7 reads, and one insert into the access log for the elders whose alerts are shown.
    with django_assert_num_queries(8) as ctx:
        assert client.get(url).status_code == 200
    _grow(facility, facility_staff, elder, 12, start=2)
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 15


def test_family_elder_page_queries_are_fixed(
    client, facility, facility_staff, elder, family, django_assert_num_queries
):
    facility.day_places = 1000
    facility.save()
    FamilyContactFactory(elder=ElderFactory(facility=facility), user=family)
    client.force_login(family)
    url = reverse("eldercare:family_elder", args=[elder.pk])
    _grow(facility, facility_staff, elder, 2)
    client.get(url)
    with django_assert_num_queries(9) as ctx:
        assert client.get(url).status_code == 200
    _grow(facility, facility_staff, elder, 12, start=2)
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = client.get(url)
    assert len(response.context["readings"]) == 14
