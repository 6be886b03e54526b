"""Ending a pairing: a reason longer than its column is a clear message and changes nothing."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_ending_a_pairing_with_an_overlong_reason_is_refused_and_keeps_it(
    client, paired_child, community_staff
):
    pairing = paired_child.pairings.get()
    client.force_login(community_staff)
    response = client.post(
        reverse("casework:pairing_end", args=[pairing.pk]), {"reason": "搬" * 201}, follow=True
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    pairing.refresh_from_db()
    assert pairing.active and pairing.end_reason == ""


def test_ending_a_pairing_with_a_reason_of_200_characters_works(
    client, paired_child, community_staff
):
    pairing = paired_child.pairings.get()
    client.force_login(community_staff)
    client.post(reverse("casework:pairing_end", args=[pairing.pk]), {"reason": "搬" * 200})
    pairing.refresh_from_db()
    assert not pairing.active and pairing.end_reason == "搬" * 200
