"""Signed-in users land on their role's start page; visitors see the public front page."""

import pytest
from django.apps import apps
from django.urls import reverse

from portal.accounts.models import Role
from portal.views import ROLE_START_PAGES
from tests.factories import UserFactory, assign

pytestmark = pytest.mark.django_db


def user_with_role(role: str, community) -> object:
    user = UserFactory()
    if role in (Role.COMMUNITY_STAFF, Role.VOLUNTEER, Role.OFFICIAL):
        assign(user, role, region=community.region)
    elif role == Role.STATION_STAFF:
        station = apps.get_model("childcare", "Station").objects.create(
            name="测试托育驿站", community=community
        )
        assign(user, role, station=station)
    elif role == Role.FACILITY_STAFF:
        facility = apps.get_model("eldercare", "CareFacility").objects.create(
            name="测试日间照料中心", community=community
        )
        assign(user, role, facility=facility)
    else:
        assign(user, role)
    return user


@pytest.mark.parametrize(("role", "url_name"), ROLE_START_PAGES)
def test_each_role_lands_on_its_start_page(client, community, role, url_name):
    client.force_login(user_with_role(role, community))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(url_name)


def test_every_role_has_a_start_page():
    assert {role for role, _ in ROLE_START_PAGES} == set(Role.values)


def test_superuser_without_roles_lands_on_the_admin_start_page(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("home")).url == reverse("communities:community_list")


def test_official_who_is_also_a_parent_lands_on_the_dashboards(client, official):
    assign(official, Role.PARENT)
    client.force_login(official)
    assert client.get(reverse("home")).url == reverse("dashboards:home")


def test_user_without_a_role_is_led_to_register_their_family(client):
    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("childcare:start")


def test_visitor_sees_the_front_page_with_sign_in_and_sign_up(client):
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("account_login") in html
    assert reverse("account_signup") in html
