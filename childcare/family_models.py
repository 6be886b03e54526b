"""Home–station co-parenting (家园共育): photos of the day, messages, absences, incidents.

Imported by childcare.models, so these are models of the childcare app. Scopes follow the
rest of the app: station staff operate their station; guardians with an account see their
own children; community staff see the stations of their community.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User


def _guardian_children(user: User) -> models.QuerySet:
    from childcare.models import Guardian

    return Guardian.objects.filter(user=user).values("child_id")


# --- guardian consent (PIPL art. 28 and 31) --------------------------------------------------


class GuardianConsentQuerySet(models.QuerySet):
    def active(self) -> GuardianConsentQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class GuardianConsent(models.Model):
    """A guardian's consent to the processing of their child's personal information.

    A child under 14 is sensitive personal information (个人信息保护法 art. 28); processing it
    needs the guardian's consent (art. 31). The row records which version of the text
    (childcare.consent) the guardian was shown and when; withdrawing keeps the row and sets
    `withdrawn_at`, so the history stays. Booking and applying need an active consent.
    """

    child = models.ForeignKey(
        "childcare.Child",
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("child"),
    )
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("guardian")
    )
    version = models.CharField(_("version of the text"), max_length=20)
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = GuardianConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("guardian consent")
        verbose_name_plural = _("guardian consents")
        ordering = ["-given_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "user"],
                condition=Q(withdrawn_at__isnull=True),
                name="childcare_guardianconsent_one_active",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="childcare_guardianconsent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} · {self.user_id} · {self.version}"


# --- photos ----------------------------------------------------------------------------------


class PhotoConsent(models.Model):
    """A guardian's choice about photos of their child (PIPL: a child's image is sensitive).

    No row means the consent given at enrolment stands; a row with `granted=False` is a
    withdrawal: that guardian receives no photos and staff see the child as "no photos".
    """

    guardian = models.OneToOneField(
        "childcare.Guardian",
        on_delete=models.CASCADE,
        related_name="photo_consent",
        verbose_name=_("guardian"),
    )
    granted = models.BooleanField(_("photos allowed"), default=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("photo consent")
        verbose_name_plural = _("photo consents")

    def __str__(self) -> str:
        return f"{self.guardian} · {self.granted}"


class PhotoQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> PhotoQuerySet:
        """Staff of the photo's station; guardians of a tagged child who did not withdraw
        consent for photos. Everyone else (other parents, other stations, volunteers,
        community staff) sees none of them."""
        from childcare.models import Guardian, Station

        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        consenting = Guardian.objects.filter(user=user).exclude(photo_consent__granted=False)
        return self.filter(
            Q(station__in=Station.objects.operated_by(user))
            | Q(children__in=consenting.values("child_id"))
        ).distinct()


def photo_upload_to(instance: Photo, filename: str) -> str:
    # The name carries no child's name; the file is only ever served by the scoped view.
    return f"childcare/photos/{instance.station_id}/{instance.taken_on:%Y/%m}/{filename}"


class Photo(models.Model):
    station = models.ForeignKey(
        "childcare.Station",
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("station"),
    )
    children = models.ManyToManyField(
        "childcare.Child", related_name="photos", verbose_name=_("children")
    )
    strand = models.ForeignKey(
        "childcare.CourseStrand",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("course strand"),
    )
    image = models.FileField(_("photo"), upload_to=photo_upload_to, max_length=200)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    taken_on = models.DateField(_("date"))
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["station", "created"], name="childcare_photo_created")]

    def __str__(self) -> str:
        return f"{self.station_id} · {self.taken_on}"

    def get_absolute_url(self) -> str:
        return reverse("childcare:photo_file", args=[self.pk])


# --- messages --------------------------------------------------------------------------------


class MessageQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> MessageQuerySet:
        """A child's thread: its guardians and the staff of the station it belongs to."""
        from childcare.models import Station

        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(
            Q(child__in=_guardian_children(user)) | Q(station__in=Station.objects.operated_by(user))
        )

    def unread_by(self, user: User) -> MessageQuerySet:
        """Messages written by someone else that `user` has not opened."""
        return self.exclude(author=user).exclude(
            Exists(MessageRead.objects.filter(message=OuterRef("pk"), user=user))
        )


def message_photo_upload_to(instance: Message, filename: str) -> str:
    # As for photos of the day: no child's name in the path.
    return f"childcare/messages/{instance.station_id}/{filename}"


class Message(models.Model):
    """One message in a child's thread between its guardians and the station's staff."""

    child = models.ForeignKey(
        "childcare.Child",
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("child"),
    )
    station = models.ForeignKey(
        "childcare.Station",
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("station"),
    )
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    from_staff = models.BooleanField(_("from the station"))
    text = models.TextField(_("message"), max_length=2000, blank=True)
    # A photo sent in the thread: re-encoded like the photos of the day (no EXIF, no GPS),
    # served only through the thread's scoped view, deleted with the station's photos.
    photo = models.FileField(_("photo"), upload_to=message_photo_upload_to, blank=True)
    photo_removed_at = models.DateTimeField(_("photo removed at"), null=True, blank=True)
    created = models.DateTimeField(_("sent at"), auto_now_add=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["child", "created"], name="childcare_message_thread")]
        constraints = [
            # Something was said: words, a photo, or a photo since removed by the retention.
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(photo="") | Q(photo_removed_at__isnull=False),
                name="childcare_message_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} · {self.created:%Y-%m-%d %H:%M}"


class MessageRead(models.Model):
    """Who opened a message and when: the unread counts and the staff's read receipts."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="reads", verbose_name=_("message")
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message read")
        verbose_name_plural = _("messages read")
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="childcare_messageread_once"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} · {self.user_id}"


class AnnouncementQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> AnnouncementQuerySet:
        """Staff of the station; guardians of a child enrolled there (and in the class)."""
        from childcare.models import Enrolment, Station

        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        enrolments = Enrolment.objects.current().filter(child__in=_guardian_children(user))
        return self.filter(
            Q(station__in=Station.objects.operated_by(user))
            | Q(care_class__isnull=True, station__in=enrolments.values("station_id"))
            | Q(care_class__in=enrolments.values("care_class_id"))
        )


class Announcement(models.Model):
    """A notice to every family of a station or of one class (e.g. closed for the weather)."""

    station = models.ForeignKey(
        "childcare.Station",
        on_delete=models.CASCADE,
        related_name="announcements",
        verbose_name=_("station"),
    )
    care_class = models.ForeignKey(
        "childcare.CareClass",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="announcements",
        verbose_name=_("class"),
        help_text=_("Leave empty to tell every family of the station."),
    )
    text = models.TextField(_("announcement"), max_length=1000)
    urgent = models.BooleanField(_("urgent (also by SMS)"), default=False)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created = models.DateTimeField(_("sent at"), auto_now_add=True)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.station_id} · {self.created:%Y-%m-%d}"


# --- absences --------------------------------------------------------------------------------


class AbsenceReason(models.TextChoices):
    ILL = "ill", _("Ill")
    FAMILY = "family", _("Family reasons")
    OTHER = "other", _("Other")


class AbsenceQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> AbsenceQuerySet:
        from childcare.models import Station

        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(
            Q(child__in=_guardian_children(user)) | Q(station__in=Station.objects.managed_by(user))
        )

    def on(self, day: object) -> AbsenceQuerySet:
        return self.filter(start__lte=day, end__gte=day)


class Absence(models.Model):
    """A parent's notice that the child stays away for a day or several days."""

    Reason = AbsenceReason

    child = models.ForeignKey(
        "childcare.Child",
        on_delete=models.CASCADE,
        related_name="absences",
        verbose_name=_("child"),
    )
    station = models.ForeignKey(
        "childcare.Station",
        on_delete=models.CASCADE,
        related_name="absences",
        verbose_name=_("station"),
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until (inclusive)"))
    reason = models.CharField(_("reason"), max_length=10, choices=AbsenceReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    created = models.DateTimeField(_("reported at"), auto_now_add=True)

    objects = AbsenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="childcare_absence_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=["ill", "family", "other"]),
                name="childcare_absence_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.start}–{self.end}"


# --- incidents -------------------------------------------------------------------------------


class IncidentKind(models.TextChoices):
    ACCIDENT = "accident", _("Accident or injury")
    ILLNESS = "illness", _("Illness")


class IncidentQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> IncidentQuerySet:
        """Guardians of the child; staff of the station; community staff see serious ones."""
        from childcare.models import Station, managed_station_q

        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(
            Q(child__in=_guardian_children(user))
            | Q(station__in=Station.objects.operated_by(user))
            | (Q(serious=True) & managed_station_q(user, "station__"))
        )

    def serious(self) -> IncidentQuerySet:
        return self.filter(serious=True)


class Incident(models.Model):
    """An accident or illness during the day (托育机构管理规范: injuries are reported)."""

    Kind = IncidentKind

    child = models.ForeignKey(
        "childcare.Child",
        on_delete=models.CASCADE,
        related_name="incidents",
        verbose_name=_("child"),
    )
    station = models.ForeignKey(
        "childcare.Station",
        on_delete=models.CASCADE,
        related_name="incidents",
        verbose_name=_("station"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField(_("when"))
    what = models.TextField(_("what happened"), max_length=1000)
    first_aid = models.TextField(_("first aid given"), max_length=1000, blank=True)
    told = models.CharField(_("who was told"), max_length=200, blank=True)
    serious = models.BooleanField(
        _("serious"),
        default=False,
        help_text=_("Serious incidents are also reported to the community's staff."),
    )
    by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created = models.DateTimeField(_("recorded at"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["accident", "illness"]),
                name="childcare_incident_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="childcare_incident_ack_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.get_kind_display()} · {self.occurred_at:%Y-%m-%d %H:%M}"
