"""One household (一老一小): the grandparent carer's ability level raises the child's review."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

import eldercare.models as eldercare
from casework.models import CarerReviewNotice
from casework.tasks import carer_reviews_raise
from portal.notifications.models import Notification
from tests.casework.factories import CaseChildFactory, ChildResidentFactory
from tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def _assess(resident, community, level, days_ago=10):
    """An assessment whose scores sum into `level`'s band (GB/T 42195-2022)."""
    elder, _ = eldercare.Elder.objects.get_or_create(resident=resident, community=community)
    totals = {0: (32, 15, 28, 15), 1: (25, 12, 22, 11), 2: (20, 10, 15, 10), 3: (15, 5, 12, 8)}
    self_care, motor, mental, perception = totals[level]
    assessed = timezone.localdate() - datetime.timedelta(days=days_ago)
    return eldercare.AbilityAssessment.objects.create(
        elder=elder,
        assessed_on=assessed,
        self_care=self_care,
        motor=motor,
        mental=mental,
        perception=perception,
        total=self_care + motor + mental + perception,
        base_level=level,
        level=level,
        next_due=assessed + datetime.timedelta(days=365),
    )


@pytest.fixture
def household_case(community, community_staff):
    household = HouseholdFactory(community=community)
    grandma = ResidentFactory(household=household, date_of_birth=datetime.date(1950, 3, 1))
    kid = ChildResidentFactory(household=household)
    baby = ResidentFactory(
        household=household, date_of_birth=timezone.localdate() - datetime.timedelta(days=400)
    )
    case = CaseChildFactory(community=community, resident=kid, carer=grandma)
    return household, grandma, case, baby


def test_household_view_lists_young_children_registry_children_and_elders(
    client, household_case, community, community_staff
):
    household, grandma, case, baby = household_case
    _assess(grandma, community, level=1)
    client.force_login(community_staff)
    response = client.get(reverse("casework:household_detail", args=[household.pk]))
    assert response.context["young"] == [baby]
    assert [row["case"] for row in response.context["cases"]] == [case]
    assert [(e["resident"], e["level"]) for e in response.context["elders"]] == [(grandma, 1)]
    assert 'data-testid="review-flag"' not in response.text


def test_carer_at_level_2_flags_the_child_for_risk_review(
    client, household_case, community, community_staff
):
    household, grandma, case, _baby = household_case
    _assess(grandma, community, level=1, days_ago=200)
    _assess(grandma, community, level=2, days_ago=5)
    client.force_login(community_staff)
    response = client.get(reverse("casework:household_detail", args=[household.pk]))
    assert response.context["cases"][0]["needs_review"]
    assert 'data-testid="review-flag"' in response.text


def test_review_job_flags_and_notifies_staff_once_per_assessment(
    household_case, community, community_staff, outsider
):
    _household, grandma, case, _baby = household_case
    _assess(grandma, community, level=2)
    assert carer_reviews_raise() == 1
    case.refresh_from_db()
    assert case.risk_review_needed
    assert Notification.objects.filter(recipient=community_staff).count() == 1
    assert carer_reviews_raise() == 0
    assert Notification.objects.count() == 1
    assert not Notification.objects.filter(recipient=outsider).exists()
    # A later, worse assessment is a new event.
    _assess(grandma, community, level=3, days_ago=1)
    assert carer_reviews_raise() == 1
    assert CarerReviewNotice.objects.count() == 2


def test_review_job_ignores_carers_still_able(household_case, community):
    _household, grandma, case, _baby = household_case
    _assess(grandma, community, level=1)
    assert carer_reviews_raise() == 0
    case.refresh_from_db()
    assert not case.risk_review_needed
