"""Meals: menus and bookings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eldercare.models import (
    BookingStatus,
    Elder,
    Meal,
    MealBooking,
)
from portal.accounts.models import User

# --- meals ----------------------------------------------------------------------------------


def meal_save(*, meal: Meal, by: User) -> Meal:
    with transaction.atomic():
        if meal.pk:
            locked = Meal.objects.select_for_update().get(pk=meal.pk)
            if meal.capacity < locked.booked:
                raise ValidationError(
                    _("%(n)d portions are already booked; capacity cannot be lower.")
                    % {"n": locked.booked}
                )
            meal.booked = locked.booked
        try:
            with transaction.atomic():
                meal.save()
        except IntegrityError as exc:
            raise ValidationError(_("This meal is already on the menu for that day.")) from exc
    return meal


def meal_book(*, meal: Meal, elder: Elder, by: User) -> MealBooking:
    """Book one portion of a meal for an elder."""
    if meal.date < timezone.localdate():
        raise ValidationError(_("This meal is in the past."))
    with transaction.atomic():
        # The lock on the meal row closes the race of two bookings for the last portion; the
        # CheckConstraint booked <= capacity refuses the write if a caller skipped the lock.
        locked = Meal.objects.select_for_update().get(pk=meal.pk)
        if (
            MealBooking.objects.filter(meal=locked, elder=elder)
            .exclude(status=BookingStatus.CANCELLED)
            .exists()
        ):
            raise ValidationError(_("%(name)s already has this meal booked.") % {"name": elder})
        if locked.booked >= locked.capacity:
            raise ValidationError(_("This meal is fully booked."))
        try:
            with transaction.atomic():
                Meal.objects.filter(pk=locked.pk).update(booked=F("booked") + 1)
                booking = MealBooking.objects.create(meal=locked, elder=elder, booked_by=by)
        except IntegrityError as exc:
            raise ValidationError(_("This meal is fully booked.")) from exc
    return booking


def meal_booking_cancel(*, booking: MealBooking, by: User) -> MealBooking:
    with transaction.atomic():
        Meal.objects.select_for_update().get(pk=booking.meal_id)
        updated = MealBooking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
            status=BookingStatus.CANCELLED
        )
        if not updated:
            raise ValidationError(_("Only a booked meal can be cancelled."))
        Meal.objects.filter(pk=booking.meal_id).update(booked=F("booked") - 1)
    booking.refresh_from_db()
    return booking


def meal_booking_serve(*, booking: MealBooking, by: User) -> MealBooking:
    updated = MealBooking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
        status=BookingStatus.SERVED
    )
    if not updated:
        raise ValidationError(_("Only a booked meal can be served."))
    booking.refresh_from_db()
    return booking
