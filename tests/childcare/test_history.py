"""An application's page shows its change history to the station's staff, not to the parent."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from childcare.services import enrolment_apply
from tests.childcare.factories import login

pytestmark = pytest.mark.django_db


def test_a_decision_shows_in_the_history_for_staff_only(
    parent, child, station, station_staff, other_station_staff
):
    enrolment = enrolment_apply(
        child=child,
        station=station,
        by=parent,
        start_date=timezone.localdate() + datetime.timedelta(days=7),
        health_exam_date=timezone.localdate() - datetime.timedelta(days=10),
        vaccinations_confirmed=True,
    )
    staff = login(Client(), station_staff)
    url = reverse("childcare:enrolment_detail", args=[enrolment.pk])
    response = staff.post(url, {"action": "decide", "status": "waitlisted", "note": "名额已满"})
    assert response.status_code == 302

    html = staff.get(url).content.decode()
    history = html.split('data-testid="change-history"', 1)[1]
    (entry,) = [e for e in history.split('data-testid="history-entry"') if "→" in e]
    assert "<del>已申请</del> → 候补中" in entry and station_staff.name in entry

    parent_page = login(Client(), parent).get(url)
    assert parent_page.status_code == 200
    assert 'data-testid="change-history"' not in parent_page.content.decode()
    assert login(Client(), other_station_staff).get(url).status_code == 404
