from communities.models import Region
from tests.factories import RegionFactory


def test_region_subtree_is_one_query(django_assert_num_queries, county, community):
    town = RegionFactory(code="t1", level=Region.Level.TOWN, parent=county)
    deep = RegionFactory(code="c1", level=Region.Level.COMMUNITY, parent=town)
    with django_assert_num_queries(1):
        codes = set(Region.objects.subtree(county).values_list("code", flat=True))
    assert codes == {"test-county", "test-community", "t1", "c1"}
    assert deep.path == "/test-city/test-county/t1/c1/"
