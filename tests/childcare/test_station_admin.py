"""Station staff pages: sessions and curriculum; bad input is a form error, others get 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from childcare.consent import CURRENT_VERSION
from childcare.models import CourseStrand, Session, TimetableSlot
from tests.childcare.factories import login


@pytest.fixture
def strand(station):
    return CourseStrand.objects.create(station=station, name="绘本")


@pytest.mark.django_db
def test_staff_adds_a_session(client, station, station_staff):
    login(client, station_staff)
    day = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    response = client.post(
        reverse("childcare:session_list", args=[station.pk]),
        {"kind": "half_day", "date": day, "starts_at": "08:30", "ends_at": "12:00", "capacity": 5},
    )
    assert response.status_code == 302
    assert Session.objects.filter(station=station, capacity=5).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"kind": "half_day", "date": "2024-02-30", "starts_at": "08:30", "ends_at": "12:00"},
        {"kind": "nap", "date": "2030-01-01", "starts_at": "08:30", "ends_at": "12:00"},
        {"kind": "half_day", "date": "2030-01-01", "starts_at": "12:00", "ends_at": "08:00"},
        {"kind": "half_day", "date": "2020-01-01", "starts_at": "08:00", "ends_at": "12:00"},
        {
            "kind": "half_day",
            "date": "2030-01-01",
            "starts_at": "08:00",
            "ends_at": "12:00",
            "capacity": 99,
        },
    ],
)
def test_bad_session_input_is_a_form_error_and_saves_nothing(client, station, station_staff, data):
    login(client, station_staff)
    data = {"capacity": 5, **data}
    response = client.post(reverse("childcare:session_list", args=[station.pk]), data)
    assert response.status_code == 200
    assert "ends_after_start" not in response.content.decode()  # no raw constraint name
    assert not Session.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_station_staff", "outsider", "parent", "community_staff"])
def test_others_cannot_add_sessions_or_curriculum(client, request, who, station, strand):
    login(client, request.getfixturevalue(who))
    assert client.get(reverse("childcare:session_list", args=[station.pk])).status_code == 404
    response = client.post(
        reverse("childcare:curriculum_edit", args=[station.pk]), {"form": "strand", "name": "x"}
    )
    assert response.status_code == 404
    assert CourseStrand.objects.filter(station=station).count() == 1


@pytest.mark.django_db
def test_duplicate_strand_name_is_a_form_error(client, station, station_staff, strand):
    login(client, station_staff)
    response = client.post(
        reverse("childcare:curriculum_edit", args=[station.pk]),
        {"form": "strand", "name": "绘本", "order": 1},
    )
    assert response.status_code == 200
    assert CourseStrand.objects.filter(station=station).count() == 1


@pytest.mark.django_db
def test_timetable_slot_added_and_bad_times_refused(
    client, station, station_staff, strand, toddler_class
):
    login(client, station_staff)
    url = reverse("childcare:curriculum_edit", args=[station.pk])
    slot = {
        "form": "slot",
        "care_class": toddler_class.pk,
        "weekday": 2,
        "starts_at": "10:00",
        "ends_at": "09:00",
        "strand": strand.pk,
    }
    response = client.post(url, slot)
    assert response.status_code == 200
    assert "ends_after_start" not in response.content.decode()
    assert not TimetableSlot.objects.exists()
    response = client.post(url, {**slot, "ends_at": "10:45"})
    assert response.status_code == 302
    assert TimetableSlot.objects.get().strand == strand


@pytest.mark.django_db
def test_slot_with_another_stations_class_is_refused(
    client, station, station_staff, strand, other_station
):
    from tests.childcare.factories import CareClassFactory

    foreign = CareClassFactory(station=other_station)
    login(client, station_staff)
    response = client.post(
        reverse("childcare:curriculum_edit", args=[station.pk]),
        {
            "form": "slot",
            "care_class": foreign.pk,
            "weekday": 1,
            "starts_at": "09:00",
            "ends_at": "10:00",
            "strand": strand.pk,
        },
    )
    assert response.status_code == 200
    assert not TimetableSlot.objects.exists()


@pytest.mark.django_db
def test_station_hours_backwards_is_a_form_error(client, station, station_staff):
    login(client, station_staff)
    response = client.post(
        reverse("childcare:station_edit", args=[station.pk]),
        {
            "licensed_places": 15,
            "opens_at": "18:00",
            "closes_at": "08:00",
            "status": "open",
            "monthly_subsidy": "0",
            "cancel_cutoff_hours": 2,
        },
    )
    assert response.status_code == 200
    assert "hours_valid" not in response.content.decode()
    station.refresh_from_db()
    assert station.opens_at == datetime.time(8, 0)


@pytest.mark.django_db
def test_staff_home_lists_only_managed_stations(
    client, station, other_station, station_staff, community_staff, outsider
):
    login(client, station_staff)
    body = client.get(reverse("childcare:staff_home")).content.decode()
    assert station.name in body and other_station.name not in body
    assert str(station_staff) in body  # the station's staff are listed
    login(client, community_staff)
    body = client.get(reverse("childcare:staff_home")).content.decode()
    assert station.name in body and other_station.name not in body
    login(client, outsider)
    body = client.get(reverse("childcare:staff_home")).content.decode()
    assert station.name not in body and other_station.name in body


@pytest.mark.django_db
def test_home_sends_parent_and_station_staff_to_their_pages(client, parent, station_staff):
    login(client, parent)
    assert client.get("/")["Location"] == reverse("childcare:parent_home")
    login(client, station_staff)
    assert client.get("/")["Location"] == reverse("childcare:staff_home")


@pytest.mark.django_db
def test_parent_adds_a_child_into_their_household(client, parent, community):
    from communities.models import Resident
    from tests.factories import HouseholdFactory, ResidentFactory

    household = HouseholdFactory(community=community)
    ResidentFactory(household=household, user=parent, name="家长本人")
    login(client, parent)
    born = (timezone.localdate() - datetime.timedelta(days=300)).isoformat()
    response = client.post(
        reverse("childcare:child_register"),
        {
            "name": "小明",
            "sex": "M",
            "date_of_birth": born,
            "relation": "mother",
            "consent_version": CURRENT_VERSION,
            "consent": "on",
        },
    )
    assert response.status_code == 302
    kid = Resident.objects.get(name="小明")
    assert kid.household == household
    guardian = kid.child.guardians.get()
    assert (guardian.user, guardian.relation) == (parent, "mother")
    assert kid.child.consents.get().version == CURRENT_VERSION


@pytest.mark.django_db
def test_parent_without_household_gets_a_clear_message(client, parent):
    from communities.models import Resident

    login(client, parent)
    # Said before the form is filled: the household comes first, and where to declare it.
    page = client.get(reverse("childcare:child_register")).content.decode()
    assert "child-form" not in page
    assert reverse("childcare:start") in page
    response = client.post(
        reverse("childcare:child_register"),
        {"name": "小明", "sex": "M", "date_of_birth": "2025-06-01", "relation": "mother"},
    )
    assert response.status_code == 200
    assert "社区" in response.content.decode()
    assert not Resident.objects.filter(name="小明").exists()
