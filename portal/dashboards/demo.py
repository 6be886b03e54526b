"""Demo data for the dashboards: refresh the rollup so the demo officials see figures at once.

Runs last in seed_demo, after the other apps have loaded their data. The last six months
are computed so the trend charts have points; refreshing again gives the same rows.
"""

from __future__ import annotations

from typing import TextIO

from portal import months
from portal.dashboards import rollup

DEMO_MONTHS = 6


def seed(stdout: TextIO) -> None:
    month = months.current_month()
    for _ in range(DEMO_MONTHS):
        rollup.refresh_month(month)
        month = months.previous_month(month)
    stdout.write(f"Dashboard figures calculated for the last {DEMO_MONTHS} months.\n")
