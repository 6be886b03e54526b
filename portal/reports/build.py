"""Building a monthly report's files from the rollup: an XLSX workbook and a PDF."""

from __future__ import annotations

import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from openpyxl import Workbook

from portal.dashboards.exports import add_sheet
from portal.dashboards.selectors import Dashboard


def report_xlsx(dashboard: Dashboard) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for slug in (
        "summary",
        "parts",
        "parts_care",
        "parts_fees",
        "gaps",
        "stations",
        "premises",
        "trend_rate",
        "trend_activity",
    ):
        table = dashboard.tables[slug]
        add_sheet(workbook, table, title=slug)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_pdf(dashboard: Dashboard, language: str = "zh-hans") -> bytes:
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(
            "reports/monthlyreport_pdf.html",
            {"dashboard": dashboard, "portal_name": settings.PORTAL_NAME},
        )
    return HTML(string=html).write_pdf()
