from django.contrib import admin

from portal.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "__str__", "created", "sent_at", "emailed", "read_at"]
    list_filter = ["kind", "emailed", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__name", "recipient__phone", "recipient__email", "text"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created"
    readonly_fields = ["created", "sent_at", "emailed"]
    list_select_related = ["recipient"]
