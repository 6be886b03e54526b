"""The rollup's figures for a small fixture with stations, facilities, elders and children,
checked by hand: the county sums its own community and the town's, never the other county's."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import months
from portal.dashboards import rollup
from portal.dashboards.models import RegionIndicator
from tests.casework.factories import CaseChildFactory, PairingFactory
from tests.childcare.factories import StationFactory
from tests.eldercare.factories import CareFacilityFactory, ElderFactory


@pytest.fixture
def services(county_tree, community, town_community, other_community):
    lead = StationFactory(
        community=community,
        kind="demonstration",
        licensed_places=15,
        enrolled_count=12,
        inclusive_monthly_price=800,
    )
    StationFactory(community=town_community, kind="branch", network_lead=lead, licensed_places=10)
    StationFactory(community=community, kind="standalone", status="closed", licensed_places=20)
    StationFactory(community=other_community, kind="standalone", licensed_places=30)

    home = CareFacilityFactory(community=community, kind="nursing_home")
    CareFacilityFactory(community=town_community, kind="day_care")
    CareFacilityFactory(community=community, kind="home_care", status="closed")
    for _ in range(3):
        ElderFactory(facility=home, support_category="central")
    ElderFactory(facility=home, support_category="dispersed")
    ElderFactory(facility=home, support_category="central", status="left")
    ElderFactory(
        facility=CareFacilityFactory(community=other_community), support_category="central"
    )

    today = timezone.localdate()
    paired = [CaseChildFactory(community=community) for _ in range(2)]
    for child in paired:
        PairingFactory(child=child)
    CaseChildFactory(
        community=town_community,
        is_in_distress=True,
        distress_family_hardship=True,
        next_visit_due=today - datetime.timedelta(days=5),
    )
    CaseChildFactory(
        community=community, status="closed", closed_at=timezone.now(), closed_reason="已返乡"
    )
    CaseChildFactory(community=other_community)
    rollup.refresh_month(months.current_month())
    return county_tree


def _figure(region, key):
    row = RegionIndicator.objects.get(region=region, month=months.current_month(), key=key)
    return row.value, row.numerator, row.denominator


def test_childcare_figures_of_the_county(services):
    assert _figure(services, "cc_stations")[0] == 2
    assert _figure(services, "cc_stations_demonstration")[0] == 1
    assert _figure(services, "cc_stations_branch")[0] == 1
    assert _figure(services, "cc_stations_standalone")[0] == 0
    assert _figure(services, "cc_stations_in_network")[0] == 2
    assert _figure(services, "cc_places")[0] == 25
    assert _figure(services, "cc_places_per_1000") == (1.0, 25, 25000)
    assert _figure(services, "cc_occupancy") == (48.0, 12, 25)
    assert _figure(services, "cc_inclusive_share") == (60.0, 15, 25)


def test_eldercare_figures_of_the_county(services):
    assert _figure(services, "ec_facilities")[0] == 2
    assert _figure(services, "ec_facilities_nursing_home")[0] == 1
    assert _figure(services, "ec_facilities_community")[0] == 1
    assert _figure(services, "ec_elders_central")[0] == 3
    assert _figure(services, "ec_elders_dispersed")[0] == 1


def test_community_care_figures_of_the_county(services, town):
    assert _figure(services, "cw_left_behind")[0] == 3
    assert _figure(services, "cw_in_distress")[0] == 1
    value, numerator, denominator = _figure(services, "cw_paired_share")
    assert (numerator, denominator) == (2, 3)
    assert value == pytest.approx(66.667, abs=0.01)
    assert _figure(services, "cw_visited_on_time")[1:] == (2, 3)
    assert _figure(services, "cw_visits_overdue")[0] == 1
    assert _figure(town, "cw_in_distress")[0] == 1


def test_gaps_rank_communities_furthest_below_the_target_with_their_free_premises(
    client, official, services
):
    client.force_login(official)
    url = reverse("dashboards:region_export", args=[services.code, "gaps", "csv"])
    lines = client.get(url).content.decode("utf-8-sig").splitlines()[1:]
    assert [line.split(",")[0] for line in lines] == ["测试社区", "镇里社区"]
    # 20,000 residents × 4.5 / 1,000 = 90 places needed, 15 exist.
    assert lines[0].split(",")[4] == "75"
    assert "服务中心一楼" in lines[0] and "老年活动室" not in lines[0]


def test_dashboard_shows_names_of_no_child_or_elder(client, official, services):
    from casework.models import CaseChild
    from eldercare.models import Elder

    client.force_login(official)
    html = client.get(reverse("dashboards:region", args=[services.code])).content.decode()
    names = list(Elder.objects.values_list("name", flat=True)) + list(
        CaseChild.objects.values_list("resident__name", flat=True)
    )
    assert names
    for name in names:
        assert name not in html
