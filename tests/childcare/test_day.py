"""The child's day: check-in/out by listed people only, checks, ratio flag, station scope."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from childcare.models import Attendance, Guardian, HealthCheck, Station
from childcare.selectors import station_day
from childcare.services import (
    attendance_check_in,
    attendance_check_out,
    enrolment_decide,
    health_check_record,
)
from portal.notifications.models import Notification
from tests.childcare.factories import CareClassFactory, EnrolmentFactory, GuardianFactory, login


@pytest.fixture
def enrolled(child, station, station_staff, toddler_class):
    enrolment = EnrolmentFactory(child=child, station=station, status="offered")
    enrolment_decide(
        enrolment=enrolment, status="enrolled", care_class=toddler_class, by=station_staff
    )
    return child


@pytest.fixture
def mother(enrolled):
    return enrolled.guardians.get()


@pytest.mark.django_db
def test_listed_guardian_collects_child(enrolled, mother, station_staff, parent):
    attendance_check_in(child=enrolled, brought_by=mother, by=station_staff)
    attendance = attendance_check_out(child=enrolled, collected_by=mother, by=station_staff)
    assert attendance.collected_by == mother
    assert Notification.objects.filter(recipient=parent, kind="attendance").exists()


@pytest.mark.django_db
def test_non_guardian_cannot_collect_child(enrolled, mother, station_staff, other_child):
    attendance_check_in(child=enrolled, brought_by=mother, by=station_staff)
    stranger = other_child.guardians.get()
    with pytest.raises(ValidationError, match="not authorised"):
        attendance_check_out(child=enrolled, collected_by=stranger, by=station_staff)
    assert Attendance.objects.get(child=enrolled).checked_out_at is None


@pytest.mark.django_db
def test_listed_person_not_allowed_to_collect_is_refused(enrolled, mother, station_staff):
    attendance_check_in(child=enrolled, brought_by=mother, by=station_staff)
    uncle = GuardianFactory(child=enrolled, user=None, name="舅舅", may_collect=False)
    with pytest.raises(ValidationError):
        attendance_check_out(child=enrolled, collected_by=uncle, by=station_staff)
    assert Attendance.objects.get(child=enrolled).collected_by is None


@pytest.mark.django_db
def test_non_guardian_collecting_over_http_is_a_form_error(
    client, enrolled, mother, station_staff, other_child
):
    attendance_check_in(child=enrolled, brought_by=mother, by=station_staff)
    login(client, station_staff)
    stranger = other_child.guardians.get()
    response = client.post(
        reverse("childcare:child_care", args=[enrolled.pk]),
        {"action": "checkout", "checkout-collected_by": stranger.pk},
    )
    assert response.status_code == 200
    assert Attendance.objects.get(child=enrolled).checked_out_at is None


@pytest.mark.django_db
def test_failed_health_check_notifies_parent_at_once(enrolled, station_staff, parent):
    health_check_record(
        child=enrolled,
        period="morning",
        temperature=Decimal("36.6"),
        symptoms="rash",
        result="fail",
        by=station_staff,
    )
    note = Notification.objects.get(recipient=parent, kind="health")
    assert "rash" in note.text


@pytest.mark.django_db
def test_parent_is_told_in_their_language_whatever_the_staff_member_uses(
    enrolled, station_staff, parent
):
    parent.language = "zh-hans"
    parent.save(update_fields=["language"])
    with translation.override("en"):
        health_check_record(
            child=enrolled,
            period="morning",
            temperature=Decimal("36.6"),
            symptoms="rash",
            result="fail",
            by=station_staff,
        )
    note = Notification.objects.get(recipient=parent, kind="health")
    assert note.text.startswith("晨午检：")
    assert "rash" in note.text


@pytest.mark.django_db
def test_fever_fails_the_check_even_if_ticked_well(enrolled, station_staff, parent):
    check = health_check_record(
        child=enrolled,
        period="midday",
        temperature=Decimal("38.2"),
        symptoms="",
        result="pass",
        by=station_staff,
    )
    assert check.result == HealthCheck.Result.FAIL
    assert Notification.objects.filter(recipient=parent, kind="health").exists()


@pytest.mark.django_db
def test_passed_check_sends_no_health_notification(enrolled, station_staff, parent):
    health_check_record(
        child=enrolled,
        period="morning",
        temperature=Decimal("36.5"),
        symptoms="",
        result="pass",
        by=station_staff,
    )
    assert not Notification.objects.filter(recipient=parent, kind="health").exists()


@pytest.mark.django_db
def test_bad_temperature_over_http_is_a_form_error(client, enrolled, station_staff):
    login(client, station_staff)
    response = client.post(
        reverse("childcare:child_care", args=[enrolled.pk]),
        {
            "action": "health",
            "health-period": "morning",
            "health-temperature": "hot",
            "health-result": "pass",
        },
    )
    assert response.status_code == 200
    assert not HealthCheck.objects.exists()


@pytest.mark.django_db
def test_unknown_action_is_a_message_not_500(client, enrolled, station_staff):
    login(client, station_staff)
    response = client.post(reverse("childcare:child_care", args=[enrolled.pk]), {"action": "x"})
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_station_staff", "outsider", "other_parent"])
def test_others_cannot_record_a_childs_day(client, request, who, enrolled):
    login(client, request.getfixturevalue(who))
    url = reverse("childcare:child_care", args=[enrolled.pk])
    assert client.get(url).status_code == 404
    mother = enrolled.guardians.get()
    assert (
        client.post(url, {"action": "checkin", "checkin-brought_by": mother.pk}).status_code == 404
    )
    assert not Attendance.objects.exists()


@pytest.mark.django_db
def test_other_station_staff_service_call_is_refused(enrolled, other_station_staff):
    mother = enrolled.guardians.get()
    with pytest.raises(ValidationError):
        attendance_check_in(child=enrolled, brought_by=mother, by=other_station_staff)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_station_staff", "outsider", "parent", "community_staff"])
def test_staff_of_station_a_cannot_edit_station_b(client, request, who, station):
    login(client, request.getfixturevalue(who))
    url = reverse("childcare:station_edit", args=[station.pk])
    assert client.get(url).status_code == 404
    response = client.post(
        url,
        {
            "licensed_places": 99,
            "opens_at": "08:00",
            "closes_at": "17:00",
            "status": "open",
            "monthly_subsidy": 0,
            "cancel_cutoff_hours": 2,
        },
    )
    assert response.status_code == 404
    station.refresh_from_db()
    assert station.licensed_places == 15


@pytest.mark.django_db
def test_station_staff_edits_own_station(client, station, station_staff):
    login(client, station_staff)
    response = client.post(
        reverse("childcare:station_edit", args=[station.pk]),
        {
            "licensed_places": 20,
            "opens_at": "08:00",
            "closes_at": "17:00",
            "status": "open",
            "monthly_subsidy": "0",
            "cancel_cutoff_hours": 2,
            "photo_retention_days": 180,
        },
    )
    assert response.status_code == 302
    station.refresh_from_db()
    assert station.licensed_places == 20


@pytest.mark.django_db
def test_station_edit_with_bad_numbers_saves_nothing(client, station, station_staff):
    login(client, station_staff)
    response = client.post(
        reverse("childcare:station_edit", args=[station.pk]),
        {"licensed_places": -3, "opens_at": "25:00", "status": "bogus"},
    )
    assert response.status_code == 200
    station.refresh_from_db()
    assert station.licensed_places == 15


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_station_staff", "outsider", "parent"])
def test_station_day_page_is_404_for_others(client, request, who, station):
    login(client, request.getfixturevalue(who))
    assert client.get(reverse("childcare:station_day", args=[station.pk])).status_code == 404


@pytest.mark.django_db
def test_station_day_with_bad_date_falls_back_to_today(client, station, station_staff):
    login(client, station_staff)
    response = client.get(
        reverse("childcare:station_day", args=[station.pk]), {"date": "2024-13-45"}
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_ratio_is_flagged_when_attendance_exceeds_carers(station, station_staff, community):
    from tests.childcare.factories import child_of
    from tests.factories import UserFactory

    infant_class = CareClassFactory(station=station, class_type="infant", capacity=10, carers=1)
    for _i in range(4):
        kid = child_of(UserFactory(), community, months=8)
        enrolment = EnrolmentFactory(child=kid, station=station, status="offered")
        enrolment_decide(
            enrolment=enrolment, status="enrolled", care_class=infant_class, by=station_staff
        )
    kids = list(infant_class.enrolments.select_related("child"))
    for e in kids[:3]:
        attendance_check_in(child=e.child, brought_by=e.child.guardians.get(), by=station_staff)
    today = timezone.localdate()
    (day,) = [cd for cd in station_day(station, today) if cd.care_class == infant_class]
    assert day.present == 3
    assert not day.ratio_broken  # 1 carer : 3 infants is the limit
    fourth = kids[3].child
    attendance_check_in(child=fourth, brought_by=fourth.guardians.get(), by=station_staff)
    (day,) = [cd for cd in station_day(station, today) if cd.care_class == infant_class]
    assert day.ratio_broken


@pytest.mark.django_db
def test_ratio_flag_shows_on_the_day_page(client, station, station_staff, community):
    from tests.childcare.factories import child_of
    from tests.factories import UserFactory

    infant_class = CareClassFactory(station=station, class_type="infant", capacity=10, carers=0)
    kid = child_of(UserFactory(), community, months=8)
    enrolment = EnrolmentFactory(child=kid, station=station, status="offered")
    enrolment_decide(
        enrolment=enrolment, status="enrolled", care_class=infant_class, by=station_staff
    )
    login(client, station_staff)
    url = reverse("childcare:station_day", args=[station.pk])
    assert 'data-testid="ratio-flag"' not in client.get(url).content.decode()
    attendance_check_in(child=kid, brought_by=kid.guardians.get(), by=station_staff)
    assert 'data-testid="ratio-flag"' in client.get(url).content.decode()


@pytest.mark.django_db
def test_parent_sees_own_child_page_but_not_another(client, parent, child, other_child):
    login(client, parent)
    assert client.get(reverse("childcare:child_detail", args=[child.pk])).status_code == 200
    assert client.get(reverse("childcare:child_detail", args=[other_child.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["outsider", "other_station_staff", "other_parent"])
def test_child_page_is_404_for_others(client, request, who, enrolled):
    login(client, request.getfixturevalue(who))
    assert client.get(reverse("childcare:child_detail", args=[enrolled.pk])).status_code == 404


@pytest.mark.django_db
def test_guardian_list_cannot_be_extended_by_another_parent(client, other_parent, child):
    login(client, other_parent)
    response = client.post(
        reverse("childcare:guardian_add", args=[child.pk]), {"name": "x", "relation": "y"}
    )
    assert response.status_code == 404
    assert Guardian.objects.filter(child=child).count() == 1


@pytest.mark.django_db
def test_station_finder_needs_no_login_and_shows_free_places(client, station):
    response = client.get(reverse("childcare:station_finder"))
    assert response.status_code == 200
    assert station.name in response.content.decode()
    response = client.get(reverse("childcare:station_finder"), {"community": "nonsense"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_closed_station_is_not_in_the_finder(client, station):
    Station.objects.filter(pk=station.pk).update(status="closed")
    assert station.name not in client.get(reverse("childcare:station_finder")).content.decode()
    assert client.get(station.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_check_in_twice_is_refused(enrolled, mother, station_staff):
    attendance_check_in(child=enrolled, brought_by=mother, by=station_staff)
    with pytest.raises(ValidationError):
        attendance_check_in(child=enrolled, brought_by=mother, by=station_staff)
    assert Attendance.objects.filter(date=timezone.localdate() - datetime.timedelta(0)).count() == 1


@pytest.mark.django_db
def test_return_after_three_months_needs_a_new_health_exam(enrolled, mother, station_staff):
    long_ago = timezone.localdate() - datetime.timedelta(days=100)
    enrolled.health_exam_date = long_ago - datetime.timedelta(days=30)
    enrolled.save()
    Attendance.objects.create(
        child=enrolled,
        station=Station.objects.get(pk=station_staff.station_ids()[0]),
        date=long_ago,
        checked_in_at=timezone.now() - datetime.timedelta(days=100),
        brought_by=mother,
        recorded_by=station_staff,
    )
    with pytest.raises(ValidationError, match="health exam"):
        attendance_check_in(child=enrolled, brought_by=mother, by=station_staff)
    enrolled.health_exam_date = timezone.localdate()
    enrolled.save()
    attendance_check_in(child=enrolled, brought_by=mother, by=station_staff)
    assert Attendance.objects.filter(child=enrolled).count() == 2


@pytest.mark.django_db
def test_staff_access_to_a_childs_records_is_logged_but_not_the_parents(
    client, enrolled, station, station_staff, parent
):
    from childcare.models import ChildAccessLog

    login(client, parent)
    client.get(reverse("childcare:child_detail", args=[enrolled.pk]))
    assert not ChildAccessLog.objects.exists()
    login(client, station_staff)
    client.get(reverse("childcare:child_detail", args=[enrolled.pk]))
    client.get(reverse("childcare:station_day", args=[station.pk]))
    logged = list(ChildAccessLog.objects.values_list("user_id", "child_id"))
    assert logged == [(station_staff.pk, enrolled.pk)] * 2
