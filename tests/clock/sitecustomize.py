"""Python subprocesses of a clock run read the test's moved clock.

`make test-clock` moves the clock of the test process (tests/conftest.py). A test that starts
a Celery worker, gunicorn or a management command would otherwise meet a process on the
machine's clock, months away from the rows the test just wrote. tests/conftest.py puts this
folder on PYTHONPATH and PORTAL_TEST_CLOCK_OFFSET (seconds from the machine's clock to the
test's) in the environment while a test runs, so Python imports this module at start-up and
moves its clock by the same amount; it ticks on, as the test's does. Without the variable
(every process outside a clock run) it does nothing.
"""

import os

_offset = os.environ.get("PORTAL_TEST_CLOCK_OFFSET")
if _offset:
    import datetime
    import time

    import time_machine

    _now = time.time() + float(_offset)
    time_machine.travel(datetime.datetime.fromtimestamp(_now, datetime.UTC), tick=True).start()
