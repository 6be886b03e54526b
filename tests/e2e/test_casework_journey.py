"""In a real browser: a volunteer logs a home visit with a suspected-neglect concern on a phone;
the community staff find it escalated in their inbox and on the concerns page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from casework.models import Concern, Visit
from portal.accounts.models import Role
from portal.notifications.models import Notification
from tests.casework.factories import CaseChildFactory, PairingFactory, VolunteerFactory
from tests.e2e.browser import signed_in_page
from tests.factories import CommunityFactory, RegionFactory, UserFactory, assign


@pytest.mark.e2e
def test_volunteer_logs_a_home_visit_with_a_concern_and_staff_see_it_escalated(
    transactional_db, live_server, browser
):
    region = RegionFactory(code="e2e-nadeng", name="娜登社区", level="community")
    community = CommunityFactory(region=region)
    staff = UserFactory(name="刘主任")
    assign(staff, Role.COMMUNITY_STAFF, region=region)
    mother = UserFactory(name="杨童伴妈妈")
    assign(mother, Role.VOLUNTEER, region=region)
    child = CaseChildFactory(community=community, registered_by=staff)
    child.resident.name = "扎约小明"
    child.resident.save()
    PairingFactory(child=child, volunteer=VolunteerFactory(user=mother, community=community))

    page = signed_in_page(browser, live_server, mother)
    page.goto(live_server.url + "/")
    card = page.get_by_test_id("paired-child")
    assert "扎约小明" in card.inner_text()
    card.locator("a.btn").click()
    form = page.locator("main form[method=post]")
    form.locator("select[name=kind]").select_option("home")
    form.locator("input[name=date]").fill(timezone.localdate().isoformat())
    form.locator("textarea[name=notes]").fill("家中只有孩子一人，奶奶外出三天未归")
    form.locator("select[name=concern_category]").select_option("guardianship")
    form.locator("textarea[name=concern_description]").fill("孩子三天无人照料，家中没有食物")
    form.locator("input[name=suspected_abuse]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(live_server.url + "/care/")
    assert page.locator(".alert-warning").count() == 1

    visit = Visit.objects.get()
    assert (visit.kind, visit.visited_by) == ("home", mother)
    concern = Concern.objects.get()
    assert concern.suspected_abuse and concern.escalated_at and concern.must_report

    staff_page = signed_in_page(browser, live_server, staff)
    staff_page.goto(live_server.url + "/notifications/")
    assert Notification.objects.filter(recipient=staff, kind="escalation").exists()
    assert staff_page.get_by_test_id("unread-count").inner_text().strip().startswith("1")
    staff_page.goto(live_server.url + "/care/concerns/")
    row = staff_page.get_by_test_id("concern-row")
    assert "扎约小明" in row.inner_text()
    assert "孩子三天无人照料" in row.inner_text()
    assert "table-danger" in (row.get_attribute("class") or "")
    row.locator("input[name=reference]").fill("澜公(2024)017")
    row.locator("button[type=submit]").click()
    staff_page.wait_for_load_state()
    concern.refresh_from_db()
    assert concern.reported_by == staff and concern.report_reference == "澜公(2024)017"
