"""The parent's child page and the station's day page take a fixed number of queries,
whatever the number of children, days or records."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from childcare import services
from childcare.models import (
    Attendance,
    Booking,
    GrowthRecord,
    HealthCheck,
    MealRecord,
    NapRecord,
    ProgressNote,
)
from childcare.services import booking_create, enrolment_decide
from portal.notifications.models import Notification
from tests.childcare.factories import (
    CareClassFactory,
    EnrolmentFactory,
    GuardianFactory,
    SessionFactory,
    child_of,
    login,
)
from tests.factories import UserFactory


def fill_days(child, station, staff, days: int) -> None:
    """`days` days of attendance, checks, meals, naps, growth and notes for `child`."""
    guardian = child.guardians.first()
    today = timezone.localdate()
    for n in range(days):
        day = today - datetime.timedelta(days=n)
        moment = timezone.now() - datetime.timedelta(days=n)
        Attendance.objects.create(
            child=child,
            station=station,
            date=day,
            checked_in_at=moment,
            brought_by=guardian,
            checked_out_at=moment + datetime.timedelta(hours=1),
            collected_by=guardian,
            outdoor_minutes=90,
            recorded_by=staff,
        )
        for period in ("morning", "midday"):
            HealthCheck.objects.create(
                child=child,
                date=day,
                period=period,
                temperature=Decimal("36.5"),
                result="pass",
                checked_by=staff,
            )
        for meal in ("breakfast", "lunch"):
            MealRecord.objects.create(child=child, date=day, meal=meal, amount="all")
        NapRecord.objects.create(
            child=child, date=day, started=datetime.time(12, 0), ended=datetime.time(14, 0)
        )
        GrowthRecord.objects.create(
            child=child, measured_on=day, height_cm=Decimal("80.0") + n, weight_kg=Decimal("11")
        )
        ProgressNote.objects.create(child=child, date=day, domain="language", text="词", by=staff)


def enrol(child, station, care_class, staff):
    enrolment = EnrolmentFactory(child=child, station=station, status="offered")
    enrolment_decide(enrolment=enrolment, status="enrolled", care_class=care_class, by=staff)


def count_queries(client, url, django_assert_num_queries, n):
    with django_assert_num_queries(n):
        response = client.get(url)
    assert response.status_code == 200
    return response


# With the live part (photos, last messages, unread, incidents) and the guardian's consent.
CHILD_PAGE_QUERIES = 20
DAY_PAGE_QUERIES = 14  # absences and the day's sessions too; includes the one insert logging access


@pytest.mark.django_db
@pytest.mark.parametrize("days", [1, 12])
def test_child_page_query_count_is_fixed(
    client, django_assert_num_queries, days, parent, child, station, station_staff, toddler_class
):
    enrol(child, station, toddler_class, station_staff)
    fill_days(child, station, station_staff, days)
    for n in range(days):
        session = SessionFactory(
            station=station, date=timezone.localdate() + datetime.timedelta(days=n + 1)
        )
        booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    login(client, parent)
    response = count_queries(
        client,
        reverse("childcare:child_detail", args=[child.pk]),
        django_assert_num_queries,
        CHILD_PAGE_QUERIES,
    )
    assert response.content.decode().count('data-testid="today"') == 1


@pytest.mark.django_db
@pytest.mark.parametrize("children", [1, 9])
def test_station_day_query_count_is_fixed(
    client, django_assert_num_queries, children, station, station_staff, community
):
    infants = CareClassFactory(station=station, class_type="infant", capacity=10, carers=3)
    toddlers = CareClassFactory(station=station, class_type="toddler", capacity=15, carers=3)
    for n in range(children):
        kid = child_of(UserFactory(), community, months=8 if n % 2 else 18)
        enrol(kid, station, infants if n % 2 else toddlers, station_staff)
        fill_days(kid, station, station_staff, 2)
    session = SessionFactory(
        station=station, date=timezone.localdate() + datetime.timedelta(days=1)
    )
    for _n in range(children):
        parent = UserFactory()
        booking_create(session_id=session.pk, child_id=child_of(parent, community).pk, by=parent)
    login(client, station_staff)
    url = reverse("childcare:station_day", args=[station.pk])
    response = count_queries(client, url, django_assert_num_queries, DAY_PAGE_QUERIES)
    assert response.content.decode().count("childcare/staff/children/") == children


# Sign-in's session and user rows (production reads both from Redis), then the booking in
# one call (childcare_book: facts, rules and the locked part), here inside the test's
# transaction and so between SAVEPOINT and RELEASE SAVEPOINT (on its own, in production, the
# call is one statement). The first booking of a session in a process calls twice: the first
# call returns the facts its texts are rendered from.
BOOKING_QUERIES = 5
FIRST_BOOKING_OF_A_SESSION_QUERIES = BOOKING_QUERIES + 3


@pytest.mark.django_db
@pytest.mark.parametrize("earlier", [0, 8])
@pytest.mark.parametrize("first", [True, False])
def test_booking_takes_a_fixed_number_of_queries(
    client, django_assert_num_queries, earlier, first, station, community
):
    """Whatever the child's earlier bookings and the number of guardians to notify."""
    parent = UserFactory()
    child = child_of(parent, community)
    for n in range(earlier):
        booking_create(
            session_id=SessionFactory(
                station=station, date=timezone.localdate() + datetime.timedelta(days=n + 2)
            ).pk,
            child_id=child.pk,
            by=parent,
        )
        child_of(UserFactory(), community)  # other families' children too
        GuardianFactory(child=child, user=UserFactory())  # one more guardian to notify
    session = SessionFactory(
        station=station, date=timezone.localdate() + datetime.timedelta(days=1)
    )
    services._texts_of_session.pop(session.pk, None)
    if not first:  # another family booked it before: this process keeps its texts
        neighbour = UserFactory()
        booking_create(
            session_id=session.pk, child_id=child_of(neighbour, community).pk, by=neighbour
        )
    login(client, parent)
    notified = Notification.objects.count()
    expected = FIRST_BOOKING_OF_A_SESSION_QUERIES if first else BOOKING_QUERIES
    with django_assert_num_queries(expected):
        response = client.post(
            reverse("childcare:booking_create", args=[session.pk]), {"child": child.pk}
        )
    assert response.status_code == 302 and response["Location"] == reverse("childcare:parent_home")
    assert Booking.objects.filter(session=session, child=child, status="confirmed").exists()
    assert Notification.objects.count() - notified == 1 + earlier  # every guardian
