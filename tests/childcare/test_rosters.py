"""Session rosters for station staff: who is booked, who may collect them, their allergies,
and the waiting list in order, on the sessions page and the day page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from childcare.services import booking_create
from portal.accounts.models import Role
from tests.childcare.factories import GuardianFactory, SessionFactory, child_of
from tests.factories import UserFactory, assign

pytestmark = pytest.mark.django_db


def book(session, community, n, allergies=""):
    children = []
    for i in range(n):
        user = UserFactory(name=f"家长{i}")
        assign(user, Role.PARENT)
        child = child_of(user, community, allergies=allergies)
        GuardianFactory(child=child, name=f"奶奶{i}", relation="祖母", phone="13812345678")
        booking_create(session_id=session.pk, child_id=child.pk, by=user)
        children.append(child)
    return children


def test_the_sessions_page_lists_who_is_booked_who_may_collect_and_allergies(
    client, station, station_staff, community
):
    session = SessionFactory(station=station, capacity=1)
    first, second = book(session, community, 2, allergies="花生")
    client.force_login(station_staff)
    html = client.get(reverse("childcare:session_list", args=[station.pk])).content.decode()
    roster = html[html.index(f'data-testid="roster-{session.pk}"') :]
    assert f'roster-child-{first.pk}"' in roster and "花生" in roster
    assert "奶奶0" in roster and "*******5678" in roster and "13812345678" not in roster
    assert f'roster-waiting-{second.pk}"' in roster


def test_the_day_page_shows_the_days_sessions_rosters(client, station, station_staff, community):
    today = timezone.localdate() + datetime.timedelta(days=1)
    session = SessionFactory(station=station, capacity=5, date=today)
    [child] = book(session, community, 1)
    client.force_login(station_staff)
    url = reverse("childcare:station_day", args=[station.pk]) + f"?date={today.isoformat()}"
    html = client.get(url).content.decode()
    assert f'roster-{session.pk}"' in html and f'roster-child-{child.pk}"' in html


def test_rosters_cost_the_same_queries_whatever_their_size(
    client, station, station_staff, community
):
    session = SessionFactory(station=station, capacity=30)
    book(session, community, 2)
    client.force_login(station_staff)
    url = reverse("childcare:session_list", args=[station.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    book(session, community, 8)
    SessionFactory(station=station, capacity=3, date=timezone.localdate() + datetime.timedelta(9))
    client.get(url)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


@pytest.mark.parametrize("persona", ["other_station_staff", "parent", "outsider"])
def test_no_one_else_sees_a_stations_rosters(client, request, station, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("childcare:session_list", args=[station.pk])).status_code == 404


def test_a_declared_parents_relation_reads_as_a_word_in_the_roster(
    client, station, station_staff, community
):
    session = SessionFactory(station=station, capacity=3)
    user = UserFactory(name="王父")
    assign(user, Role.PARENT)
    child = child_of(user, community)
    child.guardians.filter(user=user).update(relation="father")
    booking_create(session_id=session.pk, child_id=child.pk, by=user)
    client.force_login(station_staff)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("childcare:session_list", args=[station.pk])).content.decode()
    roster = html[html.index(f'data-testid="roster-child-{child.pk}"') :]
    assert "（父亲）" in roster or "(父亲)" in roster
    assert "father" not in roster
