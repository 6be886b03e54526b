"""A family new to the portal: the three start steps, consent, and what an unverified
household may do."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from childcare import services, start_services
from childcare.consent import CURRENT_VERSION
from childcare.models import Booking, Child, Enrolment, Guardian, GuardianConsent
from communities.models import Household, Resident
from portal.accounts.models import Role, RoleAssignment
from tests.childcare.factories import (
    EnrolmentFactory,
    SessionFactory,
    child_of,
    login,
    months_ago,
)
from tests.communities.factories import valid_id_number, with_wrong_check_character
from tests.factories import HouseholdFactory, ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(db):
    return UserFactory(name="", phone="+8613700001111")


def _household_step(**overrides):
    data = {
        "address": "晨北小区5栋1单元302",
        "name": "王芳",
        "sex": "F",
        "date_of_birth": "1992-04-05",
        "id_number": "",
        "relation": "mother",
    }
    data.update(overrides)
    return data


def _child_step(**overrides):
    data = {
        "name": "王小宝",
        "sex": "M",
        "date_of_birth": months_ago(20).isoformat(),
        "id_number": "",
        "consent_version": CURRENT_VERSION,
        "consent": "on",
    }
    data.update(overrides)
    return data


def _walk_to_step_3(client, community):
    response = client.post(
        reverse("childcare:start"), {"action": "community", "community": community.pk}
    )
    assert response.url == reverse("childcare:start_household")
    response = client.post(reverse("childcare:start_household"), _household_step())
    assert response.url == reverse("childcare:start_child")


def test_home_sends_a_user_without_a_role_to_the_start(client, newcomer):
    login(client, newcomer)
    assert client.get("/").url == reverse("childcare:start")
    assert client.get(reverse("childcare:start")).status_code == 200


def test_three_steps_declare_household_parent_child_consent_and_role(
    client, newcomer, community, community_staff, django_capture_on_commit_callbacks
):
    login(client, newcomer)
    _walk_to_step_3(client, community)
    page = client.get(reverse("childcare:start_child")).content.decode()
    assert CURRENT_VERSION in page  # the version of the consent text shown
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("childcare:start_child"), _child_step())
    assert response.url == reverse("childcare:parent_home")

    parent = Resident.objects.get(user=newcomer)
    household = parent.household
    assert household.community == community
    assert household.status == Household.Status.PENDING
    assert (parent.name, parent.phone) == ("王芳", "+8613700001111")
    child = Child.objects.get(resident__name="王小宝")
    assert child.resident.household == household
    guardian = Guardian.objects.get(child=child)
    assert (guardian.user, guardian.relation, guardian.may_collect) == (newcomer, "mother", True)
    consent = GuardianConsent.objects.get(child=child)
    assert (consent.user, consent.version, consent.withdrawn_at) == (
        newcomer,
        CURRENT_VERSION,
        None,
    )
    assert RoleAssignment.objects.filter(user=newcomer, role=Role.PARENT).exists()
    # The community's staff are told, with a link to their list.
    note = community_staff.notifications.get()
    assert "5栋1单元302" in note.text
    # Done: the session no longer holds what was typed, and the start is closed.
    assert "childcare_start" not in client.session
    assert client.get(reverse("childcare:start")).url == reverse("childcare:child_register")
    # The parent's page says plainly what is pending.
    home = client.get(reverse("childcare:parent_home")).content.decode()
    assert 'data-testid="household-status"' in home


def test_start_by_station_chooses_the_station_community(client, newcomer, station):
    login(client, newcomer)
    response = client.post(reverse("childcare:start"), {"action": "station", "station": station.pk})
    assert response.url == reverse("childcare:start_household")
    page = client.get(reverse("childcare:start_household")).content.decode()
    assert station.community.region.name in page


def test_county_then_town_then_community_without_javascript(client, newcomer, community, county):
    login(client, newcomer)
    page = client.get(reverse("childcare:start")).content.decode()
    assert 'data-testid="pick-community"' not in page
    page = client.get(reverse("childcare:start"), {"county": county.pk}).content.decode()
    assert 'data-testid="pick-community"' in page
    assert community.region.name in page
    # Nonsense parameters are ignored, never a 500.
    for odd in ("x", "99999999", "²", "-1"):
        assert (
            client.get(reverse("childcare:start"), {"county": odd, "town": odd}).status_code == 200
        )


@pytest.mark.parametrize(
    "overrides",
    [
        {"date_of_birth": "1899-12-31"},
        {"date_of_birth": "9999-12-31"},
        {"date_of_birth": "0001-01-01"},
        {"id_number": "123"},
        {"id_number": with_wrong_check_character(valid_id_number(datetime.date(1992, 4, 5)))},
        {"id_number": valid_id_number(datetime.date(1990, 1, 1))},  # not the date of birth
        {"relation": "uncle"},
    ],
)
def test_bad_parent_input_is_a_form_error_and_changes_nothing(
    client, newcomer, community, overrides
):
    login(client, newcomer)
    client.post(reverse("childcare:start"), {"action": "community", "community": community.pk})
    response = client.post(reverse("childcare:start_household"), _household_step(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "household" not in client.session["childcare_start"]
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"date_of_birth": "1899-12-31"},
        {"date_of_birth": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()},
        {"id_number": "53082820990101001X"},
        {"consent": ""},
        {"consent_version": "1999"},
    ],
)
def test_bad_child_input_is_a_form_error_and_changes_nothing(
    client, newcomer, community, overrides
):
    login(client, newcomer)
    _walk_to_step_3(client, community)
    response = client.post(reverse("childcare:start_child"), _child_step(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Household.objects.exists()
    assert not Resident.objects.exists()
    assert not RoleAssignment.objects.filter(user=newcomer).exists()


def test_a_full_id_number_is_never_echoed(client, newcomer, community):
    number = valid_id_number(datetime.date(1992, 4, 5))
    login(client, newcomer)
    client.post(reverse("childcare:start"), {"action": "community", "community": community.pk})
    response = client.post(
        reverse("childcare:start_household"), _household_step(id_number=number, name="")
    )
    assert response.status_code == 200
    assert number not in response.content.decode()


def test_steps_out_of_order_go_back_to_the_first(client, newcomer):
    login(client, newcomer)
    assert client.get(reverse("childcare:start_household")).url == reverse("childcare:start")
    assert client.get(reverse("childcare:start_child")).url == reverse("childcare:start")


def test_the_start_needs_a_signed_in_user(client):
    response = client.get(reverse("childcare:start"))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


# --- the add-a-child form says up front what is missing ------------------------------------


def test_add_child_says_the_household_waits_and_still_adds(client, newcomer, community):
    household = HouseholdFactory(community=community, status=Household.Status.PENDING)
    ResidentFactory(household=household, user=newcomer)
    login(client, newcomer)
    page = client.get(reverse("childcare:child_register")).content.decode()
    assert 'data-testid="missing"' in page and 'data-testid="child-form"' in page
    data = _child_step(relation="father", allergies="")
    assert client.post(reverse("childcare:child_register"), data).status_code == 302
    child = Child.objects.get(resident__name="王小宝")
    assert child.resident.household == household
    assert child.consents.get().user == newcomer


def test_add_child_to_a_refused_household_shows_the_reason_and_no_form(client, newcomer, community):
    household = HouseholdFactory(
        community=community, status=Household.Status.REFUSED, refusal_reason="地址不在本社区"
    )
    ResidentFactory(household=household, user=newcomer)
    login(client, newcomer)
    page = client.get(reverse("childcare:child_register")).content.decode()
    assert "地址不在本社区" in page
    assert 'data-testid="child-form"' not in page
    client.post(reverse("childcare:child_register"), _child_step(relation="father"))
    assert not Child.objects.exists()


# --- consent --------------------------------------------------------------------------------


def test_withdrawn_consent_stops_booking_and_applying_until_given_again(
    client, parent, child, session, station
):
    login(client, parent)
    page = client.get(reverse("childcare:consent", args=[child.pk])).content.decode()
    assert CURRENT_VERSION in page
    # Without the confirmation nothing changes.
    client.post(reverse("childcare:consent_withdraw", args=[child.pk]), {})
    assert GuardianConsent.objects.active().filter(child=child).exists()
    client.post(reverse("childcare:consent_withdraw", args=[child.pk]), {"confirm": "on"})
    consent = GuardianConsent.objects.get(child=child)
    assert consent.withdrawn_at is not None

    response = client.post(
        reverse("childcare:booking_create", args=[session.pk]), {"child": child.pk}, follow=True
    )
    assert "consent" in response.content.decode().lower() or "同意" in response.content.decode()
    assert not Booking.objects.filter(child=child).exists()
    with pytest.raises(ValidationError) as refused:
        services.enrolment_apply(
            child=child,
            station=station,
            start_date=timezone.localdate() + datetime.timedelta(days=7),
            health_exam_date=timezone.localdate(),
            vaccinations_confirmed=True,
            by=parent,
        )
    assert refused.value.error_list[0].code == "no_consent"
    assert not Enrolment.objects.exists()

    client.post(
        reverse("childcare:consent_give", args=[child.pk]),
        {"consent": "on", "consent_version": CURRENT_VERSION},
    )
    assert GuardianConsent.objects.active().filter(child=child).count() == 1
    assert GuardianConsent.objects.filter(child=child).count() == 2
    client.post(reverse("childcare:booking_create", args=[session.pk]), {"child": child.pk})
    assert Booking.objects.get(child=child).status == Booking.Status.CONFIRMED


def test_staff_see_the_consent_withdrawn(client, parent, child, station, station_staff):
    EnrolmentFactory(child=child, station=station)
    start_services.consent_withdraw(child=child, by=parent)
    login(client, station_staff)
    page = client.get(reverse("childcare:child_care", args=[child.pk])).content.decode()
    assert 'data-testid="consent-withdrawn"' in page


def test_one_active_consent_per_guardian_is_a_database_rule(parent, child):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        GuardianConsent.objects.create(
            child=child, user=parent, version=CURRENT_VERSION, given_at=timezone.now()
        )


def test_consent_pages_answer_404_to_others(client, child, other_parent, outsider, station_staff):
    for user in (other_parent, outsider, station_staff):
        login(client, user)
        assert client.get(reverse("childcare:consent", args=[child.pk])).status_code == 404
        url = reverse("childcare:consent_withdraw", args=[child.pk])
        assert client.post(url, {"confirm": "on"}).status_code == 404
    assert GuardianConsent.objects.active().filter(child=child).exists()


# --- an unverified household ----------------------------------------------------------------


@pytest.fixture
def pending_child(parent, community):
    child = child_of(parent, community)
    Household.objects.filter(pk=child.resident.household_id).update(status="pending")
    return Child.objects.select_related("resident__household").get(pk=child.pk)


def test_pending_household_cannot_book_but_may_apply(parent, pending_child, station, station_staff):
    session = SessionFactory(station=station)
    with pytest.raises(ValidationError, match="not verified"):
        services.booking_create(session_id=session.pk, child_id=pending_child.pk, by=parent)
    assert not Booking.objects.exists()
    enrolment = services.enrolment_apply(
        child=pending_child,
        station=station,
        start_date=timezone.localdate() + datetime.timedelta(days=7),
        health_exam_date=timezone.localdate(),
        vaccinations_confirmed=True,
        by=parent,
    )
    # The station cannot offer the place until the household is verified.
    with pytest.raises(ValidationError, match="not verified"):
        services.enrolment_decide(enrolment=enrolment, status="offered", by=station_staff)
    enrolment.refresh_from_db()
    assert enrolment.status == "applied"
    services.enrolment_decide(enrolment=enrolment, status="waitlisted", by=station_staff)


def test_station_sees_household_not_verified(client, pending_child, station, station_staff):
    enrolment = EnrolmentFactory(child=pending_child, station=station)
    login(client, station_staff)
    page = client.get(reverse("childcare:enrolment_detail", args=[enrolment.pk])).content.decode()
    assert 'data-testid="household-not-verified"' in page
