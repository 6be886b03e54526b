"""Factories for the communities tests; the model factories live in tests/factories.py."""

from __future__ import annotations

import datetime
import itertools

from communities.validators import id_number_check_character

_sequence = itertools.count(1)


def valid_id_number(
    date_of_birth: datetime.date = datetime.date(1980, 1, 1), region: str = "530828"
) -> str:
    """A fresh, valid 18-character ID number (correct check character) for `date_of_birth`."""
    seq = f"{next(_sequence) % 1000:03d}"
    first17 = f"{region}{date_of_birth:%Y%m%d}{seq}"
    return first17 + id_number_check_character(first17)


def with_wrong_check_character(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:17] + last
