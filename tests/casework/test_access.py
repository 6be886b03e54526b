"""Need-to-know: who may open a case record, and that every read is logged."""

import pytest
from django.urls import reverse

from casework import services
from casework.models import AccessLog
from tests.casework.factories import CaseChildFactory
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def detail(child):
    return reverse("casework:child_detail", args=[child.pk])


def test_paired_volunteer_opens_the_record_and_the_read_is_logged(client, paired_child, volunteer):
    response = _get(client, volunteer, detail(paired_child))
    assert response.status_code == 200
    assert paired_child.resident.name in response.text
    log = AccessLog.objects.get()
    assert (log.user, log.child, log.action) == (volunteer, paired_child, "view")


def test_volunteer_cannot_open_an_unpaired_child(client, paired_child, volunteer, community):
    unpaired = CaseChildFactory(community=community)
    assert _get(client, volunteer, detail(unpaired)).status_code == 404
    visit_form = reverse("casework:visit_create", args=[unpaired.pk])
    assert _get(client, volunteer, visit_form).status_code == 404
    assert not AccessLog.objects.exists()


def test_volunteer_loses_access_when_the_pairing_ends(
    client, paired_child, volunteer, community_staff
):
    pairing = paired_child.pairings.get()
    services.pairing_end(pairing=pairing, reason="moved away", by=community_staff)
    assert _get(client, volunteer, detail(paired_child)).status_code == 404
    response = client.post(
        reverse("casework:visit_create", args=[paired_child.pk]),
        {"kind": "home", "date": "2020-01-01"},
    )
    assert response.status_code == 404
    assert not paired_child.visits.exists()


def test_community_staff_read_their_community_and_it_is_logged(client, child, community_staff):
    assert _get(client, community_staff, detail(child)).status_code == 200
    assert _get(client, community_staff, detail(child)).status_code == 200
    assert AccessLog.objects.filter(user=community_staff, child=child).count() == 2


def test_outsider_staff_of_another_community_gets_404_everywhere(client, child, outsider):
    client.force_login(outsider)
    for name in ("child_detail", "visit_create"):
        assert client.get(reverse(f"casework:{name}", args=[child.pk])).status_code == 404
    for name in ("child_approve", "child_close_approve", "child_risk", "pairing_create"):
        assert client.post(reverse(f"casework:{name}", args=[child.pk])).status_code == 404
    assert not AccessLog.objects.exists()


def test_official_opening_a_case_record_gets_404_but_sees_counts(client, child, official):
    assert _get(client, official, detail(child)).status_code == 404
    response = client.get(reverse("casework:summary"))
    assert response.status_code == 200
    assert child.resident.name not in response.text
    assert response.context["totals"]["active"] == 1
    assert client.get(reverse("casework:child_list")).status_code == 302
    assert not AccessLog.objects.exists()


def test_outsider_counts_do_not_include_another_county(client, child, outsider):
    response = _get(client, outsider, reverse("casework:summary"))
    assert response.context["totals"]["active"] == 0


def test_parent_sees_nothing(client, child, parent):
    assert _get(client, parent, detail(child)).status_code == 404
    assert client.get(reverse("casework:summary")).status_code == 404
    assert client.get(reverse("casework:access_log")).status_code == 404


def test_staff_read_the_access_log_of_their_community_only(
    client, paired_child, other_child, volunteer, community_staff, outsider
):
    _get(client, volunteer, detail(paired_child))
    _get(client, outsider, detail(other_child))
    response = _get(client, community_staff, reverse("casework:access_log"))
    assert response.status_code == 200
    children = {entry.child for entry in response.context["page"]}
    assert children == {paired_child}
    outsider_view = _get(client, outsider, reverse("casework:access_log"))
    assert {e.child for e in outsider_view.context["page"]} == {other_child}
    assert _get(client, volunteer, reverse("casework:access_log")).status_code == 404


def test_anonymous_is_sent_to_login(client, child):
    response = client.get(detail(child))
    assert response.status_code == 302
    assert "login" in response.url
    assert TEST_PASSWORD


def test_household_view_is_for_community_staff_only(
    client, child, community_staff, outsider, volunteer, official
):
    url = reverse("casework:household_detail", args=[child.resident.household_id])
    assert _get(client, community_staff, url).status_code == 200
    for user in (outsider, volunteer, official):
        assert _get(client, user, url).status_code == 404


def test_bad_ids_answer_404(client, community_staff):
    client.force_login(community_staff)
    assert client.get("/care/children/999999/").status_code == 404
    assert client.get("/care/households/999999/").status_code == 404
    assert client.get("/care/access-log/?child=abc&page=zz").status_code == 200


def test_paired_volunteer_can_ask_to_close_but_not_close(
    client, paired_child, volunteer, community_staff
):
    client.force_login(volunteer)
    page = client.get(detail(paired_child))
    assert reverse("casework:child_close_request", args=[paired_child.pk]) in page.text
    assert reverse("casework:child_close_approve", args=[paired_child.pk]) not in page.text


def test_seeing_children_in_the_registry_list_is_logged_one_row_each(
    client, child, community_staff, community
):
    second = CaseChildFactory(community=community)
    response = _get(client, community_staff, reverse("casework:child_list"))
    assert response.status_code == 200
    listed = AccessLog.objects.filter(user=community_staff, action="listed")
    assert sorted(listed.values_list("child_id", flat=True)) == sorted([child.pk, second.pk])


def test_the_volunteers_start_page_logs_the_paired_children_it_shows(
    client, paired_child, volunteer
):
    assert _get(client, volunteer, reverse("casework:volunteer_home")).status_code == 200
    log = AccessLog.objects.get()
    assert (log.user, log.child, log.action) == (volunteer, paired_child, "listed")


def test_the_household_view_logs_the_registry_children_it_shows(client, child, community_staff):
    url = reverse("casework:household_detail", args=[child.resident.household_id])
    assert _get(client, community_staff, url).status_code == 200
    log = AccessLog.objects.get()
    assert (log.user, log.child, log.action) == (community_staff, child, "listed")


# --- odd query parameters answer normally, never a 500 --------------------------------


# "²" passes str.isdigit() but int() refuses it.
@pytest.mark.parametrize("value", ["²", "99999999999999999999999", "abc", ""])
def test_access_log_child_filter_with_an_odd_value_is_not_a_server_error(
    client, community_staff, value
):
    client.force_login(community_staff)
    response = client.get(reverse("casework:access_log"), {"child": value})
    assert response.status_code == 200
