"""API fixtures: tokens made through the administrators' service, as the page makes them."""

import pytest

from portal.api.services import token_create
from tests.childcare.factories import StationFactory
from tests.eldercare.factories import CareFacilityFactory


@pytest.fixture
def station(community):
    return StationFactory(name="几侎稚家", community=community, licensed_places=15)


@pytest.fixture
def other_station(other_community):
    return StationFactory(name="别的驿站", community=other_community)


@pytest.fixture
def facility(community):
    return CareFacilityFactory(name="龙泉湖日间照料中心", community=community, day_places=30)


@pytest.fixture
def other_facility(other_community):
    return CareFacilityFactory(name="他社区敬老院", community=other_community)


@pytest.fixture
def make_token(admin_user):
    def make(**scope: object) -> tuple[object, str]:
        scope.setdefault("access", "read")
        return token_create(organisation="省托育信息平台", by=admin_user, **scope)

    return make
