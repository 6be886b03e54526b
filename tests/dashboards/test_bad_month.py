"""A month the calendar does not have is a clear message, never a 500."""

import pytest
from django.urls import reverse


def test_year_zero_on_the_dashboard_gives_a_clear_message(client, official, refreshed):
    client.force_login(official)
    response = client.get(reverse("dashboards:region", args=[refreshed.code]), {"month": "0000-05"})
    assert response.status_code == 400
    assert 'data-testid="dashboard-problem"' in response.content.decode()


@pytest.mark.django_db
def test_year_zero_on_the_report_request_is_a_form_error(client, official, county):
    client.force_login(official)
    response = client.post(
        reverse("reports:report_request"), {"region": county.code, "month": "0000-05"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["month"]
