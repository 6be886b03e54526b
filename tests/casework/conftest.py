import pytest

from tests.casework.factories import CaseChildFactory, PairingFactory, VolunteerFactory


@pytest.fixture
def volunteer_record(volunteer, community):
    """The `volunteer` persona's membership of a team in `community`."""
    return VolunteerFactory(user=volunteer, community=community)


@pytest.fixture
def child(community, community_staff):
    return CaseChildFactory(community=community, registered_by=community_staff)


@pytest.fixture
def paired_child(child, volunteer_record, community_staff):
    PairingFactory(child=child, volunteer=volunteer_record, created_by=community_staff)
    return child


@pytest.fixture
def other_child(other_community, outsider):
    return CaseChildFactory(community=other_community, registered_by=outsider)
