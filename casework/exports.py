"""Files made from volunteers' service hours: the registry CSV and the yearly certificate."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework import selectors
from casework.models import ServiceHours, Volunteer
from communities.models import mask_id_number
from portal.spreadsheets import safe_cell


def hours_csv(*, hours: QuerySet[ServiceHours], filename: str) -> HttpResponse:
    """One row per confirmed entry: name, masked ID number, team, date, hours, activity."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Name"), _("ID number"), _("Team"), _("Date"), _("Hours"), _("Activity")])
    for entry in hours:
        volunteer = entry.volunteer
        row = [
            volunteer.user,
            mask_id_number(volunteer.id_number),
            volunteer.team.name,
            entry.date.isoformat(),
            f"{entry.minutes / 60:.2f}",
            entry.activity,
        ]
        writer.writerow([safe_cell(value) for value in row])
    # A byte-order mark lets Excel open the Chinese text as UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def hours_certificate_pdf(*, volunteer: Volunteer, year: int) -> bytes:
    """The certificate is always in Chinese: it is shown to Chinese registries and employers."""
    from weasyprint import HTML

    minutes = selectors.hours_year_total(volunteer, year)
    with translation.override("zh-hans"):
        html = render_to_string(
            "casework/hours_certificate_pdf.html",
            {
                "volunteer": volunteer,
                "year": year,
                "minutes": minutes,
                "duration": selectors.HoursTotal("", minutes).display,
                "issued": timezone.localdate(),
                "portal_name": settings.PORTAL_NAME,
                "masked_id": mask_id_number(volunteer.id_number),
            },
        )
    return HTML(string=html).write_pdf()
