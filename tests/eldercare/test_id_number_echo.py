"""A full ID number typed into the elder form is not sent back when the form has an error."""

import pytest
from django.urls import reverse

from eldercare.models import Elder

pytestmark = pytest.mark.django_db

TYPED = "530828194503011234"


def test_elder_form_with_an_error_does_not_echo_the_typed_id_number(
    client, facility, facility_staff
):
    client.force_login(facility_staff)
    response = client.post(
        reverse("eldercare:elder_create", args=[facility.pk]),
        # No name and no resident: the form is refused.
        {"support_category": "central", "status": "active", "sex": "F", "id_number": TYPED},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert TYPED not in response.content.decode()
    assert not Elder.objects.exists()
