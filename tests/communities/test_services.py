import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from communities import services
from communities.models import Household, Premises, Resident
from tests.communities.conftest import _ID_1980

pytestmark = pytest.mark.django_db


def test_services_refuse_users_who_do_not_manage_the_community(
    community, outsider, official, volunteer, parent
):
    for user in (outsider, official, volunteer, parent):
        with pytest.raises(PermissionDenied):
            services.household_create(community=community, address="x", by=user)
    assert not Household.objects.exists()


def test_moving_a_household_needs_both_communities(community_staff, household, other_community):
    with pytest.raises(PermissionDenied):
        services.household_update(
            household=household,
            community=other_community,
            address=household.address,
            is_relocated=False,
            origin_township="",
            origin_village="",
            notes="",
            by=community_staff,
        )
    household.refresh_from_db()
    assert household.community_id != other_community.pk


def test_duplicate_id_number_past_the_form_is_a_validation_error(
    community_staff, household, resident
):
    # The form checks first; two requests racing past that check meet the unique constraint,
    # which the service turns into the same message instead of an IntegrityError.
    with pytest.raises(ValidationError) as excinfo:
        services.resident_create(
            household=household,
            name="重复",
            sex="F",
            date_of_birth=datetime.date(1980, 1, 1),
            id_number=_ID_1980,
            by=community_staff,
        )
    assert "id_number" in excinfo.value.message_dict
    assert Resident.objects.filter(id_number=_ID_1980).count() == 1
    # The surrounding transaction is still usable (the failed insert ran in a savepoint).
    assert Resident.objects.count() == 1


def test_service_checks_id_number_itself(community_staff, household):
    with pytest.raises(ValidationError) as excinfo:
        services.resident_create(
            household=household,
            name="坏号",
            sex="F",
            date_of_birth=datetime.date(1980, 1, 2),
            id_number=_ID_1980,
            by=community_staff,
        )
    assert "id_number" in excinfo.value.message_dict
    assert not Resident.objects.filter(name="坏号").exists()


def test_free_premises_with_rent_refused_by_service(community_staff, community):
    with pytest.raises(ValidationError):
        services.premises_create(
            community=community,
            name="免费房",
            address="x",
            floor=1,
            area_m2=Decimal("50"),
            terms=Premises.Terms.FREE,
            monthly_rent=Decimal("100"),
            status=Premises.Status.AVAILABLE,
            by=community_staff,
        )
    assert not Premises.objects.exists()


def test_origin_without_relocation_refused_by_service(community_staff, community):
    with pytest.raises(ValidationError):
        services.household_create(
            community=community, address="x", origin_township="木戛乡", by=community_staff
        )
    assert not Household.objects.exists()


def test_resident_update_none_keeps_number_and_empty_removes_it(community_staff, resident):
    fields = {
        "household": resident.household,
        "name": resident.name,
        "sex": resident.sex,
        "date_of_birth": resident.date_of_birth,
        "phone": resident.phone,
        "relation_to_head": "",
        "by": community_staff,
    }
    services.resident_update(resident=resident, id_number=None, **fields)
    assert Resident.objects.get(pk=resident.pk).id_number == _ID_1980
    services.resident_update(resident=resident, id_number="", **fields)
    assert Resident.objects.get(pk=resident.pk).id_number == ""
