"""The waiting list of a session: each family sees its number, is told when it moves, and a
cancellation is asked about before it happens."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from childcare.models import Booking
from childcare.services import booking_cancel, booking_create
from portal.accounts.models import Role
from portal.notifications.models import Notification
from tests.childcare.factories import SessionFactory, child_of, login
from tests.factories import UserFactory, assign

pytestmark = pytest.mark.django_db


def families(n, community):
    parents = []
    for i in range(n):
        user = UserFactory(name=f"家长{i}")
        assign(user, Role.PARENT)
        parents.append((user, child_of(user, community)))
    return parents


@pytest.fixture
def full_session(station, community):
    """A session of 1 place: the first family holds it, three wait behind."""
    session = SessionFactory(station=station, capacity=1)
    people = families(4, community)
    bookings = [booking_create(session_id=session.pk, child_id=c.pk, by=u) for u, c in people]
    return session, people, bookings


def positions(session):
    return dict(
        Booking.objects.filter(session=session)
        .with_waitlist_position()
        .values_list("pk", "waitlist_position")
    )


def test_waiting_families_have_numbers_in_the_order_they_booked(full_session):
    session, _people, bookings = full_session
    assert [b.status for b in bookings] == ["confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert positions(session) == {
        bookings[0].pk: None,
        bookings[1].pk: 1,
        bookings[2].pk: 2,
        bookings[3].pk: 3,
    }


def test_a_freed_place_promotes_the_first_and_tells_the_others_their_new_number(full_session):
    session, people, bookings = full_session
    Notification.objects.all().delete()
    booking_cancel(booking=bookings[0], by=people[0][0])
    assert positions(session) == {
        bookings[0].pk: None,
        bookings[1].pk: None,
        bookings[2].pk: 1,
        bookings[3].pk: 2,
    }
    promoted = Notification.objects.filter(recipient=people[1][0]).values_list("text", flat=True)
    assert len(promoted) == 1  # the promotion, not also a "moved" notice
    for (user, _child), number in ((people[2], 1), (people[3], 2)):
        [text] = Notification.objects.filter(recipient=user).values_list("text", flat=True)
        assert f"{number}" in text


def test_leaving_the_waiting_list_moves_only_those_behind(full_session):
    session, people, bookings = full_session
    Notification.objects.all().delete()
    booking_cancel(booking=bookings[2], by=people[2][0])
    assert positions(session)[bookings[3].pk] == 2
    assert not Notification.objects.filter(recipient=people[1][0]).exists()
    assert Notification.objects.filter(recipient=people[3][0]).count() == 1


def test_the_parent_sees_the_number_on_their_page(client, full_session):
    _session, people, bookings = full_session
    user = people[2][0]
    login(client, user)
    html = client.get(reverse("childcare:parent_home")).content.decode()
    assert f'data-testid="booking-status-{bookings[2].pk}"' in html
    assert "候补第 2 位" in html or "number 2" in html


def test_the_parents_page_costs_the_same_queries_with_more_waiting(
    client, full_session, community, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    session, people, _bookings = full_session
    user, child = people[3]

    def more(days):
        for day in days:
            later = timezone.localdate() + datetime.timedelta(days=day)
            extra = SessionFactory(station=session.station, capacity=0, date=later)
            booking_create(session_id=extra.pk, child_id=child.pk, by=user)

    more(range(10, 13))
    login(client, user)
    client.get(reverse("childcare:parent_home"))  # the signed-in user's cache, warmed
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("childcare:parent_home"))
    more(range(13, 18))
    client.get(reverse("childcare:parent_home"))  # the new notifications' unread count, warmed
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("childcare:parent_home"))
    assert len(many) == len(few)


def test_cancelling_asks_first_and_only_a_post_cancels(client, full_session):
    _session, people, bookings = full_session
    user = people[0][0]
    login(client, user)
    url = reverse("childcare:booking_cancel", args=[bookings[0].pk])
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="confirm-cancel"' in page.content.decode()
    assert Booking.objects.get(pk=bookings[0].pk).status == "confirmed"
    assert url in client.get(reverse("childcare:parent_home")).content.decode()
    client.post(url)
    assert Booking.objects.get(pk=bookings[0].pk).status == "cancelled"
    assert client.get(url).status_code == 404


def test_the_new_number_is_worded_in_each_recipients_language(full_session):
    _session, people, bookings = full_session
    english, chinese = people[2][0], people[3][0]
    english.language = "en"
    english.save(update_fields=["language"])
    chinese.language = "zh-hans"
    chinese.save(update_fields=["language"])
    booking_cancel(booking=bookings[0], by=people[0][0])
    assert (
        "number 1 on the waiting list"
        in Notification.objects.filter(recipient=english).latest("pk").text
    )
    assert "候补第 2 位" in Notification.objects.filter(recipient=chinese).latest("pk").text


def test_the_station_removing_a_waiting_child_tells_those_behind(full_session, station_staff):
    _session, people, bookings = full_session
    Notification.objects.all().delete()
    booking_cancel(booking=bookings[1], by=station_staff)
    assert not Notification.objects.filter(recipient=people[0][0]).exists()
    for user, _child in people[2:]:
        assert Notification.objects.filter(recipient=user).count() == 1


@pytest.mark.parametrize("persona", ["other_parent", "outsider"])
def test_the_cancel_page_of_another_familys_booking_is_404(client, request, full_session, persona):
    _session, _people, bookings = full_session
    login(client, request.getfixturevalue(persona))
    url = reverse("childcare:booking_cancel", args=[bookings[0].pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Booking.objects.get(pk=bookings[0].pk).status == "confirmed"
