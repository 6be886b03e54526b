from django.contrib import admin

from childcare.models import (
    Booking,
    CareClass,
    Child,
    ChildAccessLog,
    CourseStrand,
    Enrolment,
    EnrolmentEvent,
    Guardian,
    Session,
    Station,
    TimetableSlot,
)


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "kind", "network_lead", "licensed_places", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name"]
    readonly_fields = ["enrolled_count"]


@admin.register(CareClass)
class CareClassAdmin(admin.ModelAdmin):
    list_display = ["name", "station", "class_type", "capacity", "enrolled_count", "carers"]
    readonly_fields = ["enrolled_count"]


class GuardianInline(admin.TabularInline):
    model = Guardian
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Child)
class ChildAdmin(admin.ModelAdmin):
    list_display = ["__str__", "health_exam_date", "vaccinations_confirmed"]
    raw_id_fields = ["resident"]
    inlines = [GuardianInline]


class EnrolmentEventInline(admin.TabularInline):
    model = EnrolmentEvent
    extra = 0
    readonly_fields = ["from_status", "to_status", "note", "by", "at"]
    can_delete = False


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["child", "station", "status", "care_class", "start_date"]
    list_filter = ["status", "station"]
    # Status and counters change only through the services (they keep the history).
    readonly_fields = ["status", "care_class"]
    raw_id_fields = ["child", "applied_by"]
    inlines = [EnrolmentEventInline]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["station", "date", "starts_at", "kind", "capacity", "booked"]
    list_filter = ["station", "kind"]
    readonly_fields = ["booked"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["child", "session", "status", "created"]
    list_filter = ["status"]
    raw_id_fields = ["child", "session", "booked_by"]
    readonly_fields = ["status"]


admin.site.register(CourseStrand)
admin.site.register(TimetableSlot)


@admin.register(ChildAccessLog)
class ChildAccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "child", "path"]
    raw_id_fields = ["child", "user"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
