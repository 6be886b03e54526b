"""Staff lists that carry elders' names (alerts, a meal's diners, the kitchen list) and the
family's cancel button answer only for the viewer's own facility or family."""

import pytest
from django.urls import reverse

from eldercare import services
from eldercare.models import BookingStatus, MealBooking
from tests.eldercare.factories import AlertFactory, MealFactory

pytestmark = pytest.mark.django_db


def test_alert_list_shows_only_the_staff_members_elders(
    client, elder, other_elder, facility_staff, other_facility_staff
):
    AlertFactory(elder=elder, message="张奶奶心率过高")
    AlertFactory(elder=other_elder, message="李爷爷血压过高")
    client.force_login(facility_staff)
    html = client.get(reverse("eldercare:alert_list")).text
    assert "张奶奶心率过高" in html
    assert "李爷爷血压过高" not in html

    client.force_login(other_facility_staff)
    html = client.get(reverse("eldercare:alert_list")).text
    assert "李爷爷血压过高" in html
    assert "张奶奶心率过高" not in html


@pytest.mark.parametrize("persona", ["other_facility_staff", "outsider", "family", "official"])
def test_a_meals_diner_list_is_404_to_others(client, request, facility, elder, persona):
    meal = MealFactory(facility=facility)
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("eldercare:meal_detail", args=[meal.pk]))
    assert response.status_code == 404
    assert "张奶奶" not in response.text


def test_kitchen_list_shows_only_the_facilitys_own_diners(
    client, facility, other_facility, elder, other_elder, facility_staff, other_facility_staff
):
    own = MealFactory(facility=facility, menu="本院菜单")
    theirs = MealFactory(facility=other_facility, menu="他院菜单")
    services.meal_book(meal=own, elder=elder, by=facility_staff)
    services.meal_book(meal=theirs, elder=other_elder, by=other_facility_staff)
    client.force_login(facility_staff)
    html = client.get(reverse("eldercare:kitchen_list", args=[facility.pk])).text
    assert "张奶奶" in html and "本院菜单" in html
    assert "李爷爷" not in html and "他院菜单" not in html


@pytest.mark.parametrize("persona", ["other_family", "outsider", "other_facility_staff"])
def test_others_cannot_cancel_a_familys_meal_booking(
    client, request, facility, elder, family, persona
):
    meal = MealFactory(facility=facility)
    booking = services.meal_book(meal=meal, elder=elder, by=facility_staff_user(facility))
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("eldercare:family_booking_cancel", args=[booking.pk]))
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    assert MealBooking.objects.count() == 1


def facility_staff_user(facility):
    from portal.accounts.models import Role
    from tests.factories import UserFactory, assign

    user = UserFactory()
    assign(user, Role.FACILITY_STAFF, facility=facility)
    return user
