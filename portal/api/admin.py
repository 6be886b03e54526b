from django.contrib import admin

from portal.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["organisation", "prefix", "access", "created", "last_used", "revoked_at"]
    readonly_fields = ["digest", "prefix", "account", "scope"]
