"""Reading the concerns list is a read of each child's case: it is logged, one insert a page."""

import pytest
from django.urls import reverse

from casework import services
from casework.models import AccessLog, ConcernCategory
from tests.casework.factories import CaseChildFactory

pytestmark = pytest.mark.django_db


def _concern(child, volunteer, suspected_abuse=True):
    return services.concern_create(
        child=child,
        visit=None,
        category=ConcernCategory.ABUSE_NEGLECT if suspected_abuse else ConcernCategory.OTHER,
        description="手臂上有淤青",
        suspected_abuse=suspected_abuse,
        by=volunteer,
    )


def test_reading_the_concerns_list_writes_access_log_rows(
    client, community_staff, paired_child, volunteer, community, django_assert_max_num_queries
):
    second = CaseChildFactory(community=community, registered_by=community_staff)
    from tests.casework.factories import PairingFactory

    PairingFactory(child=second, volunteer=paired_child.pairings.first().volunteer)
    _concern(paired_child, volunteer)
    _concern(paired_child, volunteer, suspected_abuse=False)
    _concern(second, volunteer)
    client.force_login(community_staff)
    response = client.get(reverse("casework:concern_list"))
    assert response.status_code == 200
    rows = AccessLog.objects.filter(user=community_staff, action=AccessLog.Action.LISTED)
    # One row per child shown, not per concern.
    assert sorted(rows.values_list("child_id", flat=True)) == sorted([paired_child.pk, second.pk])
    assert set(rows.values_list("path", flat=True)) == {reverse("casework:concern_list")}


def test_an_empty_concerns_list_logs_nothing(client, community_staff, child):
    client.force_login(community_staff)
    assert client.get(reverse("casework:concern_list")).status_code == 200
    assert not AccessLog.objects.exists()


def test_no_admin_page_shows_a_full_id_number(client, admin_user, volunteer_record, child):
    """A full ID number is shown nowhere (masked on every page, the admin included), so there
    is no display of one to log."""
    from communities.models import mask_id_number

    volunteer_record.id_number = "53082119800101001X"
    volunteer_record.save(update_fields=["id_number"])
    resident = child.resident
    resident.id_number = "530821201801010015"
    resident.save(update_fields=["id_number"])
    client.force_login(admin_user)
    pages = [
        reverse("admin:casework_volunteer_change", args=[volunteer_record.pk]),
        reverse("admin:casework_volunteer_changelist"),
        reverse("admin:communities_resident_change", args=[resident.pk]),
        reverse("admin:communities_resident_changelist"),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        for number in (volunteer_record.id_number, resident.id_number):
            assert number not in body, url
    body = client.get(pages[0]).content.decode()
    assert mask_id_number(volunteer_record.id_number) in body
