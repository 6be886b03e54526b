"""What every browser journey shares: the system Chromium and a signed-in phone page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Browser, BrowserContext, Page

from portal.accounts.models import User

CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium, never a downloaded one; no calls home from this closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 412, "height": 915}


def signed_in_context(
    browser: Browser, live_server_url: str, user: User, **context_options: object
) -> BrowserContext:
    """A browser context already signed in as `user` (a session made on the server side)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    options = {"viewport": PHONE_VIEWPORT, "locale": "zh-CN", **context_options}
    context = browser.new_context(**options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server_url,
            }
        ]
    )
    return context


def signed_in_page(browser: Browser, live_server: object, user: User, **options: object) -> Page:
    """A phone-sized page signed in as `user`."""
    page = signed_in_context(browser, live_server.url, user, **options).new_page()
    page.set_default_timeout(15_000)
    return page
