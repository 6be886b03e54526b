"""An elder's page shows the changes to the elder and to their assessments, to staff only."""

import pytest
from django.urls import reverse
from django.utils import timezone

from eldercare.models import Elder
from portal.history.services import history_context
from tests.eldercare.factories import full_scores

pytestmark = pytest.mark.django_db


def test_an_assessment_and_a_bulk_change_show_on_the_elders_page(client, elder, facility_staff):
    client.force_login(facility_staff)
    response = client.post(
        reverse("eldercare:assessment_create", args=[elder.pk]),
        {"assessed_on": timezone.localdate().isoformat(), "notes": "", **full_scores(eating=0)},
    )
    assert response.status_code == 302
    with history_context(by=facility_staff):
        Elder.objects.filter(pk=elder.pk).update(allergies="青霉素")

    html = client.get(reverse("eldercare:elder_detail", args=[elder.pk])).content.decode()
    history = html.split('data-testid="change-history"', 1)[1]
    entries = history.split('data-testid="history-entry"')[1:]
    assert any("能力评估" in e and "新建" in e and facility_staff.name in e for e in entries)
    (allergy,) = [e for e in entries if "青霉素" in e]
    assert "<del>—</del> → 青霉素" in allergy and facility_staff.name in allergy


def test_staff_of_another_facility_get_404(client, elder, other_facility_staff):
    client.force_login(other_facility_staff)
    assert client.get(reverse("eldercare:elder_detail", args=[elder.pk])).status_code == 404
