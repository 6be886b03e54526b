"""Thin views of fees and subsidies: scoped QuerySets pick the rows (404 for what the user may
not see), services decide, `show_refusal` shows why they refused."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from billing import forms, services
from billing.exports import statement_pdf
from billing.models import Adjustment, PriceList, Statement, SubsidyGrant
from childcare.models import Child, EnrolmentStatus, Station
from portal.months import current_month, previous_month
from portal.refusals import show_refusal

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def _month(request: HttpRequest, default: datetime.date) -> datetime.date:
    """`?month=YYYY-MM`, or `default` with a message when it is not a month."""
    text = request.GET.get("month", "")
    match = MONTH_PATTERN.match(text)
    if match and 2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        return datetime.date(int(match[1]), int(match[2]), 1)
    if text:
        messages.error(
            request, _("“%(text)s” is not a month: write it as 2026-11.") % {"text": text[:20]}
        )
    return default


# --- families ----------------------------------------------------------------------------------


@login_required
def statement_list(request: HttpRequest) -> HttpResponse:
    """A family's statements (staff see those of their stations), newest month first."""
    statements = (
        Statement.objects.visible_to(request.user)
        .with_paid()
        .select_related("child__resident", "station")
        .order_by("-month", "child__resident__name", "pk")
    )
    return render(request, "billing/statement_list.html", {"statements": statements})


def _statement(request: HttpRequest, pk: int) -> Statement:
    return get_object_or_404(
        Statement.objects.visible_to(request.user)
        .with_paid()
        .select_related("child__resident", "station"),
        pk=pk,
    )


@login_required
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _statement(request, pk)
    operates = Station.objects.operated_by(request.user).filter(pk=statement.station_id).exists()
    payment_form = (
        forms.PaymentForm(initial={"paid_on": timezone.localdate()})
        if operates and statement.balance > 0
        else None
    )
    return _statement_page(request, statement, payment_form)


def _statement_page(
    request: HttpRequest, statement: Statement, payment_form: forms.PaymentForm | None
) -> HttpResponse:
    """The statement page (the family's, or the station staff's with the payment form)."""
    return render(
        request,
        "billing/statement_detail.html",
        {
            "statement": statement,
            "lines": statement.lines.all(),
            "payments": statement.payments.all(),
            "payment_form": payment_form,
            "overdue": statement.balance > 0 and statement.due_on < timezone.localdate(),
        },
    )


@login_required
def statement_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _statement(request, pk)
    response = HttpResponse(statement_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="statement-{statement.month:%Y-%m}-{statement.pk}.pdf"'
    )
    return response


# --- station staff -----------------------------------------------------------------------------


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """The stations whose fees the user runs; straight to the one when there is one."""
    stations = list(Station.objects.operated_by(request.user).order_by("name"))
    if len(stations) == 1:
        return redirect("billing:station_fees", pk=stations[0].pk)
    return render(request, "billing/staff_home.html", {"stations": stations})


def _station(request: HttpRequest, pk: int) -> Station:
    return get_object_or_404(Station.objects.operated_by(request.user), pk=pk)


def _children(station: Station):  # noqa: ANN202
    """Children who held or hold a place at the station, or booked a session there."""
    return (
        Child.objects.filter(
            Q(enrolments__station=station, enrolments__status__in=["enrolled", "left"])
            | Q(statements__station=station)
        )
        .distinct()
        .select_related("resident")
        .order_by("resident__name", "pk")
    )


@login_required
def station_fees(request: HttpRequest, pk: int) -> HttpResponse:
    """A station's fees: its price lists, a month's statements, pending corrections, grants."""
    station = _station(request, pk)
    month = _month(request, previous_month(current_month()))
    statements = (
        Statement.objects.visible_to(request.user)
        .filter(station=station, month=month)
        .with_paid()
        .select_related("child__resident")
        .order_by("child__resident__name", "pk")
    )
    today = timezone.localdate()
    return render(
        request,
        "billing/station_fees.html",
        {
            "station": station,
            "month": month,
            "previous": previous_month(month),
            "next": None if month >= previous_month(current_month()) else _next(month),
            "can_issue": month < current_month(),
            "statements": statements,
            "totals": _totals(statements),
            "today": today,
            "price_lists": PriceList.objects.filter(station=station).prefetch_related(
                "subsidies__category"
            ),
            "pending": Adjustment.objects.visible_to(request.user)
            .pending()
            .filter(station=station)
            .select_related("child__resident"),
            "grants": SubsidyGrant.objects.visible_to(request.user)
            .filter(child__in=_children(station))
            .covering(today, today)
            .select_related("child__resident", "category"),
        },
    )


def _next(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def _totals(statements) -> dict:  # noqa: ANN001
    rows = list(statements)
    return {
        "total": sum((s.total for s in rows), 0),
        "subsidy": sum((s.subsidy_total for s in rows), 0),
        "paid": sum((s.paid for s in rows), 0),
        "balance": sum((s.balance for s in rows), 0),
    }


@login_required
@require_POST
def statements_issue(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    month = _month(request, previous_month(current_month()))
    try:
        issued = services.statements_issue_for_month(month=month, station=station)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            _("%(count)s statements issued; statements issued before stay as they are.")
            % {"count": len(issued)},
        )
    return redirect(f"{reverse('billing:station_fees', args=[station.pk])}?month={month:%Y-%m}")


def _station_form_page(
    request: HttpRequest,
    station: Station,
    form: django_forms.Form,
    save: Callable[[dict], object],
    done: str,
    title: str,
) -> HttpResponse:
    """A station's fee form: on a valid POST `save(cleaned_data)` runs the service; its refusal
    is shown on the form and nothing is saved; on success back to the station's fees."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, done)
            return redirect("billing:station_fees", pk=station.pk)
    return render(
        request, "billing/form.html", {"form": form, "station": station, "page_title": title}
    )


@login_required
def price_list_new(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    current = PriceList.objects.in_force(station.pk, current_month())
    initial = {"valid_from": _next(current_month()) if current else current_month()}
    if current:
        initial |= {
            "monthly_price": current.monthly_price,
            "inclusive_ceiling": current.inclusive_ceiling,
            "half_day_price": current.half_day_price,
            "drop_in_price": current.drop_in_price,
            "absence_free_days": current.absence_free_days,
        }
        initial |= {f"subsidy_{s.category_id}": s.monthly_amount for s in current.subsidies.all()}
    form = forms.PriceListForm(request.POST or None, initial=initial)
    return _station_form_page(
        request,
        station,
        form,
        lambda data: services.price_list_save(
            station=station,
            valid_from=data["valid_from"],
            monthly_price=data["monthly_price"],
            inclusive_ceiling=data["inclusive_ceiling"],
            half_day_price=data["half_day_price"],
            drop_in_price=data["drop_in_price"],
            absence_free_days=data["absence_free_days"],
            subsidies=form.subsidies(),
            by=request.user,
        ),
        _("The prices are saved."),
        _("Set the prices"),
    )


@login_required
def adjustment_new(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    form = forms.AdjustmentForm(
        request.POST or None,
        children=_children(station),
        statements=Statement.objects.visible_to(request.user)
        .filter(station=station)
        .select_related("child__resident", "station"),
    )
    return _station_form_page(
        request,
        station,
        form,
        lambda data: services.adjustment_create(station=station, **data, by=request.user),
        _("The correction will be on the child's next statement."),
        _("Correct a statement"),
    )


@login_required
def grant_new(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    children = _children(station).filter(
        enrolments__station=station, enrolments__status=EnrolmentStatus.ENROLLED
    )
    form = forms.GrantForm(
        request.POST or None, children=children, initial={"valid_from": current_month()}
    )
    return _station_form_page(
        request,
        station,
        form,
        lambda data: services.subsidy_grant_create(**data, by=request.user),
        _("The subsidy is granted."),
        _("Grant a subsidy"),
    )


@login_required
@require_POST
def payment_new(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_object_or_404(
        Statement.objects.visible_to(request.user)
        .filter(station__in=Station.objects.operated_by(request.user))
        .with_paid()
        .select_related("child__resident", "station"),
        pk=pk,
    )
    form = forms.PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.payment_record(statement=statement, **form.cleaned_data, by=request.user)
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("The payment is recorded."))
            return redirect(statement.get_absolute_url())
    return _statement_page(request, statement, form)
