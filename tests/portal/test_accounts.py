"""Sign-up and sign-in by mobile phone or email (allauth), password reset, rate limits."""

import re

import pytest
from allauth.account.adapter import DefaultAccountAdapter
from django.core import mail
from django.urls import reverse
from django.utils import translation

from portal.accounts.models import User
from portal.accounts.phone import normalize_phone
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Cha-Ma-Road-2024"


def _code_from(sms_outbox: list[dict[str, str]], phone: str) -> str:
    texts = [m["text"] for m in sms_outbox if m["phone"] == phone]
    assert texts, f"no SMS to {phone}"
    match = re.search(r"(\d{6})", texts[-1])
    assert match, texts[-1]
    return match.group(1)


def test_signup_by_phone_needs_the_sms_code_then_signs_in(client, sms_outbox):
    response = client.post(
        reverse("account_signup"),
        {
            "phone": "138 0013 8000",
            "email": "",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("account_verify_phone")
    user = User.objects.get(phone="+8613800138000")
    assert user.email is None
    assert not user.phone_verified
    # Not signed in before the code is confirmed.
    assert "_auth_user_id" not in client.session

    code = _code_from(sms_outbox, "+8613800138000")
    wrong = client.post(
        reverse("account_verify_phone"), {"code": "000000" if code != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    user.refresh_from_db()
    assert not user.phone_verified

    response = client.post(reverse("account_verify_phone"), {"code": code})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.phone_verified
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_with_a_taken_phone_number_creates_nothing_and_tells_the_owner(client, sms_outbox):
    owner = UserFactory(phone="+8613800138001")
    response = client.post(
        reverse("account_signup"),
        {"phone": "13800138001", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    # The visitor cannot tell whether the number has an account (no enumeration)...
    assert response.status_code == 302
    assert User.objects.filter(phone="+8613800138001").get() == owner
    owner.refresh_from_db()
    assert owner.check_password(TEST_PASSWORD)
    # ...and the owner of the number gets a text, with no code in it.
    assert [m["phone"] for m in sms_outbox] == ["+8613800138001"]
    assert not re.search(r"\d{6}", sms_outbox[0]["text"])


@pytest.mark.parametrize(
    ("owner_language", "visitor_language", "expected"),
    [("zh-hans", "en", "有人尝试"), ("en", "zh-hans", "Someone tried")],
)
def test_the_taken_number_text_is_in_the_owner_language_not_the_visitor(
    client, sms_outbox, owner_language, visitor_language, expected
):
    UserFactory(phone="+8613800138002", language=owner_language)
    client.cookies["django_language"] = visitor_language
    client.post(
        reverse("account_signup"),
        {"phone": "13800138002", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert [m["phone"] for m in sms_outbox] == ["+8613800138002"]
    assert expected in sms_outbox[0]["text"]


def test_signup_rejects_a_number_that_is_not_a_phone_number(client):
    response = client.post(
        reverse("account_signup"),
        {"phone": "12345", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "138 0000 0000" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize("typed", ["13900000077", "+86 139 0000 0077", "0086 13900000077"])
def test_login_by_phone_number_as_people_type_it(client, typed):
    user = UserFactory(phone="+8613900000077")
    response = client.post(reverse("account_login"), {"login": typed, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_by_email(client):
    user = UserFactory(email="grandma@example.cn")
    response = client.post(
        reverse("account_login"), {"login": "grandma@example.cn", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_shows_a_translated_error_and_does_not_sign_in(client):
    UserFactory(phone="+8613900000078")
    response = client.post(
        reverse("account_login"), {"login": "13900000078", "password": "not-the-password"}
    )
    assert response.status_code == 200
    with translation.override("zh-hans"):
        chinese = str(DefaultAccountAdapter.error_messages["phone_password_mismatch"])
    with translation.override("en"):
        english = str(DefaultAccountAdapter.error_messages["phone_password_mismatch"])
    assert chinese != english
    assert chinese in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_password_in_english_when_english_is_chosen(client):
    UserFactory(phone="+8613900000079")
    client.post(reverse("language_set"), {"language": "en"})
    response = client.post(
        reverse("account_login"), {"login": "13900000079", "password": "not-the-password"}
    )
    with translation.override("en"):
        english = str(DefaultAccountAdapter.error_messages["phone_password_mismatch"])
    assert english in response.content.decode()


def test_login_is_rate_limited_after_repeated_failures(client):
    UserFactory(phone="+8613900000080")
    with translation.override("zh-hans"):
        too_many = str(DefaultAccountAdapter.error_messages["too_many_login_attempts"])
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": "13900000080", "password": "wrong"}
        )
        assert too_many not in response.content.decode()
    # Even the right password is refused while the limit holds.
    response = client.post(
        reverse("account_login"), {"login": "13900000080", "password": TEST_PASSWORD}
    )
    assert too_many in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_an_email_with_a_working_link(client):
    user = UserFactory(email="reset-me@example.cn")
    response = client.post(reverse("account_reset_password"), {"email": "reset-me@example.cn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reset-me@example.cn"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form_page = client.get(link.group(1), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_email_sends_nothing_that_reveals_an_account(client):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.cn"})
    assert all("/password/reset/key/" not in m.body for m in mail.outbox)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("13800000001", "+8613800000001"),
        ("+86 138-0000-0001", "+8613800000001"),
        ("008613800000001", "+8613800000001"),
        ("12345", None),
        ("not a number", None),
    ],
)
def test_normalize_phone(typed, expected):
    assert normalize_phone(typed) == expected


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_account_pages_use_the_portal_layout(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="main"' in html
    assert "btn btn-lg btn-primary" in html
    assert "<label" in html


ACCOUNT_PAGES = [
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",
    "account_reauthenticate",
    "account_email",
    "account_email_verification_sent",
    "account_change_password",
    "account_set_password",
    "account_reset_password",
    "account_confirm_login_code",
    "account_verify_phone",
    "account_change_phone",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
]


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_no_account_page_answers_500(client, parent, name, signed_in):
    if signed_in:
        client.force_login(parent)
    response = client.get(reverse(name), follow=True)
    assert response.status_code < 500
    if response.status_code == 200 and "text/html" in response["Content-Type"]:
        assert 'id="main"' in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/confirm-email/not-a-key/",
        "/accounts/password/reset/key/zz-not-a-key/",
        "/accounts/password/reset/key/1-set-password/",
    ],
)
def test_bad_keys_do_not_answer_500(client, path):
    assert client.get(path, follow=True).status_code < 500


def test_phone_code_page_explains_in_chinese(client, sms_outbox):
    client.post(
        reverse("account_signup"),
        {"phone": "13800138002", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    html = client.get(reverse("account_verify_phone")).content.decode()
    assert "我们已把验证码发送到" in html
    assert 'autocomplete="one-time-code"' in html


def test_signup_with_phone_and_email_sends_an_email_confirmation(client, sms_outbox):
    client.post(
        reverse("account_signup"),
        {
            "phone": "13800138003",
            "email": "Family@Example.cn",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    user = User.objects.get(phone="+8613800138003")
    assert user.email == "family@example.cn"
    client.post(reverse("account_verify_phone"), {"code": _code_from(sms_outbox, user.phone)})
    assert client.session["_auth_user_id"] == str(user.pk)
    assert [m.to for m in mail.outbox] == [["family@example.cn"]]
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "family@example.cn", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
