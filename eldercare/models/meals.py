"""Meals and their bookings."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from eldercare.models.choices import (
    BookingStatus,
    MealKind,
)
from eldercare.models.elders import Elder, ElderRelatedQuerySet
from eldercare.models.facilities import CareFacility
from portal.accounts.models import User


class BookingQuerySet(ElderRelatedQuerySet):
    family_flag = None

    def served(self) -> BookingQuerySet:
        return self.filter(status=BookingStatus.SERVED)


# --- meals ----------------------------------------------------------------------------------


class MealQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> MealQuerySet:
        """Menus are not personal: whoever sees the facility sees its meals."""
        return self.filter(facility__in=CareFacility.objects.visible_to(user))


class Meal(models.Model):
    Kind = MealKind

    facility = models.ForeignKey(
        CareFacility, on_delete=models.CASCADE, related_name="meals", verbose_name=_("facility")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("meal"), max_length=10, choices=MealKind.choices)
    menu = models.TextField(_("menu"))
    capacity = models.PositiveIntegerField(_("portions"))
    # Kept by meal_book/meal_booking_cancel under the row lock; the constraint is the backstop.
    booked = models.PositiveIntegerField(
        pgettext_lazy("eldercare", "booked"), default=0, editable=False
    )
    price = models.DecimalField(
        _("price (yuan)"),
        max_digits=6,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )

    objects = MealQuerySet.as_manager()

    class Meta:
        verbose_name = _("meal")
        verbose_name_plural = pgettext_lazy("eldercare", "meals")
        ordering = ["date", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "date", "kind"], name="eldercare_meal_unique_per_day"
            ),
            models.CheckConstraint(
                condition=Q(booked__lte=models.F("capacity")),
                name="eldercare_meal_booked_lte_capacity",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MealKind.values), name="eldercare_meal_kind_valid"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="eldercare_meal_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    @property
    def places_left(self) -> int:
        return self.capacity - self.booked


class MealBooking(models.Model):
    Status = BookingStatus

    meal = models.ForeignKey(
        Meal, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("meal")
    )
    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="meal_bookings", verbose_name=_("elder")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    booked_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meal booking")
        verbose_name_plural = _("meal bookings")
        ordering = ["meal", "created"]
        constraints = [
            models.UniqueConstraint(
                fields=["meal", "elder"],
                condition=~Q(status="cancelled"),
                name="eldercare_mealbooking_once_per_meal",
            ),
            models.CheckConstraint(
                condition=Q(status__in=BookingStatus.values),
                name="eldercare_mealbooking_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder} · {self.meal}"
