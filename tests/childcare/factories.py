"""Factories for childcare models."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from childcare.consent import CURRENT_VERSION
from childcare.models import (
    CareClass,
    Child,
    Enrolment,
    Guardian,
    GuardianConsent,
    Session,
    Station,
)
from tests.factories import CommunityFactory, ResidentFactory, UserFactory


def months_ago(months: int, extra_days: int = 10) -> datetime.date:
    """A date of birth making a child `months` old today (plus a few days)."""
    today = timezone.localdate()
    year, month = divmod(today.month - 1 - months, 12)
    born = datetime.date(today.year + year, month + 1, min(today.day, 28))
    return born - datetime.timedelta(days=extra_days)


class StationFactory(DjangoModelFactory):
    class Meta:
        model = Station

    name = factory.Sequence(lambda n: f"驿站{n}")
    community = factory.SubFactory(CommunityFactory)
    licensed_places = 15


class CareClassFactory(DjangoModelFactory):
    class Meta:
        model = CareClass

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"班{n}")
    class_type = CareClass.Type.TODDLER
    capacity = 15
    carers = 3


class ChildFactory(DjangoModelFactory):
    class Meta:
        model = Child

    resident = factory.SubFactory(
        ResidentFactory, date_of_birth=factory.LazyFunction(lambda: months_ago(18))
    )


class GuardianFactory(DjangoModelFactory):
    class Meta:
        model = Guardian
        skip_postgeneration_save = True

    child = factory.SubFactory(ChildFactory)
    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"监护人{n}")
    relation = "母亲"

    @factory.post_generation
    def consent(obj, create, extracted, **kwargs):
        """A guardian with an account has given consent (pass consent=False for one who has
        not): booking and applying need it."""
        if create and obj.user_id and extracted is not False:
            GuardianConsent.objects.create(
                child=obj.child, user=obj.user, version=CURRENT_VERSION, given_at=timezone.now()
            )


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session

    station = factory.SubFactory(StationFactory)
    kind = Session.Kind.FULL_DAY
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=3))
    starts_at = datetime.time(8, 30)
    ends_at = datetime.time(17, 0)
    capacity = 15


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    child = factory.SubFactory(ChildFactory)
    station = factory.SubFactory(StationFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    health_exam_date = factory.LazyFunction(lambda: timezone.localdate())
    vaccinations_confirmed = True
    applied_by = factory.SubFactory(UserFactory)


def child_of(user, community=None, months: int = 18, **kwargs) -> Child:
    """A child of `months` whose guardian (with an account) is `user`."""
    resident_kwargs = {"date_of_birth": months_ago(months)}
    if community is not None:
        resident_kwargs["household__community"] = community
    child = ChildFactory(resident=ResidentFactory(**resident_kwargs), **kwargs)
    GuardianFactory(child=child, user=user, name=str(user))
    return child


def login(client, user):
    from tests.factories import TEST_PASSWORD

    client.login(email=user.email, password=TEST_PASSWORD)
    return client
