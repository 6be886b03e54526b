"""What every page reads about the signed-in user comes from the cache, and a change to it
shows on the very next page: roles, the unread count, the account itself."""

import pytest
from django.urls import reverse

from portal.accounts.models import Role, RoleAssignment
from portal.notifications.models import Notification
from portal.notifications.services import notification_create, notifications_mark_all_read
from tests.factories import RegionFactory, UserFactory, assign

pytestmark = pytest.mark.django_db
PAGE = "/notifications/"  # any page with the portal's header


def test_a_warm_page_reads_neither_user_nor_roles_nor_unread_count(
    client,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = UserFactory()
    assign(user, Role.PARENT)
    client.force_login(user)
    client.get(reverse("childcare:parent_home"))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("childcare:parent_home")).status_code == 200
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "accounts_user" not in tables
    assert "accounts_roleassignment" not in tables
    assert "notifications_notification" not in tables


def test_a_new_role_shows_on_the_next_page(client):
    user = UserFactory()
    client.force_login(user)
    assert "/dashboards/" not in client.get(PAGE).content.decode()
    assignment = assign(user, Role.OFFICIAL, region=RegionFactory(level="county"))
    assert "/dashboards/" in client.get(PAGE).content.decode()
    assignment.delete()
    assert "/dashboards/" not in client.get(PAGE).content.decode()


def test_a_removed_role_in_bulk_is_gone_after_forget(client):
    user = UserFactory()
    assign(user, Role.OFFICIAL, region=RegionFactory(level="county"))
    client.force_login(user)
    assert "/dashboards/" in client.get(PAGE).content.decode()
    RoleAssignment.objects.get(user=user).delete()
    assert "/dashboards/" not in client.get(PAGE).content.decode()


def test_the_unread_count_follows_writes_and_reads(client):
    user = UserFactory()
    client.force_login(user)
    assert 'data-testid="unread-count"' not in client.get(PAGE).content.decode()
    notification_create(recipient=user, text="one")
    notification_create(recipient=user, text="two")
    page = client.get(PAGE).content.decode()
    assert 'data-testid="unread-count">2<' in page
    notifications_mark_all_read(by=user)
    assert 'data-testid="unread-count"' not in client.get(PAGE).content.decode()
    note = notification_create(recipient=user, text="three")
    assert 'data-testid="unread-count">1<' in client.get(PAGE).content.decode()
    Notification.objects.get(pk=note.pk).delete()
    assert 'data-testid="unread-count"' not in client.get(PAGE).content.decode()


def test_a_deactivated_or_changed_account_is_not_served_from_the_cache(client):
    user = UserFactory(name="Before")
    client.force_login(user)
    assert "Before" in client.get(PAGE).content.decode()
    user.name = "After"
    user.save()
    assert "After" in client.get(PAGE).content.decode()
    user.is_active = False
    user.save()
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302


def test_a_new_password_signs_other_sessions_out(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("notifications:inbox")).status_code == 200
    user.set_password("another-password-2024")
    user.save()
    assert client.get(reverse("notifications:inbox")).status_code == 302
