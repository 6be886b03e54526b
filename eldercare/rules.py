"""Numbers from the national rules for elderly care, in one place.

Every figure here carries its source. Figures marked *unconfirmed* are read from settings so
that they can be corrected without a code change.

- GB/T 42195-2022 老年人能力评估规范 (elder ability assessment): four domains, total 0–90,
  five levels, and the one-level raise. Item maxima are those published by public
  implementations of Annex B; the domain maxima (32 + 15 + 28 + 15) add up to the 90 the
  standard states. Check an item maximum against the official text before changing it.
- GB 38600-2019 养老机构服务安全基本规范 (in force 2022-01-01): the nine risks assessed before
  admission, and rounds and shift hand-over records.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# --- GB/T 42195-2022: ability assessment ---------------------------------------------------


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    max_score: int


@dataclass(frozen=True)
class Domain:
    code: str
    label: str
    items: tuple[Item, ...]

    @property
    def max_score(self) -> int:
        return sum(item.max_score for item in self.items)


# GB/T 42195-2022 Annex B, tables B.1–B.4 (item maxima per public implementations).
DOMAINS: tuple[Domain, ...] = (
    Domain(
        "self_care",
        _("Self-care"),
        (
            Item("eating", _("Eating"), 4),
            Item("grooming", _("Grooming"), 4),
            Item("bathing", _("Bathing"), 4),
            Item("dressing_upper", _("Dressing the upper body"), 4),
            Item("dressing_lower", _("Putting on trousers, shoes and socks"), 4),
            Item("bladder", _("Bladder control"), 4),
            Item("bowel", _("Bowel control"), 4),
            Item("toileting", _("Using the toilet"), 4),
        ),
    ),
    Domain(
        "motor",
        _("Basic motor ability"),
        (
            Item("bed_position", _("Changing position in bed"), 4),
            Item("bed_chair_transfer", _("Moving between bed and chair"), 4),
            Item("walking", _("Walking on level ground"), 4),
            Item("stairs", _("Going up and down stairs"), 3),
        ),
    ),
    Domain(
        "mental",
        _("Mental state"),
        (
            Item("time_orientation", _("Orientation in time"), 4),
            Item("place_orientation", _("Orientation in place"), 4),
            Item("person_orientation", _("Recognising people"), 4),
            Item("memory", _("Memory"), 4),
            Item("understanding", _("Understanding"), 4),
            Item("expression", _("Expressing oneself"), 4),
            Item("aggression", _("No aggressive behaviour"), 1),
            Item("depression", _("No depressive symptoms"), 1),
            Item("consciousness", _("Level of consciousness"), 2),
        ),
    ),
    Domain(
        "perception",
        _("Perception and social participation"),
        (
            Item("vision", _("Vision"), 2),
            Item("hearing", _("Hearing"), 2),
            Item("daily_affairs", _("Handling daily affairs"), 4),
            Item("transport", _("Going out by transport"), 3),
            Item("social", _("Social contact"), 4),
        ),
    ),
)

ITEMS: dict[str, Item] = {item.code: item for domain in DOMAINS for item in domain.items}
TOTAL_MAX = 90  # GB/T 42195-2022 §5: the total score is 0–90.

# GB/T 42195-2022 §6, table 2: (level, lowest total of the band, label).
# 0 完好 = 90; 1 轻度受损 66–89; 2 中度受损 46–65; 3 重度受损 30–45; 4 完全丧失 0–29.
LEVEL_BANDS: tuple[tuple[int, int], ...] = ((0, 90), (1, 66), (2, 46), (3, 30), (4, 0))
LEVEL_LABELS: dict[int, str] = {
    0: _("Level 0 – intact"),
    1: _("Level 1 – mildly impaired"),
    2: _("Level 2 – moderately impaired"),
    3: _("Level 3 – severely impaired"),
    4: _("Level 4 – completely lost"),
}
MAX_LEVEL = 4

# GB/T 42195-2022 §6.2: one level up (never past 4) for a diagnosis of dementia or a
# psychiatric illness, or for this many care-risk events within the window.
RAISE_EVENT_COUNT = 2
RAISE_EVENT_WINDOW_DAYS = 30
# The care-risk events the standard counts (fall, choking, self-harm/suicide, wandering off).
RAISE_EVENT_KINDS = ("fall", "choking", "self_harm", "wandering")


def domain_scores(scores: Mapping[str, int]) -> dict[str, int]:
    return {d.code: sum(scores[i.code] for i in d.items) for d in DOMAINS}


def validate_scores(scores: Mapping[str, int]) -> list[str]:
    """Codes of items missing or outside 0..max; empty when the scores are complete and valid."""
    bad = []
    for code, item in ITEMS.items():
        value = scores.get(code)
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not 0 <= value <= item.max_score
        ):
            bad.append(code)
    return bad


def level_for_total(total: int) -> int:
    """The level of a total score by the bands of GB/T 42195-2022 (before any raise)."""
    if not 0 <= total <= TOTAL_MAX:
        raise ValueError(f"total {total} outside 0..{TOTAL_MAX}")
    for level, lowest in LEVEL_BANDS:
        if total >= lowest:
            return level
    raise AssertionError("unreachable: the last band starts at 0")


def final_level(*, total: int, has_dementia_or_psychiatric: bool, risk_events_30d: int) -> int:
    """The level after the one-level raise (a raise applies once, whatever its reason)."""
    level = level_for_total(total)
    if has_dementia_or_psychiatric or risk_events_30d >= RAISE_EVENT_COUNT:
        level = min(level + 1, MAX_LEVEL)
    return level


def reassessment_interval_days(level: int) -> int:
    """Days until the next assessment. *Unconfirmed*: GB/T 42195-2022 asks for a
    re-assessment at least yearly and on a change of condition; many provinces re-assess
    levels 3–4 every six months. Settings ELDERCARE_REASSESS_DAYS / _SEVERE_DAYS."""
    if level >= 3:
        return getattr(settings, "ELDERCARE_REASSESS_SEVERE_DAYS", 182)
    return getattr(settings, "ELDERCARE_REASSESS_DAYS", 365)


def next_due(assessed_on: datetime.date, level: int) -> datetime.date:
    return assessed_on + datetime.timedelta(days=reassessment_interval_days(level))


# Days before the due date when staff are reminded (a portal choice, not a national rule).
REASSESSMENT_REMINDER_DAYS = 14


# --- GB 38600-2019: safety ---------------------------------------------------------------

# GB 38600-2019 §5: the risks assessed before admission and prevented in service.
RISKS: tuple[tuple[str, str], ...] = (
    ("choking", _("Choking")),
    ("wrong_intake", _("Eating or taking the wrong food or medicine")),
    ("pressure_sores", _("Pressure sores")),
    ("scalds", _("Scalds")),
    ("fall_from_bed", _("Falling from bed")),
    ("falls", _("Falls")),
    ("wandering", _("Wandering off")),
    ("harm", _("Harm to self or others")),
    ("activity_accident", _("Accidents during activities")),
)
RISK_CODES = tuple(code for code, _label in RISKS)

# Care measures that follow from each risk (GB 38600-2019 §5 prevention measures, in brief).
RISK_MEASURES: dict[str, str] = {
    "choking": _("Soft or minced food; staff present at meals; sit upright to eat."),
    "wrong_intake": _("Medicines kept and handed out by staff; check name before each dose."),
    "pressure_sores": _("Turn every two hours; check skin daily; pressure-relief mattress."),
    "scalds": _("Staff test water and food temperature; no hot-water bottles."),
    "fall_from_bed": _("Bed rails up at night; low bed; call bell within reach."),
    "falls": _("Walking aid; non-slip shoes; accompany to the toilet; clear floors."),
    "wandering": _("Name card with phone number; doors checked on every round."),
    "harm": _("Sharp objects kept away; calm approach; inform the family doctor."),
    "activity_accident": _("Activities chosen for the elder's ability, always supervised."),
}

# Care that follows from the level: (rounds interval in hours, care measure).
# The intervals are a portal default (*unconfirmed*; GB 38600-2019 requires rounds but leaves
# their frequency to the institution's rules).
LEVEL_CARE: dict[int, tuple[int, str]] = {
    0: (8, _("Encourage independence; join group activities.")),
    1: (6, _("Help with bathing and stairs; remind about meals and medicine.")),
    2: (4, _("Help with dressing, toileting and moving; escort when walking.")),
    3: (2, _("Help with most daily care; turn and reposition; watch eating.")),
    4: (2, _("Full care for every daily activity; close observation day and night.")),
}


def care_plan_for(level: int, risks: Iterable[str]) -> tuple[int, list[str]]:
    """(rounds interval in hours, care measures) for a level and the risks found."""
    interval, base = LEVEL_CARE[level]
    measures = [str(base)] + [str(RISK_MEASURES[code]) for code in RISK_CODES if code in risks]
    # Three or more risks call for closer watch whatever the level.
    if sum(1 for code in RISK_CODES if code in risks) >= 3:
        interval = min(interval, 2)
    return interval, measures


# --- Health reading thresholds (defaults; each elder may have their own) -------------------

# (low, high): a reading strictly below low or above high raises an alert.
# Sources: blood pressure 中国高血压防治指南 2018 (≥140/90 hypertension; <90/60 hypotension);
# resting heart rate 60–100 /min, with 50 as a lower alert for older adults (common practice);
# fasting glucose 3.9–7.0 mmol/L (中国2型糖尿病防治指南 2020), raised to 11.1 for a random
# reading; temperature 35.0–37.3 °C (WS/T 2017 fever threshold 37.3 °C). Weight has no
# threshold by default (a change over time matters, not a value).
DEFAULT_THRESHOLDS: dict[str, tuple[Decimal | None, Decimal | None]] = {
    "bp_systolic": (Decimal("90"), Decimal("140")),
    "bp_diastolic": (Decimal("60"), Decimal("90")),
    "heart_rate": (Decimal("50"), Decimal("100")),
    "glucose": (Decimal("3.9"), Decimal("11.1")),
    "temperature": (Decimal("35.0"), Decimal("37.3")),
    "weight": (None, None),
}

# Plausible ranges of what a device can report; outside them an import row is rejected as
# malformed (not an alert: it is a broken value, not a sick elder).
PLAUSIBLE: dict[str, tuple[Decimal, Decimal]] = {
    "bp_systolic": (Decimal("40"), Decimal("300")),
    "bp_diastolic": (Decimal("20"), Decimal("200")),
    "heart_rate": (Decimal("20"), Decimal("250")),
    "glucose": (Decimal("0.5"), Decimal("40")),
    "temperature": (Decimal("30"), Decimal("45")),
    "weight": (Decimal("20"), Decimal("250")),
}


def out_of_range(value: Decimal, low: Decimal | None, high: Decimal | None) -> bool:
    return (low is not None and value < low) or (high is not None and value > high)


# --- when a reading can have been taken -------------------------------------------------------

# A reading (typed in, imported from a device file, or sent by a device) dated before 2000 or
# more than a day ahead of the portal's clock comes from a device whose clock is wrong, or
# from a typing slip: it is refused, with the reason, and nothing of it is stored.
READINGS_EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
READINGS_MAX_AHEAD = datetime.timedelta(days=1)


def reading_time_refusal(moment: datetime.datetime, now: datetime.datetime) -> str | None:
    """Why `moment` cannot be when a reading was taken, or None if it can."""
    if moment < READINGS_EARLIEST:
        return str(_("A reading cannot be dated before 2000."))
    if moment > now + READINGS_MAX_AHEAD:
        return str(_("A reading cannot be dated more than a day ahead of now."))
    return None
