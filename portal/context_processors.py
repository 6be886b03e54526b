from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Role
from portal.notifications.unread import unread_count

ELDER_MODE_COOKIE = "elder_mode"

# (label, URL name, roles that see it; None = every signed-in user). Every name must reverse:
# a wrong one fails the pages (and tests/portal/test_layout.py), it is never left out.
NAV_ITEMS: list[tuple[Promise, str, tuple[str, ...] | None]] = [
    (_("My childcare"), "childcare:parent_home", (Role.PARENT,)),
    (_("Find a childcare station"), "childcare:station_finder", (Role.PARENT,)),
    (_("Fees and statements"), "billing:statement_list", (Role.PARENT,)),
    (_("My elder's care"), "eldercare:family_home", (Role.ELDER_FAMILY,)),
    (_("Childcare station"), "childcare:staff_home", (Role.STATION_STAFF,)),
    (_("Applications and enrolments"), "childcare:enrolment_list", (Role.STATION_STAFF,)),
    (_("Fees"), "billing:staff_home", (Role.STATION_STAFF,)),
    (_("Care facility"), "eldercare:staff_home", (Role.FACILITY_STAFF,)),
    (_("Alerts"), "eldercare:alert_list", (Role.FACILITY_STAFF,)),
    (_("Community"), "communities:staff_home", (Role.COMMUNITY_STAFF,)),
    (_("Households"), "communities:household_list", (Role.COMMUNITY_STAFF,)),
    (_("Premises"), "communities:premises_list", (Role.COMMUNITY_STAFF,)),
    (_("Children in our care"), "casework:child_list", (Role.COMMUNITY_STAFF,)),
    (_("Concerns"), "casework:concern_list", (Role.COMMUNITY_STAFF,)),
    (_("Case access log"), "casework:access_log", (Role.COMMUNITY_STAFF,)),
    (_("Childcare enrolments"), "childcare:enrolment_list", (Role.COMMUNITY_STAFF,)),
    (_("Serious incidents"), "childcare:incident_overview", (Role.COMMUNITY_STAFF,)),
    (_("Elderly care"), "eldercare:staff_home", (Role.COMMUNITY_STAFF,)),
    (_("Children I look after"), "casework:volunteer_home", (Role.VOLUNTEER,)),
    (_("Dashboards"), "dashboards:home", (Role.OFFICIAL, Role.ADMIN)),
    (_("Left-behind children: figures"), "casework:summary", (Role.OFFICIAL,)),
    (_("Monthly reports"), "reports:report_list", (Role.OFFICIAL, Role.ADMIN)),
    (_("Communities"), "communities:community_list", (Role.ADMIN,)),
]
PUBLIC_NAV_ITEMS: list[tuple[Promise, str]] = [
    (_("Find a childcare station"), "childcare:station_finder"),
]


def _url(name: str) -> str:
    return _reversed(name, get_script_prefix())


@lru_cache(maxsize=256)
def _reversed(name: str, prefix: str) -> str:
    # URL patterns do not change while the process runs: reverse each name once per prefix.
    return reverse(name)


def nav_links(user: object) -> list[dict[str, object]]:
    """The navigation entries `user` needs."""
    links = []
    if getattr(user, "is_authenticated", False):
        admin = user.is_portal_admin
        for label, name, roles in NAV_ITEMS:
            if roles is not None and not (user.has_role(*roles) or (admin and Role.ADMIN in roles)):
                continue
            links.append({"label": label, "url": _url(name), "name": name})
        if user.is_staff:
            links.append({"label": _("Administration"), "url": reverse("admin:index")})
    else:
        for label, name in PUBLIC_NAV_ITEMS:
            links.append({"label": label, "url": _url(name), "name": name})
    return links


def portal(request: HttpRequest) -> dict:
    """Elder mode, the navigation and the unread count for the header, on every page."""
    user = request.user
    elder_mode = request.COOKIES.get(ELDER_MODE_COOKIE) == "1"
    unread = 0
    if user.is_authenticated:
        # The browser's cookie is the latest choice on this device; the account carries
        # the choice to a device that has no cookie yet.
        cookie = request.COOKIES.get(ELDER_MODE_COOKIE)
        elder_mode = cookie == "1" if cookie in {"0", "1"} else user.elder_mode
        unread = unread_count(user)
    return {
        "elder_mode": elder_mode,
        "unread_count": unread,
        "portal_name": settings.PORTAL_NAME,
        "nav_links": nav_links(user),
    }
