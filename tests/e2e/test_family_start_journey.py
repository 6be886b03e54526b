"""Done when (issue 9), in a real browser at 375 px: a phone number never seen before signs
up, declares household and child with consent, the community's staff verify it in their own
pages, the parent books a session and sees it confirmed, then applies for a place; an
overlapping second booking is refused. Every step is checked in the database too."""

from __future__ import annotations

import datetime
import re

import playwright.sync_api as playwright_api
import pytest
from django.utils import timezone

from childcare.models import Booking, Child, Enrolment, GuardianConsent
from communities.models import Household, Resident
from portal.accounts.models import Role, RoleAssignment, User
from portal.accounts.sms import OutboxSmsSender
from portal.notifications.models import Notification
from tests.childcare.factories import SessionFactory, StationFactory
from tests.e2e.browser import signed_in_page
from tests.factories import CommunityFactory, RegionFactory, UserFactory, assign

PHONE_375 = {"width": 375, "height": 812}
PASSWORD = "Cha-Ma-Road-2024"


@pytest.fixture
def world(transactional_db):
    county = RegionFactory(code="e2e-county", name="澜沧县", level="county")
    region = RegionFactory(code="e2e-start", name="茶马古道社区", level="community", parent=county)
    community = CommunityFactory(region=region)
    station = StationFactory(name="几侎稚家婴幼儿成长驿站", community=community)
    other = StationFactory(name="茶马驿站分站", community=community)
    day = timezone.localdate() + datetime.timedelta(days=2)
    session = SessionFactory(station=station, date=day, capacity=3)
    # The same afternoon elsewhere: the child cannot be in both places.
    clash = SessionFactory(
        station=other,
        date=day,
        kind="half_day",
        starts_at=datetime.time(13, 0),
        ends_at=datetime.time(16, 0),
    )
    staff = UserFactory(name="社区小张")
    assign(staff, Role.COMMUNITY_STAFF, region=region)
    OutboxSmsSender.outbox.clear()
    yield {"station": station, "session": session, "clash": clash, "staff": staff}
    OutboxSmsSender.outbox.clear()


def _code_for(phone: str) -> str:
    texts = [m["text"] for m in OutboxSmsSender.outbox if m["phone"] == phone]
    assert texts, OutboxSmsSender.outbox
    return re.search(r"(\d{6})", texts[-1]).group(1)


@pytest.mark.e2e
def test_new_phone_to_verified_household_booking_and_application(live_server, browser, world):
    expect = playwright_api.expect
    context = browser.new_context(viewport=PHONE_375, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)

    # Sign up with a number the portal has never seen; the SMS code confirms it.
    page.goto(live_server.url + "/accounts/signup/")
    page.locator("input[name=phone]").fill("137 0000 1234")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.locator("input[name=code]").fill(_code_for("+8613700001234"))
    page.locator("main form button[type=submit]").first.click()
    user = User.objects.get(phone="+8613700001234")
    assert user.phone_verified

    # Signed in with no role: led straight to the start. Step 1: by the station.
    expect(page.get_by_test_id("start-step")).to_contain_text("1")
    page.get_by_test_id("pick-station").locator("select[name=station]").select_option(
        str(world["station"].pk)
    )
    page.get_by_test_id("pick-station").locator("button[type=submit]").click()

    # Step 2: household and parent.
    form = page.get_by_test_id("household-form")
    form.locator("input[name=address]").fill("茶马古道小区2栋1单元301")
    form.locator("input[name=name]").fill("岩温")
    form.locator("input[name=sex][value=M]").check()
    form.locator("input[name=date_of_birth]").fill("1990-03-15")
    form.locator("input[name=relation][value=father]").check()
    form.get_by_test_id("submit").click()

    # Step 3: the child, and the consent (its version is on the page).
    form = page.get_by_test_id("child-form")
    expect(page.get_by_test_id("consent-text")).to_be_visible()
    born = timezone.localdate() - datetime.timedelta(days=600)
    form.locator("input[name=name]").fill("岩小宝")
    form.locator("input[name=sex][value=M]").check()
    form.locator("input[name=date_of_birth]").fill(born.isoformat())
    form.locator("input[name=consent]").check()
    form.get_by_test_id("submit").click()
    expect(page.get_by_test_id("household-status")).to_be_visible()

    parent = Resident.objects.get(user=user)
    household = parent.household
    assert household.status == Household.Status.PENDING
    child = Child.objects.get(resident__name="岩小宝")
    assert child.resident.household == household
    assert child.guardians.get().relation == "father"
    assert GuardianConsent.objects.active().filter(child=child, user=user).exists()
    assert RoleAssignment.objects.filter(user=user, role=Role.PARENT).exists()

    # Not verified yet: booking is refused, and nothing is booked.
    page.goto(live_server.url + world["station"].get_absolute_url())
    row = page.get_by_test_id("session-row").first
    row.locator("select[name=child]").select_option(str(child.pk))
    row.locator("button[type=submit]").click()
    expect(page.locator(".portal-messages")).to_contain_text("核实")
    assert not Booking.objects.filter(child=child).exists()

    # The community's staff verify from their own start page, on a phone too.
    staff_page = signed_in_page(browser, live_server, world["staff"], viewport=PHONE_375)
    staff_page.goto(live_server.url + "/")
    staff_page.get_by_test_id("declarations-link").click()
    declaration = staff_page.get_by_test_id("declaration").filter(has_text="2栋1单元301")
    declaration.get_by_test_id("verify").click()
    expect(staff_page.get_by_test_id("no-declarations")).to_be_visible()
    household.refresh_from_db()
    assert household.status == Household.Status.VERIFIED
    assert household.verified_by == world["staff"]

    # Now the parent books and sees the booking confirmed.
    page.goto(live_server.url + world["station"].get_absolute_url())
    row = page.get_by_test_id("session-row").first
    row.locator("select[name=child]").select_option(str(child.pk))
    row.locator("button[type=submit]").click()
    expect(page.get_by_test_id("bookings")).to_contain_text("几侎稚家婴幼儿成长驿站")
    booking = Booking.objects.get(child=child)
    assert (booking.session, booking.status) == (world["session"], Booking.Status.CONFIRMED)
    expect(page.get_by_test_id("bookings")).to_contain_text("已确认")
    # The confirmation is in the inbox at once: the header counts it.
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    assert unread.filter(kind=Notification.Kind.BOOKING, text__contains="岩小宝").exists()
    expect(page.get_by_test_id("unread-count")).to_contain_text(str(unread.count()))

    # ... and applies for a place.
    page.goto(live_server.url + f"/childcare/stations/{world['station'].pk}/apply/")
    page.locator("select[name=child]").select_option(str(child.pk))
    start = timezone.localdate() + datetime.timedelta(days=14)
    page.locator("input[name=start_date]").fill(start.isoformat())
    page.locator("input[name=health_exam_date]").fill(timezone.localdate().isoformat())
    page.locator("input[name=vaccinations_confirmed]").check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".portal-messages")).to_be_visible()
    enrolment = Enrolment.objects.get(child=child)
    assert (enrolment.station, enrolment.status) == (world["station"], "applied")

    # An overlapping session at the other station is refused, kindly.
    page.goto(live_server.url + world["clash"].station.get_absolute_url())
    row = page.get_by_test_id("session-row").first
    row.locator("select[name=child]").select_option(str(child.pk))
    row.locator("button[type=submit]").click()
    expect(page.locator(".portal-messages")).to_contain_text("同一时间")
    assert list(Booking.objects.filter(child=child).values_list("session_id", flat=True)) == [
        world["session"].pk
    ]
    # Nothing on the way was wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_375["width"]
    context.close()
