"""Assessments dated in the future or at the start of the calendar are form errors."""

import pytest
from django.urls import reverse

from eldercare import rules
from eldercare.models import AbilityAssessment, RiskAssessment

pytestmark = pytest.mark.django_db


def _scores() -> dict:
    return {item.code: 0 for domain in rules.DOMAINS for item in domain.items}


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31"])
def test_assessment_dated_before_1900_is_refused(client, elder, facility_staff, day):
    client.force_login(facility_staff)
    response = client.post(
        reverse("eldercare:assessment_create", args=[elder.pk]),
        {"assessed_on": day, "notes": "", **_scores()},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["assessed_on"]
    assert not AbilityAssessment.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_risk_assessment_dated_in_the_future_or_before_1900_is_refused(
    client, elder, facility_staff, day
):
    client.force_login(facility_staff)
    response = client.post(
        reverse("eldercare:risk_assessment_create", args=[elder.pk]),
        {"assessed_on": day, "risks": [], "notes": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["assessed_on"]
    assert not RiskAssessment.objects.exists()
