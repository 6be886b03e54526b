"""The parent's page: each child's consent badge, and a cost that does not grow with the
number of children."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from childcare.start_services import consent_withdraw
from portal.accounts.models import Role
from tests.childcare.factories import child_of, login
from tests.factories import UserFactory, assign

pytestmark = pytest.mark.django_db


def badge() -> str:
    """The badge as the page shows it (zh-hans, the default language)."""
    with translation.override("zh-hans"):
        return translation.gettext("No consent: bookings stopped")


def test_only_the_child_without_an_active_consent_carries_the_badge(client, community):
    user = UserFactory()
    assign(user, Role.PARENT)
    kept = child_of(user, community)
    withdrawn = child_of(user, community)
    consent_withdraw(child=withdrawn, by=user)
    other = UserFactory()
    child_of(other, community)  # another family's child, without consent, is not shown at all
    page = login(client, user).get(reverse("childcare:parent_home")).content.decode()
    links = page.split('data-testid="child-link"')[1:]
    assert len(links) == 2
    badged = {link.split("</a>")[0].split(" — ")[0].strip(">") for link in links if badge() in link}
    assert badged == {withdrawn.resident.name}
    assert kept.resident.name in page


def test_the_parents_page_costs_the_same_queries_with_more_children(client, community):
    user = UserFactory()
    assign(user, Role.PARENT)
    child_of(user, community)
    login(client, user)
    client.get(reverse("childcare:parent_home"))  # the signed-in user's cache, warmed
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("childcare:parent_home"))
    for _ in range(4):
        consent_withdraw(child=child_of(user, community), by=user)
    client.get(reverse("childcare:parent_home"))
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("childcare:parent_home")).content.decode()
    assert page.count(badge()) == 4
    assert len(many) == len(few)
