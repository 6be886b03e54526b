"""The clock runs (`make test-clock`) move every test, and the processes it starts, together.

In the normal run these hold against the machine's clock; in a clock run (PORTAL_TEST_MOMENT)
they prove that each test starts at the moment, wherever it falls in the run, and that a
Python subprocess (a worker, a web server, a management command) reads the same time.
"""

import datetime
import json
import os
import subprocess
import sys

from django.conf import settings
from django.utils import timezone

from tests.conftest import _moment, _moment_start

# The test's own set-up; a run takes minutes, so a clock moved only once would be far off.
SLACK = datetime.timedelta(seconds=10)


def test_each_test_starts_at_the_moment_of_the_run():
    now = timezone.now()
    expected = _moment_start() if _moment else datetime.datetime.now(datetime.UTC)
    assert expected - SLACK <= now <= expected + SLACK


def test_a_python_subprocess_reads_the_same_clock():
    before = timezone.now()
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import datetime, json, time;"
            "print(json.dumps([time.time(), datetime.datetime.now(datetime.UTC).isoformat()]))",
        ],
        cwd=settings.BASE_DIR,
        env=os.environ,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    after = timezone.now()
    seconds, iso = json.loads(out)
    for moment in (
        datetime.datetime.fromtimestamp(seconds, datetime.UTC),
        datetime.datetime.fromisoformat(iso),
    ):
        assert (
            before - datetime.timedelta(seconds=1)
            <= moment
            <= after + datetime.timedelta(seconds=1)
        )
