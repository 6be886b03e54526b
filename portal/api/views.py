"""Administrators' pages for API tokens: list, create (the secret is shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.api import services
from portal.api.forms import TokenForm
from portal.api.models import ApiToken
from portal.refusals import show_refusal


def _require_admin(request: HttpRequest) -> None:
    if not request.user.is_portal_admin:
        raise Http404


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.token_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("Token for %(org)s created.") % {"org": token.organisation})
            form = TokenForm()
    tokens = ApiToken.objects.visible_to(request.user).select_related(
        "scope__region", "scope__station", "scope__facility", "created_by", "revoked_by"
    )
    return render(
        request, "api/token_list.html", {"form": form, "tokens": tokens, "secret": secret}
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
    try:
        services.token_revoke(token=token, by=request.user)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Token revoked: it no longer opens the API."))
    return redirect("api_tokens:list")
