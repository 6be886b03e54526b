"""Dates that cannot be real are form errors with a message and change nothing: an incident,
a measurement, a health exam or an absence dated year 1 (an incident at 0001-01-01 00:00 in
Beijing time is in the year before 1 in UTC: once stored, the station's incident list could
not be read back)."""

import pytest
from django.urls import reverse

from childcare.models import Absence, Enrolment, GrowthRecord, Incident
from tests.childcare.test_family import enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(child, station, toddler_class, station_staff):
    enrol(child, station, toddler_class, station_staff)
    return child


CHECK_THE_YEAR = "这个日期不对，请检查年份。"  # the pages speak Chinese by default


def _errors(response, field: str) -> list[str]:
    assert response.status_code == 200
    form = response.context["form"]
    return [str(e) for e in form.errors[field]]


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "1899-12-31T09:00"])
def test_an_incident_dated_year_1_is_a_form_error_and_the_list_still_opens(
    client,
    station_staff,
    station,
    enrolled,
    when,
):
    client.force_login(station_staff)
    response = client.post(
        reverse("childcare:incident_record", args=[enrolled.pk]),
        {"kind": "accident", "occurred_at": when, "what": "摔倒"},
    )
    assert CHECK_THE_YEAR in _errors(response, "occurred_at")
    assert not Incident.objects.exists()
    assert client.get(reverse("childcare:station_incidents", args=[station.pk])).status_code == 200


def test_a_measurement_dated_year_1_is_a_form_error(client, station_staff, enrolled):
    client.force_login(station_staff)
    response = client.post(
        reverse("childcare:child_care", args=[enrolled.pk]),
        {
            "action": "growth",
            "growth-measured_on": "0001-01-01",
            "growth-height_cm": "80",
            "growth-weight_kg": "10",
        },
    )
    assert response.status_code == 200
    [growth] = [f for action, _title, f in response.context["forms"] if action == "growth"]
    assert CHECK_THE_YEAR in growth.errors["measured_on"]
    assert not GrowthRecord.objects.exists()


def test_a_health_exam_dated_year_1_is_a_form_error(client, parent, child, station):
    client.force_login(parent)
    response = client.post(
        reverse("childcare:enrolment_apply", args=[station.pk]),
        {
            "child": child.pk,
            "start_date": "2999-01-01",
            "health_exam_date": "0001-01-01",
            "vaccinations_confirmed": "on",
        },
    )
    assert CHECK_THE_YEAR in _errors(response, "health_exam_date")
    assert not Enrolment.objects.exists()


def test_an_absence_from_year_1_is_a_form_error(client, parent, enrolled):
    client.force_login(parent)
    response = client.post(
        reverse("childcare:absence_report", args=[enrolled.pk]),
        {"start": "0001-01-01", "end": "0001-01-02", "reason": "ill"},
    )
    assert CHECK_THE_YEAR in _errors(response, "start")
    assert not Absence.objects.exists()
