"""Registry pages do a fixed number of queries whatever the amount of data."""

import pytest
from django.urls import reverse

from tests.casework.factories import CaseChildFactory, PairingFactory

pytestmark = pytest.mark.django_db

# session, user, role assignments, unread count (header), then the page's own queries
# (the registry and the volunteer's page end with one insert into the access log).
REGISTRY_QUERIES = 7
VOLUNTEER_HOME_QUERIES = 6
SUMMARY_QUERIES = 5


@pytest.mark.parametrize("size", [3, 40])
def test_registry_list_query_count_is_fixed(
    size, client, community, community_staff, django_assert_num_queries
):
    for _ in range(size):
        PairingFactory(child=CaseChildFactory(community=community))
    client.force_login(community_staff)
    with django_assert_num_queries(REGISTRY_QUERIES):
        response = client.get(reverse("casework:child_list"), {"risk": "medium"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(size, 25)


@pytest.mark.parametrize("size", [2, 20])
def test_volunteer_home_query_count_is_fixed(
    size, client, community, volunteer_record, django_assert_num_queries
):
    for _ in range(size):
        PairingFactory(child=CaseChildFactory(community=community), volunteer=volunteer_record)
    client.force_login(volunteer_record.user)
    with django_assert_num_queries(VOLUNTEER_HOME_QUERIES):
        response = client.get(reverse("casework:volunteer_home"))
    assert len(response.context["children"]) == size


@pytest.mark.parametrize("size", [2, 20])
def test_summary_query_count_is_fixed(size, client, community, official, django_assert_num_queries):
    for _ in range(size):
        CaseChildFactory(community=community)
    client.force_login(official)
    with django_assert_num_queries(SUMMARY_QUERIES):
        response = client.get(reverse("casework:summary"))
    assert response.context["totals"]["active"] == size


def test_registry_list_filters_and_bad_page(client, community, community_staff):
    CaseChildFactory(community=community, risk_level="high")
    CaseChildFactory(community=community, risk_level="low")
    client.force_login(community_staff)
    response = client.get(reverse("casework:child_list"), {"risk": "high", "page": "abc"})
    assert [c.risk_level for c in response.context["page"]] == ["high"]
    response = client.get(reverse("casework:child_list"), {"risk": "nonsense"})
    assert response.status_code == 200
