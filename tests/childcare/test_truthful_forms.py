"""Forms that tell the truth: the decision form on GET, check-out before the recorded arrival."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from childcare.models import Attendance, Enrolment
from childcare.services import attendance_check_in, enrolment_decide
from tests.childcare.factories import EnrolmentFactory, login


@pytest.mark.django_db
def test_decision_form_is_unbound_on_get_and_offers_only_allowed_moves(
    client, station_staff, child, station, toddler_class
):
    enrolment = EnrolmentFactory(child=child, station=station, status="applied")
    login(client, station_staff)
    url = reverse("childcare:enrolment_detail", args=[enrolment.pk])
    response = client.get(url)
    page = response.content.decode()
    form = response.context["form"]
    assert not form.is_bound
    assert "is-invalid" not in page and "invalid-feedback" not in page
    offered = [value for value, _ in form.fields["status"].choices]
    assert sorted(offered) == sorted(Enrolment(status="applied").allowed_transitions())
    assert "enrolled" not in offered and "left" not in offered

    enrolment_decide(enrolment=enrolment, status="offered", by=station_staff)
    offered = [v for v, _ in client.get(url).context["form"].fields["status"].choices]
    assert "enrolled" in offered and "offered" not in offered


@pytest.mark.django_db
def test_a_closed_application_offers_no_decision(client, station_staff, child, station):
    enrolment = EnrolmentFactory(child=child, station=station, status="declined")
    login(client, station_staff)
    response = client.get(reverse("childcare:enrolment_detail", args=[enrolment.pk]))
    assert response.status_code == 200
    assert response.context["form"] is None


@pytest.mark.django_db
def test_posting_a_move_not_offered_is_a_form_error(client, station_staff, child, station):
    enrolment = EnrolmentFactory(child=child, station=station, status="applied")
    login(client, station_staff)
    response = client.post(
        reverse("childcare:enrolment_detail", args=[enrolment.pk]),
        {"action": "decide", "status": "left"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    enrolment.refresh_from_db()
    assert enrolment.status == "applied"


@pytest.mark.django_db
def test_check_out_before_the_recorded_arrival_is_a_form_error(
    client, child, station, station_staff, toddler_class
):
    enrolment = EnrolmentFactory(child=child, station=station, status="offered")
    enrolment_decide(
        enrolment=enrolment, status="enrolled", care_class=toddler_class, by=station_staff
    )
    mother = child.guardians.get()
    attendance_check_in(child=child, brought_by=mother, by=station_staff)
    # An arrival recorded later than now (as a demo or a mistyped time would leave it).
    later = timezone.now() + datetime.timedelta(minutes=30)
    Attendance.objects.filter(child=child).update(checked_in_at=later)
    login(client, station_staff)
    response = client.post(
        reverse("childcare:child_care", args=[child.pk]),
        {"action": "checkout", "checkout-collected_by": mother.pk},
    )
    assert response.status_code == 200
    assert "before arriving" in response.content.decode() or "到达之前" in (
        response.content.decode()
    )
    assert Attendance.objects.get(child=child).checked_out_at is None
