"""Childcare fixtures: a station in `community` with a toddler class, its staff, a second
station (B) with its own staff, and a parent's child."""

import pytest
from django.utils import translation

from tests.childcare.factories import CareClassFactory, SessionFactory, child_of


@pytest.fixture
def toddler_class(station):
    return CareClassFactory(station=station, name="托小班", class_type="toddler", capacity=15)


@pytest.fixture
def session(station):
    return SessionFactory(station=station, capacity=15)


@pytest.fixture
def child(parent, community):
    return child_of(parent, community)


@pytest.fixture
def other_child(other_parent, community):
    return child_of(other_parent, community)


@pytest.fixture(autouse=True)
def english_service_messages():
    """Service errors are matched in English here; pages are checked in Chinese separately."""
    with translation.override("en"):
        yield
