"""Masking, search, pagination and the number of queries each page costs."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Premises, Region
from tests.communities.conftest import _ID_1980, client_for
from tests.communities.factories import valid_id_number
from tests.factories import (
    HouseholdFactory,
    PremisesFactory,
    RegionFactory,
    ResidentFactory,
)

pytestmark = pytest.mark.django_db

MASKED_1980 = "5308**********0017"


# --- masking --------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "detail", "edit", "household"])
def test_id_number_is_masked_on_every_page(staff_client, resident, page):
    url = {
        "list": reverse("communities:resident_list"),
        "detail": reverse("communities:resident_detail", args=[resident.pk]),
        "edit": reverse("communities:resident_edit", args=[resident.pk]),
        "household": reverse("communities:household_detail", args=[resident.household.pk]),
    }[page]
    html = staff_client.get(url).content.decode()
    assert MASKED_1980 in html
    assert _ID_1980 not in html
    # Not even split across the page (e.g. the middle digits on their own).
    assert _ID_1980[4:14] not in html


def test_admin_pages_show_the_number_masked(admin_user, resident):
    client = client_for(admin_user)
    for url in (
        reverse("admin:communities_resident_changelist"),
        reverse("admin:communities_resident_change", args=[resident.pk]),
        reverse("admin:communities_household_change", args=[resident.household.pk]),
    ):
        html = client.get(url).content.decode()
        assert MASKED_1980 in html, url
        assert _ID_1980 not in html, url


def test_admin_finds_resident_by_full_number(admin_user, resident):
    html = (
        client_for(admin_user)
        .get(reverse("admin:communities_resident_changelist"), {"q": _ID_1980})
        .content.decode()
    )
    # The admin's own query is echoed in the search box and filter links; the row is masked.
    assert resident.name in html
    assert MASKED_1980 in html


# --- search ---------------------------------------------------------------------------------


def test_resident_search_by_name_and_phone(staff_client, household):
    ResidentFactory(household=household, name="李小花", phone="13811112222")
    ResidentFactory(household=household, name="王大山", phone="13933334444")
    url = reverse("communities:resident_list")
    html = staff_client.get(url, {"q": "小花"}).content.decode()
    assert "李小花" in html and "王大山" not in html
    html = staff_client.get(url, {"q": "3333"}).content.decode()
    assert "王大山" in html and "李小花" not in html


def test_household_search_by_address(staff_client, community):
    HouseholdFactory(community=community, address="晨北小区5栋")
    HouseholdFactory(community=community, address="南屏街8号")
    html = staff_client.get(reverse("communities:household_list"), {"q": "晨北"}).content.decode()
    assert "晨北小区5栋" in html and "南屏街8号" not in html


def test_search_does_not_reach_other_communities(staff_client, household, other_community):
    ResidentFactory(household=HouseholdFactory(community=other_community), name="李小花")
    html = staff_client.get(reverse("communities:resident_list"), {"q": "李"}).content.decode()
    assert "李小花" not in html


def test_premises_filter_by_status_and_terms(staff_client, community):
    PremisesFactory(community=community, name="空房", status=Premises.Status.AVAILABLE)
    PremisesFactory(community=community, name="用着的房", status=Premises.Status.IN_USE)
    PremisesFactory(community=community, name="出租房", terms=Premises.Terms.RENT, monthly_rent=900)
    url = reverse("communities:premises_list")
    html = staff_client.get(url, {"status": "in_use"}).content.decode()
    assert "用着的房" in html and "空房" not in html
    html = staff_client.get(url, {"terms": "rent"}).content.decode()
    assert "出租房" in html and "空房" not in html


@pytest.mark.parametrize(
    "params",
    [{"status": "bogus"}, {"terms": "x" * 500}, {"page": "abc"}, {"page": "99999"}]
    + [{"community": "abc"}, {"community": "-1"}, {"community": "9" * 30}],
)
def test_odd_query_parameters_never_500(staff_client, premises, params):
    for name in ("premises_list", "household_list", "resident_list"):
        response = staff_client.get(reverse(f"communities:{name}"), params)
        assert response.status_code == 200


# --- pagination -----------------------------------------------------------------------------


def test_resident_list_is_paginated(staff_client, household):
    for i in range(30):
        ResidentFactory(household=household, name=f"居民{i:02d}")
    url = reverse("communities:resident_list")
    first = staff_client.get(url).content.decode()
    second = staff_client.get(url, {"page": 2}).content.decode()
    assert "居民00" in first and "居民29" not in first
    assert "居民29" in second and "居民00" not in second
    assert re.search(r"第\s*1\s*页，共\s*2\s*页", first)


def test_household_list_pagination_keeps_the_search(staff_client, community):
    for i in range(30):
        HouseholdFactory(community=community, address=f"晨北{i:02d}号")
    html = staff_client.get(reverse("communities:household_list"), {"q": "晨北"}).content.decode()
    assert "q=%E6%99%A8%E5%8C%97&amp;page=2" in html or "page=2&amp;q=" in html


# --- query counts ---------------------------------------------------------------------------


def _fill(community, n):
    for i in range(n):
        household = HouseholdFactory(community=community)
        ResidentFactory(
            household=household,
            id_number=valid_id_number(datetime.date(1990, 1, 1)),
            phone=f"1390000{i:04d}",
        )
        PremisesFactory(
            community=community,
            status=[Premises.Status.AVAILABLE, Premises.Status.IN_USE][i % 2],
        )


LIST_PAGES = [
    "communities:staff_home",
    "communities:community_list",
    "communities:household_list",
    "communities:resident_list",
    "communities:premises_list",
]


def _queries_for(client, url):
    client.get(url)  # the first page after sign-in fills the cache (user, roles, unread count)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", LIST_PAGES)
def test_list_pages_cost_the_same_queries_at_two_sizes(
    staff_client, community, url_name, django_assert_num_queries
):
    url = reverse(url_name)
    _fill(community, 2)
    small = _queries_for(staff_client, url)
    _fill(community, 20)
    with django_assert_num_queries(small):
        assert staff_client.get(url).status_code == 200


def test_staff_home_counts(staff_client, community):
    _fill(community, 3)
    html = staff_client.get(reverse("communities:staff_home")).content.decode()
    assert 'data-testid="households">3<' in html
    assert 'data-testid="residents">3<' in html
    assert 'data-testid="premises-available">2<' in html
    assert 'data-testid="premises-in-use">1<' in html


def test_detail_pages_cost_the_same_queries_at_two_sizes(
    staff_client, community, household, django_assert_num_queries
):
    url = reverse("communities:household_detail", args=[household.pk])
    ResidentFactory(household=household)
    small = _queries_for(staff_client, url)
    for _ in range(10):
        ResidentFactory(household=household)
    with django_assert_num_queries(small):
        staff_client.get(url)
    url = reverse("communities:community_detail", args=[community.pk])
    small = _queries_for(staff_client, url)
    _fill(community, 10)
    with django_assert_num_queries(small):
        staff_client.get(url)


# --- region tree ----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1, 3, 8])
def test_region_subtree_is_one_query_at_any_depth(city, django_assert_num_queries, depth):
    parent = city
    chain = [city]
    for i in range(depth):
        parent = RegionFactory(code=f"d{depth}-{i}", level=Region.Level.TOWN, parent=parent)
        chain.append(parent)
    RegionFactory(code="elsewhere", level=Region.Level.COUNTY)
    with django_assert_num_queries(1):
        codes = list(Region.objects.subtree(city).values_list("code", flat=True))
    assert set(codes) == {r.code for r in chain}
    with django_assert_num_queries(1):
        below = list(Region.objects.subtree(chain[-1]))
    assert below == [chain[-1]]


def test_out_of_range_ids_are_404_not_500(staff_client):
    huge = 10**30
    for name in ("household_detail", "resident_edit", "premises_detail", "community_detail"):
        response = staff_client.get(reverse(f"communities:{name}", args=[huge]))
        assert response.status_code == 404


def test_out_of_range_choice_posted_is_a_form_error(staff_client, community):
    response = staff_client.post(
        reverse("communities:household_create"), {"community": "9" * 30, "address": "x"}
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()


# --- odd numbers in filters answer normally, never a 500 ------------------------------


# "²" passes str.isdigit() but int() refuses it; the last is beyond any database integer.
ODD_NUMBERS = ["²", "١٢", "99999999999999999999999", "-1", "1.5"]


@pytest.mark.parametrize("value", ODD_NUMBERS)
@pytest.mark.parametrize(
    "url_name,param",
    [
        ("communities:household_list", "community"),
        ("communities:premises_list", "community"),
        ("communities:household_create", "community"),
        ("communities:premises_create", "community"),
        ("communities:resident_create", "household"),
    ],
)
def test_odd_number_in_a_filter_is_not_a_server_error(
    client, community_staff, url_name, param, value
):
    client.force_login(community_staff)
    response = client.get(reverse(url_name), {param: value})
    assert response.status_code == 200
