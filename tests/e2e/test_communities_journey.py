"""In a real browser on a phone: community staff add a resident, are told plainly what is wrong
with a mistyped ID number, fix it and only ever see it masked; the premises form hides the
rent for premises lent free."""

from __future__ import annotations

import playwright.sync_api as playwright_api
import pytest

from communities.models import Resident
from tests.communities.factories import valid_id_number, with_wrong_check_character
from tests.e2e.browser import signed_in_page
from tests.factories import HouseholdFactory

IPHONE_VIEWPORT = {"width": 375, "height": 812}


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_staff_add_resident_fix_bad_id_and_see_it_masked(
    browser, live_server, community_staff, community
):
    household = HouseholdFactory(community=community, address="晨北小区9栋")
    good = valid_id_number()
    page = signed_in_page(browser, live_server, community_staff, viewport=IPHONE_VIEWPORT)

    page.goto(f"{live_server.url}/communities/")
    page.get_by_role("link", name="住户").first.click()
    page.get_by_role("link", name="晨北小区9栋").click()
    page.get_by_role("link", name="添加居民").click()

    page.get_by_label("姓名").fill("李小花")
    page.get_by_label("性别").select_option("F")
    page.get_by_label("出生日期").fill("1980-01-01")
    page.get_by_label("身份证号码").fill(with_wrong_check_character(good))
    page.get_by_role("button", name="保存").click()
    playwright_api.expect(page.get_by_text("最后一位校验码与前面的数字不符")).to_be_visible()
    assert not Resident.objects.filter(name="李小花").exists()

    # The household choice survived the error; only the number must be typed again.
    assert page.get_by_label("住户").input_value() == str(household.pk)
    page.get_by_label("身份证号码").fill(good)
    page.get_by_role("button", name="保存").click()
    playwright_api.expect(page.get_by_role("heading", name="李小花")).to_be_visible()
    html = page.content()
    assert good[:4] + "*" * 10 + good[-4:] in html
    assert good not in html
    assert Resident.objects.get(name="李小花").id_number == good


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_premises_form_hides_rent_for_free_premises(browser, live_server, community_staff):
    page = signed_in_page(browser, live_server, community_staff, viewport=IPHONE_VIEWPORT)
    page.goto(f"{live_server.url}/communities/premises/new/")
    rent = page.get_by_label("月租金（元）")
    playwright_api.expect(rent).to_be_hidden()
    page.get_by_label("提供方式").select_option("rent")
    playwright_api.expect(rent).to_be_visible()
