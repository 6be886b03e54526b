"""In a real browser at 375 px: facility staff register an SOS button for an elder, the device
presses SOS over HTTP, the open alarm board shows it without a reload, staff answer and close
it; a badly signed message shows on the refused-messages page."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from eldercare.models import Alarm, AlarmStatus, DeadLetter, Device
from eldercare.services.devices import sign
from portal.accounts.models import Role
from portal.notifications.models import Notification
from tests.e2e.browser import signed_in_page
from tests.eldercare.factories import CareFacilityFactory, ElderFactory, FamilyContactFactory
from tests.factories import CommunityFactory, RegionFactory, UserFactory, assign


def push(base_url: str, secret: str, message: dict) -> int:
    """What a device or vendor cloud does: POST the message, signed with its timestamp."""
    body = json.dumps(message).encode()
    stamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - the test server, over http
        f"{base_url}/eldercare/devices/ingest/",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Device-Timestamp": stamp,
            "X-Device-Signature": sign(secret, stamp.encode() + b"." + body),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - test server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_staff_register_a_device_and_answer_its_sos_on_the_live_board(browser, live_server):
    community = CommunityFactory(
        region=RegionFactory(
            code="e2e-dev-comm",
            level="community",
            parent=RegionFactory(code="e2e-dev-county", level="county"),
        )
    )
    facility = CareFacilityFactory(name="龙泉湖日间照料中心", community=community)
    elder = ElderFactory(name="李桂兰", facility=facility)
    staff = UserFactory(name="赵护理员")
    assign(staff, Role.FACILITY_STAFF, facility=facility)
    family = UserFactory(name="李女士")
    assign(family, Role.ELDER_FAMILY)
    FamilyContactFactory(elder=elder, user=family, name="李女士")

    page = signed_in_page(browser, live_server, staff)
    page.goto(f"{live_server.url}{elder.get_absolute_url()}")
    page.get_by_role("link", name="登记设备").click()
    page.select_option("select[name=kind]", "sos_button")
    page.fill("input[name=serial]", "SOS-E2E-0001")
    page.locator("[data-testid=submit]").click()
    secret = page.locator("[data-testid=device-secret]").inner_text().strip()
    device = Device.objects.get(serial="SOS-E2E-0001")
    assert device.elder == elder and device.secret == secret
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.goto(f"{live_server.url}/eldercare/alarms/")
    assert page.locator("[data-alarm]").count() == 0
    message = {"id": "e2e-sos-1", "device": device.serial, "type": "sos", "ts": time.time()}
    assert push(live_server.url, secret, message) == 202
    # The board polls every 2 seconds: the alarm appears without a reload.
    alarm = Alarm.objects.get(device=device)
    row = page.locator(f"[data-alarm='{alarm.pk}']")
    row.wait_for(timeout=5_000)
    assert "李桂兰" in row.inner_text()

    row.click()
    page.get_by_role("button", name="我马上到").click()
    page.fill("textarea[name=action]", "扶起老人，测血压正常")
    page.select_option("select[name=outcome]", "helped")
    page.get_by_role("button", name="关闭报警").click()
    page.wait_for_url("**/eldercare/alarms/")
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLOSED and alarm.acknowledged_by == staff
    assert alarm.closed_by == staff and alarm.outcome == "helped"
    assert Notification.objects.filter(recipient=family, text__contains="李桂兰").exists()

    # A message signed with the wrong secret is refused and shows, with its reason.
    forged = {"id": "e2e-forged", "device": device.serial, "type": "sos", "ts": time.time()}
    assert push(live_server.url, "0" * 64, forged) == 400
    assert Alarm.objects.filter(device=device).count() == 1
    page.goto(f"{live_server.url}/eldercare/devices/")
    page.get_by_role("link", name="被拒收的消息").click()
    letter = DeadLetter.objects.get(device=device)
    assert "签名错误" in page.locator(f"[data-testid=dead-letter-{letter.pk}]").inner_text()
