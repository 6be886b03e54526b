"""Failed sign-ins are counted per account (phone or email) and per real client address."""

import pytest
from allauth.account.adapter import DefaultAccountAdapter
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from portal.accounts.adapter import login_attempts_key
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _too_many() -> str:
    with translation.override("zh-hans"):
        return str(DefaultAccountAdapter.error_messages["too_many_login_attempts"])


def _sign_in(client, login: str, password: str, ip: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": ip} if ip else {}
    return client.post(reverse("account_login"), {"login": login, "password": password}, **extra)


def test_wrong_passwords_on_other_numbers_do_not_lock_out_a_third_person(client):
    UserFactory(phone="+8613900000101")
    UserFactory(phone="+8613900000102")
    third = UserFactory(phone="+8613900000103")
    # Five wrong passwords, for an existing number and for one nobody has.
    for login in ["13900000101", "13900000102", "13900000199", "13900000101", "13900000198"]:
        response = _sign_in(client, login, "wrong-password")
        assert _too_many() not in response.content.decode()
    response = _sign_in(client, "139 0000 0103", TEST_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(third.pk)


def test_every_spelling_of_one_number_shares_its_counter(client):
    UserFactory(phone="+8613900000104")
    for typed in [
        "13900000104",
        "139 0000 0104",
        "+86 13900000104",
        "0086 13900000104",
        "139-0000-0104",
    ]:
        _sign_in(client, typed, "wrong-password")
    response = _sign_in(client, "+8613900000104", TEST_PASSWORD)
    assert _too_many() in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_email_is_counted_without_case_or_spaces(client):
    UserFactory(email="nainai@example.cn")
    for typed in [
        "NaiNai@example.cn",
        "nainai@EXAMPLE.cn",
        " nainai@example.cn",
        "NAINAI@EXAMPLE.CN",
        "nainai@example.cn",
    ]:
        _sign_in(client, typed, "wrong-password")
    response = _sign_in(client, "nainai@example.cn", TEST_PASSWORD)
    assert _too_many() in response.content.decode()


def test_the_key_names_the_account():
    assert login_attempts_key(phone="139 0000 0105") == "phone:+8613900000105"
    assert login_attempts_key(phone="0086-139-0000-0105") == "phone:+8613900000105"
    assert login_attempts_key(email=" A@Example.CN ") == "email:a@example.cn"
    assert login_attempts_key(phone="12") != login_attempts_key(phone="13")


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_each_visitor_has_a_counter_of_their_own(client):
    """Ten failures from one address block that address, not the next visitor's."""
    visitor = UserFactory(phone="+8613900000106")
    for n in range(10):
        _sign_in(client, f"1390000020{n}", "wrong-password", ip="203.0.113.7")
    response = _sign_in(client, "13900000106", TEST_PASSWORD, ip="10.0.0.1, 203.0.113.7")
    assert _too_many() in response.content.decode()
    response = _sign_in(client, "13900000106", TEST_PASSWORD, ip="198.51.100.8")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(visitor.pk)


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_many_good_sign_ins_in_a_minute_are_not_refused(client):
    """The per-address limit on the sign-in page (30 a minute) is not a city-wide cap."""
    users = [UserFactory(phone=f"+86139000003{n:02d}") for n in range(35)]
    refused = []
    for n, user in enumerate(users):
        client.logout()
        response = _sign_in(client, user.phone, TEST_PASSWORD, ip=f"198.51.100.{n + 1}")
        if response.status_code != 302:
            refused.append((n, response.status_code))
    assert refused == []


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client):
    """Anyone can send X-Forwarded-For: unless a proxy of ours is named, it changes nothing."""
    UserFactory(phone="+8613900000107")
    for n in range(10):
        _sign_in(client, f"1390000040{n}", "wrong-password", ip=f"203.0.113.{n + 1}")
    response = _sign_in(client, "13900000107", TEST_PASSWORD, ip="198.51.100.9")
    assert _too_many() in response.content.decode()


@override_settings(ALLAUTH_TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
def test_a_trusted_client_ip_header_names_the_visitor(client):
    UserFactory(phone="+8613900000108")
    for n in range(10):
        client.post(
            reverse("account_login"),
            {"login": f"1390000050{n}", "password": "wrong-password"},
            HTTP_X_REAL_IP="203.0.113.9",
        )
    blocked = client.post(
        reverse("account_login"),
        {"login": "13900000108", "password": TEST_PASSWORD},
        HTTP_X_REAL_IP="203.0.113.9",
    )
    assert _too_many() in blocked.content.decode()
    allowed = client.post(
        reverse("account_login"),
        {"login": "13900000108", "password": TEST_PASSWORD},
        HTTP_X_REAL_IP="198.51.100.10",
    )
    assert allowed.status_code == 302


# --- the admin site ------------------------------------------------------------------------


def test_admin_login_form_is_not_a_second_way_in(client, admin_user):
    """Django's own admin form had no limit; the address now leads to the portal's sign-in."""
    response = client.post(
        "/admin/login/?next=/admin/", {"username": admin_user.email, "password": "password"}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url == reverse("account_login") + "?next=%2Fadmin%2F"


def test_after_ten_wrong_admin_passwords_the_right_one_is_refused(client):
    admin = UserFactory(email="root@example.cn", is_staff=True, is_superuser=True)
    for _ in range(10):
        _sign_in(client, "root@example.cn", "guess-again")
    response = client.post(
        reverse("account_login") + "?next=/admin/",
        {"login": "root@example.cn", "password": TEST_PASSWORD},
    )
    assert _too_many() in response.content.decode()
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session
    # Once the limit lapses (here: the counters are gone) the right password works again.
    from django.core.cache import cache

    cache.clear()
    response = client.post(
        reverse("account_login") + "?next=/admin/",
        {"login": "root@example.cn", "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)
    assert client.get("/admin/").status_code == 200


def test_a_signed_in_non_administrator_is_refused_not_sent_round_in_circles(client, parent):
    client.force_login(parent)
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 403


def test_admin_login_refuses_an_outside_next(client, admin_user):
    response = client.get("/admin/login/?next=https://evil.example/")
    assert "evil.example" not in response.url


def test_the_compose_deployment_names_its_proxy():
    """Without it every visitor shares the proxy's address, and the per-address limits
    (sign-in, sign-up, SMS codes) become city-wide caps."""
    from pathlib import Path

    import yaml
    from django.conf import settings

    compose = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())
    environment = compose["services"]["web"]["environment"]
    assert environment["ALLAUTH_TRUSTED_PROXY_COUNT"].endswith(":-1}")
    example = (Path(settings.BASE_DIR) / ".env.example").read_text()
    assert "ALLAUTH_TRUSTED_PROXY_COUNT=1" in example
