from django.contrib import admin

from portal.reports.models import MonthlyReport


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    list_display = ["region", "month", "status", "progress", "attempts", "updated"]
    list_filter = ["status", "month"]
    raw_id_fields = ["region", "requested_by"]
    readonly_fields = ["error"]
