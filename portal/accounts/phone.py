"""Mobile numbers as people type them here: `138 0000 0000`, `+86 138…`, `0086…`.

allauth's own phone field insists on E.164 with the country code; grandparents will type the
eleven digits they know, so the number is read as a mainland number unless it says otherwise,
and stored in E.164 so each person has one spelling of their number.
"""

from __future__ import annotations

import phonenumbers
from allauth.account.fields import PhoneField
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "CN"


def normalize_phone(value: str) -> str | None:
    """The E.164 form of `value`, or None when it is not a valid phone number."""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class MainlandPhoneField(PhoneField):
    default_error_messages = {
        "invalid_phone": _("Enter a mobile phone number, for example 138 0000 0000."),
    }

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("validators", [])
        kwargs.setdefault("label", _("Mobile phone"))
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"placeholder": "138 0000 0000", "inputmode": "tel", "autocomplete": "tel"}
        )

    def to_python(self, value: object) -> str:
        text = super().to_python(value)
        if not text:
            return text
        phone = normalize_phone(text)
        if phone is None:
            raise ValidationError(self.error_messages["invalid_phone"], code="invalid_phone")
        return phone
