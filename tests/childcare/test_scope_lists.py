"""Pages that list children show only the viewer's own: the station page's booking choice
(a parent's own children), the staff's enrolment list (their stations'), and the under-3 rule
at its edge."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from childcare.models import Enrolment
from childcare.services import enrolment_apply
from tests.childcare.factories import EnrolmentFactory, child_of

pytestmark = pytest.mark.django_db


def test_station_page_offers_a_parent_only_their_own_children(
    client, station, session, parent, child, other_child
):
    client.force_login(parent)
    response = client.get(reverse("childcare:station_detail", args=[station.pk]))
    assert response.status_code == 200
    assert child.resident.name in response.text
    assert other_child.resident.name not in response.text


@pytest.mark.parametrize("viewer", ["station_staff", "community_staff"])
def test_enrolment_list_shows_only_the_viewers_stations(
    client, request, viewer, station, other_station, child, other_parent
):
    other_family_child = child_of(other_parent)
    EnrolmentFactory(child=child, station=station)
    EnrolmentFactory(child=other_family_child, station=other_station)
    client.force_login(request.getfixturevalue(viewer))
    html = client.get(reverse("childcare:enrolment_list")).text
    assert child.resident.name in html
    assert other_family_child.resident.name not in html


@pytest.mark.parametrize("viewer", ["other_station_staff", "outsider", "other_parent", "volunteer"])
def test_enrolment_list_hides_another_stations_applications(
    client, request, viewer, station, other_station_staff, child
):
    EnrolmentFactory(child=child, station=station)
    client.force_login(request.getfixturevalue(viewer))
    response = client.get(reverse("childcare:enrolment_list"))
    assert child.resident.name not in response.text


def _apply(child, station, parent):
    return enrolment_apply(
        child=child,
        station=station,
        start_date=timezone.localdate() + datetime.timedelta(days=7),
        health_exam_date=timezone.localdate() - datetime.timedelta(days=10),
        vaccinations_confirmed=True,
        by=parent,
    )


def test_a_child_who_turned_three_is_refused(parent, community, station):
    three = child_of(parent, community, months=36)
    with pytest.raises(ValidationError):
        _apply(three, station, parent)
    assert not Enrolment.objects.exists()


def test_a_child_of_35_months_may_apply(parent, community, station):
    almost_three = child_of(
        parent,
        community,
        months=35,
    )
    assert _apply(almost_three, station, parent).status == "applied"


@pytest.mark.parametrize("status", ["declined", "left"])
def test_staff_lose_sight_of_a_child_once_the_application_is_closed(
    client, station, station_staff, child, status
):
    enrolment = EnrolmentFactory(child=child, station=station, status="applied")
    client.force_login(station_staff)
    url = reverse("childcare:child_care", args=[child.pk])
    assert client.get(url).status_code == 200
    Enrolment.objects.filter(pk=enrolment.pk).update(status=status)
    assert client.get(url).status_code == 404


def test_a_cancelled_booking_no_longer_opens_the_childs_records(
    client, session, station_staff, child, parent
):
    from childcare.services import booking_cancel, booking_create

    booking = booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    client.force_login(station_staff)
    url = reverse("childcare:child_care", args=[child.pk])
    assert client.get(url).status_code == 200
    booking_cancel(booking=booking, by=parent)
    assert client.get(url).status_code == 404
