"""Ability assessment, risk assessment, care plan and the re-assessment reminder."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from eldercare import services
from eldercare.models import AbilityAssessment, CarePlan, CareRiskEvent
from eldercare.tasks import remind_reassessments
from portal.notifications.models import Notification
from tests.eldercare.factories import full_scores

pytestmark = pytest.mark.django_db


def _post_data(scores: dict) -> dict:
    return {"assessed_on": timezone.localdate().isoformat(), "notes": "", **scores}


@pytest.mark.parametrize(("item", "value"), [("eating", 5), ("stairs", 4), ("vision", -1)])
def test_score_out_of_range_is_a_form_error_and_saves_nothing(
    client, elder, facility_staff, item, value
):
    client.force_login(facility_staff)
    response = client.post(
        reverse("eldercare:assessment_create", args=[elder.pk]),
        _post_data(full_scores(**{item: value})),
    )
    assert response.status_code == 200
    assert response.context["form"].errors[item]
    assert not AbilityAssessment.objects.exists()


def test_non_number_score_is_a_form_error(client, elder, facility_staff):
    client.force_login(facility_staff)
    data = _post_data(full_scores())
    data["memory"] = "abc"
    response = client.post(reverse("eldercare:assessment_create", args=[elder.pk]), data)
    assert response.status_code == 200 and response.context["form"].errors["memory"]
    assert not AbilityAssessment.objects.exists()


def test_staff_assessment_saves_total_level_and_care_plan(client, elder, facility_staff):
    client.force_login(facility_staff)
    scores = full_scores(eating=0, grooming=0, bathing=0, memory=0)  # 90 - 16 = 74
    response = client.post(
        reverse("eldercare:assessment_create", args=[elder.pk]), _post_data(scores)
    )
    assert response.status_code == 302
    a = AbilityAssessment.objects.get()
    assert (a.total, a.base_level, a.level, a.self_care) == (74, 1, 1, 20)
    assert a.next_due == a.assessed_on + datetime.timedelta(days=365)
    assert CarePlan.objects.get(elder=elder, is_current=True).level == 1


def test_service_refuses_incomplete_scores(elder, facility_staff):
    scores = full_scores()
    del scores["hearing"]
    with pytest.raises(ValidationError):
        services.assessment_create(
            elder=elder, assessed_on=timezone.localdate(), scores=scores, by=facility_staff
        )
    assert not AbilityAssessment.objects.exists()


def test_dementia_diagnosis_raises_level_by_one(elder, facility_staff):
    elder.has_dementia_or_psychiatric_diagnosis = True
    elder.save()
    a = services.assessment_create(
        elder=elder, assessed_on=timezone.localdate(), scores=full_scores(), by=facility_staff
    )
    assert (a.total, a.base_level, a.level) == (90, 0, 1)
    assert a.raise_reason


@pytest.mark.parametrize(("days_ago", "raised"), [(0, True), (29, True), (30, False)])
def test_two_risk_events_within_thirty_days_raise_level(elder, facility_staff, days_ago, raised):
    today = timezone.localdate()
    CareRiskEvent.objects.create(elder=elder, kind="fall", occurred_on=today)
    CareRiskEvent.objects.create(
        elder=elder, kind="wandering", occurred_on=today - datetime.timedelta(days=days_ago)
    )
    a = services.assessment_create(
        elder=elder, assessed_on=today, scores=full_scores(eating=0), by=facility_staff
    )
    assert a.level == (2 if raised else 1)


def test_risk_assessment_drives_care_plan(elder, facility_staff):
    services.assessment_create(
        elder=elder, assessed_on=timezone.localdate(), scores=full_scores(), by=facility_staff
    )
    services.risk_assessment_create(
        elder=elder,
        assessed_on=timezone.localdate(),
        risks=["falls", "choking", "wandering"],
        by=facility_staff,
    )
    plans = CarePlan.objects.filter(elder=elder)
    assert plans.filter(is_current=True).count() == 1
    plan = plans.get(is_current=True)
    assert plan.round_interval_hours == 2 and len(plan.measures) == 4


def test_reassessment_reminder_is_sent_once(
    elder, facility_staff, django_capture_on_commit_callbacks
):
    past = timezone.localdate() - datetime.timedelta(days=360)
    services.assessment_create(
        elder=elder, assessed_on=past, scores=full_scores(), by=facility_staff
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_reassessments.delay().get() == 1
        assert remind_reassessments.delay().get() == 0
    notes = Notification.objects.filter(recipient=facility_staff, kind="reminder")
    assert notes.count() == 1


def test_reminder_skips_an_elder_reassessed_since(elder, facility_staff):
    past = timezone.localdate() - datetime.timedelta(days=360)
    services.assessment_create(
        elder=elder, assessed_on=past, scores=full_scores(), by=facility_staff
    )
    services.assessment_create(
        elder=elder, assessed_on=timezone.localdate(), scores=full_scores(), by=facility_staff
    )
    assert services.reassessment_reminders_send(today=timezone.localdate()) == 0
