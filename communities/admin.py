from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Household, Premises, Region, Resident


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "level", "code", "is_division_code", "path"]
    list_filter = ["level"]
    search_fields = ["name", "name_en", "code"]
    readonly_fields = ["path", "depth"]
    autocomplete_fields = ["parent"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["__str__", "population", "contact_name", "contact_phone", "party_secretary"]
    list_filter = ["is_relocation_site"]
    search_fields = ["region__name", "region__name_en", "address"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]


class ResidentInline(admin.TabularInline):
    model = Resident
    fields = ["name", "sex", "date_of_birth", "masked_id", "phone", "relation_to_head"]
    readonly_fields = ["masked_id"]
    extra = 0
    show_change_link = True

    @admin.display(description=_("ID number"))
    def masked_id(self, obj: Resident) -> str:
        return obj.masked_id_number


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["address", "community", "is_relocated", "origin_township", "origin_village"]
    list_filter = ["is_relocated"]
    search_fields = ["address", "origin_village"]
    list_select_related = ["community__region"]
    autocomplete_fields = ["community"]
    inlines = [ResidentInline]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["name", "sex", "date_of_birth", "masked_id", "phone", "household"]
    list_filter = ["sex"]
    # "=" matches a whole ID number typed in the box, without ever displaying one.
    search_fields = ["name", "phone", "=id_number"]
    list_select_related = ["household"]
    autocomplete_fields = ["household", "user"]
    # The full number never appears on a page; it is entered and changed on the staff pages,
    # which validate it (checksum, birth date) and keep it masked.
    exclude = ["id_number"]
    readonly_fields = ["masked_id"]

    @admin.display(description=_("ID number"))
    def masked_id(self, obj: Resident) -> str:
        return obj.masked_id_number


@admin.register(Premises)
class PremisesAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "area_m2", "terms", "monthly_rent", "status", "used_by"]
    list_filter = ["status", "terms"]
    search_fields = ["name", "address", "used_by"]
    list_select_related = ["community__region"]
    autocomplete_fields = ["community"]
