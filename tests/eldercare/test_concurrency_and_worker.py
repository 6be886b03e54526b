"""Day-care places under concurrent check-ins (real threads), and the missed check-in job on a
real Celery worker (real Redis broker): run twice, one alert."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from eldercare import services
from eldercare.models import Alert, DayCareAttendance
from eldercare.tasks import raise_missed_checkins
from tests.eldercare.factories import CareFacilityFactory, ElderFactory
from tests.portal.test_worker import (  # noqa: F401 - fixtures shared with the foundation test
    WAIT_SECONDS,
    celery_worker,
    enqueue_to_broker,
    key_prefix,
)


@pytest.mark.django_db(transaction=True)
def test_concurrent_check_ins_never_exceed_day_places(facility, facility_staff):
    facility.day_places = 2
    facility.save()
    elders = [ElderFactory(facility=facility) for _ in range(6)]
    barrier = threading.Barrier(len(elders))
    results: list[str] = []

    def check_in(elder) -> None:
        try:
            barrier.wait()
            services.attendance_check_in(elder=elder, facility=facility, by=facility_staff)
            results.append("in")
        except ValidationError:
            results.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=check_in, args=(e,)) for e in elders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("in") == 2
    seats = sorted(DayCareAttendance.objects.values_list("seat_no", flat=True))
    assert seats == [1, 2]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_raises_a_missed_check_in_once(
    celery_worker,  # noqa: F811
    enqueue_to_broker,  # noqa: F811
    community,
):
    _mail_dir, worker_log = celery_worker
    # A deadline of midnight has always passed, whenever the test runs.
    facility = CareFacilityFactory(community=community, checkin_deadline=datetime.time(0, 0))
    elder = ElderFactory(facility=facility, day_care_weekdays="0123456")
    raise_missed_checkins.delay()
    raise_missed_checkins.delay()
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if worker_log.read_text().count("raise_missed_checkins") >= 4:  # 2 received, 2 done
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"worker did not run the job twice:\n{worker_log.read_text()}")
    assert Alert.objects.filter(elder=elder, kind="missed_checkin").count() == 1
