"""A "coming" notice holds a day place at the centre: a full day is refused, a withdrawn or
switched notice frees the place, and concurrent families never over-reserve."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from eldercare import services
from eldercare.models import DayCareNotice, DayCarePlaces
from portal.accounts.models import Role
from tests.eldercare.factories import ElderFactory, FamilyContactFactory
from tests.factories import UserFactory, assign


def _next_day() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def _off_plan(facility, n: int) -> list:
    """Elders whose weekly plan has no day at all: every day they come is a reservation."""
    return [ElderFactory(facility=facility, day_care_weekdays="") for _ in range(n)]


def _reserved(facility, day: datetime.date) -> int:
    row = DayCarePlaces.objects.filter(facility=facility, date=day).first()
    return row.reserved if row else 0


@pytest.mark.django_db
def test_full_day_is_refused_with_a_message_and_nothing_saved(client, facility, elder, family):
    facility.day_places = 2
    facility.save()
    elder.day_care_weekdays = ""
    elder.save()
    day = _next_day()
    for other in _off_plan(facility, 2):
        services.daycare_notice_set(elder=other, date=day, coming=True, by=family)
    client.force_login(family)
    response = client.post(
        reverse("eldercare:family_notice", args=[elder.pk]),
        {"date": day.isoformat(), "coming": "1"},
        follow=True,
    )
    assert "这一天中心已满" in response.content.decode()
    assert not DayCareNotice.objects.filter(elder=elder).exists()
    assert _reserved(facility, day) == 2


@pytest.mark.django_db
def test_regulars_of_the_weekly_plan_take_places_too(facility, elder, family):
    facility.day_places = 2
    facility.save()
    day = _next_day()
    ElderFactory(facility=facility, day_care_weekdays=str(day.weekday()))
    elder.day_care_weekdays = ""
    elder.save()
    (first,) = _off_plan(facility, 1)
    services.daycare_notice_set(elder=first, date=day, coming=True, by=family)
    with pytest.raises(ValidationError):
        services.daycare_notice_set(elder=elder, date=day, coming=True, by=family)
    assert not DayCareNotice.objects.filter(elder=elder).exists()


@pytest.mark.django_db
def test_a_regular_confirming_their_plan_day_needs_no_extra_place(facility, family):
    facility.day_places = 1
    facility.save()
    day = _next_day()
    regular = ElderFactory(facility=facility, day_care_weekdays=str(day.weekday()))
    services.daycare_notice_set(elder=regular, date=day, coming=True, by=family)
    assert _reserved(facility, day) == 1
    (extra,) = _off_plan(facility, 1)
    with pytest.raises(ValidationError):
        services.daycare_notice_set(elder=extra, date=day, coming=True, by=family)


@pytest.mark.django_db
def test_switching_to_not_coming_frees_the_place(client, facility, elder, family):
    facility.day_places = 1
    facility.save()
    elder.day_care_weekdays = ""
    elder.save()
    day = _next_day()
    (waiting,) = _off_plan(facility, 1)
    client.force_login(family)
    url = reverse("eldercare:family_notice", args=[elder.pk])
    client.post(url, {"date": day.isoformat(), "coming": "1"})
    assert _reserved(facility, day) == 1
    with pytest.raises(ValidationError):
        services.daycare_notice_set(elder=waiting, date=day, coming=True, by=family)
    client.post(url, {"date": day.isoformat(), "coming": "0"})
    assert _reserved(facility, day) == 0
    assert DayCareNotice.objects.get(elder=elder).place_facility is None
    services.daycare_notice_set(elder=waiting, date=day, coming=True, by=family)
    assert _reserved(facility, day) == 1


@pytest.mark.django_db
def test_withdrawing_a_coming_notice_frees_the_place(client, facility, elder, family):
    facility.day_places = 1
    facility.save()
    elder.day_care_weekdays = ""
    elder.save()
    day = _next_day()
    notice = services.daycare_notice_set(elder=elder, date=day, coming=True, by=family)
    assert _reserved(facility, day) == 1
    client.force_login(family)
    response = client.post(reverse("eldercare:family_notice_delete", args=[notice.pk]))
    assert response.status_code == 302
    assert not DayCareNotice.objects.filter(pk=notice.pk).exists()
    assert _reserved(facility, day) == 0


@pytest.mark.django_db
def test_saying_coming_twice_holds_one_place(facility, elder, family):
    elder.day_care_weekdays = ""
    elder.save()
    day = _next_day()
    services.daycare_notice_set(elder=elder, date=day, coming=True, by=family)
    services.daycare_notice_set(elder=elder, date=day, coming=True, by=family)
    assert _reserved(facility, day) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["other_family", "outsider"])
def test_another_family_cannot_reserve_or_withdraw_for_an_elder_not_theirs(
    client, request, facility, elder, family, persona
):
    day = _next_day()
    notice = services.daycare_notice_set(elder=elder, date=day, coming=True, by=family)
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        reverse("eldercare:family_notice", args=[elder.pk]),
        {"date": day.isoformat(), "coming": "1"},
    )
    assert response.status_code == 404
    response = client.post(reverse("eldercare:family_notice_delete", args=[notice.pk]))
    assert response.status_code == 404
    assert DayCareNotice.objects.filter(pk=notice.pk, coming=True).exists()
    assert _reserved(facility, day) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_reservations_never_exceed_day_places(facility):
    facility.day_places = 2
    facility.save()
    day = _next_day()
    elders = _off_plan(facility, 6)
    user = UserFactory(name="家属")
    assign(user, Role.ELDER_FAMILY)
    for e in elders:
        FamilyContactFactory(elder=e, user=user)
    barrier = threading.Barrier(len(elders))
    results: list[str] = []

    def reserve(elder) -> None:
        try:
            barrier.wait()
            services.daycare_notice_set(elder=elder, date=day, coming=True, by=user)
            results.append("kept")
        except ValidationError:
            results.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve, args=(e,)) for e in elders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("kept") == 2
    assert results.count("full") == 4
    assert _reserved(facility, day) == 2
    assert DayCareNotice.objects.filter(date=day, coming=True).count() == 2
