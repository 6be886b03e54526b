import datetime

import pytest
from django.core.exceptions import ValidationError

from communities.models import mask_id_number
from communities.validators import (
    id_number_check_character,
    normalise_id_number,
    validate_birth_date_matches,
    validate_id_number,
)
from tests.communities.conftest import _ID_1980
from tests.communities.factories import valid_id_number, with_wrong_check_character


def test_check_character_of_the_published_gb11643_example_is_x():
    # 11010519491231002X is the worked example printed with GB 11643-1999.
    assert id_number_check_character("11010519491231002") == "X"


def test_valid_number_returns_its_birth_date():
    assert validate_id_number("11010519491231002X") == datetime.date(1949, 12, 31)
    assert validate_id_number(_ID_1980) == datetime.date(1980, 1, 1)


def test_lower_case_x_and_spaces_are_normalised():
    assert normalise_id_number(" 110105 19491231 002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("5308281980010100", "length"),
        ("5308281980010100171", "length"),
        ("53082819800101001A", "shape"),
        ("X30828198001010017", "shape"),
        ("530828198002300017", "birth_date"),
        (with_wrong_check_character(_ID_1980), "checksum"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(value)
    assert excinfo.value.code == code


def test_birth_date_must_match_the_number():
    number = valid_id_number(datetime.date(2001, 6, 15))
    validate_birth_date_matches(number, datetime.date(2001, 6, 15))
    with pytest.raises(ValidationError) as excinfo:
        validate_birth_date_matches(number, datetime.date(2001, 6, 16))
    assert excinfo.value.code == "birth_date_mismatch"


def test_mask_keeps_first_and_last_four():
    assert mask_id_number("530828198001011234") == "5308**********1234"
