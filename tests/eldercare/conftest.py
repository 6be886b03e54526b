"""Eldercare fixtures: facility A (in the personas' community) and B (in the other one),
their staff, elders with family."""

import pytest

from portal.accounts.models import Role
from tests.eldercare.factories import ElderFactory, FamilyContactFactory
from tests.factories import UserFactory, assign


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
