"""In a real browser at phone size, with the page cache on as in production (Redis, NOTIFY):
a parent's page opened again is the kept copy; their own booking, and a change made by
someone else, show on the next page they open."""

from __future__ import annotations

import datetime
import time

import playwright.sync_api as playwright_api
import pytest
from django.utils import timezone

from childcare.models import Booking
from portal import pagecache
from portal.accounts.models import Role
from tests.childcare.factories import SessionFactory, StationFactory, child_of
from tests.e2e.browser import signed_in_page
from tests.factories import CommunityFactory, RegionFactory, UserFactory, assign

HIT = pagecache.HIT_HEADER.lower()


@pytest.fixture
def world(transactional_db, page_cache):
    region = RegionFactory(code="e2e-cache", name="茶马古道社区", level="community")
    community = CommunityFactory(region=region)
    station = StationFactory(name="几侎稚家婴幼儿成长驿站", community=community)
    session = SessionFactory(
        station=station, date=timezone.localdate() + datetime.timedelta(days=2), capacity=3
    )
    parent = UserFactory(name="李妈妈")
    assign(parent, Role.PARENT)
    child = child_of(parent, community, months=20)
    child.resident.name = "小雨"
    child.resident.save()
    return {"station": station, "session": session, "parent": parent, "child": child}


def open_kept(page, url):
    """Open `url` until its kept copy is served (the first visit sets the CSRF cookie, the
    second is kept): the third must be the copy."""
    for _ in range(2):
        assert page.goto(url).status == 200
    response = page.goto(url)
    assert response.headers.get(HIT) == "hit"
    return response


@pytest.mark.e2e
def test_a_kept_page_never_hides_a_change(live_server, browser, world):
    expect = playwright_api.expect
    page = signed_in_page(browser, live_server, world["parent"])
    my_page = live_server.url + "/childcare/my/"
    open_kept(page, my_page)
    expect(page.get_by_test_id("child-link")).to_contain_text("小雨")

    # Their own booking: the page the form sends them back to lists it.
    page.goto(live_server.url + world["session"].get_absolute_url())
    row = page.get_by_test_id("session-row").first
    row.locator("select[name=child]").select_option(str(world["child"].pk))
    row.locator("button[type=submit]").click()
    expect(page.get_by_test_id("bookings")).to_contain_text("几侎稚家婴幼儿成长驿站")
    assert Booking.objects.filter(child=world["child"]).exists()
    response = page.goto(my_page)
    assert response.headers.get(HIT) is None
    expect(page.get_by_test_id("bookings")).to_contain_text("几侎稚家婴幼儿成长驿站")

    # A change made elsewhere (a clerk corrects the child's name): the next page shows it.
    open_kept(page, my_page)
    child = world["child"]
    child.resident.name = "小雪"
    child.resident.save()
    deadline = time.monotonic() + 10
    while "小雪" not in page.goto(my_page).text():
        assert time.monotonic() < deadline, "the kept page outlived the change"
        time.sleep(0.05)
    expect(page.get_by_test_id("child-link")).to_contain_text("小雪")
