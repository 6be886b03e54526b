"""Views for smart-care devices: the HTTP push endpoint, the live alarm board, answering an
alarm, the device register and the smart-care overview."""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from eldercare import selectors
from eldercare.models import (
    Alarm,
    AlarmOutcome,
    AlarmStatus,
    CareFacility,
    DeadLetter,
    Device,
    DeviceKind,
    Elder,
)
from eldercare.services import devices as device_services
from portal.refusals import show_refusal

MAX_BODY = 16 * 1024
PAGE_SIZE = 50

# --- HTTP push ------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def ingest(request: HttpRequest) -> HttpResponse:
    """POST one signed message. Headers: X-Device-Timestamp (Unix seconds, within
    DEVICE_HTTP_WINDOW_SECONDS) and X-Device-Signature (hex HMAC-SHA256 with the device's
    secret over "<timestamp>." + body). 202 taken (or a repeat), 400 refused."""
    body = request.body[:MAX_BODY]
    stamp = request.headers.get("X-Device-Timestamp", "")
    incoming = device_services.Incoming(
        body=body,
        signature=request.headers.get("X-Device-Signature", ""),
        via="http",
        signed=stamp.encode() + b"." + body,
        http_timestamp=stamp,
    )
    [outcome] = device_services.device_messages_ingest([incoming])
    status = 400 if outcome.status == "refused" else 202
    return JsonResponse({"status": outcome.status, "reason": outcome.reason}, status=status)


# --- the alarm board ------------------------------------------------------------------------


@login_required
def alarm_board(request: HttpRequest) -> HttpResponse:
    """Unclosed alarms of the user's elders; static/js/alarms.js polls board.json."""
    return render(
        request,
        "eldercare/alarm_board.html",
        {"alarms": selectors.alarms_unclosed(request.user)},
    )


@login_required
def alarm_board_json(request: HttpRequest) -> HttpResponse:
    """The board's rows. The ETag hashes the rows' ids and states, so the 2-second poll
    costs one small query and a 304 while nothing changes."""
    alarms = list(selectors.alarms_unclosed(request.user))
    tag = hashlib.sha256(
        ",".join(f"{a.pk}:{a.status}:{a.escalated_at is not None}" for a in alarms).encode()
    ).hexdigest()[:32]
    etag = f'"{tag}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = JsonResponse(
            {
                "alarms": [
                    {
                        "id": a.pk,
                        "kind": a.get_kind_display(),
                        "status": a.status,
                        "status_label": a.get_status_display(),
                        "elder": a.elder.display_name,
                        "facility": a.elder.facility.name if a.elder.facility_id else "",
                        "opened": timezone.localtime(a.opened_at).strftime("%H:%M:%S"),
                        "escalated": a.escalated_at is not None,
                        "url": reverse("eldercare:alarm_detail", args=[a.pk]),
                    }
                    for a in alarms
                ]
            }
        )
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


class AlarmCloseForm(forms.Form):
    action = forms.CharField(
        label=gettext_lazy("What was done"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=AlarmOutcome.choices)


def _alarm_for_staff(request: HttpRequest, pk: int) -> Alarm:
    return get_object_or_404(
        Alarm.objects.handled_by(request.user).select_related(
            "elder__resident", "elder__facility", "device", "acknowledged_by", "closed_by"
        ),
        pk=pk,
    )


@login_required
def alarm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alarm = _alarm_for_staff(request, pk)
    form = AlarmCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device_services.alarm_close(
                alarm=alarm,
                action=form.cleaned_data["action"],
                outcome=form.cleaned_data["outcome"],
                by=request.user,
            )
            messages.success(request, _("Alarm closed."))
            return redirect("eldercare:alarm_board")
        except ValidationError as exc:
            show_refusal(request, exc, form)
    return render(request, "eldercare/alarm_detail.html", {"alarm": alarm, "form": form})


@login_required
@require_POST
def alarm_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alarm = _alarm_for_staff(request, pk)
    try:
        device_services.alarm_acknowledge(alarm=alarm, by=request.user)
        messages.success(request, _("Alarm acknowledged: the escalation is stopped."))
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect("eldercare:alarm_detail", pk=pk)


# --- the register ---------------------------------------------------------------------------


class DeviceForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=DeviceKind.choices)
    serial = forms.CharField(label=gettext_lazy("Serial number"), max_length=64)
    at_home = forms.BooleanField(
        label=gettext_lazy("Installed in the elder's home"), required=False
    )
    installed_on = forms.DateField(
        label=gettext_lazy("Installed on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    heartbeat_minutes = forms.IntegerField(
        label=gettext_lazy("Heartbeat interval (minutes)"), min_value=1, max_value=1440, initial=10
    )


@login_required
def device_list(request: HttpRequest) -> HttpResponse:
    devices = (
        Device.objects.visible_to(request.user)
        .select_related("elder__resident", "facility")
        .order_by("serial", "pk")
    )
    page = Paginator(devices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "eldercare/device_list.html", {"page": page})


@login_required
def dead_letter_list(request: HttpRequest) -> HttpResponse:
    """Messages refused from the user's devices, newest first, with the reason: a device
    with a wrong secret or clock shows here before anyone wonders why it is silent."""
    letters = DeadLetter.objects.visible_to(request.user).select_related("device")
    page = Paginator(letters, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "eldercare/deadletter_list.html", {"page": page})


@login_required
def device_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a device for an elder; the secret is shown on the next page, once."""
    import datetime

    elder = get_object_or_404(Elder.objects.managed_by(request.user).with_person(), pk=pk)
    form = DeviceForm(request.POST or None, initial={"installed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        facility = None if data["at_home"] else elder.facility
        try:
            device = device_services.device_register(
                elder=elder,
                kind=data["kind"],
                serial=data["serial"],
                facility=facility,
                installed_at=timezone.make_aware(
                    datetime.datetime.combine(data["installed_on"], datetime.time(12))
                ),
                heartbeat_interval=datetime.timedelta(minutes=data["heartbeat_minutes"]),
                by=request.user,
            )
            return render(request, "eldercare/device_secret.html", {"device": device})
        except ValidationError as exc:
            show_refusal(request, exc, form)
    return render(request, "eldercare/device_create.html", {"elder": elder, "form": form})


@login_required
def smart_care(request: HttpRequest) -> HttpResponse:
    """The smart-care overview for staff: counts over the elders they manage."""
    facilities = CareFacility.objects.editable_by(request.user)
    return render(
        request,
        "eldercare/smart_care.html",
        {"counts": selectors.smart_care_counts(request.user), "facilities": facilities},
    )


__all__ = ["AlarmStatus"]
