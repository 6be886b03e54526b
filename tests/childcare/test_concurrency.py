"""Capacity holds under concurrency: real threads, real PostgreSQL connections."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections

from childcare.models import Booking, Session
from childcare.services import booking_cancel, booking_create
from tests.childcare.factories import SessionFactory, StationFactory, child_of
from tests.factories import CommunityFactory, UserFactory

CLIENTS = 12
PLACES = 5


def run_together(jobs):
    """Start every job at the same moment, each on its own thread and DB connection."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def wrap(job):
        try:
            barrier.wait()
            job()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_never_exceed_capacity():
    assert connection.vendor == "postgresql"
    community = CommunityFactory()
    session = SessionFactory(station=StationFactory(community=community), capacity=PLACES)
    families = []
    for _n in range(CLIENTS):
        user = UserFactory()
        families.append((user, child_of(user, community)))

    jobs = [
        (lambda u=u, c=c: booking_create(session_id=session.pk, child_id=c.pk, by=u))
        for u, c in families
    ]
    errors = run_together(jobs)

    assert errors == []
    session.refresh_from_db()
    assert session.booked == PLACES
    assert Booking.objects.filter(session=session, status="confirmed").count() == PLACES
    assert Booking.objects.filter(session=session, status="waitlisted").count() == CLIENTS - PLACES


@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_promote_each_waiting_child_once():
    community = CommunityFactory()
    session = SessionFactory(station=StationFactory(community=community), capacity=2)
    bookings = []
    for _n in range(6):
        user = UserFactory()
        bookings.append(
            (
                user,
                booking_create(
                    session_id=session.pk, child_id=child_of(user, community).pk, by=user
                ),
            )
        )
    confirmed = [(u, b) for u, b in bookings if b.status == "confirmed"]
    errors = run_together([lambda u=u, b=b: booking_cancel(booking=b, by=u) for u, b in confirmed])
    assert errors == []
    session.refresh_from_db()
    assert session.booked == 2
    assert Booking.objects.filter(session=session, status="confirmed").count() == 2
    assert Booking.objects.filter(session=session, status="waitlisted").count() == 2


@pytest.mark.django_db(transaction=True)
def test_same_child_booked_twice_at_once_gets_one_booking():
    community = CommunityFactory()
    session = SessionFactory(station=StationFactory(community=community), capacity=5)
    user = UserFactory()
    kid = child_of(user, community)
    errors = run_together(
        [lambda: booking_create(session_id=session.pk, child_id=kid.pk, by=user)] * 4
    )
    assert all(isinstance(e, ValidationError | IntegrityError) for e in errors)
    assert len(errors) == 3
    assert Booking.objects.filter(session=session, child=kid).count() == 1
    assert Session.objects.get(pk=session.pk).booked == 1
