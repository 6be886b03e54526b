"""Validation of resident data that more than one form or service needs."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities import rules

_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")


def normalise_id_number(value: str) -> str:
    """Strip spaces people type between groups of digits; a lower-case x is the same as X."""
    return re.sub(r"\s+", "", value or "").upper()


def id_number_check_character(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    total = sum(int(d) * w for d, w in zip(first17, rules.ID_NUMBER_WEIGHTS, strict=True))
    return rules.ID_NUMBER_CHECK_CHARACTERS[total % 11]


def id_number_birth_date(value: str) -> datetime.date | None:
    """The birth date written in an ID number, or None when it is not a real date."""
    digits = value[rules.ID_NUMBER_BIRTH_DATE_SLICE]
    try:
        return datetime.datetime.strptime(digits, "%Y%m%d").date()
    except ValueError:
        return None


def validate_id_number(value: str) -> datetime.date:
    """Check a normalised ID number and return the birth date written in it.

    Raises ValidationError with a message a resident at the counter can act on.
    """
    if len(value) != rules.ID_NUMBER_LENGTH:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(count)d."),
            code="length",
            params={"count": len(value)},
        )
    if not _ID_SHAPE.match(value):
        raise ValidationError(
            _("An ID number has 17 digits followed by a digit or the letter X."),
            code="shape",
        )
    birth_date = id_number_birth_date(value)
    if birth_date is None:
        raise ValidationError(
            _("The birth date in this ID number (characters 7 to 14) is not a real date."),
            code="birth_date",
        )
    if id_number_check_character(value[:17]) != value[17]:
        raise ValidationError(
            _(
                "This ID number is not valid: its last character does not match the other "
                "digits. Please check each digit again."
            ),
            code="checksum",
        )
    return birth_date


def validate_birth_date_matches(id_number: str, date_of_birth: datetime.date) -> None:
    """The birth date in the ID number must be the resident's date of birth."""
    in_number = id_number_birth_date(id_number)
    if in_number is not None and in_number != date_of_birth:
        raise ValidationError(
            _(
                "The date of birth in the ID number (%(in_number)s) is not the date of "
                "birth entered (%(entered)s)."
            ),
            code="birth_date_mismatch",
            params={
                "in_number": in_number.isoformat(),
                "entered": date_of_birth.isoformat(),
            },
        )


# --- dates of records about people --------------------------------------------------------------

DATE_TOO_EARLY = _("This date cannot be right; please check the year.")


def check_record_date(day: datetime.date) -> None:
    """A day a record about a living person can be dated (a visit, an assessment, an incident,
    a measurement): not before rules.EARLIEST_RECORD_DATE. Each form checks the future its own
    way (some records are planned ahead, most are not)."""
    if day < rules.EARLIEST_RECORD_DATE:
        raise ValidationError(DATE_TOO_EARLY, code="too_early")


def check_record_moment(moment: datetime.datetime) -> None:
    """As check_record_date, for a moment (its local date). Year 1 in Beijing time is the year
    before 1 in UTC: stored, it could not be read back, and every page listing it would fail."""
    try:
        day = timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    except OverflowError:
        raise ValidationError(DATE_TOO_EARLY, code="too_early") from None
    check_record_date(day)
