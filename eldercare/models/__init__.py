"""Elderly care: facilities, elders, assessments, day care, meals, health readings and alerts.

Scoping (every read of personal data goes through a `visible_to(user)` QuerySet method):
facility staff see their facility's elders; community staff see their community's elders
and facilities; a family member sees only the elders they are a family contact of, and of
those only what the contact row allows; officials see no elder rows at all (dashboards
aggregate).

The models live in one module per area; everything is importable from `eldercare.models`.
"""

from eldercare.models.choices import (
    ACCESSIBILITY_FIELDS,
    READING_UNITS,
    ROOM_FIELDS,
    AlertKind,
    AlertStatus,
    BookingStatus,
    ElderStatus,
    FacilityKind,
    FacilityStatus,
    MealKind,
    ReadingKind,
    ReadingSource,
    RiskEventKind,
    Sex,
    Shift,
    SupportCategory,
)
from eldercare.models.daycare import (
    AttendanceQuerySet,
    DayCareAttendance,
    DayCareNotice,
    DayCarePlaces,
    expected_q,
    regular_q,
)
from eldercare.models.elders import (
    RISK_FIELDS,
    AbilityAssessment,
    CarePlan,
    CareRiskEvent,
    Elder,
    ElderQuerySet,
    ElderRelatedQuerySet,
    FamilyContact,
    FamilyContactQuerySet,
    RiskAssessment,
    elder_visible_q,
    visible_elder_ids,
    weekdays_validator,
)
from eldercare.models.facilities import (
    CareFacility,
    CareFacilityQuerySet,
    FacilityRecordQuerySet,
    RoundRecord,
    ShiftHandover,
)
from eldercare.models.meals import (
    BookingQuerySet,
    Meal,
    MealBooking,
    MealQuerySet,
)
from eldercare.models.readings import (
    THRESHOLD_MEASURES,
    Alert,
    ElderThreshold,
    HealthReading,
    ReadingImport,
)

__all__ = [
    "FacilityKind",
    "FacilityStatus",
    "SupportCategory",
    "ElderStatus",
    "Sex",
    "RiskEventKind",
    "MealKind",
    "BookingStatus",
    "ReadingKind",
    "READING_UNITS",
    "ReadingSource",
    "AlertKind",
    "AlertStatus",
    "Shift",
    "ROOM_FIELDS",
    "ACCESSIBILITY_FIELDS",
    "CareFacility",
    "CareFacilityQuerySet",
    "FacilityRecordQuerySet",
    "ShiftHandover",
    "RoundRecord",
    "Elder",
    "elder_visible_q",
    "ElderQuerySet",
    "weekdays_validator",
    "FamilyContact",
    "FamilyContactQuerySet",
    "visible_elder_ids",
    "CareRiskEvent",
    "ElderRelatedQuerySet",
    "AbilityAssessment",
    "RISK_FIELDS",
    "RiskAssessment",
    "CarePlan",
    "AttendanceQuerySet",
    "DayCareAttendance",
    "DayCareNotice",
    "expected_q",
    "DayCarePlaces",
    "regular_q",
    "Meal",
    "BookingQuerySet",
    "MealQuerySet",
    "MealBooking",
    "Alert",
    "ReadingImport",
    "HealthReading",
    "THRESHOLD_MEASURES",
    "ElderThreshold",
]
