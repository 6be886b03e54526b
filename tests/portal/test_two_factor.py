"""Administrators, officials and community staff must sign in with an authenticator app
(TOTP) when PORTAL_REQUIRE_TOTP is on, as it always is in production."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.urls import reverse

from portal.accounts.models import Role
from tests.factories import TEST_PASSWORD, UserFactory, assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def require_totp(settings):
    settings.PORTAL_REQUIRE_TOTP = True


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _sign_in(client, user):
    response = client.post(
        reverse("account_login"), {"login": user.phone, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def _activate(client) -> str:
    response = client.get(reverse("mfa_activate_totp"))
    # Adding a second factor is an account change: allauth asks for the password once more.
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    response = client.post(response.url, {"password": TEST_PASSWORD})
    assert response.status_code == 302
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": _code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


@pytest.mark.parametrize("persona", ["community_staff", "official"])
def test_staff_are_led_to_set_up_an_authenticator_and_cannot_work_before(
    client, request, require_totp, persona
):
    user = request.getfixturevalue(persona)
    _sign_in(client, user)
    for url in ["/", "/communities/", "/dashboards/", "/care/concerns/", "/notifications/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == reverse("mfa_activate_totp"), url
    _activate(client)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] != reverse("mfa_activate_totp")


def test_an_administrator_cannot_open_the_admin_site_without_it(client, require_totp):
    admin = UserFactory(is_staff=True, is_superuser=True)
    _sign_in(client, admin)
    response = client.get("/admin/")
    assert response.url == reverse("mfa_activate_totp")
    _activate(client)
    assert client.get("/admin/").status_code == 200


def test_the_next_sign_in_asks_for_the_code(client, community_staff, require_totp):
    _sign_in(client, community_staff)
    secret = _activate(client)
    client.post(reverse("account_logout"))
    response = _sign_in(client, community_staff)
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    # A wrong code is refused; the right one signs in.
    client.post(
        reverse("mfa_authenticate"), {"code": "000000" if _code(secret) != "000000" else "111111"}
    )
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(community_staff.pk)
    assert client.get("/communities/").status_code == 200


@pytest.mark.parametrize("persona", ["parent", "other_parent", "volunteer"])
def test_other_roles_are_not_asked(client, request, require_totp, persona):
    user = request.getfixturevalue(persona)
    _sign_in(client, user)
    response = client.get(reverse("home"), follow=True)
    assert all(url != reverse("mfa_activate_totp") for url, _ in response.redirect_chain)


def test_account_pages_stay_open_while_setting_up(client, community_staff, require_totp):
    _sign_in(client, community_staff)
    assert client.get(reverse("mfa_activate_totp")).status_code == 302
    assert client.get(reverse("account_reauthenticate")).status_code == 200
    assert client.post(reverse("language_set"), {"language": "en"}).status_code == 302
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_without_the_setting_nobody_is_sent_to_set_up(client, community_staff, settings):
    settings.PORTAL_REQUIRE_TOTP = False
    _sign_in(client, community_staff)
    assert client.get("/communities/").status_code == 200


def test_a_community_staff_member_with_an_unconfirmed_email_can_set_it_up(
    client, require_totp, community
):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="staff@example.cn")
    assign(user, Role.COMMUNITY_STAFF, region=community.region)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    _sign_in(client, user)
    _activate(client)


def test_the_authenticator_is_looked_up_once_and_its_removal_is_seen_at_once(
    client, community_staff, require_totp
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _sign_in(client, community_staff)
    _activate(client)
    client.get("/communities/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/communities/").status_code == 200
    assert not [q for q in queries if "mfa_authenticator" in q["sql"]]
    Authenticator.objects.filter(user=community_staff).delete()
    response = client.get("/communities/")
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
