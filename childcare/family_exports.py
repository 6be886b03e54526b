"""The learning portfolio as a PDF (WeasyPrint, Chinese fonts as in the monthly reports)."""

from __future__ import annotations

import base64

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from childcare.family_selectors import PortfolioMonth


def _data_uri(photo: object) -> str:
    # The PDF embeds each photo: WeasyPrint never fetches a URL, so nothing leaves the scope.
    try:
        with photo.image.open("rb") as handle:
            return "data:image/jpeg;base64," + base64.b64encode(handle.read()).decode()
    except OSError:
        return ""


def portfolio_pdf(folio: PortfolioMonth) -> bytes:
    """Always in Chinese: families print it and show it to the station."""
    from weasyprint import HTML

    strands = [
        (name, [(photo, _data_uri(photo)) for photo in photos], notes)
        for name, photos, notes in folio.strands
    ]
    with translation.override("zh-hans"):
        html = render_to_string(
            "childcare/portfolio_pdf.html",
            {
                "folio": folio,
                "strands": strands,
                "issued": timezone.localdate(),
                "portal_name": settings.PORTAL_NAME,
            },
        )
    return HTML(string=html).write_pdf()
