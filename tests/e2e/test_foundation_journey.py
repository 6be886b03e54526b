"""A parent's first visit, in a real browser: sign in by phone, switch language and elder
mode, read a notification. Saves the home page screenshots under docs/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import playwright.sync_api as playwright_api
import pytest
from django.conf import settings

from portal.accounts.demo import DEMO_PASSWORD, DEMO_USERS, demo_assign
from portal.notifications.services import notification_create
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, PHONE_VIEWPORT, watch_csp

SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


@pytest.fixture
def browser_page():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        csp_violations = watch_csp(browser)
        context = browser.new_context(
            viewport=PHONE_VIEWPORT, device_scale_factor=1, locale="zh-CN"
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
        assert not csp_violations, "\n".join(csp_violations)


@pytest.fixture
def demo_parent(transactional_db):
    parent = demo_assign("parent").user
    notification_create(
        recipient=parent,
        text="几侎稚家婴幼儿成长驿站：您的托位申请已收到。",
        link="/notifications/",
    )
    return parent


@pytest.mark.e2e
def test_parent_signs_in_switches_language_and_elder_mode_and_reads_the_inbox(
    live_server, browser_page, demo_parent
):
    page = browser_page
    expect = playwright_api.expect
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # The public front page, in Chinese by default.
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("html")).not_to_have_class(re.compile("elder-mode"))
    page.screenshot(path=str(SCREENSHOTS / "home.png"), full_page=True)

    # Sign in with the phone number as people type it (no +86).
    page.get_by_role("link", name="登录").first.click()
    phone = DEMO_USERS["parent"][0].removeprefix("+86")
    page.get_by_label(re.compile("登录|Login|手机")).fill(phone)
    page.get_by_label(re.compile("密码")).fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("inbox-link")).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_contain_text("1")

    # English, then back to Chinese.
    page.get_by_test_id("language-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("inbox-link")).to_contain_text("Inbox")
    page.get_by_test_id("language-zh-hans").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("inbox-link")).to_contain_text("消息")

    # Elder mode: larger type.
    base_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.get_by_test_id("elder-mode-toggle").click()
    expect(page.locator("html")).to_have_class(re.compile("elder-mode"))
    elder_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert elder_size > base_size

    # The inbox shows the notification; opening it marks it read.
    page.get_by_test_id("inbox-link").click()
    expect(page.get_by_test_id("inbox")).to_contain_text("您的托位申请已收到")
    page.get_by_test_id("inbox").get_by_role("button", name="打开").click()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    assert demo_parent.notifications.get().read_at is not None

    # Keyboard users reach the skip link first.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()

    # On a phone the menu is folded away behind the menu button; sign out from there.
    # Signed out, the browser still remembers elder mode.
    page.get_by_role("button", name="显示菜单").click()
    # Bootstrap marks the menu "show" once it has finished opening: a click while it still
    # moves can miss the button.
    expect(page.locator("#portal-nav")).to_have_class(re.compile(r"\bshow\b"))
    page.locator("form[action='/accounts/logout/'] button").click()
    expect(page.get_by_test_id("inbox-link")).to_have_count(0)
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_class(re.compile("elder-mode"))
    page.screenshot(path=str(SCREENSHOTS / "home-elder-mode.png"), full_page=True)
