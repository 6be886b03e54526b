"""Thin views of fees and subsidies: scoped QuerySets pick the rows (404 for what the user may
not see), services decide."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from billing.models import Statement


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


@login_required
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_object_or_404(
        Statement.objects.visible_to(request.user)
        .with_paid()
        .select_related("child__resident", "station"),
        pk=pk,
    )
    return render(
        request,
        "billing/statement_detail.html",
        {
            "statement": statement,
            "lines": statement.lines.all(),
            "payments": statement.payments.all(),
        },
    )
