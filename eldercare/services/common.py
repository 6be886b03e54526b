"""What the eldercare services share: the refusal, who is told of what."""

from __future__ import annotations

from django.urls import reverse
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from eldercare.models import (
    Alert,
    Elder,
    FamilyContact,
)
from eldercare.models.readings import alert_text
from portal.accounts.models import Role, User
from portal.notifications.models import Notification
from portal.notifications.services import notification_create_many

# --- who is told ----------------------------------------------------------------------------


def facility_staff_users(facility_id: int | None) -> list[User]:
    if facility_id is None:
        return []
    return list(
        User.objects.filter(
            role_assignments__role=Role.FACILITY_STAFF,
            role_assignments__facility_id=facility_id,
            is_active=True,
        ).distinct()
    )


def family_users_to_notify(elder: Elder) -> list[User]:
    return [
        c.user
        for c in FamilyContact.objects.filter(
            elder=elder, user__isnull=False, notify_alerts=True, can_see_health=True
        ).select_related("user")
    ]


# Two people saving the same record at the same moment: the form's uniqueness check passed
# for both, the database constraint stops the second. It gets this message, not an error page.
SAVED_TWICE = _(
    "Someone else saved the same record at the same moment. Please check and try again."
)


def alert_words(alert: Alert) -> Promise:
    """The alert's text, worded only when str() is called: the notification services call
    it in each recipient's language, so the family and the staff each read their own."""
    return lazy(alert_text, str)(alert.kind, alert.values, alert.message)


def notify_alert(alert: Alert) -> None:
    """Tell the facility's staff and the family who asked for alerts of a new alert."""
    elder = alert.elder
    link_staff = reverse("eldercare:alert_detail", args=[alert.pk])
    notification_create_many(
        recipients=facility_staff_users(elder.facility_id),
        text=alert_words(alert),
        kind=Notification.Kind.ALERT,
        link=link_staff,
    )
    notification_create_many(
        recipients=family_users_to_notify(elder),
        text=alert_words(alert),
        kind=Notification.Kind.ALERT,
        link=reverse("eldercare:family_elder", args=[elder.pk]),
    )
