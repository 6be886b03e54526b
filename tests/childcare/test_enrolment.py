"""Enrolment: application, review by station or community staff, age rules, class caps."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from childcare.models import CareClass, Enrolment, Station
from childcare.services import enrolment_apply, enrolment_decide, enrolment_reassign
from portal.notifications.models import Notification
from tests.childcare.factories import CareClassFactory, EnrolmentFactory, child_of, login
from tests.factories import UserFactory


def apply(child, station, parent, **kwargs):
    defaults = {
        "start_date": timezone.localdate() + datetime.timedelta(days=7),
        "health_exam_date": timezone.localdate() - datetime.timedelta(days=10),
        "vaccinations_confirmed": True,
    }
    defaults.update(kwargs)
    return enrolment_apply(child=child, station=station, by=parent, **defaults)


@pytest.mark.django_db
def test_parent_applies_and_history_starts(parent, child, station):
    enrolment = apply(child, station, parent)
    assert enrolment.status == "applied"
    assert list(enrolment.events.values_list("to_status", flat=True)) == ["applied"]


@pytest.mark.django_db
def test_enrolling_a_five_year_old_is_refused(parent, community, station):
    five = child_of(parent, community, months=60)
    with pytest.raises(ValidationError, match="under 3"):
        apply(five, station, parent)
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_enrolling_a_five_year_old_over_http_shows_error_and_saves_nothing(
    client, parent, community, station
):
    five = child_of(parent, community, months=60)
    login(client, parent)
    response = client.post(
        reverse("childcare:enrolment_apply", args=[station.pk]),
        {
            "child": five.pk,
            "start_date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "health_exam_date": timezone.localdate().isoformat(),
            "vaccinations_confirmed": "on",
        },
    )
    assert response.status_code == 200
    assert "alert" in response.content.decode()
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_apply_with_bad_date_is_a_form_error(client, parent, child, station):
    login(client, parent)
    response = client.post(
        reverse("childcare:enrolment_apply", args=[station.pk]),
        {"child": child.pk, "start_date": "2024-02-31", "health_exam_date": "x"},
    )
    assert response.status_code == 200
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_apply_for_another_familys_child_is_refused(parent, other_child, station):
    with pytest.raises(ValidationError):
        apply(other_child, station, parent)
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_station_staff_offers_then_enrols_and_parent_is_notified(
    parent, child, station, station_staff, toddler_class
):
    enrolment = apply(child, station, parent)
    enrolment_decide(enrolment=enrolment, status="offered", by=station_staff)
    enrolment_decide(
        enrolment=enrolment, status="enrolled", care_class=toddler_class, by=station_staff
    )
    enrolment.refresh_from_db()
    station.refresh_from_db()
    toddler_class.refresh_from_db()
    assert enrolment.status == "enrolled"
    assert station.enrolled_count == 1
    assert toddler_class.enrolled_count == 1
    assert list(enrolment.events.values_list("to_status", flat=True)) == [
        "applied",
        "offered",
        "enrolled",
    ]
    assert Notification.objects.filter(recipient=parent, kind="enrolment").count() == 2


@pytest.mark.django_db
def test_community_staff_of_the_community_may_decide(parent, child, station, community_staff):
    enrolment = apply(child, station, parent)
    enrolment_decide(enrolment=enrolment, status="waitlisted", by=community_staff)
    enrolment.refresh_from_db()
    assert enrolment.status == "waitlisted"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["outsider", "other_station_staff", "other_parent"])
def test_others_cannot_decide(request, who, parent, child, station):
    user = request.getfixturevalue(who)
    enrolment = apply(child, station, parent)
    with pytest.raises(ValidationError):
        enrolment_decide(enrolment=enrolment, status="offered", by=user)
    enrolment.refresh_from_db()
    assert enrolment.status == "applied"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["outsider", "other_station_staff", "other_parent"])
def test_others_get_404_on_the_application(client, request, who, parent, child, station):
    user = request.getfixturevalue(who)
    enrolment = apply(child, station, parent)
    login(client, user)
    url = reverse("childcare:enrolment_detail", args=[enrolment.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "declined"}).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == "applied"


@pytest.mark.django_db
def test_exceeding_a_class_cap_is_refused(station, station_staff, community):
    small = CareClassFactory(station=station, class_type="toddler", capacity=1)
    first_parent, second_parent = UserFactory(), UserFactory()
    first = EnrolmentFactory(
        child=child_of(first_parent, community), station=station, status="offered"
    )
    second = EnrolmentFactory(
        child=child_of(second_parent, community), station=station, status="offered"
    )
    enrolment_decide(enrolment=first, status="enrolled", care_class=small, by=station_staff)
    with pytest.raises(ValidationError, match="full"):
        enrolment_decide(enrolment=second, status="enrolled", care_class=small, by=station_staff)
    second.refresh_from_db()
    small.refresh_from_db()
    assert second.status == "offered"
    assert small.enrolled_count == 1


@pytest.mark.django_db
def test_station_places_are_never_over_allocated(station_staff, community):
    station = Station.objects.get(role_assignments__user=station_staff)
    station.licensed_places = 1
    station.save()
    a = CareClassFactory(station=station, class_type="toddler", capacity=5)
    p1, p2 = UserFactory(), UserFactory()
    e1 = EnrolmentFactory(child=child_of(p1, community), station=station, status="offered")
    e2 = EnrolmentFactory(child=child_of(p2, community), station=station, status="offered")
    enrolment_decide(enrolment=e1, status="enrolled", care_class=a, by=station_staff)
    with pytest.raises(ValidationError):
        enrolment_decide(enrolment=e2, status="enrolled", care_class=a, by=station_staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Station.objects.filter(pk=station.pk).update(enrolled_count=2)


@pytest.mark.django_db
def test_database_refuses_a_class_above_the_national_cap(station):
    with pytest.raises(IntegrityError), transaction.atomic():
        CareClass.objects.create(station=station, name="big", class_type="infant", capacity=11)


@pytest.mark.django_db
def test_class_age_band_is_enforced(parent, community, station, station_staff):
    infant_class = CareClassFactory(station=station, class_type="infant", capacity=10)
    toddler = child_of(parent, community, months=18)
    enrolment = EnrolmentFactory(child=toddler, station=station, status="offered")
    with pytest.raises(ValidationError, match="age band"):
        enrolment_decide(
            enrolment=enrolment, status="enrolled", care_class=infant_class, by=station_staff
        )
    enrolment.refresh_from_db()
    assert enrolment.status == "offered"


@pytest.mark.django_db
def test_leaving_frees_the_place(parent, child, station, station_staff, toddler_class):
    enrolment = EnrolmentFactory(child=child, station=station, status="offered")
    enrolment_decide(
        enrolment=enrolment, status="enrolled", care_class=toddler_class, by=station_staff
    )
    enrolment_decide(enrolment=enrolment, status="left", by=station_staff)
    station.refresh_from_db()
    toddler_class.refresh_from_db()
    assert station.enrolled_count == 0
    assert toddler_class.enrolled_count == 0


@pytest.mark.django_db
def test_invalid_transition_is_refused(parent, child, station, station_staff):
    enrolment = apply(child, station, parent)
    with pytest.raises(ValidationError):
        enrolment_decide(enrolment=enrolment, status="left", by=station_staff)


@pytest.mark.django_db
def test_staff_decides_over_http(client, parent, child, station, station_staff, toddler_class):
    enrolment = apply(child, station, parent)
    login(client, station_staff)
    url = reverse("childcare:enrolment_detail", args=[enrolment.pk])
    response = client.post(url, {"status": "enrolled", "care_class": toddler_class.pk})
    assert response.status_code == 200  # applied cannot jump to enrolled
    enrolment.refresh_from_db()
    assert enrolment.status == "applied"
    response = client.post(url, {"status": "offered"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == "offered"


@pytest.mark.django_db
def test_refusal_is_shown_in_chinese_by_default(client, parent, community, station):
    five = child_of(parent, community, months=60)
    login(client, parent)
    response = client.post(
        reverse("childcare:enrolment_apply", args=[station.pk]),
        {
            "child": five.pk,
            "start_date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "health_exam_date": timezone.localdate().isoformat(),
            "vaccinations_confirmed": "on",
        },
    )
    assert "托育驿站只接收3岁以下的孩子" in response.content.decode()


@pytest.mark.django_db
def test_community_staff_moves_an_application_within_their_community(
    parent, child, station, community_staff, community
):
    from tests.childcare.factories import StationFactory

    branch = StationFactory(community=community, name="分园")
    enrolment = apply(child, station, parent)
    enrolment_reassign(enrolment=enrolment, station=branch, by=community_staff)
    enrolment.refresh_from_db()
    assert enrolment.station == branch
    assert enrolment.status == "applied"
    assert enrolment.events.count() == 2
    assert Notification.objects.filter(recipient=parent, kind="enrolment").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["station_staff", "outsider"])
def test_moving_to_a_station_not_managed_is_refused(
    request, who, parent, child, station, other_station
):
    enrolment = apply(child, station, parent)
    with pytest.raises(ValidationError):
        enrolment_reassign(
            enrolment=enrolment, station=other_station, by=request.getfixturevalue(who)
        )
    enrolment.refresh_from_db()
    assert enrolment.station == station


@pytest.mark.django_db
def test_moving_over_http_to_a_foreign_station_is_a_form_error(
    client, parent, child, station, community_staff, other_station
):
    enrolment = apply(child, station, parent)
    login(client, community_staff)
    response = client.post(
        reverse("childcare:enrolment_detail", args=[enrolment.pk]),
        {"action": "move", "station": other_station.pk},
    )
    assert response.status_code == 200
    enrolment.refresh_from_db()
    assert enrolment.station == station


@pytest.mark.django_db
def test_staff_pages_say_sessions_not_web_sessions(client, station, station_staff):
    login(client, station_staff)
    body = client.get(reverse("childcare:staff_home")).content.decode()
    assert "托育时段" in body
    assert "会话" not in body  # django.contrib.sessions' word for "Sessions"
