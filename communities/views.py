"""Community staff pages. Every object comes from a scoped QuerySet: what a user may not
see answers 404, exactly like what does not exist."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities import services
from communities.forms import (
    CommunityForm,
    HouseholdForm,
    HouseholdSearchForm,
    PremisesFilterForm,
    PremisesForm,
    RefusalForm,
    ResidentForm,
    ResidentSearchForm,
)
from communities.models import Community, Household, Premises, Resident
from portal.history.selectors import history_of
from portal.refusals import show_refusal

PAGE_SIZE = 25


def _page(request: HttpRequest, queryset: QuerySet) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _int_param(request: HttpRequest, name: str) -> int | None:
    # isdigit() is not enough: "²" passes it and int() refuses it; ASCII digits only.
    value = request.GET.get(name, "")
    return int(value) if value.isascii() and value.isdigit() else None


# --- start page and communities -------------------------------------------------------------


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    communities = list(
        Community.objects.managed_by(request.user).select_related("region").with_counts()
    )
    if not communities:
        raise Http404
    pending = Household.objects.managed_by(request.user).pending().count()
    return render(
        request,
        "communities/staff_home.html",
        {"communities": communities, "pending_declarations": pending},
    )


@login_required
def community_list(request: HttpRequest) -> HttpResponse:
    communities = Community.objects.visible_to(request.user).select_related("region")
    return render(request, "communities/community_list.html", {"page": _page(request, communities)})


@login_required
def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    community = get_object_or_404(
        Community.objects.visible_to(request.user).select_related("region").with_counts(), pk=pk
    )
    manages = Community.objects.managed_by(request.user).filter(pk=pk).exists()
    premises = Premises.objects.visible_to(request.user).filter(community=community)
    return render(
        request,
        "communities/community_detail.html",
        {
            "community": community,
            "ancestors": community.region.ancestors(),
            "manages": manages,
            "premises_list": premises,
        },
    )


@login_required
def community_edit(request: HttpRequest, pk: int) -> HttpResponse:
    community = get_object_or_404(
        Community.objects.managed_by(request.user).select_related("region"), pk=pk
    )
    form = CommunityForm(request.POST or None, instance=copy.copy(community))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.community_update(
                community=community, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("Community details saved."))
            return redirect(saved)
    return render(
        request, "communities/community_edit.html", {"form": form, "community": community}
    )


# --- households -----------------------------------------------------------------------------


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    search = HouseholdSearchForm(request.GET or None)
    households = (
        Household.objects.visible_to(request.user)
        .select_related("community__region")
        .with_resident_count()
    )
    if search.is_valid():
        households = households.search(search.cleaned_data["q"])
    community_id = _int_param(request, "community")
    if community_id is not None:
        households = households.filter(community_id=community_id)
    return render(
        request,
        "communities/household_list.html",
        {"page": _page(request, households), "search": search},
    )


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_object_or_404(
        Household.objects.visible_to(request.user).select_related("community__region"), pk=pk
    )
    residents = Resident.objects.visible_to(request.user).filter(household=household)
    manages = Household.objects.managed_by(request.user).filter(pk=pk).exists()
    return render(
        request,
        "communities/household_detail.html",
        {"household": household, "residents": residents, "manages": manages},
    )


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    if not Community.objects.managed_by(request.user).exists():
        raise Http404
    initial = {}
    community_id = _int_param(request, "community")
    if community_id is not None:
        initial["community"] = community_id
    form = HouseholdForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("Household added."))
            return redirect(household)
    return render(request, "communities/household_create.html", {"form": form})


@login_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_object_or_404(
        Household.objects.managed_by(request.user).select_related("community"), pk=pk
    )
    form = HouseholdForm(request.POST or None, user=request.user, instance=copy.copy(household))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.household_update(
                household=household, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("Household saved."))
            return redirect(saved)
    return render(
        request, "communities/household_edit.html", {"form": form, "household": household}
    )


# --- residents ------------------------------------------------------------------------------


@login_required
def resident_list(request: HttpRequest) -> HttpResponse:
    search = ResidentSearchForm(request.GET or None)
    residents = Resident.objects.visible_to(request.user).select_related(
        "household__community__region"
    )
    if search.is_valid():
        residents = residents.search(search.cleaned_data["q"])
    return render(
        request,
        "communities/resident_list.html",
        {"page": _page(request, residents), "search": search},
    )


@login_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_object_or_404(
        Resident.objects.visible_to(request.user).select_related("household__community__region"),
        pk=pk,
    )
    manages = Resident.objects.managed_by(request.user).filter(pk=pk).exists()
    context = {
        "resident": resident,
        "manages": manages,
        # The staff who manage the record see who changed it.
        "history": history_of([resident]) if manages else None,
        "invitations": resident.invitations.all() if manages else [],
    }
    return render(request, "communities/resident_detail.html", context)


def _resident_fields(form: ResidentForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("remove_id_number", None)
    data["id_number"] = form.new_id_number()
    return data


@login_required
def resident_create(request: HttpRequest) -> HttpResponse:
    if not Community.objects.managed_by(request.user).exists():
        raise Http404
    initial = {}
    household_id = _int_param(request, "household")
    if household_id is not None:
        initial["household"] = household_id
    form = ResidentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_create(by=request.user, **_resident_fields(form))
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("Resident added."))
            return redirect(resident)
    return render(request, "communities/resident_create.html", {"form": form})


@login_required
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_object_or_404(
        Resident.objects.managed_by(request.user).select_related("household__community"), pk=pk
    )
    form = ResidentForm(request.POST or None, user=request.user, instance=copy.copy(resident))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.resident_update(
                resident=resident, by=request.user, **_resident_fields(form)
            )
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("Resident saved."))
            return redirect(saved)
    return render(request, "communities/resident_edit.html", {"form": form, "resident": resident})


# --- premises -------------------------------------------------------------------------------


@login_required
def premises_list(request: HttpRequest) -> HttpResponse:
    filters = PremisesFilterForm(request.GET or None)
    premises = Premises.objects.visible_to(request.user).select_related("community__region")
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            premises = premises.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["terms"]:
            premises = premises.filter(terms=filters.cleaned_data["terms"])
    community_id = _int_param(request, "community")
    if community_id is not None:
        premises = premises.filter(community_id=community_id)
    manages = Community.objects.managed_by(request.user).exists()
    return render(
        request,
        "communities/premises_list.html",
        {"page": _page(request, premises), "filters": filters, "manages": manages},
    )


@login_required
def premises_detail(request: HttpRequest, pk: int) -> HttpResponse:
    premises = get_object_or_404(
        Premises.objects.visible_to(request.user).select_related("community__region"), pk=pk
    )
    manages = Premises.objects.managed_by(request.user).filter(pk=pk).exists()
    return render(
        request, "communities/premises_detail.html", {"premises": premises, "manages": manages}
    )


@login_required
def premises_create(request: HttpRequest) -> HttpResponse:
    if not Community.objects.managed_by(request.user).exists():
        raise Http404
    initial = {}
    community_id = _int_param(request, "community")
    if community_id is not None:
        initial["community"] = community_id
    form = PremisesForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            premises = services.premises_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("Premises added."))
            return redirect(premises)
    return render(request, "communities/premises_create.html", {"form": form})


@login_required
def premises_edit(request: HttpRequest, pk: int) -> HttpResponse:
    premises = get_object_or_404(
        Premises.objects.managed_by(request.user).select_related("community"), pk=pk
    )
    form = PremisesForm(request.POST or None, user=request.user, instance=copy.copy(premises))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.premises_update(
                premises=premises, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("Premises saved."))
            return redirect(saved)
    return render(request, "communities/premises_edit.html", {"form": form, "premises": premises})


# --- families' declarations -----------------------------------------------------------------


@login_required
def declaration_list(request: HttpRequest) -> HttpResponse:
    """Households families declared, waiting for verification, and residents that may be
    people the community already holds."""
    if not Community.objects.managed_by(request.user).exists():
        raise Http404
    residents = Resident.objects.select_related(
        "possible_duplicate_of__household", "user"
    ).order_by("pk")
    pending = (
        Household.objects.managed_by(request.user)
        .pending()
        .select_related("community__region")
        .prefetch_related(Prefetch("residents", queryset=residents))
        .order_by("created", "pk")
    )
    flagged = (
        Resident.objects.managed_by(request.user)
        .filter(possible_duplicate_of__isnull=False)
        .exclude(household__status=Household.Status.PENDING)
        .select_related("household__community__region", "possible_duplicate_of__household")
    )
    return render(
        request,
        "communities/declaration_list.html",
        {
            "page": _page(request, pending),
            "flagged": flagged,
            "refusal_form": RefusalForm(),
        },
    )


def _declaration_done(request: HttpRequest, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("communities:declaration_list")


@login_required
@require_POST
def declaration_verify(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_object_or_404(Household.objects.managed_by(request.user), pk=pk)
    try:
        services.household_verify(household=household, by=request.user)
    except ValidationError as exc:
        show_refusal(request, exc)
        return redirect("communities:declaration_list")
    return _declaration_done(request, _("Household verified; the family is notified."))


@login_required
@require_POST
def declaration_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_object_or_404(Household.objects.managed_by(request.user), pk=pk)
    form = RefusalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the family a reason."))
        return redirect("communities:declaration_list")
    try:
        services.household_refuse(
            household=household, reason=form.cleaned_data["reason"], by=request.user
        )
    except ValidationError as exc:
        show_refusal(request, exc)
        return redirect("communities:declaration_list")
    return _declaration_done(request, _("Household refused; the family sees your reason."))


@login_required
@require_POST
def declaration_merge(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_object_or_404(Household.objects.managed_by(request.user), pk=pk)
    try:
        target = services.household_merge(household=household, by=request.user)
    except ValidationError as exc:
        show_refusal(request, exc)
        return redirect("communities:declaration_list")
    messages.success(request, _("Merged into the community's records."))
    return redirect(target)


@login_required
@require_POST
def resident_merge(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_object_or_404(Resident.objects.managed_by(request.user), pk=pk)
    try:
        into = services.resident_merge(declared=resident, by=request.user)
    except ValidationError as exc:
        show_refusal(request, exc)
        return redirect("communities:declaration_list")
    messages.success(request, _("Merged into the community's records."))
    return redirect(into)


@login_required
@require_POST
def resident_dismiss_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_object_or_404(Resident.objects.managed_by(request.user), pk=pk)
    services.duplicate_dismiss(resident=resident, by=request.user)
    return _declaration_done(request, _("Marked as a different person."))


@login_required
@require_POST
def resident_invite(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_object_or_404(
        Resident.objects.managed_by(request.user).select_related("household__community__region"),
        pk=pk,
    )
    try:
        services.invitation_send(
            resident=resident,
            signup_url=request.build_absolute_uri(reverse("account_signup")),
            by=request.user,
        )
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Invitation sent by SMS."))
    return redirect(resident)
