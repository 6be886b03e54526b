"""Absences free booked places under the same session lock as a cancellation: real threads,
real PostgreSQL connections."""

import pytest
from django.db import connection

from childcare.family_services import absence_report
from childcare.models import Absence, Booking
from childcare.services import booking_create
from tests.childcare.factories import (
    CareClassFactory,
    EnrolmentFactory,
    SessionFactory,
    StationFactory,
    child_of,
)
from tests.childcare.test_concurrency import run_together
from tests.factories import CommunityFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_absences_promote_the_waiting_list_in_order():
    assert connection.vendor == "postgresql"
    community = CommunityFactory()
    session = SessionFactory(station=StationFactory(community=community), capacity=3)
    families = []
    for _n in range(7):
        user = UserFactory()
        child = child_of(user, community)
        families.append(
            (user, child, booking_create(session_id=session.pk, child_id=child.pk, by=user))
        )
    confirmed = [(u, c) for u, c, b in families if b.status == "confirmed"]
    waiting = [b for _u, _c, b in families if b.status == "waitlisted"]
    assert len(confirmed) == 3 and len(waiting) == 4
    # Three parents report their child away while two newcomers try to book the same session.
    newcomers = []
    for _n in range(2):
        user = UserFactory()
        newcomers.append((user, child_of(user, community)))
    jobs = [
        (
            lambda u=u, c=c: absence_report(
                child=c, start=session.date, end=session.date, reason="ill", by=u
            )
        )
        for u, c in confirmed
    ] + [
        (lambda u=u, c=c: booking_create(session_id=session.pk, child_id=c.pk, by=u))
        for u, c in newcomers
    ]

    errors = run_together(jobs)

    assert errors == []
    session.refresh_from_db()
    assert session.booked == 3
    assert Absence.objects.count() == 3
    live = Booking.objects.filter(session=session, status="confirmed")
    assert live.count() == 3
    # The places went to the first three on the waiting list, not to the newcomers.
    assert set(live.values_list("pk", flat=True)) == {b.pk for b in waiting[:3]}
    for _user, child in newcomers:
        assert Booking.objects.get(session=session, child=child).status == "waitlisted"
    for _user, child in confirmed:
        assert Booking.objects.get(session=session, child=child).status == "cancelled"


@pytest.mark.django_db(transaction=True)
def test_the_same_absence_reported_twice_at_once_is_kept_once():
    community = CommunityFactory()
    session = SessionFactory(station=StationFactory(community=community), capacity=1)
    user = UserFactory()
    child = child_of(user, community)
    # Enrolled, nothing booked: only the child's row lock keeps the two reports apart.
    EnrolmentFactory(
        child=child,
        station=session.station,
        status="enrolled",
        care_class=CareClassFactory(station=session.station),
    )
    job = lambda: absence_report(  # noqa: E731
        child=child, start=session.date, end=session.date, reason="ill", by=user
    )
    errors = run_together([job, job])
    assert Absence.objects.filter(child=child).count() == 1
    assert len(errors) == 1
