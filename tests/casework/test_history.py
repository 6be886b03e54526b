"""A case record's page shows who changed it, when, from what to what, and why."""

import pytest
from django.urls import reverse

from casework.models import CaseChild, Pairing, RiskLevel
from portal.history.services import history_context

pytestmark = pytest.mark.django_db


def _history(html: str) -> str:
    assert 'data-testid="change-history"' in html
    return html.split('data-testid="change-history"', 1)[1]


def test_risk_change_on_the_page_shows_who_old_new_and_reason(client, child, community_staff):
    child.risk_level = RiskLevel.LOW
    CaseChild.objects.filter(pk=child.pk).update(risk_level=RiskLevel.LOW)
    client.force_login(community_staff)
    client.post(
        reverse("casework:child_risk", args=[child.pk]),
        {"risk_level": RiskLevel.HIGH, "risk_reason": "父亲外出务工后失联"},
    )
    child.refresh_from_db()
    assert child.risk_level == RiskLevel.HIGH

    history = _history(client.get(child.get_absolute_url()).content.decode())
    entry = history.split('data-testid="history-entry"')[1]
    assert "<del>低</del> → 高" in entry
    assert community_staff.name in entry
    assert "父亲外出务工后失联" in entry.split('data-testid="history-reason"')[1]


def test_a_bulk_update_is_in_the_history_too(client, child, community_staff, outsider):
    assert child.risk_level == RiskLevel.MEDIUM
    # No save(), no signal: the database trigger still records it, with the actor if given.
    CaseChild.objects.filter(pk=child.pk).update(school="第二小学")
    with history_context(by=outsider, reason="批量复核"):
        CaseChild.objects.filter(pk=child.pk).update(risk_level=RiskLevel.HIGH)

    client.force_login(community_staff)
    history = _history(client.get(child.get_absolute_url()).content.decode())
    entries = history.split('data-testid="history-entry"')[1:]
    (unattributed,) = [e for e in entries if "第二小学" in e]
    assert "系统自动" in unattributed and outsider.name not in unattributed
    (bulk,) = [e for e in entries if "批量复核" in e]
    assert "<del>中</del> → 高" in bulk and outsider.name in bulk


def test_ending_a_pairing_shows_on_the_childs_history_with_its_reason(
    client, paired_child, community_staff
):
    pairing = Pairing.objects.get(child=paired_child)
    client.force_login(community_staff)
    client.post(reverse("casework:pairing_end", args=[pairing.pk]), {"reason": "志愿者搬家到外地"})
    history = _history(client.get(paired_child.get_absolute_url()).content.decode())
    (entry,) = [e for e in history.split('data-testid="history-entry"') if "志愿者搬家到外地" in e]
    assert "结对" in entry and community_staff.name in entry and "<del>是</del> → 否" in entry


def test_the_paired_volunteer_sees_the_record_without_its_history(client, paired_child, volunteer):
    client.force_login(volunteer)
    response = client.get(paired_child.get_absolute_url())
    assert response.status_code == 200
    assert 'data-testid="change-history"' not in response.content.decode()


def test_outsider_cannot_open_the_record_or_its_history(client, child, outsider):
    client.force_login(outsider)
    assert client.get(child.get_absolute_url()).status_code == 404
