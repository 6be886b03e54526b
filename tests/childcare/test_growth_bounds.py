"""Height and weight at the edge of the form's range: a clear form error, never a 500."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from childcare.models import GrowthRecord
from childcare.services import enrolment_decide
from tests.childcare.factories import EnrolmentFactory


@pytest.fixture
def enrolled(child, station, station_staff, toddler_class):
    enrolment = EnrolmentFactory(child=child, station=station, status="offered")
    enrolment_decide(
        enrolment=enrolment, status="enrolled", care_class=toddler_class, by=station_staff
    )
    return child


@pytest.mark.django_db
@pytest.mark.parametrize("height,weight", [("30", "12"), ("130", "12"), ("90", "1"), ("90", "40")])
def test_growth_at_the_edge_of_the_range_is_a_form_error(
    client, enrolled, station_staff, height, weight
):
    client.force_login(station_staff)
    day = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        reverse("childcare:child_care", args=[enrolled.pk]),
        {
            "action": "growth",
            "growth-measured_on": day.isoformat(),
            "growth-height_cm": height,
            "growth-weight_kg": weight,
        },
    )
    assert response.status_code == 200
    form = dict((a, f) for a, _t, f in response.context["forms"])["growth"]
    assert form.errors
    assert not GrowthRecord.objects.filter(child=enrolled).exists()


@pytest.mark.django_db
def test_growth_inside_the_range_is_saved(client, enrolled, station_staff):
    client.force_login(station_staff)
    response = client.post(
        reverse("childcare:child_care", args=[enrolled.pk]),
        {
            "action": "growth",
            "growth-measured_on": timezone.localdate().isoformat(),
            "growth-height_cm": "30.1",
            "growth-weight_kg": "39.99",
        },
    )
    assert response.status_code == 302
    assert GrowthRecord.objects.filter(child=enrolled).count() == 1
