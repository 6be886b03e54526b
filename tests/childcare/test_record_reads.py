"""A parent sees, for their own child, who read the child's records and when (PIPL 44-45)."""

import pytest
from django.urls import reverse

from casework import services as casework_services
from casework.models import AccessLog
from childcare import services
from tests.casework.factories import CaseChildFactory
from tests.childcare.factories import child_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def my_child(parent, community):
    return child_of(parent, community=community)


def _page(client, user, child):
    client.force_login(user)
    return client.get(reverse("casework:child_record_reads", args=[child.pk]))


def test_parent_sees_who_read_the_childcare_and_case_records(
    client, parent, my_child, station_staff, community_staff, community, volunteer
):
    services.child_access_record(child_ids=[my_child.pk], by=station_staff, path="/x/")
    case = CaseChildFactory(
        resident=my_child.resident, community=community, registered_by=community_staff
    )
    casework_services.case_read(child=case, user=community_staff, path="/care/")
    casework_services.case_reads_listed(children=[case], user=volunteer, path="/care/")
    # Another child's reads are not shown.
    other = child_of(parent, community=community)
    services.child_access_record(child_ids=[other.pk], by=community_staff, path="/y/")

    response = _page(client, parent, my_child)
    assert response.status_code == 200
    reads = response.context["reads"]
    assert len(reads) == 3
    body = response.content.decode()
    assert f"托育驿站工作人员 · {station_staff.name}" in body or station_staff.name in body
    assert community_staff.name in body and volunteer.name in body
    labels = {(r.name, r.what) for r in reads}
    assert (community_staff.name, str(AccessLog.Action.VIEW.label)) in labels
    assert (volunteer.name, str(AccessLog.Action.LISTED.label)) in labels
    roles = {r.name: r.role for r in reads}
    assert roles[volunteer.name] != roles[community_staff.name]


def test_the_childs_page_links_to_it_for_the_guardian(client, parent, my_child):
    client.force_login(parent)
    body = client.get(reverse("childcare:child_detail", args=[my_child.pk])).content.decode()
    assert reverse("casework:child_record_reads", args=[my_child.pk]) in body


def test_the_parents_own_visits_are_not_listed(client, parent, my_child):
    client.get(reverse("childcare:child_detail", args=[my_child.pk]))
    response = _page(client, parent, my_child)
    client.get(reverse("childcare:child_detail", args=[my_child.pk]))
    response = _page(client, parent, my_child)
    assert response.context["reads"] == []


@pytest.mark.parametrize(
    "persona", ["other_parent", "outsider", "station_staff", "community_staff", "official"]
)
def test_nobody_else_sees_the_page(client, request, my_child, persona):
    assert _page(client, request.getfixturevalue(persona), my_child).status_code == 404


def test_query_count_does_not_grow_with_the_reads(
    client, parent, my_child, station_staff, community_staff, community
):
    case = CaseChildFactory(
        resident=my_child.resident, community=community, registered_by=community_staff
    )

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.force_login(parent)
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("casework:child_record_reads", args=[my_child.pk]))
        return len(ctx.captured_queries)

    services.child_access_record(child_ids=[my_child.pk], by=station_staff, path="/x/")
    count()  # warm the session and the signed-in user's cached copy
    small = count()
    for _ in range(20):
        services.child_access_record(child_ids=[my_child.pk], by=station_staff, path="/x/")
        casework_services.case_read(child=case, user=community_staff, path="/care/")
    assert count() == small
