"""Facility staff records: shift hand-overs and rounds."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eldercare.models import (
    CareFacility,
    RoundRecord,
    ShiftHandover,
)
from portal.accounts.models import User

# --- shift hand-over and rounds -------------------------------------------------------------


def handover_create(
    *,
    facility: CareFacility,
    date: datetime.date,
    shift: str,
    received_by: str,
    summary: str,
    by: User,
) -> ShiftHandover:
    with transaction.atomic():
        return ShiftHandover.objects.create(
            facility=facility,
            date=date,
            shift=shift,
            handed_over_by=by,
            received_by=received_by,
            summary=summary,
        )


def round_record(
    *,
    facility: CareFacility,
    all_well: bool,
    observations: str,
    by: User,
    at: datetime.datetime | None = None,
) -> RoundRecord:
    if not all_well and not observations.strip():
        raise ValidationError({"observations": _("Describe what was wrong on the round.")})
    with transaction.atomic():
        return RoundRecord.objects.create(
            facility=facility,
            at=at or timezone.now(),
            by=by,
            all_well=all_well,
            observations=observations,
        )


def facility_save(*, facility: CareFacility, by: User) -> CareFacility:
    """Save a facility's details as its staff or community staff entered them."""
    with transaction.atomic():
        facility.save()
    return facility
