"""The main pages on a 375 px phone, in normal, elder and English mode: axe-core finds no
serious or critical violation, no page scrolls sideways, and every input shows its focus.

axe-core comes from npm (bin/vendor-static copies it under tests/e2e/vendor/); it is injected
as an init script, which a Content-Security-Policy does not block, and no page loads it."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Browser, Page

from billing.models import Statement
from childcare.models import Booking, Child, Station
from eldercare.models import CareFacility, Elder
from portal.accounts.demo import demo_user
from portal.accounts.models import User
from portal.context_processors import ELDER_MODE_COOKIE
from tests.e2e.browser import signed_in_context

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots" / "phone"  # not committed
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
MODES = ("normal", "elder", "english")


def main_pages() -> list[tuple[str, str | None, str]]:
    """(name, demo user or None for a visitor, path) of the pages most people use."""
    parent = demo_user("parent")
    station = (
        Station.objects.filter(sessions__bookings__child__guardians__user=parent)
        .distinct()
        .order_by("pk")
        .first()
    )
    assert station is not None and Booking.objects.filter(session__station=station).exists()
    facility = CareFacility.objects.filter(role_assignments__user=demo_user("facility_staff"))
    facility = facility.order_by("pk").first()
    elder = Elder.objects.filter(facility=facility).order_by("pk").first()
    child = Child.objects.filter(guardians__user=parent).order_by("pk").first()
    statement = Statement.objects.filter(child=child).order_by("-month").first()
    return [
        ("home", None, "/"),
        ("sign-in", None, "/accounts/login/"),
        ("sign-up", None, "/accounts/signup/"),
        ("parent-children", "parent", "/childcare/my/"),
        ("child", "parent", f"/childcare/children/{child.pk}/"),
        ("station", "parent", f"/childcare/stations/{station.pk}/"),
        ("station-day", "station_staff", f"/childcare/staff/stations/{station.pk}/day/"),
        ("households", "community_staff", "/communities/households/"),
        ("care-registry", "community_staff", "/care/children/"),
        ("facility", "facility_staff", f"/eldercare/facilities/{facility.pk}/"),
        ("elder", "facility_staff", f"/eldercare/elders/{elder.pk}/"),
        ("county-dashboard", "county_official", "/dashboards/530828/"),
        ("family-start", "newcomer", "/childcare/start/"),
        ("declarations", "community_staff", "/communities/declarations/"),
        ("station-sessions", "station_staff", f"/childcare/staff/stations/{station.pk}/sessions/"),
        ("fees", "parent", "/fees/"),
        ("statement", "parent", statement.get_absolute_url()),
        ("station-fees", "station_staff", f"/fees/stations/{statement.station_id}/"),
    ]


def pages_in_mode(
    browser: Browser, live_server: object, mode: str, viewport: dict = PHONE
) -> Iterator[tuple[str, Page]]:
    """Each main page opened in `mode` at `viewport` (a 375 px phone unless told), with
    axe-core loaded."""
    language = "en" if mode == "english" else "zh-hans"
    cookies = [
        {"name": ELDER_MODE_COOKIE, "value": "1" if mode == "elder" else "0"},
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language},
    ]
    for name, who, path in main_pages():
        if who is None:
            context = browser.new_context(viewport=viewport, locale="zh-CN")
        else:
            user = newcomer() if who == "newcomer" else demo_user(who)
            user.language = language
            user.save(update_fields=["language"])
            context = signed_in_context(browser, live_server.url, user, viewport=viewport)
        context.add_cookies([{**cookie, "url": live_server.url} for cookie in cookies])
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        page.set_default_timeout(15_000)
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, (name, path)
        try:
            yield name, page
        finally:
            context.close()


def newcomer() -> User:
    """Someone who has just signed up with a new phone number: no role, no household."""
    user, _created = User.objects.get_or_create(phone="+8613912345678", defaults={"name": ""})
    return user


@pytest.fixture
def demo_data(transactional_db, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())


def serious_violations(page: Page, mode: str) -> list[dict]:
    """axe-core's serious and critical findings on the page as it stands: WCAG 2.1 A and AA
    and axe's best practices; in elder mode also the AAA contrast (7:1)."""
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
    if mode == "elder":
        tags.append("wcag2aaa")
    results = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({id: v.id, impact: v.impact,
                            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' : '
                                + (n.failureSummary || '').slice(0, 200))}));
        }""",
        tags,
    )
    return results


@pytest.mark.e2e
def test_main_pages_have_no_serious_or_critical_axe_violations(browser, live_server, demo_data):
    found = {}
    for mode in MODES:
        for name, page in pages_in_mode(browser, live_server, mode):
            violations = serious_violations(page, mode)
            if violations:
                found[f"{mode}/{name}"] = violations
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


@pytest.mark.e2e
def test_main_pages_at_desktop_width_have_no_serious_or_critical_axe_violations(
    browser, live_server, demo_data
):
    """The same check at 1280 px, where the menu bar is open and tables are tables."""
    found = {}
    for mode in MODES:
        for name, page in pages_in_mode(browser, live_server, mode, viewport=DESKTOP):
            violations = serious_violations(page, mode)
            if violations:
                found[f"{mode}/{name}"] = violations
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


@pytest.mark.e2e
def test_no_main_page_scrolls_sideways_at_375px(browser, live_server, demo_data):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    too_wide = {}
    for mode in MODES:
        for name, page in pages_in_mode(browser, live_server, mode):
            width = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{mode}.png"), full_page=True)
            if width > PHONE["width"]:
                too_wide[f"{mode}/{name}"] = width
    assert not too_wide, too_wide


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{2}-\d{2} \d{2}:\d{2}\b")
CHINESE_DATE = re.compile(r"\d+年\d+月|\d+月\d+日")


@pytest.mark.e2e
def test_dates_are_written_one_way_per_language_on_every_main_page(browser, live_server, demo_data):
    """Chinese pages write 2026年12月3日, English pages Dec. 3, 2026: no ISO dates in what a
    reader sees, and no Chinese dates on English pages."""
    wrong = {}
    for mode in ("normal", "english"):
        for name, page in pages_in_mode(browser, live_server, mode):
            text = page.locator("main").inner_text()
            found = ISO_DATE.findall(text)
            if mode == "english":
                found += CHINESE_DATE.findall(text)
            if found:
                wrong[f"{mode}/{name}"] = found[:5]
    assert not wrong, wrong


@pytest.mark.e2e
def test_every_input_shows_a_visible_focus_outline(browser, live_server, demo_data):
    """Tabbing to a text box, a select or a checkbox draws the 3 px outline, as on buttons."""
    with_inputs = {"sign-in", "sign-up", "households", "care-registry", "county-dashboard"}
    for mode in ("normal", "elder"):
        for name, page in pages_in_mode(browser, live_server, mode):
            if name not in with_inputs:
                continue
            controls = page.locator(
                "main input:not([type=hidden]):visible, main select:visible, main textarea:visible"
            )
            assert controls.count() > 0, name
            for index in range(controls.count()):
                control = controls.nth(index)
                control.focus()
                # The browser decides :focus-visible from how focus came; a keyboard press
                # makes it so for every control kind.
                page.keyboard.press("Shift")
                style = control.evaluate(
                    "el => { const s = getComputedStyle(el);"
                    " return [s.outlineStyle, parseFloat(s.outlineWidth),"
                    " el.matches(':focus-visible')]; }"
                )
                assert style[2], (mode, name, index)
                assert style[0] == "solid" and style[1] >= 3, (mode, name, index, style)
