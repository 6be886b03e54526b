"""A family's start on the portal, in three short steps that fit a phone and need no
JavaScript: (1) the community, (2) the household and the parent, (3) the child and the
guardian's consent. The steps keep what was typed in the session; the last step writes
everything at once (start_services.household_declare)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from childcare import start_forms, start_services
from childcare.consent import CURRENT_VERSION, consent_text
from childcare.models import Child, GuardianConsent
from communities.models import Community, Household, Resident
from portal.refusals import show_refusal

SESSION_KEY = "childcare_start"


def _state(request: HttpRequest) -> dict[str, Any]:
    return dict(request.session.get(SESSION_KEY) or {})


def _save_state(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[SESSION_KEY] = state


def _community(state: dict[str, Any]) -> Community | None:
    community_id = state.get("community")
    if not isinstance(community_id, int):
        return None
    return Community.objects.select_related("region").filter(pk=community_id).first()


def _has_resident(request: HttpRequest) -> bool:
    return Resident.objects.filter(user=request.user).exists()


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Step 1: the community, by the station the family wants or by county → town."""
    if _has_resident(request):
        return redirect("childcare:child_register")
    place = start_forms.PlaceFilterForm(request.GET or None)
    communities = place.communities()
    station_form = start_forms.StationPickForm(
        request.POST if request.POST.get("action") == "station" else None,
        initial={"station": request.GET.get("station")} if request.GET.get("station") else None,
    )
    community_form = start_forms.CommunityPickForm(
        request.POST if request.POST.get("action") == "community" else None,
        communities=communities if request.method == "GET" else Community.objects.all(),
    )
    chosen: Community | None = None
    if request.method == "POST":
        if station_form.is_bound and station_form.is_valid():
            chosen = station_form.cleaned_data["station"].community
        elif community_form.is_bound and community_form.is_valid():
            chosen = community_form.cleaned_data["community"]
        if chosen is not None:
            state = _state(request)
            state["community"] = chosen.pk
            _save_state(request, state)
            return redirect("childcare:start_household")
    return render(
        request,
        "childcare/start_community.html",
        {
            "step": 1,
            "place": place,
            "station_form": station_form,
            "community_form": community_form,
            "show_communities": communities.exists() or community_form.is_bound,
            "current": _community(_state(request)),
        },
    )


def _iso(value: datetime.date) -> str:
    return value.isoformat()


@login_required
def start_household(request: HttpRequest) -> HttpResponse:
    """Step 2: the household's address, the parent, and their relation to the child."""
    if _has_resident(request):
        return redirect("childcare:child_register")
    state = _state(request)
    community = _community(state)
    if community is None:
        return redirect("childcare:start")
    initial = dict(state.get("household") or {})
    initial.pop("id_number", None)
    form = start_forms.HouseholdStepForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["date_of_birth"] = _iso(data["date_of_birth"])
        state["household"] = data
        _save_state(request, state)
        return redirect("childcare:start_child")
    return render(
        request,
        "childcare/start_household.html",
        {"step": 2, "form": form, "community": community},
    )


@login_required
def start_child(request: HttpRequest) -> HttpResponse:
    """Step 3: the child and the guardian's consent; then everything is saved at once."""
    if _has_resident(request):
        return redirect("childcare:child_register")
    state = _state(request)
    community = _community(state)
    household = state.get("household")
    if community is None:
        return redirect("childcare:start")
    if not household:
        return redirect("childcare:start_household")
    form = start_forms.ChildStepForm(
        request.POST or None, initial={"consent_version": CURRENT_VERSION}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            child = start_services.household_declare(
                community=community,
                address=household["address"],
                parent_name=household["name"],
                parent_sex=household["sex"],
                parent_date_of_birth=datetime.date.fromisoformat(household["date_of_birth"]),
                parent_id_number=household.get("id_number", ""),
                relation=household["relation"],
                child_name=data["name"],
                child_sex=data["sex"],
                child_date_of_birth=data["date_of_birth"],
                child_id_number=data["id_number"],
                consent_version=data["consent_version"],
                by=request.user,
            )
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            request.session.pop(SESSION_KEY, None)
            messages.success(
                request,
                _(
                    "Thank you. %(child)s is registered; the community will verify your "
                    "household and you will be notified."
                )
                % {"child": child},
            )
            return redirect("childcare:parent_home")
    return render(
        request,
        "childcare/start_child.html",
        {
            "step": 3,
            "form": form,
            "community": community,
            "household": household,
            "consent_version": CURRENT_VERSION,
            "consent_text": consent_text(CURRENT_VERSION),
        },
    )


def household_status(user: object) -> Household | None:
    """The household of the signed-in user's own resident record, if any."""
    resident = Resident.objects.select_related("household__community__region").filter(user=user)
    first = resident.first()
    return first.household if first else None


@login_required
def child_register(request: HttpRequest) -> HttpResponse:
    """A parent adds a further child. What is missing is said before the form is filled."""
    household = household_status(request.user)
    can_add = household is not None and household.status != Household.Status.REFUSED
    form = start_forms.ChildRegisterForm(
        request.POST if can_add and request.method == "POST" else None,
        initial={"consent_version": CURRENT_VERSION},
    )
    if can_add and request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("consent")
        try:
            child = start_services.child_register(**data, by=request.user)
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("%(child)s has been added.") % {"child": child})
            return redirect("childcare:parent_home")
    return render(
        request,
        "childcare/child_form.html",
        {
            "form": form if can_add else None,
            "household": household,
            "consent_version": CURRENT_VERSION,
            "consent_text": consent_text(CURRENT_VERSION),
        },
    )


@login_required
def consent_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A guardian's consent for their child: what was agreed and when; withdraw or give."""
    child = get_object_or_404(
        Child.objects.of_guardian(request.user).select_related("resident"), pk=pk
    )
    mine = GuardianConsent.objects.filter(child=child, user=request.user)
    active = mine.active().first()
    withdraw_form = start_forms.ConsentWithdrawForm()
    return render(
        request,
        "childcare/consent.html",
        {
            "child": child,
            "active": active,
            "active_text": consent_text(active.version) if active else "",
            "history": mine,
            "withdraw_form": withdraw_form,
            "consent_version": CURRENT_VERSION,
            "consent_text": consent_text(CURRENT_VERSION),
        },
    )


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_object_or_404(
        Child.objects.of_guardian(request.user).select_related("resident"), pk=pk
    )
    form = start_forms.ConsentWithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm the withdrawal."))
        return redirect("childcare:consent", pk=child.pk)
    try:
        start_services.consent_withdraw(child=child, by=request.user)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Your consent is withdrawn."))
    return redirect("childcare:consent", pk=child.pk)


@login_required
@require_POST
def consent_give(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_object_or_404(
        Child.objects.of_guardian(request.user).select_related("resident"), pk=pk
    )
    version = request.POST.get("consent_version", "")
    if request.POST.get("consent") != "on":
        messages.error(request, _("Please read and accept the consent."))
        return redirect("childcare:consent", pk=child.pk)
    try:
        start_services.consent_give(child=child, version=version, by=request.user)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Thank you: your consent is recorded."))
    return redirect("childcare:consent", pk=child.pk)
