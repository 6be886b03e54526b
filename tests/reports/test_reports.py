import datetime
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import Role
from portal.notifications.models import Notification
from portal.reports import tasks
from portal.reports.models import MonthlyReport
from portal.reports.services import monthly_report_request
from tests.factories import UserFactory, assign

MONTH = datetime.date(2026, 10, 1)


@pytest.fixture
def generate(django_capture_on_commit_callbacks):
    def run(region, month=MONTH, by=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return monthly_report_request(region=region, month=month, by=by, **kwargs)

    return run


def test_report_is_built_as_xlsx_and_pdf(generate, county_tree, official):
    report = generate(county_tree, by=official)
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.READY
    assert report.progress == 100
    assert report.attempts == 1
    assert report.xlsx.read()[:2] == b"PK"
    assert report.pdf.read()[:5] == b"%PDF-"


def test_requesting_the_same_region_and_month_twice_gives_one_report(
    generate, county_tree, official
):
    first = generate(county_tree, by=official)
    second = generate(county_tree, by=official)
    assert first.pk == second.pk
    assert MonthlyReport.objects.filter(region=county_tree, month=MONTH).count() == 1


def test_posting_the_form_twice_gives_one_report(client, official, county_tree):
    client.force_login(official)
    data = {"region": county_tree.code, "month": "2026-10"}
    first = client.post(reverse("reports:report_request"), data)
    second = client.post(reverse("reports:report_request"), data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert MonthlyReport.objects.count() == 1


def test_officials_of_the_region_and_above_are_notified(generate, county_tree, official, city):
    city_official = UserFactory()
    assign(city_official, Role.OFFICIAL, region=city)
    other_official = UserFactory()
    assign(other_official, Role.OFFICIAL, region=city.children.get(code="other-county"))
    report = generate(county_tree)
    notified = set(
        Notification.objects.filter(kind=Notification.Kind.REPORT).values_list(
            "recipient_id", flat=True
        )
    )
    assert notified == {official.pk, city_official.pk}
    note = Notification.objects.filter(recipient=official).get()
    assert note.link == reverse("reports:report_detail", args=[report.pk])


def test_unwritable_storage_is_retried_then_marked_failed_with_the_reason(
    generate, county_tree, official, settings, tmp_path
):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker / "media"
    report = generate(county_tree, by=official)
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.FAILED
    assert report.attempts == tasks.MAX_RETRIES + 1
    assert "NotADirectoryError" in report.error or "FileExistsError" in report.error
    assert not report.xlsx and not report.pdf
    assert Notification.objects.filter(recipient=official, kind="report").count() == 1


def test_a_failed_report_can_be_asked_for_again(
    generate, county_tree, official, settings, tmp_path
):
    good_root = settings.MEDIA_ROOT
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker / "media"
    generate(county_tree, by=official)
    settings.MEDIA_ROOT = good_root
    report = generate(county_tree, by=official)
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.READY
    assert report.error == ""


def test_a_ready_report_is_not_rebuilt_by_a_duplicate_task(generate, county_tree):
    report = generate(county_tree)
    assert tasks.generate_monthly_report.delay(report.pk).get() == "skipped"
    report.refresh_from_db()
    assert report.attempts == 1


def test_pdf_renders_the_chinese_text_in_an_embedded_cjk_font(generate, county_tree, tmp_path):
    report = generate(county_tree)
    report.refresh_from_db()
    path = tmp_path / "report.pdf"
    path.write_bytes(report.pdf.read())
    fonts = _run("pdffonts", path)
    assert "WenQuanYi" in fonts  # embedded, so the characters are glyphs, not boxes
    text = _run("pdftotext", path, "-")
    assert "测试县" in text
    assert "2026年10月" in text  # the month as Chinese writes it


def _run(*command: object) -> str:
    return subprocess.run(  # noqa: S603 - fixed poppler tools on a temporary file
        [shutil.which(str(command[0])), *map(str, command[1:])],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


def test_monthly_schedule_asks_for_last_month_for_every_region_with_officials(
    county_tree, official, other_county, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        count = tasks.schedule_monthly_reports.delay().get()
    assert count == 1
    report = MonthlyReport.objects.get()
    assert report.region == county_tree
    assert report.month.day == 1 and report.month < timezone.localdate().replace(day=1)
    assert report.status == MonthlyReport.Status.READY


@pytest.mark.parametrize("persona", ["official", "outsider", "parent"])
def test_other_county_report_pages_and_files_are_404(
    client, request, persona, generate, other_county, other_community
):
    report = generate(other_county)
    client.force_login(request.getfixturevalue(persona))
    for url in (
        reverse("reports:report_detail", args=[report.pk]),
        reverse("reports:report_progress", args=[report.pk]),
        reverse("reports:report_download", args=[report.pk, "pdf"]),
        reverse("reports:report_download", args=[report.pk, "xlsx"]),
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("persona", ["official", "outsider", "parent"])
def test_cannot_ask_for_another_countys_report(client, request, persona, other_county):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        reverse("reports:report_request"), {"region": other_county.code, "month": "2026-10"}
    )
    assert response.status_code in (400, 404)
    assert not MonthlyReport.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "parent", "community_staff"])
def test_reports_page_is_404_for_non_officials(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("reports:report_list")).status_code == 404


@pytest.mark.parametrize("month", ["2026-13", "October", "", "2999-01"])
def test_bad_month_gives_a_clear_message_and_creates_nothing(client, official, county, month):
    client.force_login(official)
    response = client.post(
        reverse("reports:report_request"), {"region": county.code, "month": month}
    )
    assert response.status_code == 400
    assert 'class="invalid-feedback' in response.content.decode() or "is-invalid" in (
        response.content.decode()
    )
    assert not MonthlyReport.objects.exists()


def test_official_downloads_own_report(client, official, generate, county_tree):
    report = generate(county_tree)
    client.force_login(official)
    page = client.get(reverse("reports:report_detail", args=[report.pk]))
    assert 'data-testid="download-pdf"' in page.content.decode()
    response = client.get(reverse("reports:report_download", args=[report.pk, "pdf"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"


def test_progress_fragment_polls_while_the_report_is_being_made(client, official, county):
    report = MonthlyReport.objects.create(region=county, month=MONTH, progress=40, status="running")
    client.force_login(official)
    html = client.get(reverse("reports:report_progress", args=[report.pk])).content.decode()
    assert "hx-trigger" in html and "40%" in html


def test_reports_page_lists_only_the_officials_own_regions(
    client, official, generate, county_tree, other_county, other_community
):
    own = generate(county_tree)
    other = generate(other_county)
    client.force_login(official)
    html = client.get(reverse("reports:report_list")).content.decode()
    assert reverse("reports:report_detail", args=[own.pk]) in html
    assert reverse("reports:report_detail", args=[other.pk]) not in html
    assert "他县" not in html


# --- a month the calendar does not have -----------------------------------------------


@pytest.mark.django_db
def test_year_zero_on_the_report_request_is_a_form_error(client, official, county):
    client.force_login(official)
    response = client.post(
        reverse("reports:report_request"), {"region": county.code, "month": "0000-05"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["month"]


# --- a region parameter that is no region code ----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["a\x00b", "ÄÖ", "../x", "no-such-region"])
def test_report_list_with_an_odd_region_filter_lists_nothing(client, official, county, value):
    MonthlyReport.objects.create(region=county, month="2026-01-01")
    client.force_login(official)
    response = client.get(reverse("reports:report_list"), {"region": value})
    assert response.status_code == 200
    assert list(response.context["reports"]) == []


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["a\x00b", "no-such-region"])
def test_report_request_with_an_odd_region_is_a_form_error(client, official, value):
    client.force_login(official)
    response = client.post(reverse("reports:report_request"), {"region": value, "month": "2026-01"})
    assert response.status_code == 400
    assert response.context["form"].errors["region"]
    assert not MonthlyReport.objects.exists()
