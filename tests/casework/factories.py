"""Factories for the care network (casework)."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from casework.models import CaseChild, CaseStatus, Pairing, Visit, Volunteer, VolunteerTeam
from tests.factories import CommunityFactory, HouseholdFactory, ResidentFactory, UserFactory


class ChildResidentFactory(ResidentFactory):
    date_of_birth = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=9 * 365)
    )


class CaseChildFactory(DjangoModelFactory):
    class Meta:
        model = CaseChild

    community = factory.SubFactory(CommunityFactory)
    resident = factory.LazyAttribute(
        lambda o: ChildResidentFactory(household=HouseholdFactory(community=o.community))
    )
    is_left_behind = True
    parents_away = "both"
    parents_work_place = "广东东莞"
    risk_level = "medium"
    risk_reason = "父母外出务工"
    status = CaseStatus.ACTIVE
    registered_by = factory.SubFactory(UserFactory)
    approved_by = factory.SelfAttribute("registered_by")
    approved_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=60))
    next_visit_due = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=10)
    )


class VolunteerTeamFactory(DjangoModelFactory):
    class Meta:
        model = VolunteerTeam

    name = factory.Sequence(lambda n: f"童伴妈妈队{n}")
    kind = VolunteerTeam.Kind.COMPANION_MOTHERS
    region = factory.LazyAttribute(lambda o: CommunityFactory().region)


class VolunteerFactory(DjangoModelFactory):
    class Meta:
        model = Volunteer

    user = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)
    team = factory.LazyAttribute(lambda o: VolunteerTeamFactory(region=o.community.region))
    contact_phone = "13900000000"


class PairingFactory(DjangoModelFactory):
    class Meta:
        model = Pairing

    child = factory.SubFactory(CaseChildFactory)
    volunteer = factory.LazyAttribute(lambda o: VolunteerFactory(community=o.child.community))
    is_primary = True
    started_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    created_by = factory.SelfAttribute("child.registered_by")


class VisitFactory(DjangoModelFactory):
    class Meta:
        model = Visit

    child = factory.SubFactory(CaseChildFactory)
    kind = Visit.Kind.HOME
    date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
    visited_by = factory.SubFactory(UserFactory)
