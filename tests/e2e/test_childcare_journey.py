"""In a real browser: a parent finds the station, books a session and sees it on their page;
station staff accept an enrolment application."""

from __future__ import annotations

import datetime

import playwright.sync_api as playwright_api
import pytest
from django.utils import timezone

from childcare.models import Booking, Enrolment
from portal.accounts.models import Role
from tests.childcare.factories import (
    CareClassFactory,
    EnrolmentFactory,
    SessionFactory,
    StationFactory,
    child_of,
)
from tests.e2e.browser import signed_in_page
from tests.factories import CommunityFactory, RegionFactory, UserFactory, assign


@pytest.fixture
def world(transactional_db):
    region = RegionFactory(code="e2e-community", name="茶马古道社区", level="community")
    community = CommunityFactory(region=region)
    station = StationFactory(name="几侎稚家婴幼儿成长驿站", community=community)
    toddlers = CareClassFactory(station=station, name="托小班", class_type="toddler")
    session = SessionFactory(
        station=station, date=timezone.localdate() + datetime.timedelta(days=2), capacity=3
    )
    parent = UserFactory(name="李妈妈")
    assign(parent, Role.PARENT)
    child = child_of(parent, community, months=20)
    staff = UserFactory(name="王老师")
    assign(staff, Role.STATION_STAFF, station=station)
    applicant = child_of(UserFactory(), community, months=18)
    enrolment = EnrolmentFactory(child=applicant, station=station)
    return {
        "station": station,
        "session": session,
        "parent": parent,
        "child": child,
        "staff": staff,
        "enrolment": enrolment,
        "toddlers": toddlers,
    }


@pytest.mark.e2e
def test_parent_finds_station_books_and_sees_it(live_server, browser, world):
    expect = playwright_api.expect
    page = signed_in_page(browser, live_server, world["parent"])

    # The home page sends a parent to their page; from there to the finder.
    page.goto(live_server.url + "/")
    page.locator("main a[href='/childcare/stations/']").first.click()
    card = page.get_by_test_id("station-card").filter(has_text="几侎稚家婴幼儿成长驿站")
    expect(card).to_be_visible()
    card.locator("a").first.click()

    # Book the session for their own child.
    row = page.get_by_test_id("session-row").first
    row.locator("select[name=child]").select_option(str(world["child"].pk))
    row.locator("button[type=submit]").click()

    # Back on the parent's page, the booking is listed.
    expect(page.get_by_test_id("bookings")).to_contain_text("几侎稚家婴幼儿成长驿站")
    assert Booking.objects.get(child=world["child"]).status == "confirmed"

    # The child's own page shows it too.
    page.get_by_test_id("child-link").first.click()
    expect(page.get_by_test_id("child-bookings")).to_contain_text("几侎稚家婴幼儿成长驿站")


@pytest.mark.e2e
def test_staff_accepts_an_enrolment(live_server, browser, world):
    expect = playwright_api.expect
    page = signed_in_page(browser, live_server, world["staff"])
    enrolment = world["enrolment"]

    page.goto(live_server.url + "/")
    page.locator("main a[href='/childcare/staff/enrolments/']").first.click()
    page.get_by_test_id("enrolment-row").first.locator("a").click()

    page.locator("select[name=status]").select_option("offered")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("enrolment-status")).to_be_visible()
    page.locator("select[name=status]").select_option("enrolled")
    page.locator("select[name=care_class]").select_option(str(world["toddlers"].pk))
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("enrolment-status")).to_contain_text("托小班")

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED
    assert list(enrolment.events.values_list("to_status", flat=True)) == [
        "offered",
        "enrolled",
    ]
