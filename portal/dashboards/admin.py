from django.contrib import admin

from portal.dashboards.models import RegionIndicator


@admin.register(RegionIndicator)
class RegionIndicatorAdmin(admin.ModelAdmin):
    list_display = ["region", "month", "key", "value", "numerator", "denominator", "computed_at"]
    list_filter = ["month", "key"]
    search_fields = ["region__name", "region__code", "key"]
    raw_id_fields = ["region"]
