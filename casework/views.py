"""Thin views: scoped QuerySets decide what exists for the user (404 otherwise), forms check
the input, services write. Every page that shows a case record logs the read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import exports, selectors, services
from casework.forms import (
    CaseRegisterForm,
    HoursConfirmForm,
    OutreachForm,
    PairingForm,
    ReasonForm,
    RegistryFilterForm,
    ReportForm,
    RiskForm,
    VisitForm,
    YearForm,
)
from casework.models import (
    AccessLog,
    CaseChild,
    CaseStatus,
    Concern,
    OutreachEvent,
    Pairing,
    ServiceHours,
    Volunteer,
)
from childcare.models import Child
from communities.models import Household, path_prefix_q
from portal.accounts.models import Role
from portal.history.selectors import history_of
from portal.refusals import show_refusal

PAGE_SIZE = 25


def _is_staff(request: HttpRequest) -> bool:
    return request.user.is_portal_admin or request.user.has_role(Role.COMMUNITY_STAFF)


def _require_staff(request: HttpRequest) -> None:
    # Pages that exist for staff only answer 404 to everyone else, like a hidden record.
    if not _is_staff(request):
        raise Http404


@login_required
def volunteer_home(request: HttpRequest) -> HttpResponse:
    """The volunteer's start page: paired children, next visit due, log a visit."""
    today = timezone.localdate()
    children = list(selectors.volunteer_children(request.user))
    services.case_reads_listed(children=children, user=request.user, path=request.path)
    return render(
        request,
        "casework/volunteer_home.html",
        {
            "children": children,
            "today": today,
            "is_staff": _is_staff(request),
            # From the role assignments already loaded: no query of its own.
            "is_volunteer": request.user.has_role(Role.VOLUNTEER),
        },
    )


@login_required
def child_list(request: HttpRequest) -> HttpResponse:
    if not _is_staff(request):
        if request.user.has_role(Role.OFFICIAL):
            return redirect("casework:summary")
        if request.user.has_role(Role.VOLUNTEER):
            return redirect("casework:volunteer_home")
        raise Http404
    form = RegistryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    children = selectors.registry_list(request.user, filters=filters, today=today)
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    services.case_reads_listed(children=list(page), user=request.user, path=request.path)
    return render(
        request, "casework/casechild_list.html", {"page": page, "form": form, "today": today}
    )


@login_required
def summary(request: HttpRequest) -> HttpResponse:
    """Counts per community: what officials may see of the registry."""
    if not (_is_staff(request) or request.user.has_role(Role.OFFICIAL)):
        raise Http404
    rows = selectors.registry_counts(request.user, today=timezone.localdate())
    totals = {
        key: sum(r[key] for r in rows)
        for key in ("active", "left_behind", "in_distress", "high_risk", "overdue", "pending")
    }
    return render(request, "casework/casechild_summary.html", {"rows": rows, "totals": totals})


@login_required
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_object_or_404(
        CaseChild.objects.visible_to(request.user).select_related(
            "resident__household", "community__region", "carer", "approved_by"
        ),
        pk=pk,
    )
    services.case_read(child=child, user=request.user, path=request.path)
    is_manager = CaseChild.objects.managed_by(request.user).filter(pk=child.pk).exists()
    visits = child.visits.select_related("visited_by").prefetch_related(
        Prefetch("concerns", queryset=Concern.objects.order_by("pk"))
    )[:50]
    levels = selectors.carer_levels([child.carer_id]) if child.carer_id else {}
    context = {
        "child": child,
        "visits": visits,
        "concerns": child.concerns.select_related("raised_by")[:50],
        "pairings": child.pairings.select_related("volunteer__user", "volunteer__team"),
        "is_manager": is_manager,
        "carer_level": levels.get(child.carer_id, (None, None))[0],
        "today": timezone.localdate(),
        "pairing_form": PairingForm(user=request.user, child=child) if is_manager else None,
        "risk_form": RiskForm(
            initial={"risk_level": child.risk_level, "risk_reason": child.risk_reason}
        ),
        "reason_form": ReasonForm(),
        "report_form": ReportForm(),
        # Staff who manage the case see who changed it; a paired volunteer does not.
        "history": (
            history_of([child, *child.pairings.only("pk"), *child.visits.only("pk")])
            if is_manager
            else None
        ),
    }
    return render(request, "casework/casechild_detail.html", context)


@login_required
def child_register(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = CaseRegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.case_register(**form.cleaned_data, by=request.user)
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("Registered. A community staff member must approve it."))
            return redirect(child)
    return render(request, "casework/casechild_form.html", {"form": form})


def _managed_child(request: HttpRequest, pk: int) -> CaseChild:
    return get_object_or_404(CaseChild.objects.managed_by(request.user), pk=pk)


@login_required
@require_POST
def child_approve(request: HttpRequest, pk: int) -> HttpResponse:
    child = _managed_child(request, pk)
    try:
        services.case_approve(child=child, by=request.user)
        messages.success(request, _("Registration approved."))
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect(child)


@login_required
@require_POST
def child_close_request(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_object_or_404(CaseChild.objects.visible_to(request.user), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the case should be closed."))
        return redirect(child)
    try:
        services.case_close_request(
            child=child, reason=form.cleaned_data["reason"], by=request.user
        )
        messages.success(request, _("Closing requested. A community staff member must approve."))
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect(child)


@login_required
@require_POST
def child_close_approve(request: HttpRequest, pk: int) -> HttpResponse:
    child = _managed_child(request, pk)
    try:
        services.case_close_approve(child=child, by=request.user)
        messages.success(request, _("The case is closed."))
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect(child)


@login_required
@require_POST
def child_risk(request: HttpRequest, pk: int) -> HttpResponse:
    child = _managed_child(request, pk)
    form = RiskForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a risk level and give the reason."))
        return redirect(child)
    try:
        services.case_set_risk(
            child=child,
            risk_level=form.cleaned_data["risk_level"],
            reason=form.cleaned_data["risk_reason"],
            by=request.user,
        )
        messages.success(request, _("Risk level saved; the visit schedule follows it."))
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect(child)


@login_required
@require_POST
def pairing_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = _managed_child(request, pk)
    form = PairingForm(request.POST, user=request.user, child=child)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(child)
    try:
        services.pairing_create(child=child, **form.cleaned_data, by=request.user)
        messages.success(request, _("Volunteer paired with the child."))
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect(child)


@login_required
@require_POST
def pairing_end(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = get_object_or_404(
        Pairing.objects.filter(child__in=CaseChild.objects.managed_by(request.user)), pk=pk
    )
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.pairing_end(pairing=pairing, reason=reason, by=request.user)
        messages.success(request, _("Pairing ended; it stays in the history."))
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect(pairing.child)


@login_required
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_object_or_404(
        CaseChild.objects.visible_to(request.user)
        .filter(status=CaseStatus.ACTIVE)
        .select_related("resident"),
        pk=pk,
    )
    is_volunteer = Volunteer.objects.filter(user=request.user, active=True).exists()
    form = VisitForm(request.POST or None, volunteer=is_volunteer)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_create(child=child, **form.cleaned_data, by=request.user)
        except ValidationError as exc:
            show_refusal(request, exc, form)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            if visit.concerns.filter(escalated_at__isnull=False).exists():
                messages.warning(
                    request,
                    _("Visit saved. Community staff have been alerted about your concern now."),
                )
            else:
                messages.success(request, _("Visit saved. Thank you."))
            return redirect("casework:volunteer_home" if not _is_staff(request) else child)
    else:
        services.case_read(
            child=child, user=request.user, action=AccessLog.Action.VISIT_FORM, path=request.path
        )
    return render(request, "casework/visit_form.html", {"form": form, "child": child})


@login_required
def concern_list(request: HttpRequest) -> HttpResponse:
    """Escalations waiting for staff: suspected abuse first, unreported first."""
    _require_staff(request)
    concerns = (
        Concern.objects.filter(child__in=CaseChild.objects.managed_by(request.user))
        .select_related("child__resident", "child__community__region", "raised_by")
        .order_by("reported_at", "-suspected_abuse", "-created")
    )
    page = Paginator(concerns, PAGE_SIZE).get_page(request.GET.get("page"))
    # The list shows each child's name with the suspected abuse or neglect: a read of the case.
    services.case_reads_listed(
        children=list({c.child_id: c.child for c in page}.values()),
        user=request.user,
        path=request.path,
    )
    return render(request, "casework/concern_list.html", {"page": page})


@login_required
@require_POST
def concern_report(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_object_or_404(
        Concern.objects.filter(child__in=CaseChild.objects.managed_by(request.user)), pk=pk
    )
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the report's reference number."))
        return redirect("casework:concern_list")
    try:
        services.concern_mark_reported(
            concern=concern, reference=form.cleaned_data["reference"], by=request.user
        )
        messages.success(request, _("Recorded as reported to the authorities."))
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect("casework:concern_list")


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    entries = AccessLog.objects.visible_to(request.user).select_related(
        "user", "child__resident", "child__community__region"
    )
    child_id = request.GET.get("child", "")
    # isdigit() alone lets "²" through to int(); ASCII digits only.
    if child_id.isascii() and child_id.isdigit():
        entries = entries.filter(child_id=int(child_id))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "casework/accesslog_list.html", {"page": page})


@login_required
def outreach_list(request: HttpRequest) -> HttpResponse:
    events = OutreachEvent.objects.visible_to(request.user).select_related("region")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "casework/outreachevent_list.html", {"page": page, "can_add": _is_staff(request)}
    )


@login_required
def outreach_create(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = OutreachForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.outreach_create(**form.cleaned_data, by=request.user)
        except ValidationError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, _("Session recorded."))
            return redirect("casework:outreach_list")
    return render(request, "casework/outreachevent_form.html", {"form": form})


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """一老一小 view of one household, for community staff only."""
    _require_staff(request)
    households = Household.objects.select_related("community__region")
    if not request.user.is_portal_admin:
        households = households.filter(
            path_prefix_q(
                "community__region__path", request.user.region_paths(Role.COMMUNITY_STAFF)
            )
        )
    household = get_object_or_404(households, pk=pk)
    today = timezone.localdate()
    context = selectors.household_view(household, today=today)
    services.case_reads_listed(
        children=[row["case"] for row in context["cases"]], user=request.user, path=request.path
    )
    context.update({"household": household, "today": today})
    return render(request, "casework/household_detail.html", context)


# --- volunteers' service hours ------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    form = YearForm(request.GET or None)
    if form.is_valid() and form.cleaned_data["year"]:
        return form.cleaned_data["year"]
    return timezone.localdate().year


@login_required
def hours_mine(request: HttpRequest) -> HttpResponse:
    """A volunteer's confirmed hours by month and year, what waits for confirmation."""
    volunteer = get_object_or_404(Volunteer.objects.visible_to(request.user), user=request.user)
    recent = (
        ServiceHours.objects.visible_to(request.user)
        .filter(volunteer=volunteer)
        .select_related("visit", "outreach")[:20]
    )
    return render(
        request,
        "casework/hours_mine.html",
        {
            "volunteer": volunteer,
            "totals": selectors.volunteer_hours_totals(volunteer),
            "recent": recent,
            "this_year": timezone.localdate().year,
        },
    )


@login_required
def hours_certificate(request: HttpRequest, year: int) -> HttpResponse:
    """A PDF certificate of the volunteer's confirmed hours in `year`, in Chinese."""
    volunteer = get_object_or_404(
        Volunteer.objects.visible_to(request.user).select_related("user", "team", "community"),
        user=request.user,
    )
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    pdf = exports.hours_certificate_pdf(volunteer=volunteer, year=year)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="service-hours-{year}.pdf"'
    return response


@login_required
def hours_staff(request: HttpRequest) -> HttpResponse:
    """Community staff: hours waiting for confirmation, and totals by team and community."""
    _require_staff(request)
    form = HoursConfirmForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            count = services.hours_confirm(
                hours_ids=[h.pk for h in form.cleaned_data["hours"]], by=request.user
            )
            messages.success(request, _("%(count)s entries confirmed.") % {"count": count})
            return redirect("casework:hours_staff")
        messages.error(request, _("Choose the hours to confirm."))
    year = _year(request)
    waiting = (
        ServiceHours.objects.confirmable_by(request.user)
        .unconfirmed()
        .select_related("volunteer__user", "volunteer__team", "visit", "outreach")
        .order_by("date", "pk")[:200]
    )
    return render(
        request,
        "casework/hours_staff.html",
        {
            "waiting": waiting,
            "year": year,
            "totals": selectors.hours_totals_for_staff(request.user, year),
        },
    )


@login_required
def hours_export(request: HttpRequest) -> HttpResponse:
    """Confirmed hours of a year as CSV, in the columns a volunteer registry takes."""
    _require_staff(request)
    year = _year(request)
    hours = (
        ServiceHours.objects.visible_to(request.user)
        .confirmed()
        .filter(date__year=year)
        .select_related("volunteer__user", "volunteer__team", "visit", "outreach")
        .order_by("date", "pk")
    )
    return exports.hours_csv(hours=hours, filename=f"volunteer-hours-{year}")


@login_required
def child_record_reads(request: HttpRequest, pk: int) -> HttpResponse:
    """For a child's guardians: who read the child's records, and when (PIPL art. 44-45).

    It lives here, above childcare, because it shows both logs: the childcare records and,
    for a child who is also in the care registry, the case record."""
    child = get_object_or_404(
        Child.objects.of_guardian(request.user).select_related("resident"), pk=pk
    )
    return render(
        request,
        "childcare/child_access_log.html",
        {"child": child, "reads": selectors.child_record_reads(child)},
    )
