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
PHONE_VIEWPORT = {"width": 375, "height": 812}  # the narrowest phone the portal is designed for


def watch_csp(browser: Browser) -> list[str]:
    """Collects, from every page of every context `browser` makes from now on, the console
    messages in which Chromium reports something the Content-Security-Policy blocked (an
    inline script or style, an outside source). A journey that needed it has a defect."""
    violations: list[str] = []

    def listen(context: BrowserContext) -> BrowserContext:
        def on_console(message: object) -> None:
            if "Content Security Policy" in message.text:
                violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

        context.on("console", on_console)
        return context

    new_context = browser.new_context

    def new_context_watched(**options: object) -> BrowserContext:
        return listen(new_context(**options))

    def new_page_watched(**options: object) -> Page:
        return new_context_watched(**options).new_page()

    browser.new_context = new_context_watched
    browser.new_page = new_page_watched
    return violations


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
