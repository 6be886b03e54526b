"""Factories for the eldercare models."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from eldercare.models import (
    Alert,
    CareFacility,
    Elder,
    FamilyContact,
    HealthReading,
    Meal,
)
from tests.factories import CommunityFactory


class CareFacilityFactory(DjangoModelFactory):
    class Meta:
        model = CareFacility

    name = factory.Sequence(lambda n: f"日间照料中心{n}")
    community = factory.SubFactory(CommunityFactory)
    kind = CareFacility.Kind.DAY_CARE
    day_places = 30
    has_dining_room = True
    has_kitchen = True


class ElderFactory(DjangoModelFactory):
    class Meta:
        model = Elder

    name = factory.Sequence(lambda n: f"老人{n}")
    sex = "F"
    date_of_birth = datetime.date(1945, 3, 1)
    facility = factory.SubFactory(CareFacilityFactory)
    community = factory.LazyAttribute(lambda o: o.facility.community)
    support_category = Elder.SupportCategory.CENTRAL
    day_care_weekdays = "0123456"


class FamilyContactFactory(DjangoModelFactory):
    class Meta:
        model = FamilyContact

    elder = factory.SubFactory(ElderFactory)
    name = factory.Sequence(lambda n: f"家属{n}")
    relation = "女儿"


class MealFactory(DjangoModelFactory):
    class Meta:
        model = Meal

    facility = factory.SubFactory(CareFacilityFactory)
    date = factory.LazyFunction(timezone.localdate)
    kind = Meal.Kind.LUNCH
    menu = "米饭、青菜、蒸蛋"
    capacity = 20


class HealthReadingFactory(DjangoModelFactory):
    class Meta:
        model = HealthReading

    elder = factory.SubFactory(ElderFactory)
    kind = HealthReading.Kind.HEART_RATE
    value = 72
    measured_at = factory.LazyFunction(timezone.now)


class AlertFactory(DjangoModelFactory):
    class Meta:
        model = Alert

    elder = factory.SubFactory(ElderFactory)
    kind = Alert.Kind.OTHER
    date = factory.LazyFunction(timezone.localdate)
    message = "测试提醒"


def full_scores(**overrides: int) -> dict[str, int]:
    """Every item at its maximum (total 90), with some items changed."""
    from eldercare import rules

    scores = {code: item.max_score for code, item in rules.ITEMS.items()}
    scores.update(overrides)
    return scores
