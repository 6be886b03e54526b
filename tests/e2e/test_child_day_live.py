"""In a real browser: the station records a meal and a tagged photo; the parent's open page
shows both without a reload; the parent answers in the thread and the staff see it unread.
The photo's URL is 404 for everyone else, and the stored file carries no EXIF location."""

from __future__ import annotations

import io

import playwright.sync_api as playwright_api
import pytest
from PIL import Image

from childcare.models import Message, Photo
from childcare.services import enrolment_decide
from portal.accounts.models import Role
from tests.childcare.factories import CareClassFactory, EnrolmentFactory, StationFactory, child_of
from tests.e2e.browser import signed_in_page
from tests.factories import CommunityFactory, RegionFactory, UserFactory, assign

GPS_IFD = 0x8825
LIVE_WAIT_MS = 30_000  # the promise to parents: within 30 seconds, without reloading


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (1800, 1200), (90, 160, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (22.0, 46.0, 30.0), 3: "E", 4: (100.0, 58.0, 12.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    region = RegionFactory(code="e2e-live", name="茶马古道社区", level="community")
    community = CommunityFactory(region=region)
    station = StationFactory(name="几侎稚家婴幼儿成长驿站", community=community)
    strand = station.strands.create(name="农耕实践", order=1)
    toddlers = CareClassFactory(station=station, name="托小班", class_type="toddler")
    staff = UserFactory(name="王老师")
    assign(staff, Role.STATION_STAFF, station=station)
    parent = UserFactory(name="李妈妈")
    assign(parent, Role.PARENT)
    child = child_of(parent, community, months=20)
    enrolment = EnrolmentFactory(child=child, station=station, status="offered")
    enrolment_decide(enrolment=enrolment, status="enrolled", care_class=toddlers, by=staff)
    other_parent = UserFactory(name="张爸爸")
    assign(other_parent, Role.PARENT)
    child_of(other_parent, community, months=22)
    other_region = RegionFactory(code="e2e-live-other", name="娜登社区", level="community")
    other_station = StationFactory(name="别的驿站", community=CommunityFactory(region=other_region))
    other_staff = UserFactory(name="别站老师")
    assign(other_staff, Role.STATION_STAFF, station=other_station)
    volunteer = UserFactory(name="童伴妈妈")
    assign(volunteer, Role.VOLUNTEER, region=region)
    return {
        "station": station,
        "strand": strand,
        "staff": staff,
        "parent": parent,
        "child": child,
        "others": [other_parent, other_staff, volunteer],
    }


@pytest.mark.e2e
def test_parent_sees_the_day_live_and_answers(live_server, browser, world):
    expect = playwright_api.expect
    child = world["child"]
    parent_page = signed_in_page(browser, live_server, world["parent"])
    parent_page.goto(f"{live_server.url}/childcare/children/{child.pk}/")
    expect(parent_page.get_by_test_id("photos")).to_contain_text("今天还没有照片")

    staff_page = signed_in_page(browser, live_server, world["staff"])
    staff_page.goto(f"{live_server.url}/childcare/staff/children/{child.pk}/")
    meal = staff_page.get_by_test_id("form-meal")
    meal.locator("select[name='meal-meal']").select_option("lunch")
    meal.locator("select[name='meal-amount']").select_option("all")
    meal.locator("button[type=submit]").click()
    expect(staff_page.locator(".alert-success")).to_be_visible()

    staff_page.goto(f"{live_server.url}/childcare/staff/stations/{world['station'].pk}/photos/")
    form = staff_page.get_by_test_id("photo-form")
    form.locator("input[name=image]").set_input_files(
        files=[{"name": "garden.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
    )
    form.locator(f"input[name=children][value='{child.pk}']").check()
    form.locator("select[name=strand]").select_option(str(world["strand"].pk))
    form.locator("input[name=caption]").fill("在后院摘青菜")
    form.locator("button[type=submit]").click()
    expect(staff_page.locator(".alert-success")).to_be_visible()

    # The parent's page, still open and never reloaded, shows the meal and the photo.
    today = parent_page.get_by_test_id("today")
    expect(today).to_contain_text("全部吃完", timeout=LIVE_WAIT_MS)
    photos = parent_page.get_by_test_id("photos")
    expect(photos).to_contain_text("在后院摘青菜", timeout=LIVE_WAIT_MS)
    expect(photos).to_contain_text("农耕实践")
    image = photos.locator("img").first
    expect(image).to_be_visible()
    parent_page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    parent_page.screenshot(path="docs/screenshots/childcare-live-day.png", full_page=True)

    # The stored file has no location and no camera data.
    photo = Photo.objects.get()
    with photo.image.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        assert not stored.getexif().get_ifd(GPS_IFD)
        assert len(stored.getexif()) == 0

    # Another parent, another station's staff and a volunteer get 404 for the photo's URL.
    photo_url = f"{live_server.url}/childcare/photos/{photo.pk}/"
    assert parent_page.request.get(photo_url).status == 200
    for user in world["others"]:
        other = signed_in_page(browser, live_server, user)
        assert other.request.get(photo_url).status == 404, user
        other.context.close()

    # The parent answers in the thread.
    parent_page.get_by_role("link", name="打开对话").click()
    parent_page.locator("textarea[name=text]").fill("谢谢老师！她在家也爱吃青菜。")
    parent_page.get_by_test_id("message-form").locator("button[type=submit]").click()
    expect(parent_page.get_by_test_id("thread")).to_contain_text("她在家也爱吃青菜")
    assert Message.objects.filter(child=child, from_staff=False).count() == 1

    # The staff see the thread unread, and reading it clears the count.
    staff_page.goto(f"{live_server.url}/childcare/staff/stations/{world['station'].pk}/messages/")
    threads = staff_page.get_by_test_id("threads")
    expect(threads.get_by_test_id("thread-unread")).to_contain_text("1")
    threads.get_by_role("link", name=child.name).click()
    expect(staff_page.get_by_test_id("thread")).to_contain_text("她在家也爱吃青菜")
    staff_page.goto(f"{live_server.url}/childcare/staff/stations/{world['station'].pk}/messages/")
    expect(staff_page.get_by_test_id("thread-unread")).to_have_count(0)
