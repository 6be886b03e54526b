"""Registration, pairing, visits and escalation: the rules and the messages."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from casework import rules, services
from casework.models import CaseChild, CaseStatus, Concern, Pairing, Visit
from portal.notifications.models import Notification
from tests.casework.factories import (
    CaseChildFactory,
    ChildResidentFactory,
    VolunteerFactory,
)
from tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def _register_data(resident, carer):
    return {
        "resident": resident.pk,
        "is_left_behind": "on",
        "parents_away": "both",
        "parents_work_place": "浙江义乌",
        "carer": carer.pk,
        "carer_relation": "祖母",
        "school": "娜登小学",
        "grade": "三年级",
        "risk_level": "high",
        "risk_reason": "祖母年老体弱",
    }


def test_registration_is_pending_until_staff_approve(client, community, community_staff):
    household = HouseholdFactory(community=community)
    kid = ChildResidentFactory(household=household)
    grandma = ResidentFactory(household=household, date_of_birth=datetime.date(1955, 1, 1))
    client.force_login(community_staff)
    response = client.post(reverse("casework:child_register"), _register_data(kid, grandma))
    child = CaseChild.objects.get()
    assert response.status_code == 302
    assert child.status == CaseStatus.PENDING and child.next_visit_due is None
    client.post(reverse("casework:child_approve", args=[child.pk]))
    child.refresh_from_db()
    assert child.status == CaseStatus.ACTIVE and child.approved_by == community_staff
    assert child.next_visit_due == timezone.localdate() + datetime.timedelta(
        days=rules.VISIT_INTERVAL_DAYS["high"]
    )


def test_registration_without_a_reason_is_refused_and_saves_nothing(
    client, community, community_staff
):
    kid = ChildResidentFactory(household=HouseholdFactory(community=community))
    data = _register_data(kid, kid)
    data.pop("is_left_behind")
    client.force_login(community_staff)
    response = client.post(reverse("casework:child_register"), data)
    assert response.status_code == 200
    assert "Tick at least one reason" in response.text or "至少" in response.text
    assert not CaseChild.objects.exists()


def test_outsider_cannot_register_a_resident_of_another_community(client, community, outsider):
    kid = ChildResidentFactory(household=HouseholdFactory(community=community))
    client.force_login(outsider)
    response = client.post(reverse("casework:child_register"), _register_data(kid, kid))
    assert response.status_code == 200
    assert "resident" in response.context["form"].errors
    assert not CaseChild.objects.exists()


def test_volunteer_cannot_approve_or_close(client, paired_child, volunteer):
    client.force_login(volunteer)
    assert client.post(reverse("casework:child_approve", args=[paired_child.pk])).status_code == 404
    url = reverse("casework:child_close_approve", args=[paired_child.pk])
    assert client.post(url).status_code == 404


def test_closing_needs_a_reason_and_staff_approval_and_ends_pairings(
    client, paired_child, volunteer, community_staff
):
    client.force_login(volunteer)
    client.post(reverse("casework:child_close_request", args=[paired_child.pk]), {"reason": ""})
    paired_child.refresh_from_db()
    assert paired_child.closed_reason == ""
    client.post(
        reverse("casework:child_close_request", args=[paired_child.pk]),
        {"reason": "父母返乡"},
    )
    paired_child.refresh_from_db()
    assert paired_child.status == CaseStatus.ACTIVE and paired_child.closed_reason == "父母返乡"
    client.force_login(community_staff)
    client.post(reverse("casework:child_close_approve", args=[paired_child.pk]))
    paired_child.refresh_from_db()
    assert paired_child.status == CaseStatus.CLOSED and paired_child.closed_by == community_staff
    assert paired_child.next_visit_due is None
    pairing = paired_child.pairings.get()
    assert not pairing.active and pairing.ended_on == timezone.localdate()


def test_second_active_primary_pairing_is_refused_with_a_message(
    client, paired_child, community, community_staff
):
    other = VolunteerFactory(community=community)
    client.force_login(community_staff)
    response = client.post(
        reverse("casework:pairing_create", args=[paired_child.pk]),
        {"volunteer": other.pk, "is_primary": "on", "started_on": timezone.localdate()},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any("primary" in t or "主要" in t for t in texts)
    assert paired_child.pairings.filter(active=True).count() == 1
    # A secondary pairing is allowed alongside.
    client.post(
        reverse("casework:pairing_create", args=[paired_child.pk]),
        {"volunteer": other.pk, "started_on": timezone.localdate()},
    )
    assert paired_child.pairings.filter(active=True, is_primary=False).count() == 1


def test_database_refuses_a_second_active_primary_pairing(paired_child, community):
    other = VolunteerFactory(community=community)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(
            child=paired_child,
            volunteer=other,
            is_primary=True,
            started_on=timezone.localdate(),
            created_by=paired_child.registered_by,
        )


def test_ended_pairings_stay_as_history_and_a_new_primary_is_allowed(
    paired_child, community, community_staff
):
    services.pairing_end(pairing=paired_child.pairings.get(), reason="调岗", by=community_staff)
    services.pairing_create(
        child=paired_child,
        volunteer=VolunteerFactory(community=community),
        is_primary=True,
        started_on=timezone.localdate(),
        by=community_staff,
    )
    assert paired_child.pairings.count() == 2
    assert paired_child.pairings.filter(active=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_staff_pairing_the_same_child_at_once_leave_one_primary(community, community_staff):
    child = CaseChildFactory(community=community, registered_by=community_staff)
    volunteers = [VolunteerFactory(community=community) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def pair(volunteer):
        try:
            barrier.wait()
            services.pairing_create(
                child=child,
                volunteer=volunteer,
                is_primary=True,
                started_on=timezone.localdate(),
                by=community_staff,
            )
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=pair, args=(v,)) for v in volunteers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Pairing.objects.filter(child=child, active=True, is_primary=True).count() == 1


def test_visit_dated_in_the_future_is_refused_and_saves_nothing(client, paired_child, volunteer):
    client.force_login(volunteer)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("casework:visit_create", args=[paired_child.pk]),
        {"kind": "home", "date": tomorrow.isoformat(), "notes": "x"},
    )
    assert response.status_code == 200
    assert "date" in response.context["form"].errors
    assert not Visit.objects.exists()
    with pytest.raises(ValidationError):
        services.visit_create(
            child=paired_child,
            kind="home",
            date=tomorrow,
            notes="",
            follow_up_actions="",
            by=volunteer,
        )


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31"])
def test_visit_dated_before_1900_is_a_form_error_and_saves_nothing(
    client, paired_child, volunteer, day
):
    client.force_login(volunteer)
    response = client.post(
        reverse("casework:visit_create", args=[paired_child.pk]),
        {"kind": "home", "date": day, "notes": "x"},
    )
    assert response.status_code == 200
    assert "date" in response.context["form"].errors
    assert not Visit.objects.exists()


def test_bad_visit_input_gets_form_errors_not_500(client, paired_child, volunteer):
    client.force_login(volunteer)
    url = reverse("casework:visit_create", args=[paired_child.pk])
    response = client.post(url, {"kind": "party", "date": "2024-02-31"})
    assert response.status_code == 200
    assert {"kind", "date"} <= set(response.context["form"].errors)
    assert not Visit.objects.exists()


def test_visit_moves_the_next_due_date(client, paired_child, volunteer):
    client.force_login(volunteer)
    day = timezone.localdate() - datetime.timedelta(days=2)
    client.post(
        reverse("casework:visit_create", args=[paired_child.pk]),
        {"kind": "care", "date": day.isoformat(), "notes": "一切正常"},
    )
    paired_child.refresh_from_db()
    assert paired_child.visits.get().visited_by == volunteer
    assert paired_child.next_visit_due == day + datetime.timedelta(days=30)


def test_suspected_abuse_is_escalated_at_once_to_the_community_staff(
    client, paired_child, volunteer, community_staff, outsider
):
    client.force_login(volunteer)
    client.post(
        reverse("casework:visit_create", args=[paired_child.pk]),
        {
            "kind": "home",
            "date": timezone.localdate().isoformat(),
            "notes": "家中无人",
            "concern_category": "safety",
            "concern_description": "身上有伤痕",
            "suspected_abuse": "on",
        },
    )
    concern = Concern.objects.get()
    assert concern.suspected_abuse and concern.escalated_at and concern.must_report
    assert concern.category == "abuse_neglect"
    note = Notification.objects.get(kind=Notification.Kind.ESCALATION)
    assert note.recipient == community_staff
    assert note.link == reverse("casework:child_detail", args=[paired_child.pk])
    assert not Notification.objects.filter(recipient=outsider).exists()


def test_ordinary_concern_is_not_escalated(paired_child, volunteer):
    services.visit_create(
        child=paired_child,
        kind="counselling",
        date=timezone.localdate(),
        notes="",
        follow_up_actions="联系班主任",
        concern_category="schooling",
        concern_description="成绩下降",
        by=volunteer,
    )
    concern = Concern.objects.get()
    assert concern.escalated_at is None and not concern.must_report
    assert not Notification.objects.exists()


def test_database_refuses_an_unescalated_abuse_concern(paired_child, volunteer):
    with pytest.raises(IntegrityError), transaction.atomic():
        Concern.objects.create(
            child=paired_child,
            category="abuse_neglect",
            description="x",
            suspected_abuse=True,
            raised_by=volunteer,
        )


def test_staff_record_the_report_to_the_authorities(
    client, paired_child, volunteer, community_staff
):
    concern = services.concern_create(
        child=paired_child,
        visit=None,
        category="abuse_neglect",
        description="疑似忽视",
        suspected_abuse=True,
        by=volunteer,
    )
    client.force_login(community_staff)
    url = reverse("casework:concern_report", args=[concern.pk])
    client.post(url, {"reference": ""})
    concern.refresh_from_db()
    assert concern.reported_at is None
    client.post(url, {"reference": "澜公(2024)001"})
    concern.refresh_from_db()
    assert concern.reported_at and concern.reported_by == community_staff
    response = client.get(reverse("casework:concern_list"))
    assert "澜公(2024)001" in response.text


def test_outsider_cannot_mark_a_concern_reported(client, paired_child, volunteer, outsider):
    concern = services.concern_create(
        child=paired_child,
        visit=None,
        category="abuse_neglect",
        description="疑似忽视",
        suspected_abuse=True,
        by=volunteer,
    )
    client.force_login(outsider)
    url = reverse("casework:concern_report", args=[concern.pk])
    assert client.post(url, {"reference": "x"}).status_code == 404


def test_risk_change_moves_the_schedule(child, community_staff):
    services.case_set_risk(child=child, risk_level="high", reason="祖母住院", by=community_staff)
    child.refresh_from_db()
    assert child.next_visit_due == timezone.localdate(child.approved_at) + datetime.timedelta(
        days=14
    )


def test_outreach_session_is_recorded_and_bad_attendance_refused(
    client, community, community_staff, official, outsider
):
    client.force_login(community_staff)
    data = {
        "region": community.region_id,
        "kind": "legal_education",
        "title": "法治宣传进校园",
        "organiser": "procuratorate",
        "school": "娜登小学",
        "date": "2024-05-01",
        "attendance": "-3",
    }
    response = client.post(reverse("casework:outreach_create"), data)
    assert response.status_code == 200 and "attendance" in response.context["form"].errors
    data["attendance"] = "240"
    client.post(reverse("casework:outreach_create"), data)
    client.force_login(official)
    assert "法治宣传进校园" in client.get(reverse("casework:outreach_list")).text
    client.force_login(outsider)
    assert "法治宣传进校园" not in client.get(reverse("casework:outreach_list")).text
    assert client.post(reverse("casework:outreach_create"), data).status_code == 200


def test_an_administrator_can_record_an_outreach_session_anywhere(client, community, admin_user):
    from casework.models import OutreachEvent

    client.force_login(admin_user)
    data = {
        "region": community.region_id,
        "kind": "legal_education",
        "title": "普法讲座",
        "organiser": "youth_league",
        "school": "县第一小学",
        "date": "2024-06-01",
        "attendance": "120",
    }
    response = client.post(reverse("casework:outreach_create"), data)
    assert response.status_code == 302
    assert OutreachEvent.objects.filter(title="普法讲座", region=community.region).exists()


def test_carer_from_another_household_is_refused(client, community, community_staff):
    kid = ChildResidentFactory(household=HouseholdFactory(community=community))
    stranger = ResidentFactory(
        household=HouseholdFactory(community=community), date_of_birth=datetime.date(1960, 1, 1)
    )
    ChildResidentFactory(household=stranger.household)  # so the stranger is a possible carer
    client.force_login(community_staff)
    response = client.post(reverse("casework:child_register"), _register_data(kid, stranger))
    assert response.status_code == 200
    assert "carer" in response.context["form"].errors
    assert not CaseChild.objects.exists()


def test_a_child_already_registered_is_not_offered_again(client, child, community_staff):
    client.force_login(community_staff)
    response = client.get(reverse("casework:child_register"))
    assert child.resident not in response.context["form"].fields["resident"].queryset


def test_a_pairing_started_in_year_1_is_a_form_error(
    client, paired_child, community, community_staff
):
    other = VolunteerFactory(community=community)
    client.force_login(community_staff)
    before = paired_child.pairings.count()
    response = client.post(
        reverse("casework:pairing_create", args=[paired_child.pk]),
        {"volunteer": other.pk, "started_on": "0001-01-01"},
        follow=True,
    )
    assert response.status_code == 200
    assert "这个日期不对，请检查年份。" in [str(m) for m in response.context["messages"]]
    assert paired_child.pairings.count() == before
