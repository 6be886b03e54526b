"""The shared layout: landmarks, navigation per role, language switcher, elder mode."""

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from portal import context_processors
from portal.context_processors import ELDER_MODE_COOKIE, nav_links
from portal.notifications.models import Notification
from portal.views import ROLE_START_PAGES
from tests.portal.test_home import user_with_role

pytestmark = pytest.mark.django_db


def test_home_page_has_landmarks_skip_link_and_language(client):
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="zh-hans"' in html
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert 'href="#main"' in html
    assert 'action="/preferences/language/"' in html
    assert 'action="/preferences/elder-mode/"' in html
    assert "简体中文" in html and "English" in html
    assert "cdn" not in html.lower()


def test_home_page_links_to_the_station_finder_only_if_it_exists(client):
    html = client.get(reverse("home")).content.decode()
    try:
        url = reverse("childcare:station_finder")
    except NoReverseMatch:
        assert "station_finder" not in html
    else:
        assert f'href="{url}"' in html


def test_language_switch_to_english_and_back(client):
    response = client.post(reverse("language_set"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en"' in html
    assert "Skip to main content" in html
    client.post(reverse("language_set"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="zh-hans"' in html
    assert "Skip to main content" not in html


def test_language_switch_is_remembered_on_the_account(client, parent):
    client.force_login(parent)
    client.post(reverse("language_set"), {"language": "en"})
    parent.refresh_from_db()
    assert parent.language == "en"
    other_browser = Client()
    other_browser.force_login(parent)
    html = other_browser.get(reverse("notifications:inbox")).content.decode()
    assert '<html lang="en"' in html


def test_unknown_language_changes_nothing(client):
    response = client.post(reverse("language_set"), {"language": "xx"})
    assert response.status_code == 302
    assert "django_language" not in response.cookies


def test_elder_mode_toggle_sets_cookie_and_class(client):
    client.post(reverse("elder_mode_toggle"), {"enabled": "1"})
    assert client.cookies[ELDER_MODE_COOKIE].value == "1"
    assert 'class="elder-mode"' in client.get(reverse("home")).content.decode()
    client.post(reverse("elder_mode_toggle"), {"enabled": "0"})
    assert 'class="elder-mode"' not in client.get(reverse("home")).content.decode()


def test_elder_mode_is_remembered_on_the_account_for_a_new_browser(client, parent):
    client.force_login(parent)
    client.post(reverse("elder_mode_toggle"), {"enabled": "1"})
    parent.refresh_from_db()
    assert parent.elder_mode
    other_browser = Client()
    other_browser.force_login(parent)
    html = other_browser.get(reverse("notifications:inbox")).content.decode()
    assert 'class="elder-mode"' in html


@pytest.mark.parametrize("view", ["language_set", "elder_mode_toggle"])
@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "http://evil.example/x", "javascript:alert(1)"],
)
def test_preference_switches_refuse_offsite_next(client, view, target):
    data = {"next": target, "language": "en", "enabled": "1"}
    response = client.post(reverse(view), data)
    assert response.status_code == 302
    assert response.url == "/"
    response = client.post(reverse(view), {"language": "en"}, HTTP_REFERER=target)
    assert response.url == "/"


@pytest.mark.parametrize("view", ["language_set", "elder_mode_toggle"])
def test_preference_switches_follow_a_local_next(client, view):
    response = client.post(reverse(view), {"next": "/notifications/?page=2", "language": "en"})
    assert response.url == "/notifications/?page=2"


@pytest.mark.parametrize("view", ["language_set", "elder_mode_toggle"])
def test_preference_switches_refuse_get(client, view):
    assert client.get(reverse(view)).status_code == 405


def _post_urls() -> list[str]:
    return [
        reverse("language_set"),
        reverse("elder_mode_toggle"),
        reverse("notifications:read_all"),
        reverse("account_logout"),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
    ]


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_foundation_post_needs_csrf(parent, signed_in):
    client = Client(enforce_csrf_checks=True)
    if signed_in:
        client.force_login(parent)
    for url in _post_urls():
        response = client.post(url, {"language": "en", "enabled": "1"})
        assert response.status_code == 403, url
    if signed_in:
        parent.refresh_from_db()
        assert not parent.elder_mode and parent.language != "en"


def test_unread_badge_in_header(client, parent):
    client.force_login(parent)
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert 'data-testid="unread-count"' not in html
    Notification.objects.create(recipient=parent, text="one")
    Notification.objects.create(recipient=parent, text="two")
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert 'data-testid="unread-count">2<' in html


def test_nav_fails_on_a_url_name_that_does_not_exist(monkeypatch, parent):
    monkeypatch.setattr(
        context_processors,
        "NAV_ITEMS",
        [("Missing", "nowhere:page", None), ("Inbox", "notifications:inbox", None)],
    )
    with pytest.raises(NoReverseMatch):
        nav_links(parent)


def test_every_navigation_and_start_page_name_reverses():
    names = [name for _label, name, _roles in context_processors.NAV_ITEMS]
    names += [name for _label, name in context_processors.PUBLIC_NAV_ITEMS]
    names += [name for _role, name in ROLE_START_PAGES]
    for name in names:
        assert reverse(name).startswith("/")


def test_a_wrong_public_navigation_name_fails_the_page(client, monkeypatch):
    monkeypatch.setattr(
        context_processors, "PUBLIC_NAV_ITEMS", [("Nowhere", "childcare:no_such_page")]
    )
    with pytest.raises(NoReverseMatch):
        client.get(reverse("home"))


def test_nav_shows_each_role_only_its_own_links(parent, community_staff, outsider):
    parent_names = {link.get("name") for link in nav_links(parent)}
    staff_names = {link.get("name") for link in nav_links(community_staff)}
    assert "communities:staff_home" not in parent_names
    assert "childcare:parent_home" not in staff_names
    # The outsider is community staff too: same kind of links, none of the parent's.
    assert "childcare:parent_home" not in {link.get("name") for link in nav_links(outsider)}


def test_admin_link_only_for_staff(parent, admin_user):
    assert reverse("admin:index") not in [link["url"] for link in nav_links(parent)]
    assert reverse("admin:index") in [link["url"] for link in nav_links(admin_user)]


@pytest.mark.parametrize("role", [role for role, _ in ROLE_START_PAGES])
def test_every_nav_link_of_a_role_opens_for_that_role(client, community, role):
    user = user_with_role(role, community)
    client.force_login(user)
    links = nav_links(user)
    assert links
    for link in links:
        response = client.get(link["url"])
        assert response.status_code in (200, 302), (link["url"], response.status_code)


def test_community_staff_nav_has_households_and_premises(community_staff):
    names = {link.get("name") for link in nav_links(community_staff)}
    assert {"communities:household_list", "communities:premises_list"} <= names
