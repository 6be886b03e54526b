"""Every staff page renders, and its forms save what they should (and nothing on bad input)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from eldercare.models import (
    CareRiskEvent,
    Elder,
    ElderThreshold,
    FamilyContact,
    Meal,
    MealBooking,
    RiskAssessment,
    RoundRecord,
    ShiftHandover,
)
from tests.eldercare.factories import AlertFactory, MealFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_staff_page_renders(client, facility, elder, facility_staff):
    meal = MealFactory(facility=facility)
    alert = AlertFactory(elder=elder)
    client.force_login(facility_staff)
    urls = [
        reverse("eldercare:staff_home"),
        reverse("eldercare:facility_detail", args=[facility.pk]),
        reverse("eldercare:facility_edit", args=[facility.pk]),
        reverse("eldercare:facility_day", args=[facility.pk]),
        reverse("eldercare:facility_records", args=[facility.pk]),
        reverse("eldercare:elder_create", args=[facility.pk]),
        reverse("eldercare:meal_list", args=[facility.pk]),
        reverse("eldercare:kitchen_list", args=[facility.pk]),
        reverse("eldercare:readings_import", args=[facility.pk]),
        reverse("eldercare:meal_detail", args=[meal.pk]),
        reverse("eldercare:alert_list"),
        reverse("eldercare:alert_detail", args=[alert.pk]),
    ] + [
        reverse(f"eldercare:{name}", args=[elder.pk])
        for name in (
            "elder_detail",
            "elder_edit",
            "contact_add",
            "assessment_create",
            "risk_assessment_create",
            "risk_event_create",
            "threshold_set",
            "reading_create",
        )
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_register_an_elder_needs_a_name_or_resident(client, facility, facility_staff):
    client.force_login(facility_staff)
    url = reverse("eldercare:elder_create", args=[facility.pk])
    base = {"support_category": "central", "status": "active", "sex": "F"}
    response = client.post(url, base)
    assert response.status_code == 200 and not Elder.objects.exists()
    response = client.post(
        url, {**base, "name": "王秀兰", "date_of_birth": "1944-02-03", "weekdays": ["0", "2"]}
    )
    assert response.status_code == 302
    elder = Elder.objects.get()
    assert (elder.facility, elder.community, elder.day_care_weekdays) == (
        facility,
        facility.community,
        "02",
    )


def test_family_contact_links_an_account_by_phone(client, elder, facility_staff):
    relative = UserFactory(phone="+8613912345678")
    client.force_login(facility_staff)
    url = reverse("eldercare:contact_add", args=[elder.pk])
    response = client.post(url, {"name": "王", "relation": "儿子", "account_phone": "13900000000"})
    assert response.status_code == 200 and not FamilyContact.objects.exists()
    client.post(url, {"name": "王", "relation": "儿子", "account_phone": "13912345678"})
    assert FamilyContact.objects.get().user == relative
    assert (
        relative.has_role("elder_family")
        or relative.role_assignments.filter(role="elder_family").exists()
    )


def test_records_risks_events_and_thresholds(client, facility, elder, facility_staff):
    client.force_login(facility_staff)
    client.post(
        reverse("eldercare:facility_records", args=[facility.pk]),
        {
            "h-date": timezone.localdate().isoformat(),
            "h-shift": "day",
            "h-received_by": "李",
            "h-summary": "张奶奶午饭吃得少",
        },
    )
    client.post(reverse("eldercare:facility_records", args=[facility.pk]), {"r-observations": ""})
    assert ShiftHandover.objects.count() == 1
    assert RoundRecord.objects.count() == 0  # a problem round needs observations
    client.post(
        reverse("eldercare:facility_records", args=[facility.pk]),
        {"r-all_well": "on", "r-observations": ""},
    )
    assert RoundRecord.objects.count() == 1
    client.post(
        reverse("eldercare:risk_assessment_create", args=[elder.pk]),
        {"assessed_on": timezone.localdate().isoformat(), "risks": ["falls", "scalds"]},
    )
    assert RiskAssessment.objects.get().risk_codes() == ["scalds", "falls"]
    client.post(
        reverse("eldercare:risk_event_create", args=[elder.pk]),
        {"kind": "fall", "occurred_on": "2999-01-01"},
    )
    assert not CareRiskEvent.objects.exists()
    client.post(
        reverse("eldercare:threshold_set", args=[elder.pk]),
        {"measure": "heart_rate", "low": "60", "high": "50"},
    )
    assert not ElderThreshold.objects.exists()
    client.post(
        reverse("eldercare:threshold_set", args=[elder.pk]),
        {"measure": "heart_rate", "low": "45", "high": "110"},
    )
    assert ElderThreshold.objects.get().high == 110


def test_staff_add_a_meal_and_book_and_serve(client, facility, elder, facility_staff):
    client.force_login(facility_staff)
    day = timezone.localdate().isoformat()
    client.post(
        reverse("eldercare:meal_list", args=[facility.pk]),
        {"date": day, "kind": "lunch", "menu": "米饭", "capacity": "-1", "price": "5"},
    )
    assert not Meal.objects.exists()
    client.post(
        reverse("eldercare:meal_list", args=[facility.pk]),
        {"date": day, "kind": "lunch", "menu": "米饭", "capacity": "10", "price": "5"},
    )
    meal = Meal.objects.get()
    client.post(reverse("eldercare:meal_detail", args=[meal.pk]), {"elder": elder.pk})
    booking = MealBooking.objects.get()
    client.post(reverse("eldercare:booking_action", args=[booking.pk, "serve"]))
    booking.refresh_from_db()
    assert booking.status == "served"


def test_edit_form_never_shows_the_full_id_number_and_keeps_it(client, elder, facility_staff):
    elder.id_number = "530828194503011234"
    elder.save()
    client.force_login(facility_staff)
    url = reverse("eldercare:elder_edit", args=[elder.pk])
    body = client.get(url).content.decode()
    assert "530828194503011234" not in body and "5308**********1234" in body
    response = client.post(
        url,
        {
            "name": elder.name,
            "date_of_birth": "1945-03-01",
            "sex": "F",
            "support_category": "central",
            "status": "active",
            "id_number": "",
        },
    )
    assert response.status_code == 302
    elder.refresh_from_db()
    assert elder.id_number == "530828194503011234"
