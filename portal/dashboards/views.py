"""Officials' dashboards: one page per region of their subtree, read from the rollup only."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.models import Region
from portal.dashboards import exports, rollup
from portal.dashboards.selectors import (
    BadMonth,
    dashboard_for,
    home_region,
    parse_month,
)
from portal.dashboards.services import rollup_refresh_request

# How long a rendered dashboard page is kept; a rollup refresh makes it stale at once anyway.
PAGE_CACHE_SECONDS_DEFAULT = 15 * 60
EXPORT_FORMATS = {"csv": exports.table_csv, "xlsx": exports.table_xlsx}


def _problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "dashboards/region_problem.html", {"message": message}, status=status)


def _region_or_problem(request: HttpRequest, code: str) -> Region | HttpResponse:
    # An unknown code and a region outside the official's area get the same answer, so the
    # page does not reveal which regions exist elsewhere.
    region = Region.objects.overseen_by(request.user).filter(code=code).first()
    if region is None:
        return _problem(
            request,
            _("There is no region with the code “%(code)s” in your area.") % {"code": code},
            404,
        )
    return region


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """An official's start page: their own region's dashboard."""
    region = home_region(request.user)
    if region is None:
        raise Http404
    return redirect("dashboards:region", code=region.code)


@login_required
def region_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    region = _region_or_problem(request, code)
    if isinstance(region, HttpResponse):
        return region
    try:
        month = parse_month(request.GET.get("month"))
    except BadMonth as exc:
        return _problem(request, str(exc), 400)
    page = _dashboard_page(region, month)
    return render(
        request, "dashboards/region_detail.html", {"region": region, "month": month, "page": page}
    )


def _dashboard_page(region: Region, month: datetime.date) -> dict:
    """The region's figures rendered once per rollup version and language, then from the cache.

    The parts that depend on the user (CSRF token, navigation) stay outside the cached HTML.
    """
    version = rollup.current_version()
    key = f"dashboards:page:{region.pk}:{month.isoformat()}:{get_language()}:{version}"
    page = cache.get(key)
    if page is None:
        dashboard = dashboard_for(region, month)
        context = {"dashboard": dashboard}
        page = {
            "breadcrumb": render_to_string("dashboards/_breadcrumb.html", context),
            "body": render_to_string("dashboards/_region_body.html", context),
            "population": dashboard.population,
            "has_figures": dashboard.has_figures,
            "computed_at": dashboard.computed_at,
        }
        timeout = getattr(settings, "DASHBOARD_PAGE_CACHE_SECONDS", PAGE_CACHE_SECONDS_DEFAULT)
        cache.set(key, page, timeout=timeout)
    page["breadcrumb"] = mark_safe(page["breadcrumb"])  # noqa: S308 - rendered by our template
    page["body"] = mark_safe(page["body"])  # noqa: S308 - rendered by our template
    return page


@login_required
def region_export(request: HttpRequest, code: str, table: str, fmt: str) -> HttpResponse:
    region = _region_or_problem(request, code)
    if isinstance(region, HttpResponse):
        return region
    try:
        month = parse_month(request.GET.get("month"))
    except BadMonth as exc:
        return _problem(request, str(exc), 400)
    dashboard = dashboard_for(region, month)
    if table not in dashboard.tables or fmt not in EXPORT_FORMATS:
        raise Http404
    filename = f"{region.code}-{month:%Y-%m}-{table}"
    return EXPORT_FORMATS[fmt](dashboard.tables[table], filename)


@login_required
@require_POST
def region_refresh(request: HttpRequest, code: str) -> HttpResponse:
    region = _region_or_problem(request, code)
    if isinstance(region, HttpResponse):
        return region
    try:
        month = parse_month(request.POST.get("month"))
    except BadMonth as exc:
        return _problem(request, str(exc), 400)
    rollup_refresh_request(month=month, by=request.user)
    messages.success(request, _("The figures are being recalculated. Reload the page in a minute."))
    url = reverse("dashboards:region", args=[region.code])
    return redirect(f"{url}?month={month:%Y-%m}")
