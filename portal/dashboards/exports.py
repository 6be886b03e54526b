"""CSV and XLSX renderings of a dashboard table (the same rows the page shows)."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from portal.dashboards.selectors import Table
from portal.spreadsheets import safe_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_csv(table: Table, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([safe_cell(v) for v in row])
    # A byte-order mark lets Excel open the Chinese text as UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def add_sheet(workbook: Workbook, table: Table, title: str | None = None) -> None:
    sheet = workbook.create_sheet(title=(title or str(table.title))[:31])
    sheet.append([safe_cell(c) for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([safe_cell(v) for v in row])
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width * 1.6))


def table_xlsx(table: Table, filename: str) -> HttpResponse:
    workbook = Workbook()
    workbook.remove(workbook.active)
    add_sheet(workbook, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
