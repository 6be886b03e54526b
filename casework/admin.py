from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from casework.models import (
    AccessLog,
    CaseChild,
    Concern,
    OutreachEvent,
    Pairing,
    Visit,
    Volunteer,
    VolunteerTeam,
)


@admin.register(CaseChild)
class CaseChildAdmin(admin.ModelAdmin):
    list_display = ["resident", "community", "risk_level", "status", "next_visit_due"]
    list_filter = ["status", "risk_level", "is_left_behind", "is_in_distress"]
    raw_id_fields = ["resident", "carer", "community"]
    list_select_related = ["resident", "community__region"]


@admin.register(VolunteerTeam)
class VolunteerTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "active"]


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "community", "active"]
    raw_id_fields = ["user"]
    # As for residents and elders: no page shows a full ID number, the admin included.
    exclude = ["id_number"]
    readonly_fields = ["masked_id"]

    @admin.display(description=_("ID number"))
    def masked_id(self, obj: Volunteer) -> str:
        from communities.models import mask_id_number

        return mask_id_number(obj.id_number)


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["child", "volunteer", "is_primary", "active", "started_on", "ended_on"]
    raw_id_fields = ["child", "volunteer"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["child", "kind", "date", "visited_by"]
    raw_id_fields = ["child"]


@admin.register(Concern)
class ConcernAdmin(admin.ModelAdmin):
    list_display = ["child", "category", "suspected_abuse", "escalated_at", "reported_at"]
    raw_id_fields = ["child", "visit"]


@admin.register(OutreachEvent)
class OutreachEventAdmin(admin.ModelAdmin):
    list_display = ["title", "organiser", "school", "date", "attendance"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence and is never edited."""

    list_display = ["at", "user", "child", "action"]
    raw_id_fields = ["user", "child"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
