"""The reports page: an official's monthly reports, asking for one, and downloading it."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from communities.models import Region, RegionQuerySet
from portal.accounts.models import Role
from portal.dashboards.selectors import home_region
from portal.months import current_month, previous_month
from portal.reports.forms import ReportRequestForm
from portal.reports.models import MonthlyReport
from portal.reports.services import monthly_report_request

# The shape of communities.Region.code.
REGION_CODE_RE = re.compile(r"[a-z0-9-]+")


def _regions_or_404(request: HttpRequest) -> RegionQuerySet:
    """Only officials (and admins) have a reports page; anyone else gets 404."""
    if not request.user.is_portal_admin and not request.user.region_paths(Role.OFFICIAL):
        raise Http404
    return Region.objects.overseen_by(request.user)


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    regions = _regions_or_404(request)
    reports = MonthlyReport.objects.visible_to(request.user).select_related("region")
    selected = request.GET.get("region", "")
    if selected and not REGION_CODE_RE.fullmatch(selected):
        # Not a region code at all (a NUL byte would even make PostgreSQL refuse the query):
        # like an unknown code, it matches no report.
        selected = ""
        reports = reports.none()
    elif selected:
        reports = reports.filter(region__code=selected)
    own = home_region(request.user)
    form = ReportRequestForm(
        regions=regions,
        initial={
            "region": selected or (own.code if own else None),
            "month": previous_month(current_month()).strftime("%Y-%m"),
        },
    )
    return render(
        request,
        "reports/monthlyreport_list.html",
        {"reports": reports[:100], "form": form, "selected": selected},
    )


@login_required
@require_POST
def report_request(request: HttpRequest) -> HttpResponse:
    regions = _regions_or_404(request)
    form = ReportRequestForm(request.POST, regions=regions)
    if not form.is_valid():
        reports = MonthlyReport.objects.visible_to(request.user).select_related("region")
        return render(
            request,
            "reports/monthlyreport_list.html",
            {"reports": reports[:100], "form": form, "selected": ""},
            status=400,
        )
    report = monthly_report_request(
        region=form.cleaned_data["region"],
        month=form.cleaned_data["month"],
        by=request.user,
        regenerate=request.POST.get("regenerate") == "1",
    )
    return redirect(report)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        MonthlyReport.objects.visible_to(request.user).select_related("region"), pk=pk
    )
    return render(request, "reports/monthlyreport_detail.html", {"report": report})


@login_required
def report_progress(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        MonthlyReport.objects.visible_to(request.user).select_related("region"), pk=pk
    )
    return render(request, "reports/_progress.html", {"report": report})


@login_required
def report_download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    report = get_object_or_404(
        MonthlyReport.objects.visible_to(request.user).select_related("region"), pk=pk
    )
    if fmt not in ("pdf", "xlsx") or report.status != MonthlyReport.Status.READY:
        raise Http404
    file = getattr(report, fmt)
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    name = f"{report.region.code}-{report.month:%Y-%m}.{fmt}"
    return FileResponse(handle, as_attachment=True, filename=name)
