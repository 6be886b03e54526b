"""Thin views for the live day, photos, messages, announcements, absences and incidents.

Every object comes from a `visible_to` / `operated_by` QuerySet: 404 for what the user may
not see, the same as for what does not exist.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import parse_etags
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from childcare import (
    family_exports,
    family_forms,
    family_selectors,
    family_services,
    rules,
    services,
)
from childcare.live import child_version
from childcare.models import Child, Incident, Message, Photo, Station
from portal.accounts.models import Role


def _apply_errors(form: object, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _child_for_thread(request: HttpRequest, pk: int) -> Child:
    """A guardian's child, or a child of a station the user runs; else 404."""
    children = Child.objects.of_guardian(request.user) | Child.objects.operated_by(request.user)
    return get_object_or_404(children.distinct().select_related("resident"), pk=pk)


# --- the live day ----------------------------------------------------------------------------


def live_context(request: HttpRequest, child: Child) -> dict:
    return {
        "live": family_selectors.live_day(child, request.user),
        "child": child,
        "outdoor_target": rules.OUTDOOR_MINUTES_PER_DAY,
    }


@login_required
def child_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The live part of the child's page, for the page's poll.

    Answers 304 without rendering anything while the child's version is unchanged: the poll
    costs a session lookup, one scoped query and one cache read.
    """
    child = _child_for_thread(request, pk)
    etag = f'"{child_version(child.pk)}"'
    # Weak comparison (RFC 9110): a proxy that compresses the fragment may have made it W/"…".
    sent = parse_etags(request.headers.get("If-None-Match", ""))
    if etag in (tag.removeprefix("W/") for tag in sent):
        response: HttpResponse = HttpResponseNotModified()
    else:
        html = render_to_string("childcare/_live_day.html", live_context(request, child), request)
        response = HttpResponse(html)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


# --- photos ----------------------------------------------------------------------------------


@login_required
def photo_file(request: HttpRequest, pk: int) -> FileResponse:
    """The photo itself, only to those who may see it; there is no public URL."""
    photo = get_object_or_404(Photo.objects.visible_to(request.user), pk=pk)
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response


@login_required
def message_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A photo sent in a child's thread, only to those who may read the thread."""
    message = get_object_or_404(Message.objects.visible_to(request.user).exclude(photo=""), pk=pk)
    try:
        handle = message.photo.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response


@login_required
def photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    station = get_object_or_404(Station.objects.operated_by(request.user), pk=pk)
    children = (
        Child.objects.operated_by(request.user)
        .filter(enrolments__station=station, enrolments__status="enrolled")
        .distinct()
        .select_related("resident")
        .order_by("resident__name")
    )
    no_photos = family_services.children_without_photo_consent(
        children.values_list("pk", flat=True)
    )
    form = family_forms.PhotoForm(
        request.POST or None,
        request.FILES or None,
        station=station,
        children=children,
        no_photos=no_photos,
    )
    if request.method == "POST" and form.is_valid():
        try:
            family_services.photo_upload(
                station=station,
                upload=form.cleaned_data["image"],
                children=list(form.cleaned_data["children"]),
                strand=form.cleaned_data["strand"],
                caption=form.cleaned_data["caption"],
                by=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Photo saved."))
            return redirect("childcare:photo_upload", pk=station.pk)
    recent = Photo.objects.filter(station=station).prefetch_related("children__resident")[:12]
    return render(
        request,
        "childcare/photo_form.html",
        {"station": station, "form": form, "recent": recent, "no_photos": no_photos},
    )


@login_required
@require_POST
def photo_consent(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_object_or_404(Child.objects.of_guardian(request.user), pk=pk)
    granted = request.POST.get("granted") == "1"
    family_services.photo_consent_set(child=child, granted=granted, by=request.user)
    messages.success(
        request, _("Photos allowed.") if granted else _("Photos withdrawn: you will get none.")
    )
    return redirect(child.get_absolute_url())


# --- messages --------------------------------------------------------------------------------


@login_required
def child_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """The child's thread: guardians and the station's staff. Opening it marks it read."""
    child = _child_for_thread(request, pk)
    form = family_forms.MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            family_services.message_send(
                child=child,
                text=form.cleaned_data["text"],
                photo=form.cleaned_data["photo"],
                by=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("childcare:child_messages", pk=child.pk)
    is_guardian = child.guardians.filter(user=request.user).exists()
    if not is_guardian:
        services.child_access_record(child_ids=[child.pk], by=request.user, path=request.path)
    thread = family_selectors.thread_with_receipts(child, request.user)
    family_services.messages_mark_read(child=child, by=request.user)
    return render(
        request,
        "childcare/message_thread.html",
        {"child": child, "thread": thread, "form": form, "is_guardian": is_guardian},
    )


@login_required
def station_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: the station's threads with unread counts, and announcements to families."""
    station = get_object_or_404(Station.objects.operated_by(request.user), pk=pk)
    form = family_forms.AnnouncementForm(request.POST or None, station=station)
    if request.method == "POST" and form.is_valid():
        try:
            family_services.announcement_send(station=station, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Announcement sent."))
            return redirect("childcare:station_messages", pk=station.pk)
    return render(
        request,
        "childcare/station_messages.html",
        {
            "station": station,
            "threads": family_selectors.station_threads(station, request.user),
            "form": form,
            "announcements": station.announcements.select_related("care_class")[:10],
        },
    )


# --- absences --------------------------------------------------------------------------------


@login_required
def absence_report(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_object_or_404(Child.objects.of_guardian(request.user), pk=pk)
    form = family_forms.AbsenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            family_services.absence_report(child=child, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Absence reported: the station has been told."))
            return redirect(child.get_absolute_url())
    absences = child.absences.all()[:10]
    return render(
        request,
        "childcare/absence_form.html",
        {"child": child, "form": form, "absences": absences},
    )


# --- incidents -------------------------------------------------------------------------------


@login_required
def incident_record(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_object_or_404(
        Child.objects.operated_by(request.user).select_related("resident"), pk=pk
    )
    form = family_forms.IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            family_services.incident_record(child=child, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Incident recorded: the guardians have been told."))
            return redirect("childcare:child_care", pk=child.pk)
    services.child_access_record(child_ids=[child.pk], by=request.user, path=request.path)
    return render(request, "childcare/incident_form.html", {"child": child, "form": form})


@login_required
@require_POST
def incident_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(
        Incident.objects.filter(child__in=Child.objects.of_guardian(request.user)), pk=pk
    )
    family_services.incident_acknowledge(incident=incident, by=request.user)
    messages.success(request, _("Thank you: the station sees that you have read it."))
    return redirect(incident.child.get_absolute_url())


@login_required
def station_incidents(request: HttpRequest, pk: int) -> HttpResponse:
    """The station's incidents: its staff see all, community staff the serious ones."""
    station = get_object_or_404(Station.objects.managed_by(request.user), pk=pk)
    incidents = (
        Incident.objects.visible_to(request.user)
        .filter(station=station)
        .select_related("child__resident", "by", "acknowledged_by")[:100]
    )
    services.child_access_record(
        child_ids=[i.child_id for i in incidents], by=request.user, path=request.path
    )
    return render(
        request, "childcare/incident_list.html", {"station": station, "incidents": incidents}
    )


@login_required
def incident_overview(request: HttpRequest) -> HttpResponse:
    """Community staff: the serious incidents at every station in their communities, newest
    first (a station's own staff use the station's list)."""
    if not (request.user.has_role(Role.COMMUNITY_STAFF) or request.user.is_portal_admin):
        raise Http404
    stations = Station.objects.managed_by(request.user)
    incidents = (
        Incident.objects.visible_to(request.user)
        .serious()
        .filter(station__in=stations)
        .select_related("station", "child__resident")
        .order_by("-occurred_at", "-pk")
    )
    page = Paginator(incidents, 50).get_page(request.GET.get("page"))
    services.child_access_record(
        child_ids=[i.child_id for i in page], by=request.user, path=request.path
    )
    return render(request, "childcare/incident_overview.html", {"page": page})


# --- learning portfolio ----------------------------------------------------------------------


def _month_param(request: HttpRequest) -> datetime.date:
    """?month=YYYY-MM; anything else (or nothing) is this month."""
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        return datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return timezone.localdate().replace(day=1)


@login_required
def portfolio(request: HttpRequest, pk: int) -> HttpResponse:
    """The child's learning portfolio, month by month: photos by course strand and notes."""
    child = _child_for_thread(request, pk)
    month = _month_param(request)
    if not child.guardians.filter(user=request.user).exists():
        services.child_access_record(child_ids=[child.pk], by=request.user, path=request.path)
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "childcare/portfolio.html",
        {
            "child": child,
            "folio": family_selectors.portfolio_month(child, request.user, month),
            "previous": previous,
            "next": following if following <= timezone.localdate() else None,
        },
    )


@login_required
def portfolio_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The month's portfolio as a PDF, in Chinese (WeasyPrint, as the monthly reports)."""
    child = _child_for_thread(request, pk)
    month = _month_param(request)
    folio = family_selectors.portfolio_month(child, request.user, month)
    pdf = family_exports.portfolio_pdf(folio)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="portfolio-{child.pk}-{month:%Y-%m}.pdf"'
    )
    return response
