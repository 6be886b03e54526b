"""Django admin for users (no username), their role assignments, and notifications."""

import pytest
from django.urls import reverse

from portal.accounts.models import Role, RoleAssignment, User
from portal.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


def test_user_changelist_and_search(admin_client_, parent):
    response = admin_client_.get(reverse("admin:accounts_user_changelist"), {"q": parent.phone})
    assert response.status_code == 200
    assert parent.phone in response.content.decode()


def test_user_change_page_shows_role_inline_and_no_username(admin_client_, community_staff):
    url = reverse("admin:accounts_user_change", args=[community_staff.pk])
    html = admin_client_.get(url).content.decode()
    assert 'name="role_assignments-0-role"' in html
    assert 'name="username"' not in html
    assert 'name="phone"' in html


def test_admin_creates_a_user_by_phone_only(admin_client_):
    response = admin_client_.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "+8613700000001",
            "email": "",
            "name": "新用户",
            "usable_password": "true",
            "password1": "Long-enough-2024",
            "password2": "Long-enough-2024",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(phone="+8613700000001")
    assert user.email is None
    assert user.check_password("Long-enough-2024")


def test_admin_adds_a_role_assignment_inline(admin_client_, parent, community):
    url = reverse("admin:accounts_user_change", args=[parent.pk])
    page = admin_client_.get(url)
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and key not in {"groups", "user_permissions", "password"}
    }
    data.update(
        {
            "date_joined_0": parent.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": parent.date_joined.strftime("%H:%M:%S"),
            "role_assignments-TOTAL_FORMS": "2",
            "role_assignments-INITIAL_FORMS": "1",
            "role_assignments-0-id": str(parent.role_assignments.get().pk),
            "role_assignments-0-user": str(parent.pk),
            "role_assignments-0-role": Role.PARENT,
            "role_assignments-1-user": str(parent.pk),
            "role_assignments-1-role": Role.VOLUNTEER,
            "role_assignments-1-region": str(community.region.pk),
        }
    )
    data.pop("last_login", None)
    response = admin_client_.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert set(RoleAssignment.objects.filter(user=parent).values_list("role", flat=True)) == {
        Role.PARENT,
        Role.VOLUNTEER,
    }


def test_notification_admin_lists_unsent(admin_client_, parent):
    Notification.objects.create(recipient=parent, text="waiting for the broker")
    response = admin_client_.get(
        reverse("admin:notifications_notification_changelist"), {"sent_at__isempty": "1"}
    )
    assert response.status_code == 200
    assert "waiting for the broker" in response.content.decode()


@pytest.mark.parametrize("persona", ["parent", "outsider", "community_staff"])
def test_admin_is_closed_to_non_staff(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_admin_refuses_a_user_without_phone_or_email(admin_client_):
    response = admin_client_.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "",
            "email": "",
            "usable_password": "false",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not User.objects.exists() or not User.objects.filter(phone=None, email=None).exists()


def test_admin_normalizes_a_typed_phone_number(admin_client_):
    admin_client_.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "137 0000 0002",
            "usable_password": "false",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
        },
    )
    assert User.objects.filter(phone="+8613700000002").exists()
