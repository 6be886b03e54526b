"""In a real browser: the demo county official of Lancang opens the county dashboard, drills
down to Nadeng community and downloads its monthly report as a PDF."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from portal.accounts.demo import demo_user
from tests.e2e.browser import signed_in_context

SCREENSHOT = Path(settings.BASE_DIR) / "docs" / "screenshots" / "county-dashboard.png"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_county_official_drills_down_to_nadeng_and_downloads_the_monthly_pdf(
    browser, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    context = signed_in_context(
        browser,
        live_server.url,
        demo_user("county_official"),
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    page = context.new_page()

    page.goto(f"{live_server.url}/")
    page.wait_for_url("**/dashboards/530828/")
    assert page.get_by_test_id("value-cw_left_behind").inner_text() == "1,260"
    assert page.get_by_test_id("value-cw_in_distress").inner_text() == "241"
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length > 0")
    page.wait_for_timeout(300)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.get_by_test_id("drilldown").get_by_role("link", name="娜登社区").click()
    page.wait_for_url("**/dashboards/nadeng/**")
    crumbs = page.get_by_test_id("breadcrumb").inner_text()
    assert "澜沧拉祜族自治县" in crumbs and "娜登社区" in crumbs
    assert "扎约" not in page.content()  # a resident's name never reaches an official's page

    page.locator("#main").get_by_role("link", name="月度报告").click()
    page.wait_for_url("**/reports/**")
    assert page.get_by_label("行政区划").input_value() == "nadeng"
    page.get_by_role("button", name="生成报告").click()
    page.get_by_test_id("download-pdf").wait_for(timeout=60_000)
    with page.expect_download() as download_info:
        page.get_by_test_id("download-pdf").click()
    target = tmp_path / "nadeng.pdf"
    download_info.value.save_as(target)
    assert target.read_bytes()[:5] == b"%PDF-"
    assert download_info.value.suggested_filename.startswith("nadeng-")
    context.close()
