"""Officials' dashboards: one page per region of their subtree, read from the rollup only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.models import Region
from portal.dashboards import exports
from portal.dashboards.selectors import (
    BadMonth,
    dashboard_for,
    home_region,
    official_regions,
    parse_month,
)
from portal.dashboards.services import rollup_refresh_request

EXPORT_FORMATS = {"csv": exports.table_csv, "xlsx": exports.table_xlsx}


def _problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "dashboards/region_problem.html", {"message": message}, status=status)


def _region_or_problem(request: HttpRequest, code: str) -> Region | HttpResponse:
    # An unknown code and a region outside the official's area get the same answer, so the
    # page does not reveal which regions exist elsewhere.
    region = official_regions(request.user).filter(code=code).first()
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
    dashboard = dashboard_for(region, month)
    return render(request, "dashboards/region_detail.html", {"dashboard": dashboard})


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
