from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "portal.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from portal.notifications import unread
        from portal.notifications.models import Notification

        post_save.connect(unread.on_notification_changed, sender=Notification)
        post_delete.connect(unread.on_notification_changed, sender=Notification)
