import io

import pytest

from communities import demo
from communities.models import Community, Household, Premises, Region, Resident
from communities.validators import validate_birth_date_matches, validate_id_number

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    models = (Region, Community, Household, Resident, Premises)
    return tuple(m.objects.count() for m in models)


def test_seeding_twice_gives_the_same_data():
    demo.seed(io.StringIO())
    first = _counts()
    demo.seed(io.StringIO())
    assert _counts() == first
    assert Community.objects.get(region__code="chamagudao").population == 28900


def test_demo_id_numbers_pass_the_staff_form_checks():
    demo.seed(io.StringIO())
    residents = Resident.objects.exclude(id_number="")
    assert residents.exists()
    for resident in residents:
        validate_id_number(resident.id_number)
        validate_birth_date_matches(resident.id_number, resident.date_of_birth)
