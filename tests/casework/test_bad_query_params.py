"""Odd query parameters on the casework pages answer normally, never a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


# "²" passes str.isdigit() but int() refuses it.
@pytest.mark.parametrize("value", ["²", "99999999999999999999999", "abc", ""])
def test_access_log_child_filter_with_an_odd_value_is_not_a_server_error(
    client, community_staff, value
):
    client.force_login(community_staff)
    response = client.get(reverse("casework:access_log"), {"child": value})
    assert response.status_code == 200
