"""allauth adapter: phone numbers live on the User row; codes go through the SMS sender."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext

from portal.accounts import signals, signed_in
from portal.accounts.models import User
from portal.accounts.phone import MainlandPhoneField, normalize_phone
from portal.accounts.sms import get_sms_sender


def login_attempts_key(**credentials: Any) -> str:
    """The failed-sign-in counter's key: the account the attempt names, in one spelling.

    allauth keys on the email or username only, so every phone sign-in shared one counter
    (the empty string): five wrong passwords for any numbers locked out the whole city. A
    number counts as the E.164 form of what was typed (`138 0000 0000` and `+86 138…` are one
    person); an email is compared without case or surrounding space.
    """
    email = (credentials.get("email") or "").strip().lower()
    if email:
        return f"email:{email}"
    phone = str(credentials.get("phone") or "").strip()
    if phone:
        return "phone:" + (normalize_phone(phone) or "".join(phone.split()).lower())
    username = (credentials.get("username") or "").strip().lower()
    return f"username:{username}"


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        return login_attempts_key(**credentials)

    def phone_form_field(self, **kwargs: Any) -> MainlandPhoneField:
        return MainlandPhoneField(**kwargs)

    def save_user(
        self, request: HttpRequest, user: User, form: BaseForm, commit: bool = True
    ) -> User:
        # allauth saves the row before it sets the phone, which would break the
        # "email or phone" constraint for a phone-only signup: set both before the save.
        user = super().save_user(request, user, form, commit=False)
        user.email = user.email or None
        if user.phone is None:
            user.phone_verified = False
        if commit:
            user.save()
        return user

    def set_phone(self, user: User, phone: str, verified: bool) -> None:
        user.phone = phone
        user.phone_verified = verified
        if user.pk is not None:
            user.save(update_fields=["phone", "phone_verified"])
            if verified:
                signals.phone_verified.send(sender=User, user=user)

    def get_phone(self, user: User) -> tuple[str, bool] | None:
        if user.phone:
            return user.phone, user.phone_verified
        return None

    def set_phone_verified(self, user: User, phone: str) -> None:
        User.objects.filter(pk=user.pk, phone=phone).update(phone_verified=True)
        signed_in.forget([user.pk])
        user.phone_verified = True
        signals.phone_verified.send(sender=User, user=user)

    def get_user_by_phone(self, phone: str) -> User | None:
        # The login form hands over the number as typed (e.g. without +86).
        normalized = normalize_phone(phone)
        if normalized is None:
            return None
        return User.objects.filter(phone=normalized).first()

    def send_verification_code_sms(self, user: User, phone: str, code: str, **kwargs: Any) -> None:
        text = gettext("Your One Old, One Young portal verification code is %(code)s.") % {
            "code": code
        }
        get_sms_sender().send(phone=phone, text=text)

    def send_account_already_exists_sms(self, phone: str) -> None:
        # Sign-up with a taken number looks like success to the visitor (no enumeration of
        # who has an account); the owner of the number learns about it instead, in the
        # owner's language, not the visitor's.
        owner = self.get_user_by_phone(phone)
        with translation.override((owner.language if owner else "") or settings.LANGUAGE_CODE):
            text = gettext(
                "Someone tried to create a One Old, One Young portal account with your number. "
                "If it was you, sign in, or reset your password."
            )
        get_sms_sender().send(phone=phone, text=text)
