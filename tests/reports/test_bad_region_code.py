"""A region parameter that is no region code at all is answered normally, never a 500."""

import pytest
from django.urls import reverse

from portal.reports.models import MonthlyReport

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["a\x00b", "ÄÖ", "../x", "no-such-region"])
def test_report_list_with_an_odd_region_filter_lists_nothing(client, official, county, value):
    MonthlyReport.objects.create(region=county, month="2026-01-01")
    client.force_login(official)
    response = client.get(reverse("reports:report_list"), {"region": value})
    assert response.status_code == 200
    assert list(response.context["reports"]) == []


@pytest.mark.parametrize("value", ["a\x00b", "no-such-region"])
def test_report_request_with_an_odd_region_is_a_form_error(client, official, value):
    client.force_login(official)
    response = client.post(reverse("reports:report_request"), {"region": value, "month": "2026-01"})
    assert response.status_code == 400
    assert response.context["form"].errors["region"]
    assert not MonthlyReport.objects.exists()
