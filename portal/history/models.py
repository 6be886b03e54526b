"""Change history of the sensitive records, written by PostgreSQL triggers (django-pghistory).

A trigger on each tracked table copies the new row into its event table on every insert and
on every update that changes a value, so a bulk `.update()`, a raw UPDATE or a change made in
the admin is recorded as surely as a service's `save()`. Each event points at the context of
the request or service that made it: who (the signed-in user), where (the URL) and, where
the form asks for one, the reason.

The event tables live in this app so that the tracked apps' own models and migrations stay
untouched; the triggers are (re)installed after every `migrate` (PGTRIGGER_INSTALL_ON_MIGRATE).
"""

from __future__ import annotations

import pghistory
from django.db import models

from casework.models import CaseChild, Pairing, Visit
from childcare.models import Enrolment
from communities.models import Resident
from eldercare.models import AbilityAssessment, Elder, RiskAssessment


def _tracks(tracked: type[models.Model], name: str) -> type[models.Model]:
    """The abstract event model for `tracked`: its snapshot on insert and on every change."""
    return pghistory.create_event_model(
        tracked,
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        obj_field=pghistory.ObjForeignKey(related_name="history_events", db_index=True),
        app_label="history",
        model_name=name,
    )


class CaseChildEvent(_tracks(CaseChild, "CaseChildEvent")):
    pass


class PairingEvent(_tracks(Pairing, "PairingEvent")):
    pass


class VisitEvent(_tracks(Visit, "VisitEvent")):
    pass


class ResidentEvent(_tracks(Resident, "ResidentEvent")):
    pass


class ElderEvent(_tracks(Elder, "ElderEvent")):
    pass


class AbilityAssessmentEvent(_tracks(AbilityAssessment, "AbilityAssessmentEvent")):
    pass


class RiskAssessmentEvent(_tracks(RiskAssessment, "RiskAssessmentEvent")):
    pass


class EnrolmentEvent(_tracks(Enrolment, "EnrolmentEvent")):
    pass
