"""Nobody reads or changes another community's records: they answer 404, like a missing row."""

import pytest
from django.urls import reverse

from communities.models import Household, Premises, Resident
from tests.communities.conftest import client_for
from tests.factories import HouseholdFactory, PremisesFactory, ResidentFactory

OBJECT_PAGES = [
    ("household", "communities:household_detail"),
    ("household", "communities:household_edit"),
    ("resident", "communities:resident_detail"),
    ("resident", "communities:resident_edit"),
    ("premises", "communities:premises_detail"),
    ("premises", "communities:premises_edit"),
]


@pytest.fixture
def home_records(community):
    household = HouseholdFactory(community=community, address="本社区1栋")
    return {
        "household": household,
        "resident": ResidentFactory(household=household, name="本社区居民"),
        "premises": PremisesFactory(community=community, name="本社区用房"),
    }


@pytest.fixture
def other_records(other_community):
    household = HouseholdFactory(community=other_community, address="他社区1栋")
    return {
        "household": household,
        "resident": ResidentFactory(household=household, name="他社区居民"),
        "premises": PremisesFactory(community=other_community, name="他社区用房"),
    }


# Each persona and the records that are not theirs: the outsider works in other_community, so
# `community`'s records are foreign to them; everyone else is looked at against other_community.
PERSONA_TARGETS = [
    ("outsider", "home_records"),
    ("community_staff", "other_records"),
    ("parent", "home_records"),
    ("parent", "other_records"),
    ("volunteer", "other_records"),
    ("official", "other_records"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "records"), PERSONA_TARGETS)
@pytest.mark.parametrize(("kind", "url_name"), OBJECT_PAGES)
def test_foreign_record_pages_answer_404(request, persona, records, kind, url_name):
    user = request.getfixturevalue(persona)
    obj = request.getfixturevalue(records)[kind]
    response = client_for(user).get(reverse(url_name, args=[obj.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "records"), PERSONA_TARGETS)
def test_foreign_records_cannot_be_changed_by_post(request, persona, records):
    user = request.getfixturevalue(persona)
    recs = request.getfixturevalue(records)
    client = client_for(user)
    posts = {
        "household": {"address": "改掉的地址"},
        "resident": {"name": "改掉的名字"},
        "premises": {"name": "改掉的名字"},
    }
    for kind, data in posts.items():
        url = reverse(f"communities:{kind}_edit", args=[recs[kind].pk])
        assert client.post(url, data).status_code == 404
    assert Household.objects.get(pk=recs["household"].pk).address != "改掉的地址"
    assert Resident.objects.get(pk=recs["resident"].pk).name != "改掉的名字"
    assert Premises.objects.get(pk=recs["premises"].pk).name != "改掉的名字"


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "url_name"), OBJECT_PAGES)
def test_anonymous_is_sent_to_login(home_records, kind, url_name):
    url = reverse(url_name, args=[home_records[kind].pk])
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    [
        "communities:staff_home",
        "communities:community_list",
        "communities:household_list",
        "communities:household_create",
        "communities:resident_list",
        "communities:resident_create",
        "communities:premises_list",
        "communities:premises_create",
    ],
)
def test_anonymous_is_sent_to_login_from_lists(url_name):
    response = client_for(None).get(reverse(url_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["outsider", "community_staff", "parent", "volunteer", "official"]
)
def test_lists_show_no_foreign_records(request, persona, home_records, other_records):
    user = request.getfixturevalue(persona)
    foreign = other_records if persona != "outsider" else home_records
    client = client_for(user)
    for url_name in ("household_list", "resident_list", "premises_list"):
        response = client.get(reverse(f"communities:{url_name}"))
        assert response.status_code == 200
        html = response.content.decode()
        assert foreign["household"].address not in html
        assert foreign["resident"].name not in html
        assert foreign["premises"].name not in html


@pytest.mark.django_db
def test_staff_sees_own_community_records(staff_client, home_records):
    for kind, url_name in OBJECT_PAGES:
        response = staff_client.get(reverse(url_name, args=[home_records[kind].pk]))
        assert response.status_code == 200, url_name


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["official", "volunteer"])
def test_officials_and_volunteers_never_see_residents_or_households(request, persona, home_records):
    client = client_for(request.getfixturevalue(persona))
    for kind in ("household", "resident"):
        for action in ("detail", "edit"):
            url = reverse(f"communities:{kind}_{action}", args=[home_records[kind].pk])
            assert client.get(url).status_code == 404
    html = client.get(reverse("communities:resident_list")).content.decode()
    assert home_records["resident"].name not in html


@pytest.mark.django_db
def test_official_sees_subtree_community_facts_and_premises_but_cannot_edit(
    official, community, home_records
):
    client = client_for(official)
    detail = client.get(reverse("communities:community_detail", args=[community.pk]))
    assert detail.status_code == 200
    assert "20,000" in detail.content.decode() or "20000" in detail.content.decode()
    assert home_records["resident"].name not in detail.content.decode()
    premises = home_records["premises"]
    assert client.get(reverse("communities:premises_detail", args=[premises.pk])).status_code == 200
    assert client.get(reverse("communities:premises_edit", args=[premises.pk])).status_code == 404
    assert client.get(reverse("communities:community_edit", args=[community.pk])).status_code == 404
    assert client.get(reverse("communities:household_create")).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "parent", "volunteer", "official"])
def test_community_edit_refused_to_non_staff(request, persona, community):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("communities:community_edit", args=[community.pk])
    response = client.post(url, {"population": 1, "address": "x"})
    assert response.status_code == 404
    community.refresh_from_db()
    assert community.population == 20000


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "parent", "volunteer"])
def test_community_detail_outside_subtree_is_404(request, persona, community, other_community):
    user = request.getfixturevalue(persona)
    target = community if persona == "outsider" else other_community
    response = client_for(user).get(reverse("communities:community_detail", args=[target.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_admin_sees_every_community(admin_user, community, other_community):
    html = client_for(admin_user).get(reverse("communities:community_list")).content.decode()
    assert community.region.name in html
    assert other_community.region.name in html


@pytest.mark.django_db
def test_staff_home_is_404_for_users_who_manage_no_community(parent, official, volunteer):
    for user in (parent, official, volunteer):
        assert client_for(user).get(reverse("communities:staff_home")).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    ["communities:household_create", "communities:resident_create", "communities:premises_create"],
)
@pytest.mark.parametrize("persona", ["parent", "volunteer", "official"])
def test_create_pages_are_404_for_non_staff(request, persona, url_name):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse(url_name)).status_code == 404


@pytest.mark.django_db
def test_resident_with_an_account_sees_only_their_own_household(parent, household, home_records):
    ResidentFactory(household=household, name="家长本人", user=parent)
    client = client_for(parent)
    assert (
        client.get(reverse("communities:household_detail", args=[household.pk])).status_code == 200
    )
    other = home_records["household"]
    assert client.get(reverse("communities:household_detail", args=[other.pk])).status_code == 404
    html = client.get(reverse("communities:household_list")).content.decode()
    assert household.address in html and other.address not in html
    # Seeing the household does not mean changing it.
    assert client.get(reverse("communities:household_edit", args=[household.pk])).status_code == 404
