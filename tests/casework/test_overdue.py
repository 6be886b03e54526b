"""The daily overdue-visit job: once per overdue period, a fixed number of queries."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from casework import services
from casework.models import OverdueNotice
from casework.tasks import overdue_visits_notify
from portal.notifications.models import Notification
from tests.casework.factories import CaseChildFactory, PairingFactory

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def test_overdue_child_notifies_volunteer_and_staff_once(
    paired_child, volunteer, community_staff, outsider
):
    paired_child.next_visit_due = YESTERDAY
    paired_child.save()
    assert overdue_visits_notify() == 1
    assert Notification.objects.filter(recipient=volunteer).count() == 1
    assert Notification.objects.filter(recipient=community_staff).count() == 1
    assert not Notification.objects.filter(recipient=outsider).exists()
    # Same overdue period: the next day's run says nothing new.
    assert overdue_visits_notify(today=timezone.localdate() + datetime.timedelta(days=1)) == 0
    assert Notification.objects.count() == 2
    assert OverdueNotice.objects.get().due_date == YESTERDAY


def test_a_new_overdue_period_after_a_visit_notifies_again(paired_child, volunteer):
    paired_child.next_visit_due = YESTERDAY
    paired_child.save()
    overdue_visits_notify()
    services.visit_create(
        child=paired_child,
        kind="home",
        date=timezone.localdate(),
        notes="",
        follow_up_actions="",
        by=volunteer,
    )
    paired_child.refresh_from_db()
    later = paired_child.next_visit_due + datetime.timedelta(days=1)
    assert overdue_visits_notify(today=later) == 1
    assert Notification.objects.filter(recipient=volunteer).count() == 2


def test_children_not_yet_due_or_closed_are_not_notified(community, community_staff):
    CaseChildFactory(community=community, next_visit_due=timezone.localdate())
    CaseChildFactory(
        community=community,
        status="closed",
        closed_reason="moved",
        closed_at=timezone.now(),
        next_visit_due=YESTERDAY,
    )
    assert overdue_visits_notify() == 0
    assert not Notification.objects.exists()


def test_staff_get_one_summary_per_community_not_one_per_child(community, community_staff):
    for _ in range(3):
        PairingFactory(child=CaseChildFactory(community=community, next_visit_due=YESTERDAY))
    assert overdue_visits_notify() == 3
    staff_notes = Notification.objects.filter(recipient=community_staff)
    assert staff_notes.count() == 1
    assert "3" in staff_notes.get().text


@pytest.mark.parametrize("size", [2, 12])
def test_overdue_job_query_count_does_not_grow_with_children(
    size, community, other_community, community_staff, outsider, django_assert_num_queries
):
    for i in range(size):
        where = community if i % 2 else other_community
        PairingFactory(child=CaseChildFactory(community=where, next_visit_due=YESTERDAY))
    # savepoint, insert-select, claim, rows, volunteers, communities, staff, notifications,
    # release: the same nine whatever the number of children.
    with django_assert_num_queries(9):
        assert overdue_visits_notify() == size


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_job_at_once_notify_once(community, community_staff):
    PairingFactory(child=CaseChildFactory(community=community, next_visit_due=YESTERDAY))
    barrier = threading.Barrier(2)
    results: list[int] = []

    def run():
        try:
            barrier.wait()
            results.append(overdue_visits_notify())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    assert OverdueNotice.objects.count() == 1
    assert Notification.objects.filter(recipient=community_staff).count() == 1


def test_reminders_are_written_in_each_recipients_language(
    paired_child, volunteer, community_staff
):
    volunteer.language = "en"
    volunteer.save()
    paired_child.next_visit_due = YESTERDAY
    paired_child.save()
    overdue_visits_notify()
    assert "overdue" in Notification.objects.get(recipient=volunteer).text
    assert "逾期" in Notification.objects.get(recipient=community_staff).text
