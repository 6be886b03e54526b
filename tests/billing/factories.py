"""How the fee tests give a child a place: an enrolment and the moment the place was taken up
(the statements count the days from the later of the wished start and that moment)."""

from __future__ import annotations

import datetime

from childcare.models import Enrolment, EnrolmentEvent
from tests.childcare.factories import CareClassFactory, EnrolmentFactory


def enrol(child, station, staff, start: datetime.date, taken_up: datetime.datetime) -> Enrolment:
    enrolment = EnrolmentFactory(
        child=child,
        station=station,
        care_class=CareClassFactory(station=station),
        status="enrolled",
        start_date=start,
        applied_by=staff,
    )
    event = EnrolmentEvent.objects.create(
        enrolment=enrolment, from_status="offered", to_status="enrolled", by=staff
    )
    EnrolmentEvent.objects.filter(pk=event.pk).update(at=taken_up)
    return enrolment
