"""allauth adapter: phone numbers live on the User row; codes go through the SMS sender."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import gettext

from portal.accounts.models import User
from portal.accounts.sms import get_sms_sender


class AccountAdapter(DefaultAccountAdapter):
    def set_phone(self, user: User, phone: str, verified: bool) -> None:
        user.phone = phone
        user.phone_verified = verified
        user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user: User) -> tuple[str, bool] | None:
        if user.phone:
            return user.phone, user.phone_verified
        return None

    def set_phone_verified(self, user: User, phone: str) -> None:
        User.objects.filter(pk=user.pk, phone=phone).update(phone_verified=True)
        user.phone_verified = True

    def get_user_by_phone(self, phone: str) -> User | None:
        return User.objects.filter(phone=phone).first()

    def send_verification_code_sms(self, user: User, phone: str, code: str, **kwargs: Any) -> None:
        text = gettext("Your One Old, One Young portal verification code is %(code)s.") % {
            "code": code
        }
        get_sms_sender().send(phone=phone, text=text)
