"""Notifications: written with the event, delivered once, never lost, private to the recipient."""

import datetime
import smtplib
from contextlib import contextmanager
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

from portal.notifications import tasks, unread
from portal.notifications.models import Notification
from portal.notifications.services import (
    DELIVERY_DELAY_SECONDS,
    DELIVERY_QUEUED_KEY,
    notification_create,
    render_for,
)
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_rolled_back_event_leaves_no_row_and_enqueues_nothing(parent):
    with mock.patch.object(tasks.deliver_pending, "apply_async") as queued:
        with pytest.raises(Boom), transaction.atomic():
            notification_create(recipient=parent, text="booking confirmed")
            raise Boom
    assert not Notification.objects.exists()
    queued.assert_not_called()


def test_row_is_enqueued_only_after_commit(parent, django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.deliver_pending, "apply_async") as queued:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            notification_create(recipient=parent, text="booking confirmed")
        queued.assert_not_called()
        for callback in callbacks:
            callback()
    queued.assert_called_once_with(countdown=DELIVERY_DELAY_SECONDS)


def test_one_delivery_run_is_queued_while_one_is_waiting(
    parent, other_parent, django_capture_on_commit_callbacks
):
    """Many notifications committed before the worker starts: one broker message, and the
    one run delivers them all."""
    with mock.patch.object(tasks.deliver_pending, "apply_async") as queued:
        for n in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                notification_create(recipient=parent, text=f"reminder {n}")
                notification_create(recipient=other_parent, text=f"reminder {n}")
    queued.assert_called_once_with(countdown=DELIVERY_DELAY_SECONDS)
    assert tasks.deliver_pending() == 6
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert len(mail.outbox) == 2  # one mail each, listing their three
    # The run has started: the next notification queues a run of its own.
    with mock.patch.object(tasks.deliver_pending, "apply_async") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            notification_create(recipient=parent, text="one more")
    queued.assert_called_once_with(countdown=DELIVERY_DELAY_SECONDS)


def test_delivery_claims_the_row_once(parent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        n = notification_create(recipient=parent, text="place offered")
    n.refresh_from_db()
    assert n.sent_at is not None and n.emailed
    # A second run of the task (a redelivered message, the beat job) sends nothing more.
    assert tasks.deliver_pending() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [parent.email]


def test_text_is_rendered_in_the_recipients_language(django_capture_on_commit_callbacks):
    english = UserFactory(language="en")
    chinese = UserFactory(language="zh-hans")
    notification_create(recipient=english, text=_("Inbox"))
    notification_create(recipient=chinese, text=_("Inbox"))
    assert Notification.objects.get(recipient=english).text == "Inbox"
    assert Notification.objects.get(recipient=chinese).text != "Inbox"


def test_dates_and_times_in_a_notification_are_written_as_the_recipients_language_writes_them():
    when = datetime.datetime(2026, 12, 3, 0, 40, tzinfo=datetime.UTC)  # 08:40 in Beijing
    params = {"day": datetime.date(2026, 12, 3), "when": when}
    text = _("Due %(day)s, sent %(when)s.")
    chinese = render_for(UserFactory(language="zh-hans"), text, params)
    english = render_for(UserFactory(language="en"), text, params)
    assert "2026年12月3日" in chinese and "2026年12月3日 08:40" in chinese
    assert "Dec. 3, 2026" in english and "Dec. 3, 2026, 08:40" in english
    assert "2026-12-03" not in chinese + english


def test_broker_failure_leaves_the_row_unsent_and_resend_unsent_delivers_it(
    parent, django_capture_on_commit_callbacks
):
    with mock.patch.object(
        tasks.deliver_pending, "apply_async", side_effect=OperationalError("broker down")
    ):
        with django_capture_on_commit_callbacks(execute=True):
            n = notification_create(recipient=parent, text="health check due")
    n.refresh_from_db()
    assert n.sent_at is None
    assert mail.outbox == []

    # The beat job only picks rows old enough not to be in flight.
    assert tasks.resend_unsent(older_than_seconds=60) == 0
    Notification.objects.filter(pk=n.pk).update(
        created=timezone.now() - timezone.timedelta(minutes=5)
    )
    assert tasks.resend_unsent(older_than_seconds=60) == 1
    n.refresh_from_db()
    assert n.sent_at is not None
    assert len(mail.outbox) == 1
    assert tasks.resend_unsent(older_than_seconds=60) == 0


@contextmanager
def _mail_fails_for(address: str, error: BaseException):
    """Sending to `address` raises `error`; every other message is sent as usual."""
    real_send = EmailMessage.send

    def send(message: EmailMessage, *args, **kwargs) -> int:
        if message.to == [address]:
            raise error
        return real_send(message, *args, **kwargs)

    with mock.patch.object(EmailMessage, "send", send):
        yield


# The relay down (OSError), or anything else that stops a run midway (a time limit, a bug).
@pytest.mark.parametrize("error", [OSError("smtp down"), RuntimeError("time limit")])
def test_a_failed_run_gives_the_rows_not_yet_mailed_back_for_a_retry(parent, other_parent, error):
    first = Notification.objects.create(recipient=parent, text="x")
    second = Notification.objects.create(recipient=other_parent, text="y")
    no_email = Notification.objects.create(recipient=UserFactory(email=""), text="z")
    with _mail_fails_for(other_parent.email, error), pytest.raises(type(error)):
        tasks.deliver_pending.run()
    for n in (first, second, no_email):
        n.refresh_from_db()
    assert first.sent_at and first.emailed and no_email.sent_at
    assert second.sent_at is None and not second.emailed
    assert tasks.deliver_pending.run() == 1
    second.refresh_from_db()
    assert second.sent_at and second.emailed
    assert [m.to for m in mail.outbox] == [[parent.email], [other_parent.email]]


def _login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def test_inbox_lists_own_notifications_unread_first_in_bold(client, parent, other_parent):
    Notification.objects.create(recipient=parent, text="read one", read_at=timezone.now())
    Notification.objects.create(recipient=parent, text="unread one")
    Notification.objects.create(recipient=other_parent, text="someone else's")
    response = _login(client, parent).get(reverse("notifications:inbox"))
    html = response.content.decode()
    assert "read one" in html and "unread one" in html
    assert "someone else&#x27;s" not in html and "someone else's" not in html
    assert 'class="fw-bold" data-testid="notification-text">unread one' in html
    assert 'class="" data-testid="notification-text">read one' in html
    assert response.context["unread_count"] == 1
    assert 'data-testid="unread-count">1<' in html


def test_opening_marks_read_and_follows_the_link(client, parent):
    n = Notification.objects.create(recipient=parent, text="t", link="/notifications/?page=1")
    response = _login(client, parent).post(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302
    assert response.url == "/notifications/?page=1"
    n.refresh_from_db()
    assert n.read_at is not None


def test_opening_refuses_an_offsite_link(client, parent):
    n = Notification.objects.create(recipient=parent, text="t", link="https://evil.example/")
    response = _login(client, parent).post(reverse("notifications:open", args=[n.pk]))
    assert response.url == reverse("notifications:inbox")


@pytest.mark.parametrize("persona", ["other_parent", "outsider", "admin_user"])
def test_another_users_notification_answers_404(client, parent, persona, request):
    n = Notification.objects.create(recipient=parent, text="private")
    _login(client, request.getfixturevalue(persona))
    response = client.post(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_unknown_notification_answers_404(client, parent):
    response = _login(client, parent).post(reverse("notifications:open", args=[999999]))
    assert response.status_code == 404


def test_mark_all_read_touches_only_own_notifications(client, parent, other_parent):
    Notification.objects.create(recipient=parent, text="a")
    Notification.objects.create(recipient=parent, text="b")
    theirs = Notification.objects.create(recipient=other_parent, text="c")
    _login(client, parent).post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=parent, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_inbox_is_paginated_with_the_same_query_count(client, parent, django_assert_num_queries):
    _login(client, parent)
    client.get(reverse("notifications:inbox"))  # the first page after sign-in fills the cache

    def queries_for(count: int) -> int:
        Notification.objects.bulk_create(
            Notification(recipient=parent, text=f"n{i}") for i in range(count)
        )
        unread.forget([parent.pk])  # as every writer of notifications in bulk does
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("notifications:inbox"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    small = queries_for(3)
    large = queries_for(60)
    assert small == large
    page2 = client.get(reverse("notifications:inbox"), {"page": 2})
    assert len(page2.context["page"].object_list) == 25
    assert client.get(reverse("notifications:inbox"), {"page": "abc"}).status_code == 200
    assert client.get(reverse("notifications:inbox"), {"page": "9999"}).status_code == 200


def test_inbox_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["notifications:read_all", "notifications:open"])
def test_notification_posts_need_csrf(parent, name):
    n = Notification.objects.create(recipient=parent, text="t")
    client = Client(enforce_csrf_checks=True)
    client.force_login(parent)
    url = reverse(name, args=[n.pk]) if name == "notifications:open" else reverse(name)
    assert client.post(url).status_code == 403
    n.refresh_from_db()
    assert n.read_at is None
    # The same request with the token from the inbox page goes through.
    client.get(reverse("notifications:inbox"))
    token = client.cookies["csrftoken"].value
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
    n.refresh_from_db()
    assert n.read_at is not None


def test_inbox_page_sign_in_then_see_notifications(client, parent):
    Notification.objects.create(recipient=parent, text="welcome")
    client.post(reverse("account_login"), {"login": parent.email, "password": TEST_PASSWORD})
    assert "welcome" in client.get(reverse("notifications:inbox")).content.decode()


def test_an_address_the_relay_refuses_for_good_does_not_hold_up_the_others(parent, other_parent):
    refused = Notification.objects.create(recipient=parent, text="x")
    after = Notification.objects.create(recipient=other_parent, text="y")
    unknown = smtplib.SMTPRecipientsRefused({parent.email: (550, b"mailbox unknown")})
    with _mail_fails_for(parent.email, unknown):
        assert tasks.deliver_pending.run() == 2
    refused.refresh_from_db()
    after.refresh_from_db()
    assert refused.sent_at and not refused.emailed  # in-app only; not tried again
    assert after.sent_at and after.emailed
    assert [m.to for m in mail.outbox] == [[other_parent.email]]
    assert tasks.deliver_pending.run() == 0


def test_a_text_of_several_lines_is_mailed_with_its_first_line_as_subject(parent):
    Notification.objects.create(recipient=parent, text="明天停课\n原因：消毒")
    assert tasks.deliver_pending.run() == 1
    assert mail.outbox[0].subject == "明天停课"
    assert "原因：消毒" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("language", "subject"), [("zh-hans", "您有 3 条新通知"), ("en", "3 new notifications")]
)
def test_a_run_mails_each_person_once_listing_all_of_theirs(other_parent, language, subject):
    """A parent who booked three sessions gets one mail naming the three, its subject in
    their language; another person's row goes in a mail of its own."""
    parent = UserFactory(language=language)
    rows = [
        Notification.objects.create(recipient=parent, text=f"Booking {n}", link=f"/b/{n}/")
        for n in range(3)
    ]
    other = Notification.objects.create(recipient=other_parent, text="place offered", link="/o/")
    assert tasks.deliver_pending.run() == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted([parent.email, other_parent.email])
    digest = next(m for m in mail.outbox if m.to == [parent.email])
    assert digest.subject == subject
    # Each text with its own link on the next line, in the order they were written.
    base = settings.PORTAL_BASE_URL
    assert digest.body == "\n\n".join(f"Booking {n}\n{base}/b/{n}/" for n in range(3))
    single = next(m for m in mail.outbox if m.to == [other_parent.email])
    assert single.subject == "place offered"
    assert single.body == f"place offered\n\n{base}/o/"  # as a lone notification always was
    assert (
        Notification.objects.filter(pk__in=[r.pk for r in [*rows, other]], emailed=True).count()
        == 4
    )


def test_a_failed_mail_gives_back_every_row_it_listed(parent, other_parent):
    mine = Notification.objects.create(recipient=parent, text="mine")
    rows = [Notification.objects.create(recipient=other_parent, text=f"n{n}") for n in range(2)]
    with _mail_fails_for(other_parent.email, OSError("smtp down")), pytest.raises(OSError):
        tasks.deliver_pending.run()
    assert not Notification.objects.filter(
        pk__in=[r.pk for r in rows], sent_at__isnull=False
    ).exists()
    mine.refresh_from_db()
    assert mine.sent_at and mine.emailed
    assert tasks.deliver_pending.run() == 2
    assert [len(m.body.split("\n\n")) for m in mail.outbox if m.to == [other_parent.email]] == [2]


def test_a_full_batch_queues_the_next_run(parent, monkeypatch):
    monkeypatch.setattr(tasks, "BATCH", 2)
    rows = [Notification.objects.create(recipient=parent, text=f"n{n}") for n in range(5)]
    # Tests run tasks eagerly: the follow-up runs happen inside this call.
    assert tasks.deliver_pending() == 2
    assert Notification.objects.filter(pk__in=[n.pk for n in rows], emailed=True).count() == 5


def test_while_a_backlog_is_worked_off_commits_queue_no_more_runs(
    parent, monkeypatch, django_capture_on_commit_callbacks
):
    """A full batch queues the next run itself and the "run queued" mark stays; the run that
    catches up removes it, and a commit after that queues a run of its own."""
    monkeypatch.setattr(tasks, "BATCH", 2)
    for n in range(3):
        Notification.objects.create(recipient=parent, text=f"n{n}")
    with mock.patch.object(tasks.deliver_pending, "delay") as follow_up:
        assert tasks.deliver_pending.run() == 2
    follow_up.assert_called_once_with()
    with mock.patch.object(tasks.deliver_pending, "apply_async") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            notification_create(recipient=parent, text="during the backlog")
    queued.assert_not_called()
    assert tasks.deliver_pending.run() == 2  # the follow-up run: n2 and the new one
    with mock.patch.object(tasks.deliver_pending, "apply_async") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            notification_create(recipient=parent, text="after catching up")
    queued.assert_called_once_with(countdown=DELIVERY_DELAY_SECONDS)


def test_the_run_that_catches_up_queues_one_more_for_rows_that_came_in_meanwhile(parent):
    """A row committed after the last run's claim, while the mark still stood, queued no run:
    the run queues one as it removes the mark; with nothing waiting it queues none."""
    cache.add(DELIVERY_QUEUED_KEY, 1)
    with mock.patch.object(tasks.deliver_pending, "apply_async") as queued:
        tasks._caught_up()
    queued.assert_not_called()
    assert cache.get(DELIVERY_QUEUED_KEY) is None
    cache.add(DELIVERY_QUEUED_KEY, 1)
    Notification.objects.create(recipient=parent, text="came in during the run")
    with mock.patch.object(tasks.deliver_pending, "apply_async") as queued:
        tasks._caught_up()
    queued.assert_called_once_with(countdown=DELIVERY_DELAY_SECONDS)


def test_with_the_cache_down_a_commit_still_queues_a_delivery_run(
    parent, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(cache, "add", side_effect=ConnectionError("cache down")),
        mock.patch.object(tasks.deliver_pending, "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification_create(recipient=parent, text="place offered")
    queued.assert_called_once_with(countdown=DELIVERY_DELAY_SECONDS)
