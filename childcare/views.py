"""Thin views: scoped QuerySets pick the rows (404 for what the user may not see), forms check
the shape of the input, services decide."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from childcare import (
    family_selectors,
    family_services,
    forms,
    rules,
    selectors,
    services,
    start_services,
    start_views,
)
from childcare.live import child_version
from childcare.models import (
    Booking,
    Child,
    Enrolment,
    GuardianConsent,
    Session,
    Station,
    TimetableSlot,
)
from portal.accounts.models import Role, RoleAssignment
from portal.history.selectors import history_of
from portal.paths import path_to
from portal.refusals import show_refusal

# --- public ----------------------------------------------------------------------------------


def station_finder(request: HttpRequest) -> HttpResponse:
    """Public: stations by community, with free places and upcoming sessions. No login."""
    form = forms.StationFinderForm(request.GET or None)
    stations = Station.objects.public()
    if form.is_valid():
        if form.cleaned_data["town"]:
            stations = stations.filter(
                community__region__path__startswith=form.cleaned_data["town"].path
            )
        if form.cleaned_data["community"]:
            stations = stations.filter(community=form.cleaned_data["community"])
        if form.cleaned_data["free_only"]:
            stations = stations.filter(enrolled_count__lt=F("licensed_places"))
    stations = selectors.stations_with_free_sessions(stations)
    return render(request, "childcare/station_list.html", {"form": form, "stations": stations})


def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    station = get_object_or_404(
        Station.objects.public().select_related("community__region", "network_lead", "premises"),
        pk=pk,
    )
    until = timezone.localdate() + datetime.timedelta(days=14)
    sessions = station.sessions.upcoming().filter(date__lte=until)
    booking_form = None
    if request.user.is_authenticated:
        booking_form = forms.BookingForm(user=request.user)
        if not booking_form.children.exists():
            booking_form = None
    network: list[Station] = []
    lead = station.network_lead or (station if station.kind == Station.Kind.DEMONSTRATION else None)
    if lead:
        network = list(Station.objects.in_network(lead).select_related("community__region"))
    network_totals = {
        "places": sum(s.licensed_places for s in network),
        "enrolled": sum(s.enrolled_count for s in network),
        "free": sum(s.free_places for s in network),
    }
    classes = list(station.classes.all())
    slots = TimetableSlot.objects.filter(care_class__station=station).select_related(
        "strand", "care_class"
    )
    return render(
        request,
        "childcare/station_detail.html",
        {
            "station": station,
            "sessions": sessions,
            "booking_form": booking_form,
            "network": network,
            "network_totals": network_totals,
            "classes": classes,
            "strands": station.strands.all(),
            "slots": slots,
            "class_rules": rules.class_rules(),
        },
    )


# The sessions page shows the next ones with their rosters; older ones are history.
SESSIONS_SHOWN = 60

# --- parents ---------------------------------------------------------------------------------


@login_required
def parent_home(request: HttpRequest) -> HttpResponse:
    # A guardian has a handful of children: read them once, with whether each has an active
    # consent, and filter the bookings and applications on their ids, rather than compiling
    # and running the guardian subquery again in every query of the page.
    children = list(
        Child.objects.of_guardian(request.user)
        .select_related("resident")
        .annotate(has_consent=Exists(GuardianConsent.objects.active().filter(child=OuterRef("pk"))))
    )
    child_ids = [child.pk for child in children]
    bookings = (
        Booking.objects.filter(child__in=child_ids, session__date__gte=timezone.localdate())
        .active()
        .with_waitlist_position()
        .select_related("session__station", "child__resident")
        .order_by("session__date", "session__starts_at")
    )
    enrolments = (
        Enrolment.objects.visible_to(request.user)
        .filter(child__in=child_ids)
        .select_related("station", "child__resident", "care_class")
    )
    return render(
        request,
        "childcare/parent_home.html",
        {
            "children": children,
            "bookings": bookings,
            "enrolments": enrolments,
            "household": start_views.household_status(request.user),
            "without_consent": {child.pk for child in children if not child.has_consent},
        },
    )


@login_required
def guardian_add(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_object_or_404(
        Child.objects.of_guardian(request.user).select_related("resident"), pk=pk
    )
    form = forms.GuardianForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.guardian_add(child=child, **form.cleaned_data, by=request.user)
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("The person has been added."))
            return redirect(child.get_absolute_url())
    return render(request, "childcare/guardian_form.html", {"form": form, "child": child})


@login_required
@require_POST
def booking_create(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.BookingForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose one of your own children."))
        return redirect(_public_session(pk).get_absolute_url())
    try:
        booking = services.booking_create(
            session_id=pk, child_id=form.cleaned_data["child"], by=request.user
        )
    except Session.DoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        show_refusal(request, exc)
        return redirect(_public_session(pk).get_absolute_url())
    if booking.status == Booking.Status.CONFIRMED:
        messages.success(request, _("Booked. You will find it on your page."))
    else:
        messages.warning(request, _("The session is full: your child is on the waiting list."))
    return redirect(path_to("childcare:parent_home"))


def _public_session(pk: int) -> Session:
    return get_object_or_404(Session.objects.filter(station__in=Station.objects.public()), pk=pk)


@login_required
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks first (what will be cancelled, and that the place goes to the waiting list);
    POST cancels."""
    booking = get_object_or_404(
        Booking.objects.visible_to(request.user)
        .active()
        .select_related("session__station", "child__resident"),
        pk=pk,
    )
    if request.method != "POST":
        return render(request, "childcare/booking_cancel.html", {"booking": booking})
    try:
        services.booking_cancel(booking=booking, by=request.user)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("The booking is cancelled."))
    return redirect("childcare:parent_home")


@login_required
def enrolment_apply(request: HttpRequest, pk: int) -> HttpResponse:
    station = get_object_or_404(Station.objects.public(), pk=pk)
    form = forms.EnrolmentApplyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_apply(station=station, **form.cleaned_data, by=request.user)
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("Your application has been sent to the station."))
            return redirect("childcare:parent_home")
    return render(request, "childcare/enrolment_form.html", {"form": form, "station": station})


@login_required
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The child's page: today and the last weeks, in a fixed number of queries."""
    child = get_object_or_404(
        Child.objects.visible_to(request.user).select_related("resident"), pk=pk
    )
    # The version is read before the page is built: a record saved meanwhile makes the
    # first poll fetch the fragment again rather than being missed.
    live_etag = f'"{child_version(child.pk)}"'
    page = selectors.child_page(child)
    is_guardian = any(g.user_id == request.user.pk for g in page.guardians)
    if not is_guardian:
        services.child_access_record(child_ids=[child.pk], by=request.user, path=request.path)
    growth = [
        {
            "date": g.measured_on.isoformat(),
            "height": float(g.height_cm),
            "weight": float(g.weight_kg),
        }
        for g in page.growth
    ]
    return render(
        request,
        "childcare/child_detail.html",
        {
            "page": page,
            "child": child,
            "growth_data": growth,
            "outdoor_target": rules.OUTDOOR_MINUTES_PER_DAY,
            "is_guardian": is_guardian,
            "live": family_selectors.live_day(
                child, request.user, today=page.today, is_guardian=is_guardian
            ),
            "live_etag": live_etag,
            "poll_seconds": rules.LIVE_POLL_SECONDS,
            "photos_withdrawn": any(
                g.user_id == request.user.pk and g.photos_withdrawn for g in page.guardians
            ),
            "my_consent": GuardianConsent.objects.active()
            .filter(child=child, user=request.user)
            .first(),
            "consent_withdrawn": not is_guardian and start_services.consent_withdrawn(child),
        },
    )


# --- staff -----------------------------------------------------------------------------------


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    stations = (
        Station.objects.managed_by(request.user)
        .select_related("community__region", "premises")
        .annotate(pending=Count("enrolments", filter=Q(enrolments__status="applied")))
        .prefetch_related(
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.filter(role=Role.STATION_STAFF).select_related(
                    "user"
                ),
                to_attr="staff",
            )
        )
    )
    operated = set(Station.objects.operated_by(request.user).values_list("pk", flat=True))
    return render(
        request, "childcare/staff_home.html", {"stations": stations, "operated": operated}
    )


def _day_param(request: HttpRequest) -> datetime.date:
    """The ?date= of the page; a malformed or impossible date falls back to today, and so does
    the calendar's first or last day (the page links the day before and after it)."""
    try:
        day = parse_date(request.GET.get("date", ""))
    except ValueError:
        day = None
    if day is None or day in (datetime.date.min, datetime.date.max):
        return timezone.localdate()
    return day


@login_required
def station_day(request: HttpRequest, pk: int) -> HttpResponse:
    """The station's day: each class's children, attendance and checks; a broken carer ratio
    is flagged. A fixed number of queries whatever the number of children."""
    station = get_object_or_404(Station.objects.managed_by(request.user), pk=pk)
    day = _day_param(request)
    class_days = selectors.station_day(station, day)
    rosters = selectors.session_rosters(list(station.sessions.filter(date=day)))
    services.child_access_record(
        child_ids=[row.child.pk for cd in class_days for row in cd.rows]
        + [e.booking.child_id for r in rosters for e in r.booked + r.waiting],
        by=request.user,
        path=request.get_full_path(),
    )
    return render(
        request,
        "childcare/station_day.html",
        {
            "station": station,
            "day": day,
            "class_days": class_days,
            "rosters": rosters,
            "previous": day - datetime.timedelta(days=1),
            "next": day + datetime.timedelta(days=1),
            "outdoor_target": rules.OUTDOOR_MINUTES_PER_DAY,
        },
    )


@login_required
def station_edit(request: HttpRequest, pk: int) -> HttpResponse:
    station = get_object_or_404(Station.objects.operated_by(request.user), pk=pk)
    form = forms.StationForm(request.POST or None, instance=station)
    if request.method == "POST" and form.is_valid():
        try:
            services.station_update(station=station, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("childcare:staff_home")
    # A refused ModelForm has already written its values onto the instance; re-read it.
    station.refresh_from_db()
    return render(request, "childcare/station_form.html", {"form": form, "station": station})


@login_required
def session_list(request: HttpRequest, pk: int) -> HttpResponse:
    station = get_object_or_404(Station.objects.operated_by(request.user), pk=pk)
    form = forms.SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_create(station=station, **form.cleaned_data, by=request.user)
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("Session added."))
            return redirect("childcare:session_list", pk=station.pk)
    sessions = list(station.sessions.upcoming()[:SESSIONS_SHOWN])
    rosters = selectors.session_rosters(sessions)
    services.child_access_record(
        child_ids=[e.booking.child_id for r in rosters for e in r.booked + r.waiting],
        by=request.user,
        path=request.path,
    )
    return render(
        request,
        "childcare/session_list.html",
        {"station": station, "form": form, "rosters": rosters},
    )


@login_required
def curriculum_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Course strands and each class's weekly timetable."""
    station = get_object_or_404(Station.objects.operated_by(request.user), pk=pk)
    which = request.POST.get("form")
    strand_form = forms.StrandForm(request.POST if which == "strand" else None, station=station)
    slot_form = forms.SlotForm(request.POST if which == "slot" else None, station=station)
    if request.method == "POST":
        form = strand_form if which == "strand" else slot_form
        if form.is_bound and form.is_valid():
            try:
                if which == "strand":
                    services.course_strand_create(
                        station=station, **form.cleaned_data, by=request.user
                    )
                else:
                    services.timetable_slot_create(**form.cleaned_data, by=request.user)
            except ValidationError as exc:
                show_refusal(request, exc, form)
            else:
                messages.success(request, _("Saved."))
                return redirect("childcare:curriculum_edit", pk=station.pk)
    slots = TimetableSlot.objects.filter(care_class__station=station).select_related(
        "strand", "care_class"
    )
    return render(
        request,
        "childcare/curriculum_form.html",
        {
            "station": station,
            "strand_form": strand_form,
            "slot_form": slot_form,
            "strands": station.strands.all(),
            "slots": slots,
        },
    )


@login_required
def enrolment_list(request: HttpRequest) -> HttpResponse:
    enrolments = (
        Enrolment.objects.visible_to(request.user)
        .filter(station__in=Station.objects.managed_by(request.user))
        .select_related("child__resident__household", "station", "care_class")
    )
    status = request.GET.get("status", "")
    if status in Enrolment.Status.values:
        enrolments = enrolments.filter(status=status)
    return render(
        request,
        "childcare/enrolment_list.html",
        {"enrolments": enrolments, "status": status, "statuses": Enrolment.Status.choices},
    )


@login_required
def enrolment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related(
            "child__resident__household", "station", "care_class"
        ),
        pk=pk,
    )
    can_decide = Station.objects.managed_by(request.user).filter(pk=enrolment.station_id).exists()
    # A GET shows unbound forms (request.POST is an empty dict then, which would bind them and
    # show "required" errors before anything was submitted).
    posted = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "decide")
    form = forms.EnrolmentDecisionForm(
        posted if action == "decide" else None, station=enrolment.station, enrolment=enrolment
    )
    move_form = forms.EnrolmentReassignForm(
        posted if action == "move" else None, user=request.user, enrolment=enrolment
    )
    if request.method == "POST":
        if not can_decide:
            raise Http404
        bound = form if action == "decide" else move_form
        if bound.is_valid():
            try:
                if action == "decide":
                    services.enrolment_decide(
                        enrolment=enrolment,
                        status=form.cleaned_data["status"],
                        care_class=form.cleaned_data.get("care_class"),
                        note=form.cleaned_data["note"],
                        by=request.user,
                    )
                else:
                    services.enrolment_reassign(
                        enrolment=enrolment,
                        station=move_form.cleaned_data["station"],
                        note=move_form.cleaned_data["note"],
                        by=request.user,
                    )
            except ValidationError as exc:
                show_refusal(request, exc, bound)
            else:
                messages.success(request, _("Decision saved; the parent has been told."))
                return redirect(enrolment.get_absolute_url())
    child = enrolment.child
    if can_decide:
        services.child_access_record(child_ids=[child.pk], by=request.user, path=request.path)
    return render(
        request,
        "childcare/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "form": form if can_decide and enrolment.allowed_transitions() else None,
            "move_form": move_form
            if can_decide and enrolment.status in ("applied", "waitlisted")
            else None,
            "events": enrolment.events.select_related("by"),
            "age_months": child.age_in_months_on(enrolment.start_date),
            "guardians": child.guardians.all(),
            # The station's staff see who changed the application; the parent does not.
            "household_pending": child.resident.household.status != "verified",
            "consent_withdrawn": start_services.consent_withdrawn(child),
            "history": history_of([enrolment]) if can_decide else None,
        },
    )


ACTION_FORMS = {
    "checkin": forms.CheckInForm,
    "checkout": forms.CheckOutForm,
    "health": forms.HealthCheckForm,
    "meal": forms.MealForm,
    "nap": forms.NapForm,
    "outdoor": forms.OutdoorForm,
    "growth": forms.GrowthForm,
    "note": forms.ProgressNoteForm,
}
CHILD_FORMS = {"checkin", "checkout", "note"}
ACTION_TITLES = {
    "checkin": gettext_lazy("Arrival"),
    "checkout": gettext_lazy("Collection: only a listed person"),
    "health": gettext_lazy("Morning or midday check"),
    "meal": gettext_lazy("Meal"),
    "nap": gettext_lazy("Nap"),
    "outdoor": gettext_lazy("Time outdoors"),
    "growth": gettext_lazy("Height and weight"),
    "note": gettext_lazy("Learning progress"),
}


def _make_form(action: str, child: Child, data: object = None) -> object:
    cls = ACTION_FORMS[action]
    if action in CHILD_FORMS:
        return cls(data, child=child, prefix=action)
    return cls(data, prefix=action)


def _run_action(action: str, child: Child, data: dict, by: object) -> None:
    if action == "checkin":
        services.attendance_check_in(child=child, brought_by=data["brought_by"], by=by)
    elif action == "checkout":
        services.attendance_check_out(child=child, collected_by=data["collected_by"], by=by)
    elif action == "health":
        services.health_check_record(child=child, **data, by=by)
    elif action == "meal":
        services.meal_record(child=child, **data, by=by)
    elif action == "nap":
        services.nap_record(child=child, **data, by=by)
    elif action == "outdoor":
        services.attendance_set_outdoor(child=child, minutes=data["minutes"], by=by)
    elif action == "growth":
        services.growth_record(child=child, **data, by=by)
    elif action == "note":
        services.progress_note_create(child=child, **data, by=by)


@login_required
def child_care(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff record a child's day: check-in/out, checks, meals, naps, outdoors, growth, notes."""
    child = get_object_or_404(
        Child.objects.operated_by(request.user).select_related("resident"), pk=pk
    )
    bound = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTION_FORMS:
            messages.error(request, _("Unknown action."))
            return redirect("childcare:child_care", pk=child.pk)
        form = _make_form(action, child, request.POST)
        if form.is_valid():
            try:
                _run_action(action, child, form.cleaned_data, request.user)
            except ValidationError as exc:
                show_refusal(request, exc, form)
            else:
                messages.success(request, _("Saved."))
                return redirect("childcare:child_care", pk=child.pk)
        bound[action] = form
    services.child_access_record(child_ids=[child.pk], by=request.user, path=request.path)
    action_forms = [
        (a, ACTION_TITLES[a], bound.get(a) or _make_form(a, child)) for a in ACTION_FORMS
    ]
    page = selectors.child_page(child)
    return render(
        request,
        "childcare/child_care.html",
        {
            "child": child,
            "forms": action_forms,
            "page": page,
            "no_photos": bool(family_services.children_without_photo_consent([child.pk])),
            "consent_withdrawn": start_services.consent_withdrawn(child),
        },
    )
