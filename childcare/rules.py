"""National childcare rules: the one place their numbers live.

Every number carries its source. The texts are public secondary summaries (see
../shared/DOMAIN.md); the official documents are the authority, so correct them here only.
Numbers marked *unconfirmed* are read from settings so that they can be corrected without
a release.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Children are taken from 6 months up to (not including) their third birthday.
# 托育机构设置标准（试行）2019 art. 19: the youngest class (乳儿班) is for 6–12 months and the
# oldest (托大班) ends at 36 months; "under 3" is the remit of a 托育机构.
MIN_AGE_MONTHS = 6
MAX_AGE_MONTHS = 36  # exclusive: a child of 36 months is too old


@dataclass(frozen=True)
class ClassRule:
    code: str
    label: Promise
    min_months: int  # inclusive
    max_months: int  # exclusive
    size_cap: int
    children_per_carer: int


# 托育机构设置标准（试行）2019 art. 19 (age bands, size caps) and art. 20 (carer ratios).
INFANT = ClassRule("infant", _("Infant class (6-12 months)"), 6, 12, 10, 3)
TODDLER = ClassRule("toddler", _("Toddler class (12-24 months)"), 12, 24, 15, 5)
PRESCHOOL = ClassRule("preschool", _("Preschool class (24-36 months)"), 24, 36, 20, 7)
# Mixed class: children over 18 months, at most 18 (art. 19). Its carer ratio is not given in
# the sources we have (*unconfirmed*): settings.CHILDCARE_MIXED_CLASS_CHILDREN_PER_CARER,
# defaulting to the stricter toddler ratio.
MIXED_MIN_MONTHS = 18
MIXED_SIZE_CAP = 18
MIXED_DEFAULT_CHILDREN_PER_CARER = 5


def mixed_class_rule() -> ClassRule:
    ratio = getattr(
        settings, "CHILDCARE_MIXED_CLASS_CHILDREN_PER_CARER", MIXED_DEFAULT_CHILDREN_PER_CARER
    )
    return ClassRule(
        "mixed",
        _("Mixed-age class (18-36 months)"),
        MIXED_MIN_MONTHS,
        MAX_AGE_MONTHS,
        MIXED_SIZE_CAP,
        int(ratio),
    )


def class_rule(code: str) -> ClassRule:
    if code == "mixed":
        return mixed_class_rule()
    return {r.code: r for r in (INFANT, TODDLER, PRESCHOOL)}[code]


def class_rules() -> list[ClassRule]:
    return [INFANT, TODDLER, PRESCHOOL, mixed_class_rule()]


# 托育机构管理规范（试行）art. 18: at least 2 hours outdoors a day.
OUTDOOR_MINUTES_PER_DAY = 120

# 托育机构管理规范（试行）art. 11: a health exam before enrolment, and again after an absence
# of 3 months or more.
HEALTH_EXAM_AFTER_ABSENCE_MONTHS = 3

# 托育机构管理规范（试行）art. 24: a morning and a midday check (晨午检) every day.
# The fever threshold is the usual one of 托儿所幼儿园卫生保健工作规范 (axillary, ≥37.3 °C);
# *unconfirmed* as a national number, hence a setting.
FEVER_DEFAULT_CELSIUS = "37.3"


def fever_threshold() -> str:
    return str(getattr(settings, "CHILDCARE_FEVER_CELSIUS", FEVER_DEFAULT_CELSIUS))


# 托育机构保育指导大纲（试行）2021: the seven care domains, used to tag progress notes.
CARE_DOMAINS: list[tuple[str, Promise]] = [
    ("nutrition", _("Nutrition and feeding")),
    ("sleep", _("Sleep")),
    ("hygiene", _("Daily living and hygiene habits")),
    ("movement", _("Movement")),
    ("language", _("Language")),
    ("cognition", _("Cognition")),
    ("social", _("Emotional and social development")),
]


# Not a national number: how long a station keeps photos of the day unless it sets its own
# period (the photos are a child's sensitive data under PIPL: keep them no longer than needed).
PHOTO_RETENTION_DAYS_DEFAULT = 180

# The longest side of a stored photo, in pixels: enough for a phone screen and a printed
# portfolio page, small enough that a day's photos stay light on the parents' data plans.
PHOTO_MAX_SIDE = 1600

# How often the parent's open page asks whether the child's day has changed (seconds).
LIVE_POLL_SECONDS = 10
