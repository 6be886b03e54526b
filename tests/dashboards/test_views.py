import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from communities.models import Region
from portal import months
from portal.dashboards import indicators, rollup
from tests.factories import (
    CommunityFactory,
    PremisesFactory,
    RegionFactory,
    ResidentFactory,
)


def _url(code, **query):
    url = reverse("dashboards:region", args=[code])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def test_official_home_redirects_to_own_region(client, official, county):
    client.force_login(official)
    response = client.get(reverse("dashboards:home"))
    assert response.status_code == 302
    assert response.url == _url(county.code)


def test_home_without_an_official_role_is_404(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("dashboards:home")).status_code == 404


def test_official_sees_the_county_figures_and_breadcrumb(client, official, refreshed, town):
    client.force_login(official)
    response = client.get(_url(refreshed.code))
    assert response.status_code == 200
    html = response.content.decode()
    assert "测试市" in html  # the city, in the breadcrumb
    assert reverse("dashboards:region", args=[town.code]) in html  # drill-down link
    assert 'data-testid="value-pr_free_available">2<' in html


def test_drill_down_to_a_community_shows_its_own_figures(client, official, refreshed, town):
    client.force_login(official)
    response = client.get(_url("town-community"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="value-pr_free_available">1<' in html
    assert "测试县" in html and "测试镇" in html  # breadcrumb back up


@pytest.mark.parametrize("persona", ["official", "outsider", "parent", "community_staff"])
def test_other_county_dashboard_is_404(client, request, persona, refreshed, other_county):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_url(other_county.code))
    assert response.status_code == 404
    assert "他县" not in response.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "parent", "community_staff", "volunteer"])
def test_non_officials_cannot_open_the_county_dashboard(client, request, persona, refreshed):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(refreshed.code)).status_code == 404


@pytest.mark.parametrize("persona", ["official", "outsider", "parent"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_other_county_export_is_404(client, request, persona, fmt, refreshed, other_county):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("dashboards:region_export", args=[other_county.code, "summary", fmt])
    assert client.get(url).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, refreshed):
    response = client.get(_url(refreshed.code))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_unknown_region_code_gives_a_clear_message(client, official):
    client.force_login(official)
    response = client.get(_url("no-such-place"))
    assert response.status_code == 404
    assert "no-such-place" in response.content.decode()
    assert 'data-testid="dashboard-problem"' in response.content.decode()


@pytest.mark.parametrize("month", ["2024-13", "yesterday", "2024-1", "1999-12", "2999-01"])
def test_bad_month_gives_a_clear_message(client, official, refreshed, month):
    client.force_login(official)
    response = client.get(_url(refreshed.code, month=month))
    assert response.status_code == 400
    assert 'data-testid="dashboard-problem"' in response.content.decode()


def test_a_month_without_figures_says_so(client, official, refreshed):
    client.force_login(official)
    response = client.get(_url(refreshed.code, month="2020-01"))
    assert response.status_code == 200
    assert "2020-01" in response.content.decode()
    assert 'data-testid="value-' not in response.content.decode()


def test_no_resident_name_appears_on_the_dashboard(client, official, refreshed, community):
    ResidentFactory(household__community=community, name="王小明")
    rollup.refresh_month(months.current_month())
    client.force_login(official)
    html = client.get(_url(refreshed.code)).content.decode()
    assert "王小明" not in html


def test_csv_export_has_the_table_rows(client, official, refreshed):
    client.force_login(official)
    url = reverse("dashboards:region_export", args=[refreshed.code, "premises", "csv"])
    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = {row[1] for row in rows[1:]}
    assert names == {"服务中心一楼", "老年活动室", "镇社区用房"}


def test_xlsx_export_has_the_table_rows(client, official, refreshed):
    client.force_login(official)
    url = reverse("dashboards:region_export", args=[refreshed.code, "summary", "xlsx"])
    response = client.get(url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = {row[1]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    with translation.override("zh-hans"):
        label = str(indicators.BY_KEY["pr_free_available"].label)
    assert values[label] == "2"


def test_unknown_export_table_is_404(client, official, refreshed):
    client.force_login(official)
    url = reverse("dashboards:region_export", args=[refreshed.code, "residents", "csv"])
    assert client.get(url).status_code == 404


def test_refresh_button_recomputes_the_figures(
    client, official, county_tree, django_capture_on_commit_callbacks
):
    client.force_login(official)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboards:region_refresh", args=[county_tree.code]))
    assert response.status_code == 302
    html = client.get(_url(county_tree.code)).content.decode()
    assert 'data-testid="value-pr_free_available">2<' in html


def test_refresh_of_another_county_is_404(client, official, other_county):
    client.force_login(official)
    url = reverse("dashboards:region_refresh", args=[other_county.code])
    assert client.post(url).status_code == 404


def _grow(county, size):
    """Add `size` towns with two communities each, premises and residents, then refresh."""
    for i in range(size):
        town = RegionFactory(
            code=f"grow-town-{i}", name=f"扩镇{i}", level=Region.Level.TOWN, parent=county
        )
        for j in range(2):
            region = RegionFactory(
                code=f"grow-{i}-{j}",
                name=f"扩社区{i}-{j}",
                level=Region.Level.COMMUNITY,
                parent=town,
            )
            community = CommunityFactory(region=region, population=1000 * (i + j + 1))
            PremisesFactory(community=community)
            ResidentFactory(household__community=community)
    rollup.refresh_month(months.current_month())
    rollup.refresh_month(months.previous_month(months.current_month()))


@pytest.mark.parametrize("size", [1, 12])
def test_dashboard_query_count_does_not_grow_with_the_data(
    client, official, refreshed, size, django_assert_num_queries
):
    _grow(refreshed, size)
    client.force_login(official)
    with django_assert_num_queries(12):
        response = client.get(_url(refreshed.code))
    assert response.status_code == 200
    assert response.content.decode().count("扩镇") >= size
    # The second view of the same figures is served from the cache.
    with django_assert_num_queries(2):
        again = client.get(_url(refreshed.code))
    assert _without_csrf(again) == _without_csrf(response)


def _without_csrf(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def test_refresh_shows_new_figures_despite_the_page_cache(client, official, refreshed, community):
    client.force_login(official)
    assert "25,000" in client.get(_url(refreshed.code)).content.decode()
    community.population = 30000
    community.save()
    rollup.refresh_month(months.current_month())
    assert "30,000" in client.get(_url(refreshed.code)).content.decode()


@pytest.mark.parametrize("size", [1, 12])
def test_export_query_count_does_not_grow_with_the_data(
    client, official, refreshed, size, django_assert_num_queries
):
    _grow(refreshed, size)
    client.force_login(official)
    url = reverse("dashboards:region_export", args=[refreshed.code, "parts", "xlsx"])
    client.get(url)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200


# --- a month the calendar does not have -----------------------------------------------


def test_year_zero_on_the_dashboard_gives_a_clear_message(client, official, refreshed):
    client.force_login(official)
    response = client.get(reverse("dashboards:region", args=[refreshed.code]), {"month": "0000-05"})
    assert response.status_code == 400
    assert 'data-testid="dashboard-problem"' in response.content.decode()
