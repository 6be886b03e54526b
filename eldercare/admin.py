from django.contrib import admin

from eldercare.models import (
    AbilityAssessment,
    Alert,
    CareFacility,
    Elder,
    FamilyContact,
    Meal,
    ShiftHandover,
)


@admin.register(CareFacility)
class CareFacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "community", "status", "beds", "day_places"]
    list_filter = ["kind", "status"]
    search_fields = ["name"]


class FamilyContactInline(admin.TabularInline):
    model = FamilyContact
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Elder)
class ElderAdmin(admin.ModelAdmin):
    list_display = ["__str__", "facility", "support_category", "status"]
    list_filter = ["support_category", "status"]
    search_fields = ["name", "resident__name"]
    raw_id_fields = ["resident", "facility", "community"]
    inlines = [FamilyContactInline]
    # ID numbers are shown masked on every page; the admin does not list them.
    exclude = ["id_number"]


@admin.register(AbilityAssessment)
class AbilityAssessmentAdmin(admin.ModelAdmin):
    list_display = ["elder", "assessed_on", "total", "level", "next_due"]
    raw_id_fields = ["elder", "assessor"]
    # Scores and level are computed by services.assessment_create; never edited by hand.
    readonly_fields = [
        "scores",
        "self_care",
        "motor",
        "mental",
        "perception",
        "total",
        "base_level",
        "level",
        "raise_reason",
        "next_due",
    ]


@admin.register(Meal)
class MealAdmin(admin.ModelAdmin):
    list_display = ["facility", "date", "kind", "booked", "capacity"]
    list_filter = ["kind"]
    readonly_fields = ["booked"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["elder", "kind", "status", "created"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["elder", "reading", "acknowledged_by", "closed_by"]


admin.site.register(ShiftHandover)
