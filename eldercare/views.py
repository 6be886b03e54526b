"""Thin views: scoped QuerySets pick the rows (404 for what a user may not see), forms check
the input, services write."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eldercare import selectors, services
from eldercare.forms import (
    AlertCloseForm,
    AssessmentForm,
    BookForm,
    DayForm,
    ElderForm,
    FacilityForm,
    FamilyContactForm,
    HandoverForm,
    ImportForm,
    MealForm,
    NoticeForm,
    ReadingForm,
    RiskAssessmentForm,
    RiskEventForm,
    RoundForm,
    StaffBookForm,
    ThresholdForm,
)
from eldercare.models import (
    Alert,
    CareFacility,
    Elder,
    ElderAccessLog,
)
from portal.refusals import show_refusal


def _facility_for_staff(request: HttpRequest, pk: int) -> CareFacility:
    return get_object_or_404(
        CareFacility.objects.editable_by(request.user).select_related("community__region"), pk=pk
    )


def _elder_for_staff(request: HttpRequest, pk: int) -> Elder:
    return get_object_or_404(Elder.objects.managed_by(request.user).with_person(), pk=pk)


# --- start pages ----------------------------------------------------------------------------


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    facilities = selectors.facilities_overview(request.user)
    return render(request, "eldercare/staff_home.html", {"facilities": facilities})


@login_required
def family_home(request: HttpRequest) -> HttpResponse:
    contacts = selectors.family_contacts(request.user)
    return render(request, "eldercare/family_home.html", {"contacts": contacts})


@login_required
def family_elder(request: HttpRequest, pk: int) -> HttpResponse:
    """A family member's page for one elder: a fixed number of queries, whatever the data."""
    contact = get_object_or_404(selectors.family_contacts(request.user), elder_id=pk)
    elder = contact.elder
    today = timezone.localdate()
    context = selectors.family_elder_page(contact, today)
    meals = context.pop("meals")
    context |= {
        "contact": contact,
        "elder": elder,
        "book_form": BookForm(meals=meals) if contact.can_book and elder.facility_id else None,
        "notice_form": NoticeForm() if elder.facility_id else None,
        "today": today,
    }
    return render(request, "eldercare/elder_family.html", context)


@login_required
@require_POST
def family_book(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(selectors.family_contacts(request.user), elder_id=pk)
    if not contact.can_book or not contact.elder.facility_id:
        messages.error(request, _("You may not book meals for this elder."))
        return redirect("eldercare:family_elder", pk=pk)
    form = BookForm(request.POST, meals=selectors.facility_meals(contact.elder.facility_id))
    if form.is_valid():
        try:
            services.meal_book(meal=form.cleaned_data["meal"], elder=contact.elder, by=request.user)
            messages.success(request, _("Meal booked."))
        except ValidationError as exc:
            show_refusal(request, exc)
    else:
        messages.error(request, _("Choose a meal from the list."))
    return redirect("eldercare:family_elder", pk=pk)


@login_required
@require_POST
def family_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """A family member tells the centre the elder will, or will not, come on a day."""
    contact = get_object_or_404(selectors.family_contacts(request.user), elder_id=pk)
    form = NoticeForm(request.POST)
    if form.is_valid():
        try:
            services.daycare_notice_set(elder=contact.elder, by=request.user, **form.cleaned_data)
            messages.success(request, _("Thank you, the centre has been told."))
        except ValidationError as exc:
            show_refusal(request, exc)
    else:
        messages.error(request, _("Choose a day and whether they will come."))
    return redirect("eldercare:family_elder", pk=pk)


@login_required
@require_POST
def family_notice_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A family member withdraws a notice; a day place it held is freed."""
    notice = get_object_or_404(selectors.family_notices(request.user), pk=pk)
    try:
        services.daycare_notice_delete(notice=notice, by=request.user)
        messages.success(request, _("Notice withdrawn; the weekly plan applies again."))
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect("eldercare:family_elder", pk=notice.elder_id)


@login_required
@require_POST
def family_booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(selectors.family_bookings(request.user), pk=pk)
    try:
        services.meal_booking_cancel(booking=booking, by=request.user)
        messages.success(request, _("Booking cancelled."))
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect("eldercare:family_elder", pk=booking.elder_id)


# --- facilities -----------------------------------------------------------------------------


@login_required
def facility_detail(request: HttpRequest, pk: int) -> HttpResponse:
    facility = get_object_or_404(
        CareFacility.objects.visible_to(request.user).select_related("community__region"), pk=pk
    )
    can_manage = CareFacility.objects.editable_by(request.user).filter(pk=pk).exists()
    elders = selectors.facility_elders(facility) if can_manage else None
    staff = selectors.facility_staff(facility) if can_manage else None
    return render(
        request,
        "eldercare/facility_detail.html",
        {"facility": facility, "can_manage": can_manage, "elders": elders, "staff": staff},
    )


@login_required
def facility_edit(request: HttpRequest, pk: int) -> HttpResponse:
    facility = _facility_for_staff(request, pk)
    form = FacilityForm(request.POST or None, instance=facility)
    if request.method == "POST" and form.is_valid():
        services.facility_save(facility=form.save(commit=False), by=request.user)
        messages.success(request, _("Facility saved."))
        return redirect(facility)
    return render(request, "eldercare/facility_edit.html", {"facility": facility, "form": form})


@login_required
def facility_day(request: HttpRequest, pk: int) -> HttpResponse:
    """The day at a facility: who is expected, who is in, meals and open alerts.

    A fixed number of queries whatever the number of elders (asserted in the tests)."""
    facility = _facility_for_staff(request, pk)
    day_form = DayForm(request.GET or None)
    day = day_form.day()
    page = selectors.facility_day(facility, day)
    services.elder_reads_record(
        elder_ids=[a.elder_id for a in page["alerts"]],
        by=request.user,
        what=ElderAccessLog.What.ALERTS,
        path=request.path,
    )
    return render(
        request,
        "eldercare/facility_day.html",
        {
            "facility": facility,
            "day": day,
            "day_form": day_form,
            "is_today": day == timezone.localdate(),
            **page,
        },
    )


@login_required
@require_POST
def check_in(request: HttpRequest, pk: int, elder_pk: int) -> HttpResponse:
    facility = _facility_for_staff(request, pk)
    elder = get_object_or_404(Elder.objects.managed_by(request.user), pk=elder_pk)
    try:
        services.attendance_check_in(elder=elder, facility=facility, by=request.user)
        messages.success(request, _("%(name)s checked in.") % {"name": elder.display_name})
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect("eldercare:facility_day", pk=facility.pk)


@login_required
@require_POST
def check_out(request: HttpRequest, pk: int) -> HttpResponse:
    attendance = get_object_or_404(selectors.attendances_run_by(request.user), pk=pk)
    try:
        services.attendance_check_out(attendance=attendance, by=request.user)
        messages.success(
            request, _("%(name)s checked out.") % {"name": attendance.elder.display_name}
        )
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect("eldercare:facility_day", pk=attendance.facility_id)


@login_required
def facility_records(request: HttpRequest, pk: int) -> HttpResponse:
    """Shift hand-overs and rounds (GB 38600-2019)."""
    facility = _facility_for_staff(request, pk)
    handover_form = HandoverForm(prefix="h")
    round_form = RoundForm(prefix="r")
    if request.method == "POST":
        if "h-summary" in request.POST:
            handover_form = HandoverForm(request.POST, prefix="h")
            if handover_form.is_valid():
                services.handover_create(
                    facility=facility, by=request.user, **handover_form.cleaned_data
                )
                messages.success(request, _("Hand-over recorded."))
                return redirect("eldercare:facility_records", pk=pk)
        else:
            round_form = RoundForm(request.POST, prefix="r")
            if round_form.is_valid():
                services.round_record(facility=facility, by=request.user, **round_form.cleaned_data)
                messages.success(request, _("Round recorded."))
                return redirect("eldercare:facility_records", pk=pk)
    return render(
        request,
        "eldercare/facility_records.html",
        {
            "facility": facility,
            "handover_form": handover_form,
            "round_form": round_form,
            **selectors.facility_records(facility, request.user),
        },
    )


# --- elders ---------------------------------------------------------------------------------


@login_required
def elder_create(request: HttpRequest, pk: int) -> HttpResponse:
    facility = _facility_for_staff(request, pk)
    elder = Elder(facility=facility, community=facility.community)
    form = ElderForm(
        request.POST or None, instance=elder, user=request.user, community_id=facility.community_id
    )
    if request.method == "POST" and form.is_valid():
        elder = form.save(commit=False)
        try:
            services.elder_save(elder=elder, by=request.user)
            messages.success(request, _("Elder registered."))
            return redirect(elder)
        except ValidationError as exc:
            show_refusal(request, exc, form)
    return render(request, "eldercare/elder_edit.html", {"form": form, "facility": facility})


@login_required
def elder_edit(request: HttpRequest, pk: int) -> HttpResponse:
    elder = _elder_for_staff(request, pk)
    form = ElderForm(
        request.POST or None, instance=elder, user=request.user, community_id=elder.community_id
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.elder_save(elder=form.save(commit=False), by=request.user)
            messages.success(request, _("Elder saved."))
            return redirect(elder)
        except ValidationError as exc:
            show_refusal(request, exc, form)
    return render(
        request,
        "eldercare/elder_edit.html",
        {"form": form, "elder": elder, "facility": elder.facility},
    )


@login_required
def elder_detail(request: HttpRequest, pk: int) -> HttpResponse:
    elder = _elder_for_staff(request, pk)
    services.elder_reads_record(
        elder_ids=[elder.pk], by=request.user, what=ElderAccessLog.What.RECORD, path=request.path
    )
    return render(
        request,
        "eldercare/elder_detail.html",
        {
            "elder": elder,
            "today": timezone.localdate(),
            **selectors.elder_page(elder),
        },
    )


@login_required
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    elder = _elder_for_staff(request, pk)
    form = FamilyContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        user = data.pop("account_phone")
        try:
            services.family_contact_add(elder=elder, user=user, by=request.user, **data)
            messages.success(request, _("Family contact added."))
            return redirect(elder)
        except ValidationError as exc:
            show_refusal(request, exc, form)
    return render(request, "eldercare/familycontact_create.html", {"form": form, "elder": elder})


@login_required
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    elder = _elder_for_staff(request, pk)
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(
                elder=elder,
                assessed_on=form.cleaned_data["assessed_on"],
                scores=form.scores(),
                notes=form.cleaned_data["notes"],
                by=request.user,
            )
            messages.success(
                request,
                _("Assessment saved: total %(total)d, %(level)s.")
                % {"total": assessment.total, "level": assessment.get_level_display()},
            )
            return redirect(elder)
        except ValidationError as exc:
            show_refusal(request, exc, form)
    return render(
        request, "eldercare/abilityassessment_create.html", {"form": form, "elder": elder}
    )


@login_required
def risk_assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    elder = _elder_for_staff(request, pk)
    form = RiskAssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.risk_assessment_create(elder=elder, by=request.user, **form.cleaned_data)
        messages.success(request, _("Risk assessment saved; the care plan was updated."))
        return redirect(elder)
    return render(request, "eldercare/riskassessment_create.html", {"form": form, "elder": elder})


@login_required
def risk_event_create(request: HttpRequest, pk: int) -> HttpResponse:
    elder = _elder_for_staff(request, pk)
    form = RiskEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.risk_event_record(elder=elder, by=request.user, **form.cleaned_data)
        messages.success(request, _("Event recorded."))
        return redirect(elder)
    return render(request, "eldercare/careriskevent_create.html", {"form": form, "elder": elder})


@login_required
def threshold_set(request: HttpRequest, pk: int) -> HttpResponse:
    elder = _elder_for_staff(request, pk)
    form = ThresholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.threshold_set(elder=elder, by=request.user, **form.cleaned_data)
            messages.success(request, _("Alert range saved."))
            return redirect(elder)
        except ValidationError as exc:
            show_refusal(request, exc, form)
    return render(request, "eldercare/elderthreshold_edit.html", {"form": form, "elder": elder})


@login_required
def reading_create(request: HttpRequest, pk: int) -> HttpResponse:
    elder = _elder_for_staff(request, pk)
    form = ReadingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reading_record(elder=elder, by=request.user, **form.cleaned_data)
            messages.success(request, _("Reading saved."))
            return redirect(elder)
        except ValidationError as exc:
            show_refusal(request, exc, form)
    return render(request, "eldercare/healthreading_create.html", {"form": form, "elder": elder})


@login_required
def readings_import(request: HttpRequest, pk: int) -> HttpResponse:
    facility = _facility_for_staff(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.readings_import(
                facility=facility, file=upload.file, filename=upload.name[:200], by=request.user
            )
            messages.success(
                request,
                _("%(rows)d readings imported; %(alerts)d alerts raised.")
                % {"rows": result.rows, "alerts": result.alerts},
            )
            return redirect("eldercare:readings_import", pk=pk)
        except ValidationError as exc:
            show_refusal(request, exc, form)
    return render(
        request,
        "eldercare/healthreading_import.html",
        {
            "facility": facility,
            "form": form,
            "imports": selectors.reading_imports(facility),
        },
    )


# --- meals ----------------------------------------------------------------------------------


@login_required
def meal_list(request: HttpRequest, pk: int) -> HttpResponse:
    facility = _facility_for_staff(request, pk)
    form = MealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meal = form.save(commit=False)
        meal.facility = facility
        try:
            services.meal_save(meal=meal, by=request.user)
            messages.success(request, _("Meal added to the menu."))
            return redirect("eldercare:meal_list", pk=pk)
        except ValidationError as exc:
            show_refusal(request, exc, form)
    today = timezone.localdate()
    meals = selectors.meals_from(facility, today - datetime.timedelta(days=1))
    return render(
        request, "eldercare/meal_list.html", {"facility": facility, "form": form, "meals": meals}
    )


@login_required
def meal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meal = get_object_or_404(selectors.meals_run_by(request.user), pk=pk)
    elders = selectors.facility_active_elders(meal.facility)
    form = StaffBookForm(request.POST or None, elders=elders)
    if request.method == "POST" and form.is_valid():
        try:
            services.meal_book(meal=meal, elder=form.cleaned_data["elder"], by=request.user)
            messages.success(request, _("Meal booked."))
            return redirect("eldercare:meal_detail", pk=pk)
        except ValidationError as exc:
            show_refusal(request, exc, form)
    bookings = selectors.meal_active_bookings(meal)
    return render(
        request, "eldercare/meal_detail.html", {"meal": meal, "form": form, "bookings": bookings}
    )


@login_required
@require_POST
def booking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    booking = get_object_or_404(selectors.meal_bookings_run_by(request.user), pk=pk)
    service = {"serve": services.meal_booking_serve, "cancel": services.meal_booking_cancel}.get(
        action
    )
    if service is None:
        return redirect("eldercare:meal_detail", pk=booking.meal_id)
    try:
        service(booking=booking, by=request.user)
        messages.success(request, _("Booking updated."))
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect("eldercare:meal_detail", pk=booking.meal_id)


@login_required
def kitchen_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The kitchen's list for a day: portions per meal and each diner's dietary needs."""
    facility = _facility_for_staff(request, pk)
    day_form = DayForm(request.GET or None)
    day = day_form.day()
    meals = selectors.kitchen_list(facility, day)
    return render(
        request,
        "eldercare/meal_kitchen.html",
        {"facility": facility, "day": day, "day_form": day_form, "meals": meals},
    )


# --- alerts ---------------------------------------------------------------------------------


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    show_closed = request.GET.get("closed") == "1"
    alerts = list(selectors.alert_list(request.user, show_closed=show_closed))
    services.elder_reads_record(
        elder_ids=[a.elder_id for a in alerts],
        by=request.user,
        what=ElderAccessLog.What.ALERTS,
        path=request.path,
    )
    return render(
        request,
        "eldercare/alert_list.html",
        {"alerts": alerts, "show_closed": show_closed},
    )


def _alert_for_staff(request: HttpRequest, pk: int) -> Alert:
    return get_object_or_404(
        selectors.alerts_managed_by(request.user).select_related(
            "elder__resident", "reading", "acknowledged_by", "closed_by"
        ),
        pk=pk,
    )


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert_for_staff(request, pk)
    if request.method == "GET":
        services.elder_reads_record(
            elder_ids=[alert.elder_id],
            by=request.user,
            what=ElderAccessLog.What.ALERT,
            path=request.path,
        )
    form = AlertCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_close(alert=alert, note=form.cleaned_data["note"], by=request.user)
            messages.success(request, _("Alert closed."))
            return redirect("eldercare:alert_list")
        except ValidationError as exc:
            show_refusal(request, exc, form)
    return render(request, "eldercare/alert_detail.html", {"alert": alert, "form": form})


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert_for_staff(request, pk)
    try:
        services.alert_acknowledge(alert=alert, by=request.user)
        messages.success(request, _("Alert acknowledged."))
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect("eldercare:alert_detail", pk=pk)
