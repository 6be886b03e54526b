"""Bad input gets a translated message on the page and saves nothing."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Household, Premises, Resident
from tests.communities.conftest import _ID_1980
from tests.communities.factories import valid_id_number, with_wrong_check_character
from tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def resident_data(household, **overrides):
    data = {
        "household": household.pk,
        "name": "王五",
        "sex": "M",
        "date_of_birth": "1980-01-01",
        "id_number": "",
        "phone": "13700000000",
        "relation_to_head": "户主",
    }
    data.update(overrides)
    return data


def premises_data(home, **overrides):
    data = {
        "community": home.pk,
        "name": "新用房",
        "address": "社区服务中心",
        "floor": 1,
        "area_m2": "80",
        "terms": "free",
        "monthly_rent": "0",
        "status": "available",
        "used_by": "",
        "notes": "",
    }
    data.update(overrides)
    return data


# --- residents ------------------------------------------------------------------------------


def test_staff_adds_resident_with_valid_id(staff_client, household):
    number = valid_id_number(datetime.date(1980, 1, 1))
    response = staff_client.post(
        reverse("communities:resident_create"), resident_data(household, id_number=number)
    )
    resident = Resident.objects.get(name="王五")
    assert response.status_code == 302
    assert response.url == resident.get_absolute_url()
    assert resident.id_number == number


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id_number": "53082819800101"}, "身份证号码应为18位"),
        ({"id_number": "53082819800101001A"}, "17位数字"),
        ({"id_number": with_wrong_check_character(_ID_1980)}, "校验码"),
        ({"id_number": _ID_1980, "date_of_birth": "1980-01-02"}, "不一致"),
        ({"date_of_birth": "2999-01-01"}, "出生日期不能晚于今天"),
        ({"date_of_birth": "not-a-date"}, "输入一个有效的日期"),
    ],
)
def test_bad_resident_input_gives_translated_error_and_saves_nothing(
    staff_client, household, overrides, message
):
    response = staff_client.post(
        reverse("communities:resident_create"), resident_data(household, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Resident.objects.filter(name="王五").exists()


def test_future_birth_date_is_refused(staff_client, household):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = staff_client.post(
        reverse("communities:resident_create"),
        resident_data(household, date_of_birth=tomorrow.isoformat()),
    )
    assert "出生日期不能晚于今天" in response.content.decode()
    assert not Resident.objects.filter(name="王五").exists()


def test_duplicate_id_number_is_a_message_not_a_500(staff_client, household, resident):
    response = staff_client.post(
        reverse("communities:resident_create"), resident_data(household, id_number=_ID_1980)
    )
    assert response.status_code == 200
    assert "该身份证号码已登记" in response.content.decode()
    assert Resident.objects.filter(id_number=_ID_1980).count() == 1


def test_duplicate_in_another_community_is_refused_without_showing_it(
    staff_client, household, other_community
):
    ResidentFactory(
        household=HouseholdFactory(community=other_community), name="外社区", id_number=_ID_1980
    )
    response = staff_client.post(
        reverse("communities:resident_create"), resident_data(household, id_number=_ID_1980)
    )
    html = response.content.decode()
    assert "该身份证号码已登记" in html
    assert "外社区" not in html
    # Not even the number just typed is echoed back into the page.
    assert _ID_1980 not in html


def test_household_of_another_community_cannot_be_chosen(staff_client, household, other_community):
    foreign = HouseholdFactory(community=other_community)
    response = staff_client.post(reverse("communities:resident_create"), resident_data(foreign))
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Resident.objects.filter(name="王五").exists()


def test_unknown_household_id_is_a_form_error(staff_client, household):
    for bad in ("999999", "abc"):
        data = resident_data(household)
        data["household"] = bad
        response = staff_client.post(reverse("communities:resident_create"), data)
        assert response.status_code == 200
        assert "选择一个有效的选项" in response.content.decode()
    assert not Resident.objects.filter(name="王五").exists()


def test_edit_with_empty_id_keeps_the_stored_number(staff_client, household, resident):
    url = reverse("communities:resident_edit", args=[resident.pk])
    response = staff_client.post(url, resident_data(household, name="张三丰"))
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.name == "张三丰"
    assert resident.id_number == _ID_1980


def test_edit_can_replace_and_remove_the_number(staff_client, household, resident):
    url = reverse("communities:resident_edit", args=[resident.pk])
    number = valid_id_number(datetime.date(1980, 1, 1))
    assert staff_client.post(url, resident_data(household, id_number=number)).status_code == 302
    resident.refresh_from_db()
    assert resident.id_number == number
    data = resident_data(household, remove_id_number="on")
    assert staff_client.post(url, data).status_code == 302
    resident.refresh_from_db()
    assert resident.id_number == ""


def test_edit_changing_birth_date_against_kept_number_is_refused(staff_client, household, resident):
    url = reverse("communities:resident_edit", args=[resident.pk])
    response = staff_client.post(url, resident_data(household, date_of_birth="1981-01-01"))
    assert response.status_code == 200
    assert "不一致" in response.content.decode()
    resident.refresh_from_db()
    assert resident.date_of_birth == datetime.date(1980, 1, 1)


# --- households -----------------------------------------------------------------------------


def test_staff_adds_household(staff_client, community):
    response = staff_client.post(
        reverse("communities:household_create"),
        {"community": community.pk, "address": "新楼1栋", "is_relocated": "on"}
        | {"origin_township": "木戛乡", "origin_village": "木戛村", "notes": ""},
    )
    household = Household.objects.get(address="新楼1栋")
    assert response.url == household.get_absolute_url()
    assert household.is_relocated and household.origin_village == "木戛村"


def test_origin_village_only_for_relocated_households(staff_client, community):
    response = staff_client.post(
        reverse("communities:household_create"),
        {"community": community.pk, "address": "新楼1栋", "origin_village": "木戛村"},
    )
    assert response.status_code == 200
    assert "只有易地搬迁户才填写迁出乡镇或村" in response.content.decode()
    assert not Household.objects.filter(address="新楼1栋").exists()


@pytest.mark.parametrize("community_id", ["999999", "abc", ""])
def test_unknown_community_id_is_a_form_error(staff_client, community, community_id):
    response = staff_client.post(
        reverse("communities:household_create"),
        {"community": community_id, "address": "新楼1栋"},
    )
    assert response.status_code == 200
    assert not Household.objects.filter(address="新楼1栋").exists()


def test_other_community_cannot_be_posted(staff_client, community, other_community):
    response = staff_client.post(
        reverse("communities:household_create"),
        {"community": other_community.pk, "address": "新楼1栋"},
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Household.objects.exists()


def test_household_form_offers_only_managed_communities(staff_client, community, other_community):
    html = staff_client.get(reverse("communities:household_create")).content.decode()
    assert community.region.name in html
    assert other_community.region.name not in html


# --- premises -------------------------------------------------------------------------------


def test_staff_adds_premises(staff_client, community):
    response = staff_client.post(
        reverse("communities:premises_create"),
        premises_data(community, terms="rent", monthly_rent="1500"),
    )
    premises = Premises.objects.get(name="新用房")
    assert response.url == premises.get_absolute_url()
    assert premises.monthly_rent == Decimal("1500")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"monthly_rent": "500"}, "免费提供的用房不能收取租金"),
        ({"area_m2": "-5"}, "确保该值大于或等于0"),
        ({"area_m2": "很大"}, "输入一个数字"),
        ({"monthly_rent": "-1", "terms": "rent"}, "确保该值大于或等于0"),
        ({"status": "sold"}, "选择一个有效的选项"),
        ({"community": "999999"}, "选择一个有效的选项"),
    ],
)
def test_bad_premises_input_gives_translated_error_and_saves_nothing(
    staff_client, community, overrides, message
):
    response = staff_client.post(
        reverse("communities:premises_create"), premises_data(community, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Premises.objects.filter(name="新用房").exists()


def test_premises_edit_to_free_with_rent_is_refused(staff_client, premises, community):
    url = reverse("communities:premises_edit", args=[premises.pk])
    response = staff_client.post(url, premises_data(community, monthly_rent="800"))
    assert "免费提供的用房不能收取租金" in response.content.decode()
    premises.refresh_from_db()
    assert premises.monthly_rent == 0


# --- community ------------------------------------------------------------------------------


def test_staff_edits_own_community(staff_client, community):
    url = reverse("communities:community_edit", args=[community.pk])
    data = {"population": "21000", "address": "茶马路1号", "contact_name": "刘主任"}
    data |= {"contact_phone": "0879-1234567", "party_secretary": "杨书记", "notes": ""}
    assert staff_client.post(url, data).status_code == 302
    community.refresh_from_db()
    assert community.population == 21000 and community.party_secretary == "杨书记"


def test_negative_population_is_refused(staff_client, community):
    url = reverse("communities:community_edit", args=[community.pk])
    response = staff_client.post(url, {"population": "-3"})
    assert "确保该值大于或等于0" in response.content.decode()
    community.refresh_from_db()
    assert community.population == 20000
