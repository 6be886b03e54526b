"""Demo users, one per role (demo data only; seed_demo refuses to run in production)."""

from __future__ import annotations

from typing import TextIO

from portal.accounts.models import Role, RoleAssignment, User

DEMO_PASSWORD = "demo-pass-2024"  # noqa: S105 - demo accounts only, never in production

# key: (phone, email, name, role)
DEMO_USERS: dict[str, tuple[str, str, str, str]] = {
    "parent": ("+8613800000001", "parent@demo.local", "李妈妈（演示家长）", Role.PARENT),
    "elder_family": (
        "+8613800000002",
        "family@demo.local",
        "张女士（演示家属）",
        Role.ELDER_FAMILY,
    ),
    "station_staff": (
        "+8613800000003",
        "station@demo.local",
        "王老师（演示驿站老师）",
        Role.STATION_STAFF,
    ),
    "facility_staff": (
        "+8613800000004",
        "facility@demo.local",
        "赵护理员（演示护理员）",
        Role.FACILITY_STAFF,
    ),
    "community_staff": (
        "+8613800000005",
        "community@demo.local",
        "刘主任（演示社区工作人员）",
        Role.COMMUNITY_STAFF,
    ),
    "volunteer": (
        "+8613800000006",
        "volunteer@demo.local",
        "杨童伴妈妈（演示志愿者）",
        Role.VOLUNTEER,
    ),
    "county_official": (
        "+8613800000007",
        "county@demo.local",
        "澜沧县干部（演示县级干部）",
        Role.OFFICIAL,
    ),
    "city_official": (
        "+8613800000008",
        "city@demo.local",
        "普洱市干部（演示市级干部）",
        Role.OFFICIAL,
    ),
    "admin": ("+8613800000009", "admin@demo.local", "管理员（演示管理员）", Role.ADMIN),
}


def demo_user(key: str) -> User:
    """The demo user for `key`, created on first use."""
    phone, email, name, _role = DEMO_USERS[key]
    user, created = User.objects.get_or_create(
        phone=phone, defaults={"email": email, "name": name, "phone_verified": True}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        if key == "admin":
            user.is_staff = True
            user.is_superuser = True
        user.save()
    return user


def demo_assign(key: str, **scope: object) -> RoleAssignment:
    """Give the demo user `key` its role, scoped as given (region=, station= or facility=)."""
    user = demo_user(key)
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=DEMO_USERS[key][3], **scope
    )
    return assignment


def print_demo_users(stdout: TextIO) -> None:
    stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):\n")
    for key, (phone, email, name, _role) in DEMO_USERS.items():
        stdout.write(f"  {key:16} {phone:15} {email:22} {name}\n")
