"""Meal booking with a per-meal capacity that holds under concurrency."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.urls import reverse

from eldercare import services
from eldercare.models import Meal, MealBooking
from tests.eldercare.factories import ElderFactory, MealFactory


@pytest.mark.django_db
def test_booking_a_full_meal_is_refused(facility, facility_staff):
    meal = MealFactory(facility=facility, capacity=1)
    services.meal_book(meal=meal, elder=ElderFactory(facility=facility), by=facility_staff)
    with pytest.raises(ValidationError):
        services.meal_book(meal=meal, elder=ElderFactory(facility=facility), by=facility_staff)
    meal.refresh_from_db()
    assert (meal.booked, meal.bookings.count()) == (1, 1)


@pytest.mark.django_db
def test_family_booking_a_full_meal_sees_a_message(client, facility, elder, family):
    meal = MealFactory(facility=facility, capacity=0)
    client.force_login(family)
    response = client.post(
        reverse("eldercare:family_book", args=[elder.pk]), {"meal": meal.pk}, follow=True
    )
    assert response.status_code == 200
    assert not MealBooking.objects.exists()
    assert "订满" in response.content.decode() or "fully booked" in response.content.decode()


@pytest.mark.django_db
def test_family_books_and_cancels_a_meal(client, facility, elder, family):
    meal = MealFactory(facility=facility, capacity=3)
    client.force_login(family)
    client.post(reverse("eldercare:family_book", args=[elder.pk]), {"meal": meal.pk})
    booking = MealBooking.objects.get()
    meal.refresh_from_db()
    assert meal.booked == 1
    client.post(reverse("eldercare:family_booking_cancel", args=[booking.pk]))
    meal.refresh_from_db()
    assert meal.booked == 0


@pytest.mark.django_db
def test_family_cannot_book_a_meal_of_another_facility(client, elder, family, other_facility):
    meal = MealFactory(facility=other_facility)
    client.force_login(family)
    client.post(reverse("eldercare:family_book", args=[elder.pk]), {"meal": meal.pk})
    assert not MealBooking.objects.exists()


@pytest.mark.django_db
def test_same_elder_cannot_book_twice(facility, elder, facility_staff):
    meal = MealFactory(facility=facility)
    services.meal_book(meal=meal, elder=elder, by=facility_staff)
    with pytest.raises(ValidationError):
        services.meal_book(meal=meal, elder=elder, by=facility_staff)


@pytest.mark.django_db
def test_database_refuses_more_bookings_than_capacity(facility):
    meal = MealFactory(facility=facility, capacity=1)
    with pytest.raises(IntegrityError):
        Meal.objects.filter(pk=meal.pk).update(booked=2)


@pytest.mark.django_db
def test_kitchen_list_shows_dietary_needs(client, facility, elder, facility_staff):
    meal = MealFactory(facility=facility)
    services.meal_book(meal=meal, elder=elder, by=facility_staff)
    client.force_login(facility_staff)
    body = client.get(reverse("eldercare:kitchen_list", args=[facility.pk])).content.decode()
    assert "张奶奶" in body and "低盐" in body


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_never_exceed_capacity(facility, facility_staff):
    capacity, threads_n = 3, 8
    meal = MealFactory(facility=facility, capacity=capacity)
    elders = [ElderFactory(facility=facility) for _ in range(threads_n)]
    barrier = threading.Barrier(threads_n)
    results: list[str] = []

    def book(elder) -> None:
        try:
            barrier.wait()
            services.meal_book(meal=meal, elder=elder, by=facility_staff)
            results.append("ok")
        except ValidationError:
            results.append("full")
        finally:
            connection.close()

    workers = [threading.Thread(target=book, args=(e,)) for e in elders]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    meal.refresh_from_db()
    assert results.count("ok") == capacity
    assert results.count("full") == threads_n - capacity
    assert meal.booked == capacity == meal.bookings.count()
