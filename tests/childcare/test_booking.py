"""Booking sessions: own children only, capacity, waitlist, cut-off."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from childcare import services
from childcare.models import Booking, Guardian, GuardianConsent, Session, Station, StationStatus
from childcare.services import booking_cancel, booking_create
from communities.models import Household
from portal.notifications.models import Notification
from tests.childcare.factories import SessionFactory, child_of, login
from tests.factories import UserFactory


@pytest.mark.django_db
def test_parent_books_own_child_and_counter_moves(parent, child, session):
    booking = booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    session.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert session.booked == 1
    assert Notification.objects.filter(recipient=parent, kind="booking").exists()


@pytest.mark.django_db
def test_booking_another_familys_child_is_refused_by_service(parent, other_child, session):
    with pytest.raises(ValidationError):
        booking_create(session_id=session.pk, child_id=other_child.pk, by=parent)
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_booking_another_familys_child_over_http_changes_nothing(
    client, parent, other_child, session
):
    login(client, parent)
    response = client.post(
        reverse("childcare:booking_create", args=[session.pk]), {"child": other_child.pk}
    )
    assert response.status_code == 302
    assert not Booking.objects.exists()
    session.refresh_from_db()
    assert session.booked == 0


@pytest.mark.django_db
def test_booking_with_garbage_child_id_is_a_clear_error_not_500(client, parent, session):
    login(client, parent)
    response = client.post(
        reverse("childcare:booking_create", args=[session.pk]), {"child": "abc"}, follow=True
    )
    assert response.status_code == 200
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_booking_a_session_of_a_closed_station_is_404_and_changes_nothing(
    client, parent, child, session, station
):
    """Only sessions of stations in the public finder can be booked (Station.objects.public)."""
    Station.objects.filter(pk=station.pk).update(status=StationStatus.CLOSED)
    login(client, parent)
    response = client.post(
        reverse("childcare:booking_create", args=[session.pk]), {"child": child.pk}
    )
    assert response.status_code == 404
    with pytest.raises(Session.DoesNotExist):
        booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_booking_a_child_that_does_not_exist_is_refused_clearly(client, parent, session):
    login(client, parent)
    response = client.post(
        reverse("childcare:booking_create", args=[session.pk]), {"child": 999999}, follow=True
    )
    assert response.status_code == 200
    assert "您只能为自己的孩子预订。" in response.content.decode()
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_booking_unknown_session_is_404(client, parent, child):
    login(client, parent)
    response = client.post(reverse("childcare:booking_create", args=[999999]), {"child": child.pk})
    assert response.status_code == 404


@pytest.mark.django_db
def test_full_session_puts_child_on_waitlist(parent, child, station, community):
    session = SessionFactory(station=station, capacity=1)
    first_parent = UserFactory()
    booking_create(
        session_id=session.pk, child_id=child_of(first_parent, community).pk, by=first_parent
    )
    booking = booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    session.refresh_from_db()
    assert booking.status == Booking.Status.WAITLISTED
    assert session.booked == 1


@pytest.mark.django_db
def test_booking_past_session_is_refused(parent, child, station):
    session = SessionFactory(
        station=station, date=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError):
        booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_double_booking_the_same_child_is_refused(parent, child, session):
    booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    with pytest.raises(ValidationError, match="already booked for this session"):
        booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    session.refresh_from_db()
    assert session.booked == 1
    assert Booking.objects.count() == 1


@pytest.mark.django_db
def test_database_refuses_double_live_booking_even_without_service(parent, child, session):
    Booking.objects.create(session=session, child=child, status="confirmed", booked_by=parent)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(session=session, child=child, status="waitlisted", booked_by=parent)


@pytest.mark.django_db
def test_database_refuses_more_booked_than_capacity(session):
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(booked=session.capacity + 1)


@pytest.mark.django_db
def test_cancellation_promotes_first_on_waitlist_and_notifies(
    parent, other_parent, child, other_child, station, community
):
    session = SessionFactory(station=station, capacity=1)
    first = booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    waiting = booking_create(session_id=session.pk, child_id=other_child.pk, by=other_parent)
    third_parent = UserFactory()
    later = booking_create(
        session_id=session.pk, child_id=child_of(third_parent, community).pk, by=third_parent
    )
    booking_cancel(booking=first, by=parent)
    waiting.refresh_from_db()
    later.refresh_from_db()
    session.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED
    assert later.status == Booking.Status.WAITLISTED
    assert session.booked == 1
    assert (
        Notification.objects.filter(
            recipient=other_parent, kind="booking", text__contains=str(other_child)
        ).count()
        == 2
    )  # waitlisted, then promoted


@pytest.mark.django_db
def test_cancel_after_cutoff_is_refused_but_before_it_allowed(parent, child, station):
    station.cancel_cutoff_hours = 48
    station.save()
    tomorrow = SessionFactory(station=station, date=timezone.localdate() + datetime.timedelta(1))
    booking = booking_create(session_id=tomorrow.pk, child_id=child.pk, by=parent)
    with pytest.raises(ValidationError):
        booking_cancel(booking=booking, by=parent)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    later = SessionFactory(station=station, date=timezone.localdate() + datetime.timedelta(5))
    booking = booking_create(session_id=later.pk, child_id=child.pk, by=parent)
    booking_cancel(booking=booking, by=parent)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


@pytest.mark.django_db
def test_other_parent_cannot_see_or_cancel_a_booking(client, parent, other_parent, child, session):
    booking = booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    login(client, other_parent)
    response = client.post(reverse("childcare:booking_cancel", args=[booking.pk]))
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


@pytest.mark.django_db
def test_outsider_cannot_cancel_a_booking(client, outsider, parent, child, session):
    booking = booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    login(client, outsider)
    response = client.post(reverse("childcare:booking_cancel", args=[booking.pk]))
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


@pytest.mark.django_db
def test_parent_books_over_http_and_sees_it_on_their_page(client, parent, child, session):
    login(client, parent)
    response = client.post(
        reverse("childcare:booking_create", args=[session.pk]), {"child": child.pk}, follow=True
    )
    assert response.status_code == 200
    assert Booking.objects.get(child=child).status == "confirmed"
    assert session.station.name in response.content.decode()


@pytest.mark.django_db
def test_finder_filters_by_town(client, station, other_station, county):
    from django.urls import reverse

    response = client.get(reverse("childcare:station_finder"), {"town": county.pk})
    body = response.content.decode()
    assert station.name in body
    assert other_station.name not in body


@pytest.mark.django_db
def test_booking_refused_for_a_child_outside_the_stations_ages(parent, community, station):
    """The station's age range, on the session's day: the youngest age is taken, the oldest
    (exclusive) is not."""
    Station.objects.filter(pk=station.pk).update(age_min_months=12, age_max_months=24)
    session = SessionFactory(
        station=station, date=timezone.localdate() + datetime.timedelta(days=1)
    )
    for months in (6, 25):
        with pytest.raises(ValidationError, match="does not take children of this age"):
            booking_create(
                session_id=session.pk, child_id=child_of(parent, community, months=months).pk,
                by=parent,
            )  # fmt: skip
    booking = booking_create(
        session_id=session.pk, child_id=child_of(parent, community, months=12).pk, by=parent
    )
    assert booking.status == Booking.Status.CONFIRMED
    assert Booking.objects.count() == 1


@pytest.mark.django_db
def test_booking_refused_for_a_household_the_community_refused_with_its_reason(
    parent, child, session
):
    household = child.resident.household
    household.status = Household.Status.REFUSED
    household.refusal_reason = "地址不在本社区"
    household.save()
    with pytest.raises(ValidationError, match="地址不在本社区") as refused:
        booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    assert refused.value.code == "household_refused"
    assert not Booking.objects.exists()


BOOK = (
    "SELECT booking_id, booking_status FROM childcare_book(%s, %s, %s, now(), 'Asia/Shanghai', "
    "%s, %s, %s, %s, %s, %s, %s, %s, 'booking', '/x/')"
)


def _label(session):
    return [session.station.name, session.date, session.starts_at, session.kind]


@pytest.mark.django_db
def test_the_booking_function_books_nothing_for_a_session_that_is_gone(parent, child, session):
    """A session deleted before the call: no row comes back (the service answers
    Session.DoesNotExist, a 404) and nothing is written."""
    label = _label(session)
    gone = session.pk
    session.delete()
    with connection.cursor() as cursor:
        cursor.execute(
            BOOK,
            [gone, child.pk, parent.pk, *label, ["zh-hans"], ["c"], ["w"], "\x1a"],
        )
        assert cursor.fetchall() == []
    assert not Booking.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_the_booking_function_writes_nothing_without_texts_or_with_a_stale_name(
    parent, child, session
):
    """No texts yet (NULL), or texts naming the session as it no longer is: the facts come
    back, with no booking, and nothing is written; booking_create then renders the texts."""
    with connection.cursor() as cursor:
        cursor.execute(BOOK, [session.pk, child.pk, parent.pk, *[None] * 8])
        assert cursor.fetchall() == [(None, None)]
        stale = [*_label(session)]
        stale[0] = "Old name"
        cursor.execute(
            BOOK, [session.pk, child.pk, parent.pk, *stale, ["zh-hans"], ["c"], ["w"], "\x1a"]
        )
        assert cursor.fetchall() == [(None, None)]
    assert not Booking.objects.exists()
    assert not Notification.objects.exists()
    session.refresh_from_db()
    assert session.booked == 0


@pytest.mark.django_db
def test_the_booking_function_stores_each_guardians_text_for_the_outcome(parent, child, session):
    """Each guardian's text in their language (the first language for one not listed), the
    child's name in place of the mark."""
    session.capacity = 1
    session.save(update_fields=["capacity"])
    parent.language = "en"
    parent.save(update_fields=["language"])
    other = UserFactory(language="fr")
    Guardian.objects.create(child=child, user=other, name="Other", relation="parent")
    second = child_of(parent, child.resident.household.community)
    texts = [["zh-hans", "en"], ["已确认\x1a", "confirmed \x1a"], ["候补\x1a", "waitlisted \x1a"]]
    with connection.cursor() as cursor:
        cursor.execute(BOOK, [session.pk, child.pk, parent.pk, *_label(session), *texts, "\x1a"])
        assert cursor.fetchone()[1] == "confirmed"
        cursor.execute(BOOK, [session.pk, second.pk, parent.pk, *_label(session), *texts, "\x1a"])
        assert cursor.fetchone()[1] == "waitlisted"
    assert sorted(Notification.objects.values_list("recipient_id", "text", "link")) == sorted(
        [
            (parent.pk, f"confirmed {child}", "/x/"),
            (other.pk, f"已确认{child}", "/x/"),
            (parent.pk, f"waitlisted {second}", "/x/"),
        ]
    )
    session.refresh_from_db()
    assert session.booked == 1


@pytest.mark.django_db
def test_a_renamed_station_is_named_anew_in_the_next_booking(
    parent, child, other_parent, other_child, session, station
):
    """The texts kept for a session are used only while the session is named as they name
    it: after the station is renamed, the next booking's text has the new name."""
    booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    station.name = "Renamed station"
    station.save(update_fields=["name"])
    booking_create(session_id=session.pk, child_id=other_child.pk, by=other_parent)
    text = Notification.objects.get(recipient=other_parent).text
    assert "Renamed station" in text and str(other_child) in text


@pytest.mark.django_db
def test_each_guardian_is_told_in_their_own_language(parent, child, session):
    """The guardians come from the booking's one read of facts, with their languages: each
    notification names the child and the session as that guardian's language writes them."""
    parent.language = "zh-hans"
    parent.save(update_fields=["language"])
    grandma = UserFactory(language="en")
    Guardian.objects.create(child=child, user=grandma, name="Grandma", relation="parent")
    booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    session = Session.objects.select_related("station").get(pk=session.pk)
    with translation.override("zh-hans"):
        chinese = f"预订成功：{child}，{session}。"
    with translation.override("en"):
        english = f"Booking confirmed: {child}, {session}."
    assert chinese != english
    texts = dict(Notification.objects.values_list("recipient_id", "text"))
    assert texts == {parent.pk: chinese, grandma.pk: english}


@pytest.mark.django_db
def test_a_name_holding_the_mark_between_texts_splits_no_text(parent, child, session, station):
    """The texts go to the database as one string per kind, their items apart by a control
    character: a station named with that character still tells each guardian in their own
    language, the character written as a space."""
    station.name = "Sun\x1eflower"
    station.save(update_fields=["name"])
    parent.language = "zh-hans"
    parent.save(update_fields=["language"])
    grandma = UserFactory(language="en")
    Guardian.objects.create(child=child, user=grandma, name="Grandma", relation="parent")
    booking = booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    assert booking.status == Booking.Status.CONFIRMED
    texts = dict(Notification.objects.values_list("recipient_id", "text"))
    assert texts[parent.pk].startswith("预订成功") and "Sun flower" in texts[parent.pk]
    assert texts[grandma.pk].startswith("Booking confirmed") and "Sun flower" in texts[grandma.pk]


@pytest.mark.django_db
def test_the_database_checks_every_rule_once_the_texts_are_kept(
    parent, child, other_parent, other_child, session, station, community
):
    """Once a session's texts are kept (after its first booking), the function's own rule
    check is what stands between a request and a booking: each rule refuses, with its own
    message, and nothing is written."""
    booking_create(session_id=session.pk, child_id=other_child.pk, by=other_parent)
    assert session.pk in services._texts_of_session
    before = (Booking.objects.count(), Notification.objects.count())

    def refused(child_id: int, by, match: str) -> None:
        with pytest.raises(ValidationError, match=match):
            booking_create(session_id=session.pk, child_id=child_id, by=by)
        assert (Booking.objects.count(), Notification.objects.count()) == before

    refused(other_child.pk, parent, "only book for your own children")
    young = child_of(parent, community, months=1)
    Station.objects.filter(pk=station.pk).update(age_min_months=12)
    refused(young.pk, parent, "does not take children of this age")
    Station.objects.filter(pk=station.pk).update(age_min_months=0)
    Household.objects.filter(pk=child.resident.household_id).update(status="pending")
    with pytest.raises(ValidationError):
        booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    assert (Booking.objects.count(), Notification.objects.count()) == before
    Household.objects.filter(pk=child.resident.household_id).update(status="verified")
    GuardianConsent.objects.filter(child=child).update(withdrawn_at=timezone.now())
    with pytest.raises(ValidationError):
        booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    assert (Booking.objects.count(), Notification.objects.count()) == before
    session.refresh_from_db()
    assert session.booked == 1


@pytest.mark.django_db
def test_the_function_refuses_a_stranger_and_a_started_session_with_the_right_name(
    parent, child, other_parent, session
):
    """Called directly with texts naming the session as it is: a caller who is not the
    child's guardian, or a moment after the start, books nothing."""
    texts = [["zh-hans"], ["c\x1a"], ["w\x1a"], "\x1a"]
    started = timezone.make_aware(datetime.datetime.combine(session.date, session.starts_at))
    call = (
        "SELECT booking_id FROM childcare_book(%s, %s, %s, %s, 'Asia/Shanghai', "
        "%s, %s, %s, %s, %s, %s, %s, %s, 'booking', '/x/')"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            call, [session.pk, child.pk, other_parent.pk, timezone.now(), *_label(session), *texts]
        )
        assert cursor.fetchall() == [(None,)]
        cursor.execute(call, [session.pk, child.pk, parent.pk, started, *_label(session), *texts])
        assert cursor.fetchall() == [(None,)]
        cursor.execute(
            call, [session.pk, child.pk, parent.pk, timezone.now(), *_label(session), *texts]
        )
        assert cursor.fetchone()[0] is not None  # the same call, by the guardian, in time
    assert Booking.objects.count() == 1


@pytest.mark.django_db
def test_a_session_starts_at_the_stations_clock_whatever_zone_is_active(session):
    """Booking's "already started" and the overlap lookup use the session's moments in the
    portal's time zone (Asia/Shanghai), not the active one."""
    shanghai = datetime.datetime.combine(session.date, session.starts_at).replace(
        tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")
    )
    with timezone.override("UTC"):
        assert session.starts() == shanghai
        assert session.ends() - session.starts() == (
            datetime.datetime.combine(session.date, session.ends_at)
            - datetime.datetime.combine(session.date, session.starts_at)
        )


@pytest.mark.django_db
def test_the_booking_call_sends_its_parameters_apart_from_the_statement(parent, child, session):
    """Server-side binding (connection.server_bound_cursor): PostgreSQL gets the call with
    placeholders and the values beside it, not a statement with the values written in."""
    with CaptureQueriesContext(connection) as queries:
        booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    calls = [q["sql"] for q in queries.captured_queries if "childcare_book(" in q["sql"]]
    assert calls  # (the first booking of a session calls twice)
    for sql in calls:
        assert "childcare_book($1::bigint, $2::bigint, $3::bigint" in sql
        assert session.station.name not in sql
    assert child.bookings.get().session_id == session.pk


@pytest.mark.django_db
def test_a_session_renamed_between_the_two_calls_books_nothing_and_asks_to_try_again(
    parent, child, session, station, monkeypatch
):
    """A session's first booking in a process calls twice: the texts are rendered from the
    first call's facts. If the station is renamed in between, the second call's texts name
    the session as it was: nothing is booked, and the parent is asked to try again."""
    monkeypatch.setattr(services, "_texts_of_session", {})
    render = services._texts_for

    def render_then_rename(session_id, facts):
        texts = render(session_id, facts)
        Station.objects.filter(pk=station.pk).update(name="改名后的托育站")
        return texts

    monkeypatch.setattr(services, "_texts_for", render_then_rename)
    with pytest.raises(ValidationError, match="changed while you were booking"):
        booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    assert not Booking.objects.exists()
    assert not Notification.objects.exists()
    session.refresh_from_db()
    assert session.booked == 0
    # The next try renders the texts anew, with the new name, and books.
    monkeypatch.setattr(services, "_texts_for", render)
    booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    assert "改名后的托育站" in Notification.objects.get(recipient=parent).text
