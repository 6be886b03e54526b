"""A child cannot hold two live bookings whose times overlap (exclusion constraint)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from childcare.models import Booking, Session
from childcare.services import booking_cancel, booking_create
from tests.childcare.factories import SessionFactory, StationFactory, login


def _half_day(station, full, starts=(13, 0), ends=(17, 30)):
    return SessionFactory(
        station=station,
        kind=Session.Kind.HALF_DAY,
        date=full.date,
        starts_at=datetime.time(*starts),
        ends_at=datetime.time(*ends),
    )


@pytest.mark.django_db
def test_overlapping_second_booking_is_refused_with_a_message(parent, child, session, station):
    booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    afternoon = _half_day(station, session)
    with pytest.raises(ValidationError) as refused:
        booking_create(session_id=afternoon.pk, child_id=child.pk, by=parent)
    assert "one session at a time" in str(refused.value)
    # The booking in the way is named, so the parent knows what to cancel.
    assert str(session) in str(refused.value)
    assert Booking.objects.filter(child=child).count() == 1
    afternoon.refresh_from_db()
    assert afternoon.booked == 0


@pytest.mark.django_db
def test_overlap_across_stations_is_refused_too(parent, child, session, community):
    booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    elsewhere = _half_day(StationFactory(community=community), session, starts=(16, 0))
    with pytest.raises(ValidationError, match="one session at a time") as refused:
        booking_create(session_id=elsewhere.pk, child_id=child.pk, by=parent)
    assert str(session) in str(refused.value)
    elsewhere.refresh_from_db()
    assert elsewhere.booked == 0


@pytest.mark.django_db
def test_the_database_refuses_an_overlap_that_skips_the_service(parent, child, session, station):
    Booking.objects.create(session=session, child=child, status="confirmed", booked_by=parent)
    afternoon = _half_day(station, session)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            session=afternoon, child=child, status="waitlisted", booked_by=parent
        )
    assert Booking.objects.filter(child=child).count() == 1


@pytest.mark.django_db
def test_back_to_back_sessions_and_other_children_are_fine(
    parent, child, other_parent, other_child, session, station
):
    morning = _half_day(station, session, starts=(8, 0), ends=(12, 0))
    afternoon = _half_day(station, session, starts=(12, 0), ends=(17, 0))
    booking_create(session_id=morning.pk, child_id=child.pk, by=parent)
    booking_create(session_id=afternoon.pk, child_id=child.pk, by=parent)
    booking_create(session_id=session.pk, child_id=other_child.pk, by=other_parent)
    assert Booking.objects.active().count() == 3


@pytest.mark.django_db
def test_a_cancelled_booking_frees_the_time(parent, child, session, station):
    first = booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    booking_cancel(booking=first, by=parent)
    afternoon = _half_day(station, session)
    assert (
        booking_create(session_id=afternoon.pk, child_id=child.pk, by=parent).status == "confirmed"
    )


@pytest.mark.django_db
def test_moving_a_session_moves_its_bookings_time(parent, child, session, station):
    booking = booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    later = session.date + datetime.timedelta(days=1)
    Session.objects.filter(pk=session.pk).update(date=later)
    booking.refresh_from_db()
    assert timezone.localdate(booking.period.lower) == later
    # The old day is free again for this child.
    old_day = SessionFactory(station=station, date=later - datetime.timedelta(days=1))
    assert booking_create(session_id=old_day.pk, child_id=child.pk, by=parent).status == "confirmed"


@pytest.mark.django_db
def test_overlap_over_http_says_so_and_stores_nothing(client, parent, child, session, station):
    booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    afternoon = _half_day(station, session)
    login(client, parent)
    response = client.post(
        reverse("childcare:booking_create", args=[afternoon.pk]), {"child": child.pk}, follow=True
    )
    assert response.status_code == 200
    assert "one session at a time" in response.content.decode() or "同一时间" in (
        response.content.decode()
    )
    assert Booking.objects.filter(child=child).count() == 1
