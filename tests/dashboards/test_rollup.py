from portal import months
from portal.dashboards import rollup
from portal.dashboards.models import RegionIndicator


def _value(region, key):
    return RegionIndicator.objects.get(region=region, month=months.current_month(), key=key)


def test_population_of_a_region_is_the_sum_over_its_subtree(refreshed, city, town):
    assert _value(refreshed, "population").value == 25000
    assert _value(town, "population").value == 5000
    assert _value(city, "population").value == 33000


def test_free_premises_are_counted_over_the_subtree_only(refreshed, town, other_county):
    assert _value(refreshed, "pr_free").value == 3
    assert _value(refreshed, "pr_free_available").value == 2
    assert _value(refreshed, "pr_free_in_use").value == 1
    assert _value(refreshed, "pr_free_area").value == 430
    assert _value(town, "pr_free_available").value == 1
    assert _value(other_county, "pr_free_area").value == 999


def test_refreshing_twice_keeps_one_row_per_region_month_and_key(refreshed):
    before = RegionIndicator.objects.count()
    rollup.refresh_month(months.current_month())
    assert RegionIndicator.objects.count() == before
    assert RegionIndicator.objects.filter(region=refreshed, key="population").count() == 1


def test_refresh_picks_up_changes(refreshed, community):
    community.population = 30000
    community.save()
    rollup.refresh_month(months.current_month())
    assert _value(refreshed, "population").value == 35000


def test_refresh_task_runs_the_rollup(county_tree):
    from portal.dashboards.tasks import refresh_rollups

    refresh_rollups.delay()
    assert _value(county_tree, "population").value == 25000
