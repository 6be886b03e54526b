"""Who sees what: a user who may not see a row gets 404, the same as for a missing row."""

import pytest
from django.urls import reverse

from eldercare.models import CareFacility, Elder

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("facility_staff", True),
        ("community_staff", True),
        ("family", True),
        ("other_family", False),
        ("other_facility_staff", False),
        ("official", False),
        ("parent", False),
        ("outsider", False),
    ],
)
def test_elder_visible_only_to_staff_of_facility_or_community_and_family(
    request, elder, other_elder, persona, sees
):
    user = request.getfixturevalue(persona)
    assert Elder.objects.visible_to(user).filter(pk=elder.pk).exists() is sees


def test_visible_to_never_repeats_an_elder_with_two_family_contacts(elder, family, facility_staff):
    from tests.eldercare.factories import FamilyContactFactory
    from tests.factories import UserFactory

    FamilyContactFactory(elder=elder, user=UserFactory())
    assert list(Elder.objects.visible_to(facility_staff)) == [elder]


@pytest.mark.parametrize("persona", ["other_family", "outsider", "facility_staff", "official"])
def test_family_page_of_another_familys_elder_is_404(client, request, elder, family, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("eldercare:family_elder", args=[elder.pk]))
    assert response.status_code == 404


def test_family_sees_their_elder_page(client, elder, family):
    client.force_login(family)
    response = client.get(reverse("eldercare:family_elder", args=[elder.pk]))
    assert response.status_code == 200
    assert "张奶奶" in response.content.decode()


def test_family_without_health_permission_does_not_see_readings(client, elder, family):
    from tests.eldercare.factories import HealthReadingFactory

    HealthReadingFactory(elder=elder, kind="weight", value=61)
    elder.family_contacts.update(can_see_health=False)
    client.force_login(family)
    body = client.get(reverse("eldercare:family_elder", args=[elder.pk])).content.decode()
    assert "61.0 kg" not in body
    elder.family_contacts.update(can_see_health=True)
    body = client.get(reverse("eldercare:family_elder", args=[elder.pk])).content.decode()
    assert "61.0 kg" in body


@pytest.mark.parametrize("persona", ["other_facility_staff", "outsider", "official", "family"])
def test_staff_of_another_facility_cannot_edit_facility(client, request, facility, persona):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("eldercare:facility_edit", args=[facility.pk])
    assert client.get(url).status_code == 404
    response = client.post(
        url,
        {
            "name": "改名",
            "kind": "day_care",
            "status": "open",
            "opens_at": "08:00",
            "closes_at": "17:00",
            "checkin_deadline": "09:30",
            "beds": 0,
            "day_places": 1,
            "staff_count": 1,
        },
    )
    assert response.status_code == 404
    facility.refresh_from_db()
    assert facility.name == "龙泉湖日间照料中心"


def test_staff_edits_own_facility_checklists(client, facility, facility_staff):
    client.force_login(facility_staff)
    response = client.post(
        reverse("eldercare:facility_edit", args=[facility.pk]),
        {
            "name": "龙泉湖日间照料中心",
            "kind": "day_care",
            "status": "open",
            "opens_at": "08:00",
            "closes_at": "17:00",
            "checkin_deadline": "09:30",
            "beds": 0,
            "day_places": 40,
            "staff_count": 4,
            "has_ramps": "on",
            "has_handrails": "on",
            "has_dining_room": "on",
        },
    )
    assert response.status_code == 302
    facility.refresh_from_db()
    assert (facility.day_places, facility.has_ramps, facility.has_kitchen) == (40, True, False)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("facility_staff", 200),
        ("community_staff", 200),
        ("other_facility_staff", 404),
        ("family", 404),
        ("official", 404),
        ("outsider", 404),
    ],
)
def test_staff_pages_of_an_elder_answer_404_to_others(client, request, elder, persona, status):
    client.force_login(request.getfixturevalue(persona))
    for name in ("elder_detail", "assessment_create", "reading_create", "elder_edit"):
        assert client.get(reverse(f"eldercare:{name}", args=[elder.pk])).status_code == status
    facility_pk = elder.facility_id
    assert client.get(reverse("eldercare:facility_day", args=[facility_pk])).status_code == status


def test_official_sees_facility_but_no_elder_names(client, facility, elder, official):
    client.force_login(official)
    response = client.get(reverse("eldercare:facility_detail", args=[facility.pk]))
    assert response.status_code == 200
    assert "张奶奶" not in response.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "other_family"])
def test_facility_detail_is_404_outside_scope(client, request, facility, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("eldercare:facility_detail", args=[facility.pk])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "count"),
    [("facility_staff", 1), ("community_staff", 1), ("official", 0), ("outsider", 0)],
)
def test_editable_facilities(request, facility, other_facility, persona, count):
    user = request.getfixturevalue(persona)
    assert CareFacility.objects.editable_by(user).filter(pk=facility.pk).count() == count


def test_staff_cannot_check_in_an_elder_of_another_facility(
    client, facility, facility_staff, other_elder
):
    client.force_login(facility_staff)
    url = reverse("eldercare:check_in", args=[facility.pk, other_elder.pk])
    assert client.post(url).status_code == 404
    assert not other_elder.attendances.exists()


def test_outsider_cannot_close_an_alert(client, elder, outsider):
    from tests.eldercare.factories import AlertFactory

    alert = AlertFactory(elder=elder)
    client.force_login(outsider)
    url = reverse("eldercare:alert_detail", args=[alert.pk])
    assert client.post(url, {"note": "done"}).status_code == 404
    alert.refresh_from_db()
    assert alert.status == "open"


def test_start_pages_exist(client, facility_staff, family):
    client.force_login(facility_staff)
    assert client.get(reverse("eldercare:staff_home")).status_code == 200
    client.force_login(family)
    assert client.get(reverse("eldercare:family_home")).status_code == 200


@pytest.mark.parametrize("persona", ["other_facility_staff", "outsider", "family", "official"])
def test_others_cannot_check_in_or_out_at_a_facility(client, request, facility, elder, persona):
    from eldercare import services
    from eldercare.models import DayCareAttendance
    from tests.factories import UserFactory

    staff = UserFactory()
    attendance = services.attendance_check_in(elder=elder, facility=facility, by=staff)
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("eldercare:check_out", args=[attendance.pk])).status_code == 404
    attendance.delete()
    url = reverse("eldercare:check_in", args=[facility.pk, elder.pk])
    assert client.post(url).status_code == 404
    assert not DayCareAttendance.objects.exists()


@pytest.mark.parametrize("persona", ["other_family", "outsider", "facility_staff"])
def test_only_family_books_through_the_family_page(client, request, facility, elder, persona):
    from eldercare.models import MealBooking
    from tests.eldercare.factories import MealFactory

    meal = MealFactory(facility=facility)
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("eldercare:family_book", args=[elder.pk]), {"meal": meal.pk})
    assert response.status_code == 404
    assert not MealBooking.objects.exists()
