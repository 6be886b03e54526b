"""Dates that cannot be real are form errors that change nothing: assessments in the future
or before 1900, elders born outside 1900..today, readings before 2000 or ahead of the clock."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from eldercare import rules
from eldercare.models import AbilityAssessment, Elder, HealthReading, ReadingImport, RiskAssessment

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


@pytest.mark.parametrize("born", ["9999-12-31", "0001-01-01", "1899-12-31"])
def test_an_elder_born_on_an_impossible_date_is_a_form_error(
    client, facility, facility_staff, born
):
    client.force_login(facility_staff)
    response = client.post(
        reverse("eldercare:elder_create", args=[facility.pk]),
        {
            "name": "王奶奶",
            "sex": "F",
            "date_of_birth": born,
            "support_category": "none",
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date_of_birth"]
    assert not Elder.objects.filter(name="王奶奶").exists()


@pytest.mark.parametrize(
    "moment", ["9999-12-31T23:59:59-14:00", "1999-12-31T23:00:00+08:00", "{tomorrow}"]
)
def test_a_csv_reading_dated_out_of_range_is_refused_with_its_line(
    client, facility, elder, facility_staff, moment
):
    ahead = timezone.localtime() + datetime.timedelta(days=2)
    moment = moment.format(tomorrow=ahead.isoformat(timespec="seconds"))
    lines = [
        "elder_id,measured_at,kind,value,value2",
        f"{elder.pk},2024-08-14T07:00:00+08:00,heart_rate,70,",
        f"{elder.pk},{moment},heart_rate,70,",
    ]
    upload = io.BytesIO(("\n".join(lines) + "\n").encode())
    upload.name = "device.csv"
    client.force_login(facility_staff)
    response = client.post(
        reverse("eldercare:readings_import", args=[facility.pk]), {"file": upload}
    )
    assert response.status_code == 200
    assert "3" in str(response.context["form"].errors["file"])
    assert not HealthReading.objects.exists() and not ReadingImport.objects.exists()
    # And the elder's page still opens for staff.
    assert client.get(reverse("eldercare:elder_detail", args=[elder.pk])).status_code == 200


@pytest.mark.parametrize("when", ["1999-12-31T23:59:00+08:00", "{ahead}"])
def test_a_staff_reading_dated_before_2000_or_ahead_is_a_form_error(
    client, elder, facility_staff, when
):
    ahead = timezone.localtime() + datetime.timedelta(days=2)
    when = when.format(ahead=ahead.strftime("%Y-%m-%dT%H:%M"))
    client.force_login(facility_staff)
    response = client.post(
        reverse("eldercare:reading_create", args=[elder.pk]),
        {"kind": "heart_rate", "value": "70", "measured_at": when[:16]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not HealthReading.objects.exists()


def test_a_risk_event_dated_year_1_is_a_form_error(client, elder, facility_staff):
    from eldercare.models import CareRiskEvent

    client.force_login(facility_staff)
    response = client.post(
        reverse("eldercare:risk_event_create", args=[elder.pk]),
        {"kind": "fall", "occurred_on": "0001-01-01"},
    )
    assert response.status_code == 200
    assert "这个日期不对，请检查年份。" in response.context["form"].errors["occurred_on"]
    assert not CareRiskEvent.objects.exists()
