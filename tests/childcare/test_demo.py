"""The demo data carries the article's facts and seeding twice gives the same data."""

import io

import pytest

from childcare import demo
from childcare.models import Booking, Child, CourseStrand, Enrolment, Session, Station
from communities import demo as communities_demo
from portal.accounts.demo import demo_user


def snapshot() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Station, Child, Enrolment, Session, Booking, CourseStrand)
    }


@pytest.mark.django_db
def test_demo_has_the_articles_station_and_is_idempotent():
    out = io.StringIO()
    communities_demo.seed(out)
    demo.seed(out)
    first = snapshot()
    demo.seed(out)
    assert snapshot() == first

    station = Station.objects.get(name=demo.MAIN)
    assert station.community.region.code == "chamagudao"
    assert station.licensed_places == 15
    assert station.enrolled_count == 12
    assert station.opened_on.month == 2
    assert sum(c.carers for c in station.classes.all()) == 3
    assert station.strands.count() == 9
    assert Station.objects.filter(network_lead=station, kind="branch").count() == 2

    parent = demo_user("parent")
    (child,) = Child.objects.of_guardian(parent)
    assert child.enrolments.get().station == station
    assert Station.objects.operated_by(demo_user("station_staff")).get() == station

    full = Session.objects.filter(station=station, booked__gte=1).order_by("date").first()
    assert full.booked == full.capacity
    assert full.bookings.filter(status="waitlisted").exists()
