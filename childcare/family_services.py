"""Writes for photos of the day, messages, announcements, absences and incidents.

Each service is atomic and refuses with a translated ValidationError; nothing is saved then.
Notifications are written in the same transaction and delivered after it commits.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childcare.models import (
    Absence,
    Announcement,
    Booking,
    CareClass,
    Child,
    CourseStrand,
    Enrolment,
    Guardian,
    Incident,
    Message,
    MessageRead,
    Photo,
    PhotoConsent,
    Station,
)
from childcare.photos import clean_photo
from communities.selectors import community_staff_by_community
from communities.validators import check_record_moment
from portal.accounts.models import Role, RoleAssignment, User
from portal.accounts.sms import get_sms_sender
from portal.notifications.models import Notification
from portal.notifications.services import notification_create, notification_create_many

logger = logging.getLogger(__name__)


def _guardian_users(child: Child, *, photos: bool = False) -> list[User]:
    guardians = child.guardians.filter(user__isnull=False, user__is_active=True)
    if photos:
        guardians = guardians.exclude(photo_consent__granted=False)
    return [g.user for g in guardians.select_related("user")]


def _station_staff(station: Station) -> list[User]:
    return [
        a.user
        for a in RoleAssignment.objects.filter(
            role=Role.STATION_STAFF, station=station, user__is_active=True
        ).select_related("user")
    ]


def station_of_child(child: Child) -> Station | None:
    """The station the child belongs to: where enrolled, else where last booked."""
    enrolment = (
        Enrolment.objects.current()
        .filter(child=child)
        .select_related("station")
        .order_by("-created")
        .first()
    )
    if enrolment is not None:
        return enrolment.station
    booking = (
        Booking.objects.active()
        .filter(child=child)
        .select_related("session__station")
        .order_by("-session__date")
        .first()
    )
    return booking.session.station if booking else None


def _require_operates(station: Station, by: User) -> None:
    if not Station.objects.operated_by(by).filter(pk=station.pk).exists():
        raise ValidationError(_("You do not run this station."))


def _require_guardian(child: Child, by: User) -> Guardian:
    guardian = child.guardians.filter(user=by).first()
    if guardian is None:
        raise ValidationError(_("You are not listed as a guardian of this child."))
    return guardian


# --- photos ----------------------------------------------------------------------------------


def children_without_photo_consent(child_ids: Iterable[int]) -> set[int]:
    """Children one of whose guardians withdrew consent for photos: staff see "no photos"."""
    return set(
        Guardian.objects.filter(child_id__in=list(child_ids), photo_consent__granted=False)
        .values_list("child_id", flat=True)
        .distinct()
    )


@transaction.atomic
def photo_upload(
    *,
    station: Station,
    upload: object,
    children: list[Child],
    strand: CourseStrand | None = None,
    caption: str = "",
    by: User,
) -> Photo:
    """Store a photo of the day tagged with children of the station.

    The image is re-encoded without any metadata (see childcare.photos). A child whose
    guardian withdrew photo consent cannot be tagged.
    """
    _require_operates(station, by)
    if not children:
        raise ValidationError({"children": _("Tag at least one child.")})
    ids = [c.pk for c in children]
    at_station = set(
        Child.objects.operated_by(by)
        .filter(pk__in=ids)
        .filter(
            Q(enrolments__station=station, enrolments__status="enrolled")
            | Q(bookings__session__station=station)
        )
        .values_list("pk", flat=True)
    )
    if set(ids) - at_station:
        raise ValidationError({"children": _("A tagged child is not at this station.")})
    refused = children_without_photo_consent(ids)
    if refused:
        names = ", ".join(str(c) for c in children if c.pk in refused)
        raise ValidationError(
            {
                "children": _("No photos of %(names)s: a guardian withdrew consent.")
                % {"names": names}
            }
        )
    if strand is not None and strand.station_id != station.pk:
        raise ValidationError({"strand": _("That course belongs to another station.")})
    photo = Photo(
        station=station,
        strand=strand,
        caption=caption,
        taken_on=timezone.localdate(),
        by=by,
    )
    content = clean_photo(upload)
    # Every check is done before the file is written: storage is not rolled back with the
    # transaction, so nothing below may refuse.
    photo.image.save(content.name, content, save=False)
    photo.save()
    photo.children.set(children)
    return photo


@transaction.atomic
def photo_consent_set(*, child: Child, granted: bool, by: User) -> PhotoConsent:
    """A guardian gives or withdraws consent for photos of their child."""
    guardian = _require_guardian(child, by)
    consent, _created = PhotoConsent.objects.update_or_create(
        guardian=guardian, defaults={"granted": granted}
    )
    return consent


def photos_delete_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete photos older than their station's retention period, files first then rows.

    Safe to run twice at once: a file already gone is skipped, a row already deleted too.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    deleted = 0
    for station in Station.objects.filter(photos__isnull=False).distinct():
        cutoff = today - datetime.timedelta(days=station.photo_retention_days)
        for photo in Photo.objects.filter(station=station, taken_on__lt=cutoff).iterator():
            child_ids = list(photo.children.values_list("pk", flat=True))
            name = photo.image.name
            with transaction.atomic():
                if Photo.objects.filter(pk=photo.pk).delete()[0]:
                    deleted += 1
                    from childcare.live import children_changed

                    children_changed(child_ids)
            if name:
                photo.image.storage.delete(name)
    return deleted + _message_photos_delete_expired(today)


def _message_photos_delete_expired(today: datetime.date) -> int:
    """Photos sent in threads go after the same retention as the station's photos; the
    message stays, saying that its photo was removed."""
    removed = 0
    for station in Station.objects.filter(messages__photo__gt="").distinct():
        cutoff = today - datetime.timedelta(days=station.photo_retention_days)
        expired = Message.objects.filter(
            station=station, created__date__lt=cutoff, photo__gt=""
        ).only("pk", "photo", "child_id")
        for message in expired.iterator():
            name = message.photo.name
            if Message.objects.filter(pk=message.pk, photo=name).update(
                photo="", photo_removed_at=timezone.now()
            ):
                removed += 1
                from childcare.live import children_changed

                children_changed([message.child_id])
                message.photo.storage.delete(name)
    return removed


# --- messages --------------------------------------------------------------------------------


@transaction.atomic
def message_send(*, child: Child, text: str, photo: object = None, by: User) -> Message:
    """Post in the child's thread: words, a photo, or both. Guardians write to the station;
    its staff answer. A photo is re-encoded (resized, no EXIF or GPS) before it is stored;
    the station sends no photo into the thread of a child whose guardian withdrew consent
    for photos.

    The other side is notified (in-app, and by email where they have one)."""
    text = (text or "").strip()
    if not text and not photo:
        raise ValidationError({"text": _("Write a message or add a photo first.")})
    station = station_of_child(child)
    if station is None:
        raise ValidationError(_("This child is not at any station yet."))
    from_staff = Station.objects.operated_by(by).filter(pk=station.pk).exists()
    if not from_staff:
        _require_guardian(child, by)
    clean = None
    if photo:
        if from_staff and children_without_photo_consent([child.pk]):
            raise ValidationError(
                {"photo": _("A guardian of this child has withdrawn consent for photos.")}
            )
        try:
            clean = clean_photo(photo)
        except ValidationError as exc:
            raise ValidationError({"photo": exc.messages}) from exc
    message = Message(
        child=child, station=station, author=by, from_staff=from_staff, text=text[:2000]
    )
    if clean is not None:
        message.photo.save(clean.name, clean, save=False)
    message.save()
    recipients = _guardian_users(child) if from_staff else _station_staff(station)
    notification_create_many(
        recipients=[u for u in recipients if u.pk != by.pk],
        text=_("New message about %(child)s."),
        params={"child": child},
        kind=Notification.Kind.GENERAL,
        link=child.get_absolute_url() + "messages/",
    )
    return message


def messages_mark_read(*, child: Child, by: User) -> int:
    """Everything in the child's thread that `by` may see is now read by them."""
    unread = list(
        Message.objects.visible_to(by)
        .filter(child=child)
        .unread_by(by)
        .values_list("pk", flat=True)
    )
    MessageRead.objects.bulk_create(
        [MessageRead(message_id=pk, user=by) for pk in unread], ignore_conflicts=True
    )
    return len(unread)


@transaction.atomic
def announcement_send(
    *,
    station: Station,
    text: str,
    care_class: CareClass | None = None,
    urgent: bool = False,
    by: User,
) -> Announcement:
    """Tell every family of the station (or of one class); urgent ones also go by SMS."""
    _require_operates(station, by)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the announcement first.")})
    if care_class is not None and care_class.station_id != station.pk:
        raise ValidationError({"care_class": _("That class belongs to another station.")})
    announcement = Announcement.objects.create(
        station=station, care_class=care_class, text=text[:1000], urgent=urgent, by=by
    )
    enrolments = Enrolment.objects.current().filter(station=station)
    if care_class is not None:
        enrolments = enrolments.filter(care_class=care_class)
    guardians = list(
        Guardian.objects.filter(child__in=enrolments.values("child_id")).select_related("user")
    )
    notification_create_many(
        recipients=[g.user for g in guardians if g.user_id and g.user.is_active],
        text=_("%(station)s: %(text)s"),
        params={"station": station, "text": announcement.text[:200]},
        kind=Notification.Kind.ALERT if urgent else Notification.Kind.GENERAL,
        link="/childcare/my/",
    )
    if urgent:
        phones = sorted(
            {(g.user.phone if g.user_id and g.user.phone else g.phone) for g in guardians}
            - {"", None}
        )
        sms_text = f"{station.name}: {announcement.text[:200]}"

        def send_all() -> None:
            sender = get_sms_sender()
            for phone in phones:
                try:
                    sender.send(phone=phone, text=sms_text)
                except Exception:
                    logger.exception("SMS for announcement %s not sent", announcement.pk)

        transaction.on_commit(send_all)
    return announcement


# --- absences --------------------------------------------------------------------------------


@transaction.atomic
def absence_report(
    *,
    child: Child,
    start: datetime.date,
    end: datetime.date,
    reason: str,
    note: str = "",
    by: User,
) -> Absence:
    """A guardian reports the child away from `start` to `end` (inclusive).

    Refused after the cut-off (the station's cancellation cut-off before it opens on the first
    day). Each booked session in the range is cancelled through booking_cancel, under the
    same session lock as a cancellation, so its place goes to the first on the waiting list.
    """
    _require_guardian(child, by)
    # Two reports for the same child at once (two guardians, a double tap) would both pass
    # the overlap check below; the child's row lock makes them one after the other. The
    # sessions are locked after it, in booking_cancel, never before: no lock-order cycle.
    child = Child.objects.select_for_update().get(pk=child.pk)
    if end < start:
        raise ValidationError({"end": _("The last day cannot be before the first.")})
    if (end - start).days > 90:
        raise ValidationError({"end": _("An absence can cover at most 90 days.")})
    station = station_of_child(child)
    if station is None:
        raise ValidationError(_("This child is not at any station yet."))
    cutoff = timezone.make_aware(
        datetime.datetime.combine(start, station.opens_at)
    ) - datetime.timedelta(hours=station.cancel_cutoff_hours)
    if timezone.now() > cutoff:
        raise ValidationError(
            {
                "start": _(
                    "Too late: absences must be reported %(hours)s hours before the station "
                    "opens on the first day."
                )
                % {"hours": station.cancel_cutoff_hours}
            }
        )
    if Absence.objects.filter(child=child, start__lte=end, end__gte=start).exists():
        raise ValidationError({"start": _("An absence is already reported for these days.")})
    absence = Absence.objects.create(
        child=child,
        station=station,
        start=start,
        end=end,
        reason=reason,
        note=note,
        reported_by=by,
    )
    from childcare.services import booking_cancel

    for booking in Booking.objects.active().filter(
        child=child, session__date__gte=start, session__date__lte=end
    ):
        booking_cancel(booking=booking, by=by)
    notification_create_many(
        recipients=_station_staff(station),
        text=_("%(child)s will be away from %(start)s to %(end)s."),
        params={"child": child, "start": start, "end": end},
        kind=Notification.Kind.ATTENDANCE,
        link=f"/childcare/staff/stations/{station.pk}/day/?date={start.isoformat()}",
    )
    return absence


# --- incidents -------------------------------------------------------------------------------


@transaction.atomic
def incident_record(
    *,
    child: Child,
    kind: str,
    occurred_at: datetime.datetime,
    what: str,
    first_aid: str = "",
    told: str = "",
    serious: bool = False,
    by: User,
) -> Incident:
    """Staff record an accident or illness; the guardians are notified at once, and the
    community's staff too when it is serious."""
    from childcare.services import _operated_station_of

    station = _operated_station_of(child, by)
    if occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("An incident cannot be in the future.")})
    try:
        check_record_moment(occurred_at)
    except ValidationError as error:
        raise ValidationError({"occurred_at": error.error_list}) from error
    if not (what or "").strip():
        raise ValidationError({"what": _("Say what happened.")})
    incident = Incident.objects.create(
        child=child,
        station=station,
        kind=kind,
        occurred_at=occurred_at,
        what=what.strip(),
        first_aid=first_aid.strip(),
        told=told.strip(),
        serious=serious,
        by=by,
    )
    for user in _guardian_users(child):
        notification_create(
            recipient=user,
            text=_("Incident at the station: %(child)s (%(kind)s). Please read and acknowledge."),
            params={"child": child, "kind": incident.get_kind_display()},
            kind=Notification.Kind.HEALTH,
            link=child.get_absolute_url(),
        )
    if serious:
        community = station.community
        staff = community_staff_by_community([community]).get(community.pk, [])
        # The community's staff learn that something serious happened and where, not who.
        notification_create_many(
            recipients=staff,
            text=_("Serious incident recorded at %(station)s."),
            params={"station": station},
            kind=Notification.Kind.ESCALATION,
            link=f"/childcare/staff/stations/{station.pk}/incidents/",
        )
    return incident


def incident_acknowledge(*, incident: Incident, by: User) -> Incident:
    """A guardian confirms they read the incident report (once; a second click changes nothing)."""
    _require_guardian(incident.child, by)
    try:
        Incident.objects.filter(pk=incident.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=by
        )
    except IntegrityError as exc:  # pragma: no cover - the constraint keeps the pair complete
        raise ValidationError(_("Could not acknowledge.")) from exc
    from childcare.live import children_changed

    children_changed([incident.child_id])
    incident.refresh_from_db()
    return incident
