"""Numbers of the care network, in one place so that they can be corrected.

Visit frequency by risk level: Lancang county's practice as described for the 童伴妈妈 /
课外班主任 teams (high-risk children every two weeks, medium monthly, low quarterly), set out in
issue 5; the 民政部 guidance on 留守儿童 care (《关于加强农村留守儿童关爱保护工作的意见》
国发〔2016〕13号) asks for regular home visits without fixing a number, so these are local rules.
"""

from __future__ import annotations

import datetime

# Days between visits, by CaseChild.risk_level. Source: issue 5 / county practice (see above).
VISIT_INTERVAL_DAYS: dict[str, int] = {
    "high": 14,
    "medium": 30,
    "low": 90,
}

# An elder's ability level (GB/T 42195-2022: 0 intact ... 4 complete loss) at or above which a
# grandparent carer can no longer be assumed to look after a child: the child's risk is reviewed.
# Source: issue 5 ("ability level 2 or worse"), level 2 = 中度受损.
CARER_ABILITY_REVIEW_LEVEL = 2

# Suspected abuse or neglect must be reported (托育机构管理规范（试行） art. 25; 未成年人保护法
# art. 11 强制报告): escalated at once, never batched with the daily job.
SUSPECTED_ABUSE_MUST_BE_REPORTED = True


def visit_interval(risk_level: str) -> datetime.timedelta:
    return datetime.timedelta(days=VISIT_INTERVAL_DAYS[risk_level])


def next_visit_due(
    *, risk_level: str, last_visit: datetime.date | None, since: datetime.date
) -> datetime.date:
    """The next visit is due one interval after the last visit (or after `since`, if none)."""
    return (last_visit or since) + visit_interval(risk_level)
