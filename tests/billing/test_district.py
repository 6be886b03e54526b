"""What the district sees of fees: sums on the dashboards, never a family's statement; and the
demo station's three months of statements, as the county dashboard shows them."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from billing import demo as billing_demo
from billing.models import Payment, Statement
from billing.services import price_list_save, statements_issue_for_month
from childcare import demo as childcare_demo
from childcare.models import Child
from communities import demo as communities_demo
from communities.models import Premises
from portal.accounts.demo import demo_user
from portal.dashboards import rollup
from portal.dashboards.models import RegionIndicator
from portal.months import current_month, previous_month
from tests.billing.factories import enrol
from tests.childcare.factories import child_of, login
from tests.factories import PremisesFactory

BEIJING = ZoneInfo("Asia/Shanghai")
NOVEMBER = datetime.date(2026, 11, 1)
OCTOBER = datetime.date(2026, 10, 1)
OCTOBER_FIRST_MORNING = datetime.datetime(2026, 10, 1, 9, 0, tzinfo=BEIJING)


@pytest.fixture
def november_statements(station, station_staff, parent, other_parent, community):
    """Two children at a station with a 1,100 yuan place under a 1,200 ceiling and a 300 yuan
    subsidy for every child: November issued on 1 December."""
    from billing.models import SubsidyCategory

    every = SubsidyCategory.objects.create(code="all", name="普惠托育补贴", for_every_child=True)
    mine = child_of(parent, community)
    theirs = child_of(other_parent, community)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 1, 30, tzinfo=BEIJING), tick=False):
        price_list_save(
            station=station,
            valid_from=NOVEMBER,
            monthly_price=Decimal("1100.00"),
            inclusive_ceiling=Decimal("1200.00"),
            subsidies={every: Decimal("300.00")},
            by=station_staff,
        )
        for child in (mine, theirs):
            enrol(child, station, station_staff, OCTOBER, OCTOBER_FIRST_MORNING)
        statements_issue_for_month(month=NOVEMBER)
        rollup.refresh_month(NOVEMBER)
    return Statement.objects.get(child=mine), Statement.objects.get(child=theirs)


def figure(region, key: str) -> RegionIndicator:
    return RegionIndicator.objects.get(region=region, month=NOVEMBER, key=key)


@pytest.mark.django_db
def test_the_county_sees_what_subsidies_cost_and_what_families_pay(
    november_statements, county, community
):
    subsidies = figure(county, "fe_subsidies")
    assert subsidies.value == 600.0  # two children × 300 yuan
    per_child = figure(county, "fe_subsidy_per_child")
    assert (per_child.value, per_child.numerator, per_child.denominator) == (300.0, 600, 2)
    assert figure(county, "fe_net_price").value == 800.0  # 1,100 − 300
    assert figure(county, "fe_ceiling").value == 1200.0
    assert figure(county, "fe_net_to_ceiling").value == pytest.approx(100 * 1600 / 2400)
    assert figure(county, "fe_billed").value == 1600.0
    # The community's own figures are the same: it is the county's only one with a station.
    assert figure(community.region, "fe_subsidies").value == 600.0


@pytest.mark.django_db
@override_settings(BILLING_REFERENCE_RENT_PER_M2=Decimal("25.00"))
def test_free_premises_and_rent_relief_are_valued_at_the_reference_rent(county, community):
    PremisesFactory(community=community, area_m2=Decimal("150.0"), terms="free")
    PremisesFactory(community=community, area_m2=Decimal("100.0"), terms="free", status="in_use")
    # Let at 1,000 a month where the reference rent would be 2,500: 1,500 a month relieved.
    PremisesFactory(
        community=community, area_m2=Decimal("100.0"), terms="rent", monthly_rent=Decimal("1000")
    )
    # Let above the reference rent: no relief, and never a negative one.
    PremisesFactory(
        community=community, area_m2=Decimal("10.0"), terms="rent", monthly_rent=Decimal("900")
    )
    rollup.refresh_month(NOVEMBER)
    assert figure(county, "pr_free_value").value == 250 * 25 * 12
    assert figure(county, "pr_rent_relief").value == 1500 * 12


@pytest.mark.django_db
def test_an_official_sees_the_sums_and_no_statement(client, official, november_statements):
    mine, _theirs = november_statements
    login(client, official)
    assert client.get(mine.get_absolute_url()).status_code == 404
    listing = client.get("/fees/")
    assert listing.status_code == 200
    assert mine.child.name not in listing.content.decode()

    page = client.get("/dashboards/test-county/?month=2026-11")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="value-fe_subsidies">600<' in html
    assert 'data-testid="table-parts_fees"' in html
    assert mine.child.name not in html


@pytest.mark.django_db
def test_a_parent_sees_their_own_statements_only(client, parent, november_statements):
    mine, theirs = november_statements
    login(client, parent)
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    listing = client.get("/fees/").content.decode()
    assert mine.get_absolute_url() in listing
    assert theirs.get_absolute_url() not in listing


@pytest.mark.django_db
def test_the_demo_families_have_three_months_and_the_district_sees_them(client):
    out = io.StringIO()
    communities_demo.seed(out)
    childcare_demo.seed(out)
    billing_demo.seed(out)
    counts = (Statement.objects.count(), Payment.objects.count())
    billing_demo.seed(out)
    assert (Statement.objects.count(), Payment.objects.count()) == counts

    last = previous_month(current_month())
    months = [previous_month(previous_month(last)), previous_month(last), last]
    (child,) = Child.objects.of_guardian(demo_user("parent"))
    mine = Statement.objects.filter(child=child).order_by("month")
    assert [s.month for s in mine] == months
    for statement in mine:
        assert statement.total == sum(line.amount for line in statement.lines.all())
    station = Statement.objects.first().station
    assert station.name == childcare_demo.MAIN
    # Every enrolled child of the station has a statement for each of the three months.
    for month in months:
        assert Statement.objects.filter(station=station, month=month).count() >= 12

    rollup.refresh_month(last)
    client.force_login(demo_user("city_official"))
    page = client.get(f"/dashboards/530802/?month={last:%Y-%m}").content.decode()
    subsidies = sum(s.subsidy_total for s in Statement.objects.filter(month=last))
    assert subsidies > 0
    assert f'data-testid="value-fe_subsidies">{round(subsidies):,}<' in page
    assert 'data-testid="value-pr_free_value">' in page
    chamagudao = RegionIndicator.objects.get(
        region=station.community.region, month=last, key="pr_free_value"
    )
    assert chamagudao.value == float(
        sum(p.area_m2 for p in Premises.objects.lent_free().filter(community=station.community))
        * 20
        * 12
    )


@pytest.mark.django_db
def test_the_monthly_report_carries_the_fee_figures(november_statements, county):
    from openpyxl import load_workbook

    from portal.dashboards.selectors import dashboard_for
    from portal.reports.build import report_xlsx

    workbook = load_workbook(io.BytesIO(report_xlsx(dashboard_for(county, NOVEMBER))))
    rows = [[cell.value for cell in row] for row in workbook["parts_fees"].iter_rows()]
    assert rows[1][0] == county.name
    assert rows[1][1] == "600"  # subsidies paid, whole yuan
    summary = [[cell.value for cell in row] for row in workbook["summary"].iter_rows()]
    assert any(row[2] == "800.00" for row in summary)  # the average net price
