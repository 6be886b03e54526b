"""Query parameters that look like numbers but are not answer normally, never a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# "²" passes str.isdigit() but int() refuses it; the last is beyond any database integer.
ODD_NUMBERS = ["²", "١٢", "99999999999999999999999", "-1", "1.5"]


@pytest.mark.parametrize("value", ODD_NUMBERS)
@pytest.mark.parametrize(
    "url_name,param",
    [
        ("communities:household_list", "community"),
        ("communities:premises_list", "community"),
        ("communities:household_create", "community"),
        ("communities:premises_create", "community"),
        ("communities:resident_create", "household"),
    ],
)
def test_odd_number_in_a_filter_is_not_a_server_error(
    client, community_staff, url_name, param, value
):
    client.force_login(community_staff)
    response = client.get(reverse(url_name), {param: value})
    assert response.status_code == 200
