"""Day-care check-in/out, capacity and the missed check-in alert."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from eldercare import services
from eldercare.models import Alert, DayCareAttendance
from portal.notifications.models import Notification
from tests.eldercare.factories import ElderFactory

pytestmark = pytest.mark.django_db


def test_check_in_then_out(client, facility, elder, facility_staff, family):
    client.force_login(facility_staff)
    response = client.post(reverse("eldercare:check_in", args=[facility.pk, elder.pk]))
    assert response.status_code == 302
    attendance = DayCareAttendance.objects.get(elder=elder)
    assert attendance.seat_no == 1
    assert Notification.objects.filter(recipient=family, kind="attendance").exists()
    client.post(reverse("eldercare:check_out", args=[attendance.pk]))
    attendance.refresh_from_db()
    assert attendance.checked_out_at is not None


def test_double_check_in_is_refused_with_a_message(client, facility, elder, facility_staff):
    client.force_login(facility_staff)
    url = reverse("eldercare:check_in", args=[facility.pk, elder.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert DayCareAttendance.objects.filter(elder=elder).count() == 1
    assert (
        "已签到" in response.content.decode() or "already checked in" in response.content.decode()
    )


def test_check_in_refused_when_places_are_taken(facility, facility_staff):
    facility.day_places = 1
    facility.save()
    first, second = ElderFactory(facility=facility), ElderFactory(facility=facility)
    services.attendance_check_in(elder=first, facility=facility, by=facility_staff)
    with pytest.raises(ValidationError):
        services.attendance_check_in(elder=second, facility=facility, by=facility_staff)
    assert DayCareAttendance.objects.count() == 1


def test_checkout_twice_is_refused(facility, elder, facility_staff):
    a = services.attendance_check_in(elder=elder, facility=facility, by=facility_staff)
    services.attendance_check_out(attendance=a, by=facility_staff)
    with pytest.raises(ValidationError):
        services.attendance_check_out(attendance=a, by=facility_staff)


def _after_deadline() -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(10, 0))
    )


def test_missed_check_in_alerts_staff_and_family_once_per_day(
    facility, elder, facility_staff, family, django_capture_on_commit_callbacks
):
    absent_today = ElderFactory(facility=facility, day_care_weekdays="")
    now = _after_deadline()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.missed_checkins_raise(now=now) == 1
        assert services.missed_checkins_raise(now=now) == 0
    alert = Alert.objects.get(kind="missed_checkin")
    assert alert.elder == elder
    assert not Alert.objects.filter(elder=absent_today).exists()
    assert Notification.objects.filter(recipient=family, kind="alert").count() == 1
    assert Notification.objects.filter(recipient=facility_staff, kind="alert").count() == 1


def test_no_missed_check_in_alert_before_the_deadline_or_after_arrival(
    facility, elder, facility_staff
):
    early = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(8, 0))
    )
    assert services.missed_checkins_raise(now=early) == 0
    services.attendance_check_in(elder=elder, facility=facility, by=facility_staff)
    assert services.missed_checkins_raise(now=_after_deadline()) == 0


def test_bad_day_parameter_is_not_a_500(client, facility, facility_staff):
    client.force_login(facility_staff)
    response = client.get(reverse("eldercare:facility_day", args=[facility.pk]), {"date": "x"})
    assert response.status_code == 200


def test_family_says_not_coming_so_no_missed_check_in_alert(client, facility, elder, family):
    client.force_login(family)
    today = timezone.localdate().isoformat()
    client.post(reverse("eldercare:family_notice", args=[elder.pk]), {"date": today, "coming": "0"})
    assert services.missed_checkins_raise(now=_after_deadline()) == 0


def test_family_books_an_extra_day_so_the_elder_is_expected(client, facility, elder, family):
    elder.day_care_weekdays = ""
    elder.save()
    assert services.missed_checkins_raise(now=_after_deadline()) == 0
    client.force_login(family)
    today = timezone.localdate().isoformat()
    client.post(reverse("eldercare:family_notice", args=[elder.pk]), {"date": today, "coming": "1"})
    assert services.missed_checkins_raise(now=_after_deadline()) == 1


@pytest.mark.parametrize("persona", ["other_family", "outsider"])
def test_notice_for_another_familys_elder_is_404(client, request, elder, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        reverse("eldercare:family_notice", args=[elder.pk]),
        {"date": timezone.localdate().isoformat(), "coming": "0"},
    )
    assert response.status_code == 404
    assert not elder.daycare_notices.exists()


def test_notice_for_a_past_day_is_refused(client, elder, family):
    client.force_login(family)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    client.post(
        reverse("eldercare:family_notice", args=[elder.pk]), {"date": yesterday, "coming": "0"}
    )
    assert not elder.daycare_notices.exists()
