"""In a real browser at 375 px: community staff raise a child's risk level with a reason and
find the change (who, from what to what, why) at the foot of the case record."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portal.accounts.models import Role
from tests.casework.factories import CaseChildFactory
from tests.e2e.browser import signed_in_page
from tests.factories import CommunityFactory, RegionFactory, UserFactory, assign


@pytest.mark.e2e
def test_staff_see_who_changed_the_risk_level_and_why(transactional_db, live_server, browser):
    region = RegionFactory(code="e2e-history", name="河西社区", level="community")
    community = CommunityFactory(region=region)
    staff = UserFactory(name="王主任")
    assign(staff, Role.COMMUNITY_STAFF, region=region)
    child = CaseChildFactory(community=community, registered_by=staff, risk_level="medium")

    page = signed_in_page(browser, live_server, staff, viewport={"width": 375, "height": 812})
    page.goto(live_server.url + child.get_absolute_url())
    form = page.locator("form[action$='/risk/']")
    form.locator("select[name=risk_level]").select_option("high")
    form.locator("textarea[name=risk_reason]").fill("母亲离家，爷爷住院")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()

    history = page.get_by_test_id("change-history")
    entry = history.get_by_test_id("history-entry").first
    text = entry.inner_text()
    assert "王主任" in text and "母亲离家，爷爷住院" in text
    assert entry.locator("del", has_text="中").count() == 1 and "→ 高" in text
    # Nothing sticks out of a phone's screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    shot = os.environ.get("HISTORY_SCREENSHOT")
    if shot:
        history.scroll_into_view_if_needed()
        page.screenshot(path=str(Path(shot)))
