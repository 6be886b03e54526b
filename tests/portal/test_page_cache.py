"""The page cache (portal/pagecache.py) on the real stack: Redis, PostgreSQL's NOTIFY from the
change triggers, committed writes (a test transaction never commits, hence transaction=True).

A kept page is served again only while nothing it read has changed: a write by the ORM or by
raw SQL to a table it read, a change of the cache entries it read (the session, the unread
count) or a sign-out ends it; a write elsewhere does not; another person never gets it."""

import time
from unittest import mock

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.models import AccessLog
from portal import pagecache
from portal.notifications import tasks, unread
from portal.notifications.services import (
    DELIVERY_DELAY_SECONDS,
    DELIVERY_QUEUED_KEY,
    notification_create,
)
from tests.casework.factories import CaseChildFactory
from tests.childcare.factories import SessionFactory, child_of, login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("page_cache")]
HIT = pagecache.HIT_HEADER
PARENT_PAGE = "/childcare/my/"
NO_CONSENT = "未同意：预约已停止"  # the parent page's badge on a child without consent


def generation(table: str) -> int:
    value = pagecache._redis().hget(pagecache.generations_key(), table)
    return int(value or 0)


def wait_for_generation(table: str, above: int) -> None:
    """Until the listener has bumped `table` past `above` (it does so just after the commit)."""
    deadline = time.monotonic() + 10
    while generation(table) <= above:
        assert time.monotonic() < deadline, f"no change of {table} arrived"
        time.sleep(0.02)


def named_child(parent, name):
    child = child_of(parent)
    child.resident.name = name
    child.resident.save()
    return child


def parent_with_kept_page(client, parent, name="小雨"):
    """`parent` signed in, with a child called `name`, whose page is kept: the view just made
    was served from the copy (asserted). The child and that response."""
    child = named_child(parent, name)
    login(client, parent)
    open_twice(client)
    kept = get(client)
    assert kept.get(HIT) == "hit"
    return child, kept


def get(client, path=PARENT_PAGE):
    response = client.get(path)
    assert response.status_code == 200
    return response


def open_twice(client, path=PARENT_PAGE):
    """A browser's first page gives it its CSRF cookie (a page that sets a new cookie is not
    kept); its second is kept. The next is served from the kept copy."""
    get(client, path)
    return get(client, path)


def test_a_second_view_is_the_kept_copy_and_runs_no_query(client, parent):
    named_child(parent, "小雨")
    login(client, parent)
    first = open_twice(client)
    assert first.get(HIT) is None and "小雨" in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        second = get(client)
    assert second.get(HIT) == "hit"
    assert second.content == first.content
    assert len(queries.captured_queries) == 0
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_an_orm_write_to_a_table_the_page_read_ends_the_copy(client, parent):
    child, _kept = parent_with_kept_page(client, parent)
    before = generation("communities_resident")
    child.resident.name = "小雪"
    child.resident.save()
    wait_for_generation("communities_resident", before)
    page = get(client)
    assert page.get(HIT) is None
    assert "小雪" in page.content.decode() and "小雨" not in page.content.decode()


def test_a_raw_sql_write_ends_the_copy_too(client, parent):
    child, _kept = parent_with_kept_page(client, parent)
    before = generation("communities_resident")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE communities_resident SET name = %s WHERE id = %s", ["小雪", child.resident_id]
        )
    wait_for_generation("communities_resident", before)
    page = get(client)
    assert page.get(HIT) is None and "小雪" in page.content.decode()


def test_a_persons_own_change_shows_on_the_page_they_are_sent_to(client, parent, monkeypatch):
    """The tables a POST wrote move on before its response leaves: the next page is fresh
    even when the NOTIFY has not arrived yet (here it never does)."""
    child, kept = parent_with_kept_page(client, parent)
    assert NO_CONSENT not in kept.content.decode()
    monkeypatch.setattr(pagecache.TableChanges, "changed", lambda self, table: None)
    cookie_header = kept.wsgi_request.META["HTTP_COOKIE"]
    response = client.post(
        reverse("childcare:consent_withdraw", args=[child.pk]), {"confirm": "on"}
    )
    assert response.status_code == 302
    page = Client().get(PARENT_PAGE, HTTP_COOKIE=cookie_header)  # the same browser, as before
    assert page.get(HIT) is None
    assert NO_CONSENT in page.content.decode()


def test_a_booking_moves_its_tables_on_before_the_response_leaves(client, parent, monkeypatch):
    """A booking writes through a database function (childcare_book) whose call names no
    table: the tables it writes move on before the response leaves all the same, so every
    page that read them is made afresh (here the NOTIFY never arrives)."""
    child, kept = parent_with_kept_page(client, parent)
    # Switched off before the session is made, so that its own NOTIFY cannot arrive late
    # and move childcare_session on a second time.
    monkeypatch.setattr(pagecache.TableChanges, "changed", lambda self, tables: None)
    session = SessionFactory(station__name="向阳托育站")
    tables = ("childcare_session", "childcare_booking", "notifications_notification")
    before = {table: generation(table) for table in tables}
    response = client.post(
        reverse("childcare:booking_create", args=[session.pk]), {"child": child.pk}
    )
    assert response.status_code == 302 and response.url == PARENT_PAGE
    assert {table: generation(table) for table in tables} == {
        table: before[table] + 1 for table in tables
    }
    page = Client().get(PARENT_PAGE, HTTP_COOKIE=kept.wsgi_request.META["HTTP_COOKIE"])
    assert page.get(HIT) is None
    assert "向阳托育站" in page.content.decode()


def test_a_booking_refreshes_the_unread_count_and_queues_mail_in_its_last_round_trip(
    client, parent, monkeypatch, round_trips
):
    """The guardian's unread count is forgotten, the "run queued" mark set and a mail run
    queued in the same Redis round trip that moves the written tables on: the request makes
    two (the session with the user, their roles and count; that one)."""
    child, _kept = parent_with_kept_page(client, parent)
    monkeypatch.setattr(pagecache.TableChanges, "changed", lambda self, tables: None)
    session = SessionFactory()  # (its NOTIFY, now ignored, sends nothing to Redis)
    assert cache.get(unread.key(parent.pk)) == 0  # counted for the kept page
    cache.delete(DELIVERY_QUEUED_KEY)
    before = generation("childcare_booking")
    round_trips.clear()
    with mock.patch.object(tasks.deliver_pending, "apply_async") as queued:
        response = client.post(
            reverse("childcare:booking_create", args=[session.pk]), {"child": child.pk}
        )
    assert response.status_code == 302 and response.url == PARENT_PAGE
    assert len(round_trips) == 2
    assert cache.get(unread.key(parent.pk)) is None
    assert cache.get(DELIVERY_QUEUED_KEY) == 1
    queued.assert_called_once_with(countdown=DELIVERY_DELAY_SECONDS)
    assert generation("childcare_booking") == before + 1
    assert 'data-testid="unread-count">1<' in get(client).content.decode()
    # A second booking while that run waits queues none.
    with mock.patch.object(tasks.deliver_pending, "apply_async") as queued:
        client.post(
            reverse("childcare:booking_create", args=[SessionFactory(station=session.station).pk]),
            {"child": child.pk},
        )
    queued.assert_not_called()


def test_with_redis_failing_after_a_booking_a_mail_run_is_queued_regardless(
    client, parent, monkeypatch
):
    child, _kept = parent_with_kept_page(client, parent)
    session = SessionFactory()

    def down(self, *args, **kwargs):
        raise redis.ConnectionError("Redis down")

    monkeypatch.setattr(redis.client.Pipeline, "execute", down)
    with mock.patch.object(tasks.deliver_pending, "apply_async") as queued:
        response = client.post(
            reverse("childcare:booking_create", args=[session.pk]), {"child": child.pk}
        )
    assert response.status_code == 302 and response.url == PARENT_PAGE
    queued.assert_called_once_with(countdown=DELIVERY_DELAY_SECONDS)
    assert child.bookings.get().session == session


def test_a_write_to_a_table_the_page_did_not_read_keeps_the_copy(client, parent):
    child_of(parent)
    case = CaseChildFactory()
    login(client, parent)
    open_twice(client)
    before = generation("casework_accesslog")
    AccessLog.objects.create(
        user=parent, child=case, action=AccessLog.Action.LISTED, path="/elsewhere/"
    )
    wait_for_generation("casework_accesslog", before)
    assert get(client).get(HIT) == "hit"


def test_a_new_notification_shows_at_once(client, parent):
    parent_with_kept_page(client, parent)
    notification_create(recipient=parent, text="明天停课")
    page = get(client)
    assert page.get(HIT) is None
    assert 'data-testid="unread-count">1<' in page.content.decode()


def test_after_sign_out_the_old_cookie_gets_no_page(client, parent):
    _child, kept = parent_with_kept_page(client, parent)
    cookie_header = kept.wsgi_request.META["HTTP_COOKIE"]
    client.post(reverse("account_logout"))
    # Someone replays the signed-out browser's request, byte for byte.
    response = Client().get(PARENT_PAGE, HTTP_COOKIE=cookie_header)
    assert response.status_code == 302
    assert response.get(HIT) is None


def test_when_redis_loses_the_generations_no_old_copy_is_served(client, parent):
    child, _kept = parent_with_kept_page(client, parent)
    pagecache._redis().delete(pagecache.generations_key())  # evicted or flushed
    child.resident.name = "小雪"  # a change nobody may have counted
    child.resident.save()
    page = get(client)
    assert page.get(HIT) is None and "小雪" in page.content.decode()


def test_a_visitor_who_is_not_signed_in_is_never_served_a_copy(client):
    for _ in range(3):
        response = client.get("/")
        assert response.get(HIT) is None


def test_another_parent_gets_their_own_page(client, parent, other_parent):
    named_child(other_parent, "阿明")
    parent_with_kept_page(client, parent)
    client.logout()
    login(client, other_parent)
    page = open_twice(client).content.decode()
    assert "阿明" in page and "小雨" not in page


def test_an_access_logged_list_served_again_is_logged_again(client, community, community_staff):
    cases = CaseChildFactory.create_batch(3, community=community)
    login(client, community_staff)
    path = reverse("casework:child_list")
    open_twice(client, path)
    assert AccessLog.objects.filter(user=community_staff).count() == 6
    again = get(client, path)
    assert again.get(HIT) == "hit"
    logged = AccessLog.objects.filter(user=community_staff, action=AccessLog.Action.LISTED)
    assert logged.count() == 9
    assert {row.child_id for row in logged} == {case.pk for case in cases}


def test_sql_that_writes_or_locks_makes_a_page_not_kept_and_reads_are_dependencies():
    write = pagecache.Recording(generations={})
    write.sql(lambda *args: None, "UPDATE childcare_child SET name = 'x'", None, False, {})
    assert write.changed_something
    locked = pagecache.Recording(generations={})
    locked.sql(lambda *a: None, 'SELECT 1 FROM "childcare_child" FOR UPDATE', None, False, {})
    assert locked.changed_something
    read = pagecache.Recording(generations={})
    read.sql(lambda *a: None, 'SELECT * FROM "childcare_child" JOIN x', None, False, {})
    assert not read.changed_something and read.tables == {"childcare_child"}


def test_one_listener_moves_the_tables_on_and_another_waits(parent):
    """Only the process holding the listener lock handles the notifications: with a second
    listener up (as in another worker), a write moves its table on once, not twice."""
    assert pagecache.table_changes().leading
    second = pagecache.TableChanges()
    try:
        assert second.ready.wait(10)
        assert not second.leading
        case = CaseChildFactory()
        assert generation("casework_accesslog") == 0  # a table nothing here wrote before
        AccessLog.objects.create(
            user=parent, child=case, action=AccessLog.Action.LISTED, path="/elsewhere/"
        )
        wait_for_generation("casework_accesslog", 0)
        time.sleep(0.5)  # time for a second bump, were there one
        assert generation("casework_accesslog") == 1
    finally:
        second.stop()


def test_when_the_listening_process_stops_another_takes_over(monkeypatch):
    """The waiting listener takes the lock when the one listening stops, and moves every
    generation on (writes may have come in meanwhile). Here the two listen under a lock of
    this test's own, beside the process's listener."""
    monkeypatch.setattr(pagecache, "LISTENER_LOCK", pagecache.LISTENER_LOCK + 1)
    first = pagecache.TableChanges()
    second = None
    try:
        assert first.ready.wait(10) and first.leading
        second = pagecache.TableChanges()
        assert second.ready.wait(10) and not second.leading
        epoch = generation(pagecache.EPOCH)
        first.stop()
        deadline = time.monotonic() + 10
        while not second.leading:
            assert time.monotonic() < deadline, "the waiting listener never took over"
            time.sleep(0.02)
        assert second.ready.is_set()
        assert generation(pagecache.EPOCH) > epoch
    finally:
        first.stop()  # (again does nothing)
        if second is not None:
            second.stop()
