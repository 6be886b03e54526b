"""Childcare fixtures: a station in `community` with a toddler class, its staff, a second
station (B) with its own staff, and a parent's child."""

import pytest
from django.utils import translation

from portal.accounts.models import Role
from tests.childcare.factories import CareClassFactory, SessionFactory, StationFactory, child_of
from tests.factories import UserFactory, assign


@pytest.fixture
def station(community):
    return StationFactory(name="几侎稚家", community=community, licensed_places=15)


@pytest.fixture
def toddler_class(station):
    return CareClassFactory(station=station, name="托小班", class_type="toddler", capacity=15)


@pytest.fixture
def station_staff(station):
    user = UserFactory(name="驿站老师")
    assign(user, Role.STATION_STAFF, station=station)
    return user


@pytest.fixture
def other_station(other_community):
    return StationFactory(name="别的驿站", community=other_community)


@pytest.fixture
def other_station_staff(other_station):
    user = UserFactory(name="别站老师")
    assign(user, Role.STATION_STAFF, station=other_station)
    return user


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
