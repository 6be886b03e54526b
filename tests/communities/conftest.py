import pytest
from django.test import Client

from tests.factories import (
    TEST_PASSWORD,
    HouseholdFactory,
    PremisesFactory,
    ResidentFactory,
)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        assert client.login(email=user.email, password=TEST_PASSWORD)
    return client


@pytest.fixture
def staff_client(community_staff) -> Client:
    return client_for(community_staff)


@pytest.fixture
def household(community):
    return HouseholdFactory(community=community, address="晨北小区3栋2单元101")


@pytest.fixture
def resident(household):
    return ResidentFactory(
        household=household, name="张三", phone="13912345678", id_number=_ID_1980
    )


@pytest.fixture
def premises(community):
    return PremisesFactory(community=community, name="活动室")


# A fixed valid number (checked in test_validators) so that pages can be searched for it.
_ID_1980 = "530828198001010017"
