"""The registry and escalation lists show only the viewer's own communities' children."""

import pytest
from django.urls import reverse

from casework import services

pytestmark = pytest.mark.django_db


def _names(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.text


def test_registry_list_shows_only_the_staff_members_community(
    client, child, other_child, community_staff, outsider
):
    html = _names(client, community_staff, reverse("casework:child_list"))
    assert child.resident.name in html
    assert other_child.resident.name not in html

    html = _names(client, outsider, reverse("casework:child_list"))
    assert other_child.resident.name in html
    assert child.resident.name not in html


def test_concern_list_shows_only_the_staff_members_community(
    client, child, other_child, community_staff, outsider
):
    services.concern_create(
        child=child,
        visit=None,
        category="other",
        description="家里没人做饭",
        suspected_abuse=False,
        by=community_staff,
    )
    services.concern_create(
        child=other_child,
        visit=None,
        category="other",
        description="作业没人辅导",
        suspected_abuse=False,
        by=outsider,
    )
    html = _names(client, community_staff, reverse("casework:concern_list"))
    assert "家里没人做饭" in html
    assert "作业没人辅导" not in html
    assert other_child.resident.name not in html

    html = _names(client, outsider, reverse("casework:concern_list"))
    assert "作业没人辅导" in html
    assert "家里没人做饭" not in html
