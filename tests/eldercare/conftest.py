"""Eldercare fixtures: facility A (in the personas' community) and B (in the other one),
their staff, elders with family."""

import pytest

from portal.accounts.models import Role
from tests.eldercare.factories import CareFacilityFactory, ElderFactory, FamilyContactFactory
from tests.factories import UserFactory, assign


@pytest.fixture
def facility(community):
    return CareFacilityFactory(name="龙泉湖日间照料中心", community=community, day_places=30)


@pytest.fixture
def other_facility(other_community):
    return CareFacilityFactory(name="他社区敬老院", community=other_community)


@pytest.fixture
def facility_staff(facility):
    user = UserFactory(name="护理员")
    assign(user, Role.FACILITY_STAFF, facility=facility)
    return user


@pytest.fixture
def other_facility_staff(other_facility):
    user = UserFactory(name="他院护理员")
    assign(user, Role.FACILITY_STAFF, facility=other_facility)
    return user


@pytest.fixture
def elder(facility):
    return ElderFactory(name="张奶奶", facility=facility, dietary_needs="低盐")


@pytest.fixture
def family(elder):
    user = UserFactory(name="张女士")
    assign(user, Role.ELDER_FAMILY)
    FamilyContactFactory(elder=elder, user=user, name="张女士", can_see_medical=True)
    return user


@pytest.fixture
def other_elder(other_facility):
    return ElderFactory(name="李爷爷", facility=other_facility)


@pytest.fixture
def other_family(other_elder):
    user = UserFactory(name="李先生")
    assign(user, Role.ELDER_FAMILY)
    FamilyContactFactory(elder=other_elder, user=user, name="李先生")
    return user
