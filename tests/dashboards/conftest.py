import pytest
from django.core.cache import cache

from communities.models import Premises, Region
from portal import months
from portal.dashboards import rollup
from tests.factories import CommunityFactory, PremisesFactory, RegionFactory


@pytest.fixture(autouse=True)
def empty_cache():
    """Rendered dashboard pages are cached; every test starts without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def town(county):
    return RegionFactory(code="test-town", name="测试镇", level=Region.Level.TOWN, parent=county)


@pytest.fixture
def town_community(town):
    region = RegionFactory(
        code="town-community", name="镇里社区", level=Region.Level.COMMUNITY, parent=town
    )
    return CommunityFactory(region=region, population=5000)


@pytest.fixture
def county_tree(community, town_community, other_community):
    """The county: `community` (20,000) directly below it and `town_community` (5,000) in a town."""
    PremisesFactory(community=community, name="服务中心一楼", area_m2=200)
    PremisesFactory(
        community=community,
        name="老年活动室",
        area_m2=80,
        status=Premises.Status.IN_USE,
        used_by="日间照料中心",
    )
    PremisesFactory(community=town_community, name="镇社区用房", area_m2=150)
    PremisesFactory(community=other_community, name="他县用房", area_m2=999)
    return community.region.parent


@pytest.fixture
def refreshed(county_tree):
    rollup.refresh_month(months.current_month())
    return county_tree
