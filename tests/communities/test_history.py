"""A resident's page shows its change history to the staff who manage it, ID numbers masked."""

import datetime

import pytest
from django.urls import reverse

from tests.communities.conftest import _ID_1980, client_for
from tests.communities.factories import valid_id_number

pytestmark = pytest.mark.django_db


def test_editing_a_resident_shows_old_and_new_values_and_who(
    staff_client, resident, community_staff
):
    new_id = valid_id_number(datetime.date(1980, 2, 2))
    response = staff_client.post(
        reverse("communities:resident_edit", args=[resident.pk]),
        {
            "household": resident.household.pk,
            "name": "张三丰",
            "sex": "F",
            "date_of_birth": "1980-02-02",
            "phone": "13912345678",
            "relation_to_head": "",
            "id_number": new_id,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    html = staff_client.get(resident.get_absolute_url()).content.decode()
    history = html.split('data-testid="change-history"', 1)[1]
    (entry,) = [e for e in history.split('data-testid="history-entry"') if "张三丰" in e]
    assert "<del>张三</del> → 张三丰" in entry
    assert community_staff.name in entry
    # Both numbers appear masked only, as everywhere else on the page.
    assert _ID_1980 not in html and new_id not in html
    masked_old = f"{_ID_1980[:4]}**********{_ID_1980[-4:]}"
    masked_new = f"{new_id[:4]}**********{new_id[-4:]}"
    assert masked_new != masked_old
    assert f"<del>{masked_old}</del> → {masked_new}" in history


def test_other_staff_get_404_for_the_resident_and_its_history(resident, outsider):
    assert client_for(outsider).get(resident.get_absolute_url()).status_code == 404
