"""In a real browser at phone width: a parent finds who read their child's records; community
staff are led through setting up an authenticator app. No page trips the CSP (the browser
fixture fails the test on any violation)."""

from __future__ import annotations

import time

import playwright.sync_api as playwright_api
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from childcare import services
from portal.accounts.models import Role
from tests.childcare.factories import StationFactory, child_of
from tests.e2e.browser import PHONE_VIEWPORT, signed_in_page
from tests.factories import TEST_PASSWORD, CommunityFactory, RegionFactory, UserFactory, assign

NARROW = {"width": 375, "height": 812}


@pytest.fixture
def world(transactional_db):
    region = RegionFactory(code="e2e-sec-community", name="茶马古道社区", level="community")
    community = CommunityFactory(region=region)
    station = StationFactory(name="几侎稚家婴幼儿成长驿站", community=community)
    parent = UserFactory(name="李妈妈")
    assign(parent, Role.PARENT)
    child = child_of(parent, community, months=20)
    teacher = UserFactory(name="王老师")
    assign(teacher, Role.STATION_STAFF, station=station)
    staff = UserFactory(name="赵主任", phone="+8613900009901")
    assign(staff, Role.COMMUNITY_STAFF, region=region)
    return {"parent": parent, "child": child, "teacher": teacher, "staff": staff}


@pytest.mark.e2e
def test_parent_sees_who_read_the_childs_records(live_server, browser, world):
    expect = playwright_api.expect
    services.child_access_record(
        child_ids=[world["child"].pk], by=world["teacher"], path="/childcare/staff/"
    )
    page = signed_in_page(browser, live_server, world["parent"], viewport=NARROW)
    page.goto(f"{live_server.url}/childcare/children/{world['child'].pk}/")
    page.get_by_test_id("child-access-log").click()
    table = page.get_by_test_id("record-reads")
    expect(table).to_contain_text("王老师")
    expect(table).to_contain_text("托育驿站工作人员")
    # Nothing runs off the side of a small phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"]


@pytest.mark.e2e
def test_community_staff_set_up_an_authenticator_app(live_server, browser, world, settings):
    settings.PORTAL_REQUIRE_TOTP = True
    expect = playwright_api.expect
    page = browser.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill("13900009901")
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    # Led to the set-up: the password once more, then the QR code and its secret.
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    expect(page.locator("img[src^='data:image/svg+xml']")).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value()
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    page.locator("input[name=code]").fill(code)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert Authenticator.objects.filter(user=world["staff"], type=Authenticator.Type.TOTP).exists()
    page.goto(live_server.url + "/communities/")
    assert "/accounts/" not in page.url
