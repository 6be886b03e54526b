"""Factories for the foundation models. Each app keeps its own in tests/<app>/factories.py."""

import datetime

import factory
from factory.django import DjangoModelFactory

from communities.models import Community, Household, Premises, Region, Resident
from portal.accounts.models import Role, RoleAssignment, User

TEST_PASSWORD = "test-pass-123"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    phone = factory.Sequence(lambda n: f"+86139{n:08d}")
    phone_verified = True
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"地区{n}")
    code = factory.Sequence(lambda n: f"r{n}")
    level = Region.Level.COUNTY
    parent = None


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Community

    region = factory.SubFactory(RegionFactory, level=Region.Level.COMMUNITY)
    population = 10000


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    community = factory.SubFactory(CommunityFactory)
    address = factory.Sequence(lambda n: f"{n}栋1单元")


class ResidentFactory(DjangoModelFactory):
    class Meta:
        model = Resident

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"居民{n}")
    sex = Resident.Sex.FEMALE
    date_of_birth = datetime.date(1980, 1, 1)


class PremisesFactory(DjangoModelFactory):
    class Meta:
        model = Premises

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"用房{n}")
    address = "社区服务中心"
    area_m2 = 120


def assign(user: User, role: str, **scope: object) -> RoleAssignment:
    """Give `user` a role with its scope (region=, station= or facility=)."""
    assignment = RoleAssignment.objects.create(user=user, role=role, **scope)
    user.__dict__.pop("assignments", None)  # drop the cached look-up
    return assignment


__all__ = [
    "CommunityFactory",
    "HouseholdFactory",
    "PremisesFactory",
    "RegionFactory",
    "ResidentFactory",
    "Role",
    "TEST_PASSWORD",
    "UserFactory",
    "assign",
]
