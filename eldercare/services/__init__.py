"""Writes for elderly care. Each service is atomic and takes who acts as `by`.

Callers pass objects they fetched through `visible_to`/`managed_by`; the services check the
business rules (capacity, one check-in a day, scores in range) and raise Django's
`ValidationError` with a translated message (naming the field where there is one), which the
view shows with `portal.refusals.show_refusal`.

The services live in one module per area; everything is importable from `eldercare.services`.
"""

from eldercare.services.common import (
    SAVED_TWICE,
    facility_staff_users,
    family_users_to_notify,
    notify_alert,
)
from eldercare.services.daycare import (
    DAY_FULL,
    attendance_check_in,
    attendance_check_out,
    daycare_notice_delete,
    daycare_notice_set,
    missed_checkins_raise,
)
from eldercare.services.elders import (
    assessment_create,
    care_plan_refresh,
    elder_save,
    family_contact_add,
    reassessment_reminders_send,
    risk_assessment_create,
    risk_event_record,
)
from eldercare.services.facilities import (
    facility_save,
    handover_create,
    round_record,
)
from eldercare.services.meals import (
    meal_book,
    meal_booking_cancel,
    meal_booking_serve,
    meal_save,
)
from eldercare.services.readings import (
    alert_acknowledge,
    alert_close,
    elder_reads_record,
    reading_alert_message,
    reading_record,
    threshold_set,
)
from eldercare.services.readings_csv import (
    CSV_COLUMNS,
    IMPORT_BATCH_SIZE,
    ImportRejected,
    ImportResult,
    readings_import,
)

__all__ = [
    "elder_reads_record",
    "facility_staff_users",
    "family_users_to_notify",
    "SAVED_TWICE",
    "notify_alert",
    "elder_save",
    "family_contact_add",
    "risk_event_record",
    "assessment_create",
    "risk_assessment_create",
    "care_plan_refresh",
    "reassessment_reminders_send",
    "attendance_check_in",
    "attendance_check_out",
    "missed_checkins_raise",
    "DAY_FULL",
    "daycare_notice_set",
    "daycare_notice_delete",
    "meal_save",
    "meal_book",
    "meal_booking_cancel",
    "meal_booking_serve",
    "reading_alert_message",
    "reading_record",
    "threshold_set",
    "alert_acknowledge",
    "alert_close",
    "ImportResult",
    "ImportRejected",
    "CSV_COLUMNS",
    "IMPORT_BATCH_SIZE",
    "readings_import",
    "facility_save",
    "handover_create",
    "round_record",
]
