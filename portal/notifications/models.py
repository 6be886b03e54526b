"""In-app notifications, delivered by a Celery task and never lost.

A Notification row is written in the same transaction as the event that causes it.
`sent_at` is set by the worker that delivers it (claimed with a conditional UPDATE), so a
row left with `sent_at IS NULL` — the broker was down, the worker died — is found and
re-sent by the beat job.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> NotificationQuerySet:
        """A notification is for its recipient only."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class NotificationKind(models.TextChoices):
    GENERAL = "general", _("General")
    BOOKING = "booking", _("Booking")
    ENROLMENT = "enrolment", _("Enrolment")
    HEALTH = "health", _("Health")
    ATTENDANCE = "attendance", _("Attendance")
    ALERT = "alert", _("Alert")
    VISIT = "visit", _("Visit")
    ESCALATION = "escalation", _("Escalation")
    REPORT = "report", _("Report")
    REMINDER = "reminder", _("Reminder")


class Notification(models.Model):
    Kind = NotificationKind

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GENERAL)
    text = models.TextField(_("text"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    emailed = models.BooleanField(_("emailed"), default=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread_idx"),
            models.Index(
                fields=["created"],
                condition=Q(sent_at__isnull=True),
                name="notif_unsent_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values),
                name="notifications_notification_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]
