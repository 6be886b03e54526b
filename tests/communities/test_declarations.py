"""Families' declarations reach the community: verify, merge, refuse; phone numbers link
accounts to the residents the community holds; invitations by SMS."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from childcare import start_services
from childcare.consent import CURRENT_VERSION
from childcare.models import Child, Guardian
from communities import services
from communities.models import Household, Invitation, Resident
from portal.accounts.models import Role, RoleAssignment, User
from portal.accounts.sms import OutboxSmsSender
from tests.childcare.factories import ChildFactory, GuardianFactory, months_ago
from tests.communities.conftest import client_for
from tests.communities.factories import valid_id_number
from tests.factories import HouseholdFactory, ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Cha-Ma-Road-2024"


@pytest.fixture(autouse=True)
def _clean_outbox():
    OutboxSmsSender.outbox.clear()
    yield
    OutboxSmsSender.outbox.clear()


def _declare(user, community, *, parent=None, child=None):
    parent = parent or {}
    child = child or {}
    return start_services.household_declare(
        community=community,
        address=parent.get("address", "晨北小区5栋1单元302"),
        parent_name=parent.get("name", "王芳"),
        parent_sex="F",
        parent_date_of_birth=parent.get("date_of_birth", datetime.date(1992, 4, 5)),
        parent_id_number=parent.get("id_number", ""),
        relation="mother",
        child_name=child.get("name", "王小宝"),
        child_sex="M",
        child_date_of_birth=child.get("date_of_birth", months_ago(20)),
        child_id_number=child.get("id_number", ""),
        consent_version=CURRENT_VERSION,
        by=user,
    )


# --- the phone number links the account to the resident -------------------------------------


def _sign_up(client, phone: str) -> User:
    client.post(
        reverse("account_signup"),
        {"phone": phone, "email": "", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    user = User.objects.get(phone="+86" + phone.replace(" ", ""))
    texts = [m["text"] for m in OutboxSmsSender.outbox if m["phone"] == user.phone]
    code = re.search(r"(\d{6})", texts[-1]).group(1)
    client.post(reverse("account_verify_phone"), {"code": code})
    user.refresh_from_db()
    assert user.phone_verified
    return user


def test_a_verified_phone_links_the_resident_and_no_second_person_is_made(client, community):
    household = HouseholdFactory(community=community)
    grandma = ResidentFactory(household=household, name="李奶奶", phone="139 1234 5678")
    user = _sign_up(client, "13912345678")
    grandma.refresh_from_db()
    assert grandma.user == user
    assert Resident.objects.filter(name="李奶奶").count() == 1
    assert Resident.objects.count() == 1
    # Such a user skips the start: their household is known.
    assert client.get(reverse("childcare:start")).url == reverse("childcare:child_register")


def test_a_guardian_listed_with_the_phone_is_linked_and_made_a_parent(client, community):
    household = HouseholdFactory(community=community)
    ResidentFactory(household=household, name="张爸爸", phone="+8613912340000")
    child = ChildFactory(
        resident=ResidentFactory(household=household, date_of_birth=months_ago(20))
    )
    Guardian.objects.create(child=child, name="张爸爸", relation="父亲", phone="139-1234-0000")
    user = _sign_up(client, "139 1234 0000")
    assert Guardian.objects.get(child=child).user == user
    assert RoleAssignment.objects.filter(user=user, role=Role.PARENT).exists()
    assert client.get("/").url == reverse("childcare:parent_home")


def test_two_residents_with_the_number_link_neither(client, community):
    household = HouseholdFactory(community=community)
    ResidentFactory(household=household, phone="13912345678")
    ResidentFactory(household=household, phone="+86 139 1234 5678")
    user = _sign_up(client, "13912345678")
    assert not Resident.objects.filter(user=user).exists()


def test_an_unverified_phone_links_nothing(community):
    ResidentFactory(household=HouseholdFactory(community=community), phone="13912345678")
    user = UserFactory(phone="+8613912345678", phone_verified=False)
    assert services.resident_link_by_phone(user=user) is None
    assert not Resident.objects.filter(user=user).exists()


# --- duplicates -----------------------------------------------------------------------------


def test_same_id_number_anywhere_in_the_city_is_flagged(community, other_community):
    number = valid_id_number(datetime.date(1992, 4, 5))
    known = ResidentFactory(
        household=HouseholdFactory(community=other_community),
        name="王芳",
        date_of_birth=datetime.date(1992, 4, 5),
        id_number=number,
    )
    user = UserFactory(phone="+8613700001111")
    _declare(user, community, parent={"id_number": number})
    declared = Resident.objects.get(user=user)
    assert declared.possible_duplicate_of == known
    assert declared.id_number == ""  # the number stays on the community's record only


def test_same_name_and_birth_date_in_the_community_is_flagged(community, other_community):
    born = months_ago(20)
    known = ResidentFactory(
        household=HouseholdFactory(community=community), name="王小宝", date_of_birth=born
    )
    ResidentFactory(
        household=HouseholdFactory(community=other_community), name="王小宝", date_of_birth=born
    )
    user = UserFactory(phone="+8613700001111")
    child = _declare(user, community, child={"date_of_birth": born})
    assert child.resident.possible_duplicate_of == known
    assert Resident.objects.get(user=user).possible_duplicate_of is None


def test_merge_moves_everything_to_the_existing_records_and_deletes_the_declared(
    client, community, community_staff
):
    home = HouseholdFactory(community=community, address="老户籍地址")
    known_parent = ResidentFactory(
        household=home, name="王芳", date_of_birth=datetime.date(1992, 4, 5), phone=""
    )
    known_child = ResidentFactory(household=home, name="王小宝", date_of_birth=months_ago(20))
    user = UserFactory(phone="+8613700001111")
    child = _declare(user, community, child={"date_of_birth": known_child.date_of_birth})
    declared_household = child.resident.household
    assert Resident.objects.count() == 4

    client = client_for(community_staff)
    response = client.post(reverse("communities:declaration_merge", args=[declared_household.pk]))
    assert response.status_code == 302
    assert Resident.objects.count() == 2
    assert not Household.objects.filter(pk=declared_household.pk).exists()
    known_parent.refresh_from_db()
    assert (known_parent.user, known_parent.phone) == (user, "+8613700001111")
    child.refresh_from_db()
    assert child.resident == known_child
    assert child.guardians.get().user == user
    assert child.consents.active().get().user == user


def test_merge_refuses_when_both_records_have_a_child_and_changes_nothing(community):
    home = HouseholdFactory(community=community)
    known_child = ChildFactory(
        resident=ResidentFactory(household=home, name="王小宝", date_of_birth=months_ago(20))
    )
    staff = UserFactory()
    RoleAssignment.objects.create(user=staff, role=Role.COMMUNITY_STAFF, region=community.region)
    user = UserFactory(phone="+8613700001111")
    child = _declare(user, community, child={"date_of_birth": known_child.resident.date_of_birth})
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.household_merge(household=child.resident.household, by=staff)
    assert Resident.objects.count() == 3
    assert Child.objects.count() == 2


# --- verify and refuse ----------------------------------------------------------------------


def test_staff_verify_from_their_list_and_the_family_can_book(
    client, community, community_staff, station
):
    user = UserFactory(phone="+8613700001111")
    child = _declare(user, community)
    staff_client = client_for(community_staff)
    home = staff_client.get(reverse("communities:staff_home")).content.decode()
    assert reverse("communities:declaration_list") in home
    page = staff_client.get(reverse("communities:declaration_list")).content.decode()
    assert "5栋1单元302" in page
    staff_client.post(reverse("communities:declaration_verify", args=[child.resident.household_id]))
    household = Household.objects.get(pk=child.resident.household_id)
    assert household.status == Household.Status.VERIFIED
    assert household.verified_by == community_staff
    assert household.verified_at is not None
    assert user.notifications.filter(text__contains="5栋1单元302").exists()


def test_refusal_needs_a_reason_and_the_parent_reads_it(client, community, community_staff):
    user = UserFactory(phone="+8613700001111")
    child = _declare(user, community)
    household_id = child.resident.household_id
    staff_client = client_for(community_staff)
    url = reverse("communities:declaration_refuse", args=[household_id])
    staff_client.post(url, {"reason": "   "})
    assert Household.objects.get(pk=household_id).status == Household.Status.PENDING
    staff_client.post(url, {"reason": "该地址不在本社区，请到户籍所在社区登记"})
    assert Household.objects.get(pk=household_id).status == Household.Status.REFUSED
    parent_client = client_for(user)
    page = parent_client.get(reverse("childcare:parent_home")).content.decode()
    assert "该地址不在本社区，请到户籍所在社区登记" in page


def test_a_refused_household_without_a_reason_is_refused_by_the_database(community):
    household = HouseholdFactory(community=community)
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.filter(pk=household.pk).update(status="refused", refusal_reason="")


def test_staff_created_households_are_verified(community):
    assert HouseholdFactory(community=community).status == Household.Status.VERIFIED


@pytest.mark.parametrize("who", ["outsider", "parent", "station_staff"])
def test_others_get_404_on_declarations(request, community, who):
    user = request.getfixturevalue(who)
    declarer = UserFactory(phone="+8613700001111")
    child = _declare(declarer, community)
    household_id = child.resident.household_id
    client = client_for(user)
    list_page = client.get(reverse("communities:declaration_list"))
    if who == "outsider":
        assert list_page.status_code == 200
        assert "5栋1单元302" not in list_page.content.decode()
    else:
        assert list_page.status_code == 404
    for name in ("declaration_verify", "declaration_merge"):
        assert client.post(reverse(f"communities:{name}", args=[household_id])).status_code == 404
    url = reverse("communities:declaration_refuse", args=[household_id])
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert Household.objects.get(pk=household_id).status == Household.Status.PENDING


def test_the_list_and_actions_answer_get_without_a_500(community, community_staff):
    client = client_for(community_staff)
    assert client.get(reverse("communities:declaration_list"), {"page": "²"}).status_code == 200
    assert client.get(reverse("communities:declaration_verify", args=[1])).status_code == 405
    assert client.post(reverse("communities:declaration_verify", args=[999999])).status_code == 404


def test_verifying_twice_is_a_message_not_an_error(community, community_staff):
    user = UserFactory(phone="+8613700001111")
    household = _declare(user, community).resident.household
    client = client_for(community_staff)
    url = reverse("communities:declaration_verify", args=[household.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert Household.objects.get(pk=household.pk).status == Household.Status.VERIFIED


# --- invitations ----------------------------------------------------------------------------


def test_staff_invite_a_resident_and_signing_up_with_the_number_links_them(
    client, community, community_staff, django_capture_on_commit_callbacks
):
    resident = ResidentFactory(
        household=HouseholdFactory(community=community), name="赵阿姨", phone="13955556666"
    )
    staff_client = client_for(community_staff)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("communities:resident_invite", args=[resident.pk]))
    invitation = Invitation.objects.get(resident=resident)
    assert invitation.phone == "+8613955556666"
    assert [m["phone"] for m in OutboxSmsSender.outbox] == ["+8613955556666"]
    assert "/accounts/signup/" in OutboxSmsSender.outbox[0]["text"]

    user = _sign_up(client, "13955556666")
    resident.refresh_from_db()
    invitation.refresh_from_db()
    assert resident.user == user
    assert invitation.accepted_at is not None


def test_invitation_refused_without_a_phone_and_for_others(client, community, outsider):
    resident = ResidentFactory(household=HouseholdFactory(community=community), phone="")
    response = client_for(outsider).post(reverse("communities:resident_invite", args=[resident.pk]))
    assert response.status_code == 404
    assert not Invitation.objects.exists()
    staff = UserFactory()
    RoleAssignment.objects.create(user=staff, role=Role.COMMUNITY_STAFF, region=community.region)
    client_for(staff).post(reverse("communities:resident_invite", args=[resident.pk]))
    assert not Invitation.objects.exists()
    assert OutboxSmsSender.outbox == []


def test_guardian_factory_gives_consent():
    guardian = GuardianFactory()
    assert guardian.child.consents.active().get().user == guardian.user
