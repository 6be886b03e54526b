"""The demo data: the article's numbers, and seeding twice gives the same data."""

import io

import pytest
from django.urls import reverse

from communities import demo as communities_demo
from eldercare import demo
from eldercare.models import (
    AbilityAssessment,
    Alert,
    CareFacility,
    DayCareAttendance,
    Elder,
    HealthReading,
    Meal,
    MealBooking,
)
from portal.accounts.demo import demo_user

pytestmark = pytest.mark.django_db

LANCANG = "/530800/530828/"


def _counts() -> tuple:
    return tuple(
        m.objects.count()
        for m in (
            CareFacility,
            Elder,
            AbilityAssessment,
            DayCareAttendance,
            Meal,
            MealBooking,
            HealthReading,
            Alert,
        )
    )


def test_demo_has_the_articles_facilities_and_central_elders_and_is_idempotent(client):
    communities_demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    first = _counts()
    demo.seed(io.StringIO())
    assert _counts() == first

    lancang = CareFacility.objects.filter(community__region__path__startswith=LANCANG)
    assert lancang.count() == 23
    assert lancang.filter(kind="nursing_home").count() == 13
    assert lancang.exclude(kind="nursing_home").count() == 10
    assert set(lancang.values_list("community__region__code", flat=True)) == {
        "nadeng",
        "longquanhu",
        "menglang-chengbei",
        "menglang-chengnan",
        "shangyun-jie",
    }
    assert (
        Elder.objects.filter(
            support_category="central", community__region__path__startswith=LANCANG
        ).count()
        == 106
    )
    levels = set(AbilityAssessment.objects.values_list("level", flat=True))
    assert levels == {0, 1, 2, 3, 4}

    centre = CareFacility.objects.get(name=demo.LONGQUANHU_CENTRE)
    assert centre.community.region.code == "longquanhu"
    assert all(
        (
            centre.has_dining_room,
            centre.has_kitchen,
            centre.has_rest_rooms,
            centre.has_ramps,
            centre.has_handrails,
        )
    )
    assert DayCareAttendance.objects.filter(facility=centre).exists()
    assert Alert.objects.filter(status="open").count() >= 3
    assert not Meal.objects.filter(booked__gt=0).exclude(facility=centre).exists()

    family = demo_user("elder_family")
    elder = Elder.objects.get(family_contacts__user=family)
    assert elder.facility == centre
    client.force_login(family)
    assert client.get(reverse("eldercare:family_elder", args=[elder.pk])).status_code == 200

    staff = demo_user("facility_staff")
    assert staff.facility_ids() == [centre.pk]
    client.force_login(staff)
    response = client.get(reverse("eldercare:facility_day", args=[centre.pk]))
    assert response.status_code == 200
