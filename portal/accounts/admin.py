from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import RoleAssignment, User
from portal.accounts.phone import MainlandPhoneField, normalize_phone


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    fields = ["role", "region", "station", "facility", "created"]
    readonly_fields = ["created"]
    raw_id_fields = ["region", "station", "facility"]


class ContactFieldsMixin:
    """Blank contact fields are stored as NULL (both are unique) and numbers in E.164."""

    def clean_email(self) -> str | None:
        return self.cleaned_data.get("email") or None

    def clean_phone(self) -> str | None:
        value = self.cleaned_data.get("phone")
        if not value:
            return None
        phone = normalize_phone(value)
        if phone is None:
            raise ValidationError(MainlandPhoneField.default_error_messages["invalid_phone"])
        return phone

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone") and not self.errors:
            raise ValidationError(_("Give a mobile phone number or an email address."))
        return cleaned


class PortalUserCreationForm(ContactFieldsMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("phone", "email", "name")


class PortalUserChangeForm(ContactFieldsMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin, without the username (users are known by phone or email)."""

    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    inlines = [RoleAssignmentInline]
    ordering = ["pk"]
    list_display = ["__str__", "phone", "email", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "role_assignments__role"]
    search_fields = ["name", "phone", "email"]
    fieldsets = (
        (None, {"fields": ("phone", "email", "password")}),
        (_("Personal info"), {"fields": ("name", "phone_verified", "language", "elder_mode")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("phone", "email", "name", "usable_password", "password1", "password2"),
            },
        ),
    )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region", "station", "facility", "created"]
    list_filter = ["role"]
    search_fields = ["user__name", "user__phone", "user__email", "region__name"]
    raw_id_fields = ["user", "region", "station", "facility"]
