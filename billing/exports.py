"""A statement as a PDF (WeasyPrint, Chinese fonts as in the monthly reports)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from billing.models import Statement


def statement_pdf(statement: Statement) -> bytes:
    """Always in Chinese: families print it, keep it, and show it to whoever reimburses them."""
    from weasyprint import HTML

    with translation.override("zh-hans"):
        html = render_to_string(
            "billing/statement_pdf.html",
            {
                "statement": statement,
                "lines": statement.lines.all(),
                "payments": statement.payments.all(),
                "printed": timezone.localdate(),
                "portal_name": settings.PORTAL_NAME,
            },
        )
    return HTML(string=html).write_pdf()
