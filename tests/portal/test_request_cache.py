"""What every page reads about the signed-in user comes from the cache, and a change to it
shows on the very next page: roles, the unread count, the account itself."""

import uuid

import pytest
from django.urls import reverse

from portal.accounts.models import Role, RoleAssignment
from portal.accounts.signed_in import HINT_COOKIE
from portal.notifications.models import Notification
from portal.notifications.services import notification_create, notifications_mark_all_read
from tests.factories import TEST_PASSWORD, RegionFactory, UserFactory, assign

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


# --- the session and the user in one round trip (portal.accounts.sessions, signed_in) ---------


@pytest.fixture
def redis_sessions():
    """As deployed: the Redis cache, and sessions read from it by the portal's engine."""
    import redis
    from django.test import override_settings

    prefix = f"signed-in-test-{uuid.uuid4().hex}"
    location = "redis://127.0.0.1:6379/14"
    caches = {
        "default": {
            "BACKEND": "portal.pagecache.PortalRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=caches, SESSION_ENGINE="portal.accounts.sessions"):
        yield
    server = redis.Redis.from_url(location)
    stale = list(server.scan_iter(f"{prefix}:*"))
    if stale:
        server.delete(*stale)


def _mgets(round_trips):
    return [command for command in round_trips if b"MGET" in b"".join(command)]


def test_the_session_and_the_user_come_in_one_round_trip(client, redis_sessions, round_trips):
    user = UserFactory(name="王奶奶")
    client.force_login(user)
    first = client.get(PAGE)
    # The browser did not know who it was signed in as: now it does.
    assert first.cookies[HINT_COOKIE].value == str(user.pk)
    assert first.cookies[HINT_COOKIE]["httponly"]
    round_trips.clear()
    page = client.get(PAGE)
    assert "王奶奶" in page.content.decode()
    assert HINT_COOKIE not in page.cookies  # unchanged, not sent again
    reads = [b"".join(command) for command in round_trips]
    assert len(reads) == 1, reads
    assert b"sessions.cached_db" in reads[0] and f"accounts:user:{user.pk}".encode() in reads[0]


def test_signing_in_gives_the_browser_the_hint(client, redis_sessions):
    user = UserFactory(phone="+8613900000091")
    response = client.post(
        reverse("account_login"), {"login": "13900000091", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response.cookies[HINT_COOKIE].value == str(user.pk)


def test_a_wrong_hint_is_only_a_hint(client, redis_sessions, round_trips):
    """A cookie naming another user changes nothing: the session says who is signed in, and
    the cookie is put right. The other user's entries are in the cache and are not used."""
    from django.test import Client

    user, other = UserFactory(name="王奶奶"), UserFactory(name="李爷爷")
    notification_create(recipient=other, text="for the other one")
    other_browser = Client()
    other_browser.force_login(other)
    assert 'data-testid="unread-count">1<' in other_browser.get(PAGE).content.decode()
    client.force_login(user)
    client.get(PAGE)
    client.cookies[HINT_COOKIE] = str(other.pk)
    round_trips.clear()
    page = client.get(PAGE)
    text = page.content.decode()
    assert "王奶奶" in text and "李爷爷" not in text
    assert 'data-testid="unread-count"' not in text
    assert page.cookies[HINT_COOKIE].value == str(user.pk)
    assert len(_mgets(round_trips)) == 2  # the hinted user's entries, then the right ones


def test_signing_out_clears_the_hint_and_a_stale_hint_signs_nobody_in(client, redis_sessions):
    user = UserFactory()
    client.force_login(user)
    client.get(PAGE)
    assert client.cookies[HINT_COOKIE].value == str(user.pk)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response.cookies[HINT_COOKIE]["max-age"] == 0
    # A hint without a session (a browser that kept the cookie) is not a sign-in.
    client.cookies[HINT_COOKIE] = str(user.pk)
    page = client.get(reverse("notifications:inbox"))
    assert page.status_code == 302 and "/accounts/" in page.url
    assert page.cookies[HINT_COOKIE]["max-age"] == 0


def test_a_staff_page_reads_the_authenticator_mark_in_the_same_round_trip(
    client, community_staff, redis_sessions, round_trips, settings
):
    """Staff who must use a second factor: whether they have an authenticator app comes with
    the session and the user, not in a round trip of its own."""
    from allauth.mfa.models import Authenticator

    from portal.accounts.signed_in import totp_key

    settings.PORTAL_REQUIRE_TOTP = True
    Authenticator.objects.create(
        user=community_staff, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    client.force_login(community_staff)
    assert client.get(PAGE).status_code == 200  # the mark is cached from here on
    round_trips.clear()
    assert client.get(PAGE).status_code == 200  # not sent to set up an authenticator
    reads = [b"".join(command) for command in round_trips]
    assert len(reads) == 1, reads
    assert totp_key(community_staff.pk).encode() in reads[0]
