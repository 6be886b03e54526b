"""In a real browser, on a phone-sized screen: facility staff assess an elder and check them in;
the elder's family member sees the assessment and the arrival on their page."""

from __future__ import annotations

import pytest

from eldercare import rules
from eldercare.models import AbilityAssessment, DayCareAttendance
from portal.accounts.models import Role
from tests.e2e.browser import signed_in_page
from tests.eldercare.factories import CareFacilityFactory, ElderFactory, FamilyContactFactory
from tests.factories import CommunityFactory, RegionFactory, UserFactory, assign


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_staff_assess_and_check_in_then_family_sees_it(browser, live_server):
    county = RegionFactory(code="e2e-county", level="county")
    community = CommunityFactory(
        region=RegionFactory(code="e2e-comm", level="community", parent=county)
    )
    facility = CareFacilityFactory(name="龙泉湖日间照料中心", community=community)
    elder = ElderFactory(name="张桂英", facility=facility)
    staff = UserFactory(name="赵护理员")
    assign(staff, Role.FACILITY_STAFF, facility=facility)
    family = UserFactory(name="张女士")
    assign(family, Role.ELDER_FAMILY)
    FamilyContactFactory(elder=elder, user=family, name="张女士")

    page = signed_in_page(browser, live_server, staff)
    page.goto(f"{live_server.url}/eldercare/elders/{elder.pk}/assess/")
    # Every item one point below its maximum, except the one-point items: 90 - 24 = 66.
    for code, item in rules.ITEMS.items():
        page.fill(f"input[name={code}]", str(item.max_score - 1 if item.max_score > 1 else 1))
    page.locator("[data-testid=submit]").click()
    page.wait_for_url(f"**/eldercare/elders/{elder.pk}/")
    assert "66/90" in page.locator("[data-testid=assessments]").inner_text()

    page.goto(f"{live_server.url}/eldercare/facilities/{facility.pk}/day/")
    page.locator(f"[data-testid=elder-row-{elder.pk}] button[type=submit]").click()
    page.wait_for_load_state()
    row = page.locator(f"[data-testid=elder-row-{elder.pk}]")
    assert ":" in row.locator("td").nth(2).inner_text()
    assert DayCareAttendance.objects.filter(elder=elder).count() == 1
    assert AbilityAssessment.objects.get(elder=elder).level == 1

    family_page = signed_in_page(browser, live_server, family)
    family_page.goto(f"{live_server.url}/")
    family_page.wait_for_url("**/eldercare/family/")
    family_page.get_by_text("张桂英").click()
    family_page.wait_for_url(f"**/eldercare/family/elders/{elder.pk}/")
    assert "66/90" in family_page.locator("[data-testid=assessment]").inner_text()
    arrived = family_page.locator("[data-testid=attendance]").inner_text()
    day = DayCareAttendance.objects.get(elder=elder).date
    assert f"{day.year}年{day.month}月{day.day}日" in arrived  # as Chinese writes a date
