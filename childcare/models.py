"""Childcare stations (托育驿站 / 托育机构), classes, sessions, enrolments and the child's day.

Scopes: station staff (RoleAssignment station_staff + station) operate their station;
community staff of the station's community manage its enrolments and see it; a parent sees
only the children they are listed as a guardian of (`Guardian.user`).
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from childcare import rules
from communities.models import path_prefix_q
from portal.accounts.models import Role, User

# --- scoping helpers -------------------------------------------------------------------------


def operated_station_q(user: User, prefix: str = "") -> Q:
    """Stations `user` runs as station staff (prefix: lookup to the station, e.g. "station__")."""
    return Q(**{f"{prefix}pk__in": user.station_ids()})


def managed_station_q(user: User, prefix: str = "") -> Q:
    """Stations `user` runs, or oversees as community staff of the station's community."""
    paths = user.region_paths(Role.COMMUNITY_STAFF)
    return operated_station_q(user, prefix) | path_prefix_q(
        f"{prefix}community__region__path", paths
    )


class StationKind(models.TextChoices):
    DEMONSTRATION = "demonstration", _("Demonstration institution (the 1 of 1+N)")
    BRANCH = "branch", _("Branch site (one of the N)")
    STANDALONE = "standalone", _("Standalone station")


class StationStatus(models.TextChoices):
    # Contexts keep these apart from other catalogues' "Open" (a button) and "Closed" (a case).
    OPEN = "open", pgettext_lazy("station status", "Open")
    PREPARING = "preparing", _("Preparing to open")
    CLOSED = "closed", pgettext_lazy("station status", "Closed")


class StationQuerySet(models.QuerySet):
    def open(self) -> StationQuerySet:
        """Stations now running (not preparing, not closed)."""
        return self.filter(status=StationStatus.OPEN)

    def public(self) -> StationQuerySet:
        """Stations shown in the public finder (not personal data)."""
        return self.exclude(status=StationStatus.CLOSED)

    def operated_by(self, user: User) -> StationQuerySet:
        """Stations whose daily work `user` may do and record: their own station (admins: all)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(operated_station_q(user))

    def managed_by(self, user: User) -> StationQuerySet:
        """Stations `user` may see the staff pages of: operated, or in their community."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(managed_station_q(user))

    visible_to = managed_by

    def in_network(self, lead: Station) -> StationQuerySet:
        """A "1+N" network: the demonstration institution and its branch sites."""
        return self.filter(Q(pk=lead.pk) | Q(network_lead=lead))


class Station(models.Model):
    Kind = StationKind
    Status = StationStatus

    name = models.CharField(pgettext_lazy("childcare", "name"), max_length=100)
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.PROTECT,
        related_name="stations",
        verbose_name=_("community"),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=StationKind.choices, default=StationKind.STANDALONE
    )
    network_lead = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name=_("demonstration institution"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    premises = models.ForeignKey(
        "communities.Premises",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stations",
        verbose_name=_("premises lent by the community"),
    )
    licensed_places = models.PositiveIntegerField(_("care places"), default=0)
    # Counter of enrolled children, kept by the enrolment services under a row lock.
    enrolled_count = models.PositiveIntegerField(_("enrolled children"), default=0)
    age_min_months = models.PositiveSmallIntegerField(
        _("youngest age (months)"), default=rules.MIN_AGE_MONTHS
    )
    age_max_months = models.PositiveSmallIntegerField(
        _("oldest age (months, exclusive)"), default=rules.MAX_AGE_MONTHS
    )
    opens_at = models.TimeField(_("opens at"), default=datetime.time(8, 0))
    closes_at = models.TimeField(_("closes at"), default=datetime.time(17, 30))
    inclusive_monthly_price = models.DecimalField(
        _("inclusive monthly price (yuan)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Leave empty if the station does not offer inclusive (普惠) places."),
    )
    monthly_subsidy = models.DecimalField(
        _("monthly subsidy (yuan)"),
        max_digits=8,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        _("status"), max_length=12, choices=StationStatus.choices, default=StationStatus.OPEN
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    cancel_cutoff_hours = models.PositiveSmallIntegerField(
        _("cancellation cut-off (hours before start)"), default=2
    )
    photo_retention_days = models.PositiveSmallIntegerField(
        _("keep photos for (days)"),
        default=rules.PHOTO_RETENTION_DAYS_DEFAULT,
        validators=[MinValueValidator(1)],
        help_text=_("Photos older than this are deleted every night."),
    )

    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = _("childcare station")
        verbose_name_plural = _("childcare stations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["demonstration", "branch", "standalone"]),
                name="childcare_station_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "preparing", "closed"]),
                name="childcare_station_status_valid",
            ),
            # Only a branch site belongs to a network lead; the lead is never itself.
            models.CheckConstraint(
                condition=(Q(kind="branch") & Q(network_lead__isnull=False))
                | (~Q(kind="branch") & Q(network_lead__isnull=True)),
                name="childcare_station_branch_has_lead",
            ),
            models.CheckConstraint(
                condition=~Q(network_lead=F("pk")), name="childcare_station_not_own_lead"
            ),
            # The station's places can never be over-allocated (backstop of enrolment_decide).
            models.CheckConstraint(
                condition=Q(enrolled_count__lte=F("licensed_places")),
                name="childcare_station_enrolled_lte_places",
            ),
            models.CheckConstraint(
                condition=Q(age_min_months__lt=F("age_max_months"))
                & Q(age_max_months__lte=rules.MAX_AGE_MONTHS),
                name="childcare_station_age_range_valid",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="childcare_station_hours_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("childcare:station_detail", args=[self.pk])

    @property
    def free_places(self) -> int:
        return max(self.licensed_places - self.enrolled_count, 0)


class ClassType(models.TextChoices):
    INFANT = "infant", rules.INFANT.label
    TODDLER = "toddler", rules.TODDLER.label
    PRESCHOOL = "preschool", rules.PRESCHOOL.label
    MIXED = "mixed", _("Mixed-age class (18-36 months)")


class CareClass(models.Model):
    Type = ClassType

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="classes", verbose_name=_("station")
    )
    name = models.CharField(pgettext_lazy("childcare", "name"), max_length=50)
    class_type = models.CharField(_("class type"), max_length=12, choices=ClassType.choices)
    capacity = models.PositiveSmallIntegerField(_("places in the class"))
    carers = models.PositiveSmallIntegerField(_("carers on duty"), default=1)
    enrolled_count = models.PositiveSmallIntegerField(_("enrolled children"), default=0)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["station", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(class_type__in=["infant", "toddler", "preschool", "mixed"]),
                name="childcare_careclass_type_valid",
            ),
            # Size caps of 托育机构设置标准（试行）art. 19, from childcare.rules.
            models.CheckConstraint(
                condition=Q(class_type="infant", capacity__lte=rules.INFANT.size_cap)
                | Q(class_type="toddler", capacity__lte=rules.TODDLER.size_cap)
                | Q(class_type="preschool", capacity__lte=rules.PRESCHOOL.size_cap)
                | Q(class_type="mixed", capacity__lte=rules.MIXED_SIZE_CAP),
                name="childcare_careclass_capacity_within_cap",
            ),
            # Backstop of enrolment_decide's lock on the class row.
            models.CheckConstraint(
                condition=Q(enrolled_count__lte=F("capacity")),
                name="childcare_careclass_enrolled_lte_capacity",
            ),
            models.UniqueConstraint(
                fields=["station", "name"], name="childcare_careclass_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_class_type_display()})"

    @property
    def rule(self) -> rules.ClassRule:
        return rules.class_rule(self.class_type)

    def fits_age(self, months: int) -> bool:
        return self.rule.min_months <= months < self.rule.max_months

    def ratio_broken(self, present: int) -> bool:
        """More children present than the carers on duty may look after (art. 20)."""
        return present > self.carers * self.rule.children_per_carer


class ChildQuerySet(models.QuerySet):
    def of_guardian(self, user: User) -> ChildQuerySet:
        """The children `user` is a listed guardian of with a portal account."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=Guardian.objects.filter(user=user).values("child_id"))

    def visible_to(self, user: User) -> ChildQuerySet:
        """Guardians see their children; staff see children of the stations they manage."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        stations = Station.objects.managed_by(user).values("pk")
        at_station = Enrolment.objects.current().filter(station__in=stations).values("child_id")
        booked = Booking.objects.active().filter(session__station__in=stations).values("child_id")
        return self.filter(
            Q(pk__in=Guardian.objects.filter(user=user).values("child_id"))
            | Q(pk__in=at_station)
            | Q(pk__in=booked)
        )

    def operated_by(self, user: User) -> ChildQuerySet:
        """Children whose day `user` records: enrolled or booked at a station they run."""
        stations = Station.objects.operated_by(user).values("pk")
        enrolled = Enrolment.objects.current().filter(station__in=stations)
        booked = Booking.objects.active().filter(session__station__in=stations)
        return self.filter(
            Q(pk__in=enrolled.values("child_id")) | Q(pk__in=booked.values("child_id"))
        )


class Child(models.Model):
    resident = models.OneToOneField(
        "communities.Resident",
        on_delete=models.PROTECT,
        related_name="child",
        verbose_name=_("resident record"),
    )
    allergies = models.CharField(_("allergies"), max_length=200, blank=True)
    health_exam_date = models.DateField(_("date of last health exam"), null=True, blank=True)
    vaccinations_confirmed = models.BooleanField(_("vaccination record checked"), default=False)
    created = models.DateTimeField(auto_now_add=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["resident__name", "pk"]

    def __str__(self) -> str:
        return self.resident.name

    def get_absolute_url(self) -> str:
        return reverse("childcare:child_detail", args=[self.pk])

    @property
    def name(self) -> str:
        return self.resident.name

    def age_in_months_on(self, day: datetime.date) -> int:
        return self.resident.age_in_months_on(day)


class GuardianRelation(models.TextChoices):
    """How the parent who declares a child is related to it (not to the head of household)."""

    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER = "other", _("Other guardian")


class Guardian(models.Model):
    """A person listed for a child: parents (with a portal account) and authorised collectors.

    `relation` is one of GuardianRelation's values for a parent who declared the child on the
    portal, and free text ("外公", "姑姑") for the people a guardian lists as collectors.
    """

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="guardians", verbose_name=_("child")
    )
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardianships",
        verbose_name=_("portal account"),
    )
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation to the child"), max_length=20)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    may_collect = models.BooleanField(_("may collect the child"), default=True)

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["child", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "user"],
                condition=Q(user__isnull=False),
                name="childcare_guardian_unique_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.relation_label})"

    @property
    def relation_label(self) -> str:
        if self.relation in GuardianRelation.values:
            return str(GuardianRelation(self.relation).label)
        return self.relation


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    OFFERED = "offered", _("Offered a place")
    WAITLISTED = "waitlisted", _("On the waiting list")
    DECLINED = "declined", _("Declined")
    ENROLLED = "enrolled", _("Enrolled")
    LEFT = "left", _("Left")


CURRENT_ENROLMENT_STATUSES = [
    EnrolmentStatus.APPLIED,
    EnrolmentStatus.OFFERED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.ENROLLED,
]

# Transitions a reviewer may make; the service refuses any other.
ENROLMENT_TRANSITIONS: dict[str, list[str]] = {
    "applied": ["offered", "waitlisted", "declined"],
    "waitlisted": ["offered", "declined"],
    "offered": ["enrolled", "declined", "waitlisted"],
    "enrolled": ["left"],
    "declined": [],
    "left": [],
}
ACTIVE_ENROLMENT = ["applied", "offered", "waitlisted", "enrolled"]


class EnrolmentQuerySet(models.QuerySet):
    def waitlisted(self) -> EnrolmentQuerySet:
        return self.filter(status=EnrolmentStatus.WAITLISTED)

    def enrolled(self) -> EnrolmentQuerySet:
        return self.filter(status=EnrolmentStatus.ENROLLED)

    def current(self) -> EnrolmentQuerySet:
        """Applications still open and places held: a station's need to know a child.

        A declined application or a child who left no longer opens the child's records to
        the station's staff (PIPL: minors' data on a need-to-know basis).
        """
        return self.filter(status__in=CURRENT_ENROLMENT_STATUSES)

    def visible_to(self, user: User) -> EnrolmentQuerySet:
        """Guardians see their children's applications; staff those of stations they manage."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(
            Q(child__in=Child.objects.of_guardian(user)) | managed_station_q(user, "station__")
        )


class Enrolment(models.Model):
    Status = EnrolmentStatus

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("child")
    )
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("station")
    )
    care_class = models.ForeignKey(
        CareClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
        verbose_name=_("class"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=EnrolmentStatus.choices, default="applied"
    )
    start_date = models.DateField(_("wished start date"))
    health_exam_date = models.DateField(_("date of the health exam"))
    vaccinations_confirmed = models.BooleanField(_("vaccination record confirmed"))
    note = models.TextField(_("note"), blank=True)
    applied_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("applied by")
    )
    created = models.DateTimeField(_("applied on"), auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=list(ENROLMENT_TRANSITIONS)),
                name="childcare_enrolment_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="enrolled") | Q(care_class__isnull=False),
                name="childcare_enrolment_enrolled_has_class",
            ),
            models.CheckConstraint(
                condition=Q(vaccinations_confirmed=True),
                name="childcare_enrolment_vaccinations_confirmed",
            ),
            # One open application or place per child at a time.
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(status__in=ACTIVE_ENROLMENT),
                name="childcare_enrolment_one_active_per_child",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.station} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("childcare:enrolment_detail", args=[self.pk])

    def allowed_transitions(self) -> list[str]:
        return ENROLMENT_TRANSITIONS[self.status]


class EnrolmentEvent(models.Model):
    """The history of an application: every change of status, by whom, when."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="events", verbose_name=_("enrolment")
    )
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=EnrolmentStatus.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("enrolment event")
        verbose_name_plural = _("enrolment events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class SessionKind(models.TextChoices):
    FULL_DAY = "full_day", _("Full day")
    HALF_DAY = "half_day", _("Half day")
    HOURLY = "hourly", _("Hourly drop-in")


class SessionQuerySet(models.QuerySet):
    def upcoming(self) -> SessionQuerySet:
        return self.filter(date__gte=timezone.localdate())


_KIND_LABELS = dict(SessionKind.choices)


def local_moment(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """A session's day and clock time as a moment, in the portal's time zone (where the
    stations are), whatever time zone is active."""
    return timezone.make_aware(
        datetime.datetime.combine(day, time), timezone.get_default_timezone()
    )


class SessionLabel(NamedTuple):
    """How pages and notifications name a session, written in the active language when it is
    turned into text: "station · date start · kind". Session.__str__ uses it; booking_create
    builds it from the facts it read, without loading the Session."""

    station: str
    date: datetime.date
    starts_at: datetime.time
    kind: str

    def __str__(self) -> str:
        day = date_format(self.date, "DATE_FORMAT")
        kind = _KIND_LABELS.get(self.kind, self.kind)
        return f"{self.station} · {day} {self.starts_at:%H:%M} · {kind}"


class Session(models.Model):
    Kind = SessionKind

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("station")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SessionKind.choices)
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("places"))
    # Confirmed bookings, kept by booking_create/booking_cancel under a lock on this row.
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("childcare", "session")
        verbose_name_plural = pgettext_lazy("childcare", "sessions")
        ordering = ["date", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["full_day", "half_day", "hourly"]),
                name="childcare_session_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="childcare_session_ends_after_start"
            ),
            # Backstop for booking_create: even a service that forgot the row lock cannot
            # confirm more bookings than places.
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="childcare_session_booked_lte_capacity"
            ),
        ]

    def __str__(self) -> str:
        return str(SessionLabel(str(self.station), self.date, self.starts_at, self.kind))

    def get_absolute_url(self) -> str:
        return reverse("childcare:station_detail", args=[self.station_id])

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)

    def starts(self) -> datetime.datetime:
        return local_moment(self.date, self.starts_at)

    def ends(self) -> datetime.datetime:
        return local_moment(self.date, self.ends_at)


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class BookingQuerySet(models.QuerySet):
    def confirmed(self) -> BookingQuerySet:
        return self.filter(status=BookingStatus.CONFIRMED)

    def visible_to(self, user: User) -> BookingQuerySet:
        """Guardians see their children's bookings; staff those of stations they manage."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(
            Q(child__in=Child.objects.of_guardian(user))
            | managed_station_q(user, "session__station__")
        )

    def active(self) -> BookingQuerySet:
        return self.exclude(status=BookingStatus.CANCELLED)

    def with_waitlist_position(self) -> BookingQuerySet:
        """`waitlist_position`: 1 for the first on the session's waiting list (the next to be
        promoted), 2 for the second...; None for a booking not waiting. One correlated count
        per row, on the index of the session's bookings."""
        ahead = (
            Booking.objects.filter(session=OuterRef("session"), status=BookingStatus.WAITLISTED)
            .filter(
                Q(created__lt=OuterRef("created"))
                | Q(created=OuterRef("created"), pk__lt=OuterRef("pk"))
            )
            .order_by()
            .values("session")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            waitlist_position=models.Case(
                models.When(
                    status=BookingStatus.WAITLISTED,
                    then=Coalesce(Subquery(ahead, output_field=models.IntegerField()), 0) + 1,
                ),
                default=None,
                output_field=models.IntegerField(),
            )
        )


class Booking(models.Model):
    Status = BookingStatus

    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="bookings",
        verbose_name=pgettext_lazy("childcare", "session"),
    )
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("child")
    )
    status = models.CharField(_("status"), max_length=12, choices=BookingStatus.choices)
    booked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("booked by")
    )
    created = models.DateTimeField(_("booked at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # The session's time as a range, copied by a database trigger on insert (and kept when a
    # session's times change) so that the exclusion constraint below can compare bookings
    # of one child without a join; no code path sets it, bulk inserts included.
    period = DateTimeRangeField(_("time"), null=True, blank=True, editable=False)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["created", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "waitlisted", "cancelled"]),
                name="childcare_booking_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled") | Q(cancelled_at__isnull=True),
                name="childcare_booking_cancelled_at_only_if_cancelled",
            ),
            # A child holds at most one live booking (or waitlist place) per session.
            models.UniqueConstraint(
                fields=["session", "child"],
                condition=~Q(status="cancelled"),
                name="childcare_booking_one_live_per_child",
            ),
            # A child cannot be in two places at once: no two live bookings (confirmed or
            # waitlisted) of one child whose times overlap, whatever the sessions' kinds.
            ExclusionConstraint(
                name="childcare_booking_no_overlap_per_child",
                expressions=[("child", RangeOperators.EQUAL), ("period", RangeOperators.OVERLAPS)],
                condition=~Q(status="cancelled"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.session} · {self.get_status_display()}"


class CourseStrand(models.Model):
    """A course system of the station's curriculum (the article's "nine course systems")."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="strands", verbose_name=_("station")
    )
    name = models.CharField(pgettext_lazy("childcare", "name"), max_length=50)
    description = models.CharField(_("description"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("course strand")
        verbose_name_plural = _("course strands")
        ordering = ["station", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "name"], name="childcare_coursestrand_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class TimetableSlot(models.Model):
    """One planned activity in a class's weekly timetable."""

    care_class = models.ForeignKey(
        CareClass, on_delete=models.CASCADE, related_name="slots", verbose_name=_("class")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    strand = models.ForeignKey(
        CourseStrand, on_delete=models.PROTECT, related_name="slots", verbose_name=_("course")
    )
    activity = models.CharField(_("activity"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("timetable slot")
        verbose_name_plural = _("timetable slots")
        ordering = ["care_class", "weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="childcare_timetableslot_weekday"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="childcare_timetableslot_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M} {self.strand}"


class Attendance(models.Model):
    """A child's day at the station: who brought them, who collected them, time outdoors."""

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("child")
    )
    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("station")
    )
    date = models.DateField(_("date"))
    checked_in_at = models.DateTimeField(_("checked in at"))
    brought_by = models.ForeignKey(
        Guardian,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("brought by"),
    )
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    collected_by = models.ForeignKey(
        Guardian,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collected by"),
    )
    outdoor_minutes = models.PositiveSmallIntegerField(
        _("minutes outdoors"), default=0, validators=[MaxValueValidator(24 * 60)]
    )
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = pgettext_lazy("childcare", "attendance")
        verbose_name_plural = pgettext_lazy("childcare", "attendances")
        ordering = ["-date", "child"]
        constraints = [
            models.UniqueConstraint(fields=["child", "date"], name="childcare_attendance_unique"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True, collected_by__isnull=True)
                | Q(
                    checked_out_at__isnull=False,
                    collected_by__isnull=False,
                    checked_out_at__gte=F("checked_in_at"),
                ),
                name="childcare_attendance_checkout_has_collector",
            ),
            models.CheckConstraint(
                condition=Q(outdoor_minutes__lte=24 * 60),
                name="childcare_attendance_outdoor_minutes_in_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.date}"

    @property
    def outdoor_ok(self) -> bool:
        return self.outdoor_minutes >= rules.OUTDOOR_MINUTES_PER_DAY


class HealthCheckPeriod(models.TextChoices):
    MORNING = "morning", _("Morning check")
    MIDDAY = "midday", _("Midday check")


class HealthCheckResult(models.TextChoices):
    PASS = "pass", _("Well")
    FAIL = "fail", _("Not well: parent informed")


class HealthCheck(models.Model):
    """晨午检: the morning and midday check (托育机构管理规范（试行）art. 24)."""

    Period = HealthCheckPeriod
    Result = HealthCheckResult

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="health_checks", verbose_name=_("child")
    )
    date = models.DateField(_("date"))
    period = models.CharField(_("check"), max_length=8, choices=HealthCheckPeriod.choices)
    temperature = models.DecimalField(
        _("temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(34), MaxValueValidator(43)],
    )
    symptoms = models.CharField(_("symptoms seen"), max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=4, choices=HealthCheckResult.choices)
    checked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by")
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("health check")
        verbose_name_plural = _("health checks")
        ordering = ["-date", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "date", "period"], name="childcare_healthcheck_unique"
            ),
            models.CheckConstraint(
                condition=Q(period__in=["morning", "midday"]),
                name="childcare_healthcheck_period_valid",
            ),
            models.CheckConstraint(
                condition=Q(result__in=["pass", "fail"]), name="childcare_healthcheck_result_valid"
            ),
            models.CheckConstraint(
                condition=Q(temperature__gte=34, temperature__lte=43),
                name="childcare_healthcheck_temperature_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.date} · {self.get_period_display()}"


class MealKind(models.TextChoices):
    BREAKFAST = "breakfast", _("Breakfast")
    LUNCH = "lunch", _("Lunch")
    SNACK = "snack", _("Snack")


class MealAmount(models.TextChoices):
    ALL = "all", _("Ate all")
    MOST = "most", _("Ate most")
    LITTLE = "little", _("Ate a little")
    NONE = "none", _("Ate nothing")


class MealRecord(models.Model):
    Kind = MealKind
    Amount = MealAmount

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="meals", verbose_name=_("child")
    )
    date = models.DateField(_("date"))
    meal = models.CharField(_("meal"), max_length=10, choices=MealKind.choices)
    amount = models.CharField(_("how much"), max_length=8, choices=MealAmount.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("meal")
        verbose_name_plural = _("meals")
        ordering = ["-date", "meal"]
        constraints = [
            models.UniqueConstraint(fields=["child", "date", "meal"], name="childcare_meal_unique"),
            models.CheckConstraint(
                condition=Q(meal__in=["breakfast", "lunch", "snack"]),
                name="childcare_meal_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(amount__in=["all", "most", "little", "none"]),
                name="childcare_meal_amount_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.date} · {self.get_meal_display()}"


class NapRecord(models.Model):
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="naps", verbose_name=_("child")
    )
    date = models.DateField(_("date"))
    started = models.TimeField(_("fell asleep"))
    ended = models.TimeField(_("woke up"))

    class Meta:
        verbose_name = _("nap")
        verbose_name_plural = _("naps")
        ordering = ["-date", "started"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended__gt=F("started")), name="childcare_nap_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.date} {self.started:%H:%M}"

    @property
    def minutes(self) -> int:
        start = self.started.hour * 60 + self.started.minute
        return self.ended.hour * 60 + self.ended.minute - start


class GrowthRecord(models.Model):
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="growth_records", verbose_name=_("child")
    )
    measured_on = models.DateField(_("measured on"))
    height_cm = models.DecimalField(_("height (cm)"), max_digits=4, decimal_places=1)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=4, decimal_places=2)

    class Meta:
        verbose_name = _("growth record")
        verbose_name_plural = _("growth records")
        ordering = ["measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "measured_on"], name="childcare_growth_unique"
            ),
            models.CheckConstraint(
                condition=Q(height_cm__gt=30, height_cm__lt=130),
                name="childcare_growth_height_plausible",
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__gt=1, weight_kg__lt=40),
                name="childcare_growth_weight_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.measured_on}"


class ProgressNote(models.Model):
    """A learning-progress note, tagged with a care-guideline domain (childcare.rules)."""

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="progress_notes", verbose_name=_("child")
    )
    date = models.DateField(_("date"))
    domain = models.CharField(_("domain"), max_length=12, choices=rules.CARE_DOMAINS)
    # The course strand the note belongs to: the portfolio shows notes beside that strand's
    # photos. Optional: a note about sleep or mood belongs to no activity.
    strand = models.ForeignKey(
        "childcare.CourseStrand",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notes",
        verbose_name=_("course strand"),
    )
    text = models.TextField(_("note"))
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(domain__in=[code for code, _label in rules.CARE_DOMAINS]),
                name="childcare_progressnote_domain_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.date} · {self.get_domain_display()}"


class ChildAccessLog(models.Model):
    """Who opened a child's records (PIPL: a child's data is sensitive; access is logged).

    Written when staff open a child's page, an application or a day page listing the child;
    a guardian reading their own child's page is not logged.
    """

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="access_logs", verbose_name=_("child")
    )
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    path = models.CharField(_("page"), max_length=200)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("access to a child's records")
        verbose_name_plural = _("accesses to children's records")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["child", "at"], name="childcare_access_child_at_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.child_id} · {self.at:%Y-%m-%d %H:%M}"


# Photos, messages, absences and incidents live in their own module; importing them here
# makes them models of this app.
from childcare.family_models import (  # noqa: E402, F401
    Absence,
    Announcement,
    GuardianConsent,
    Incident,
    Message,
    MessageRead,
    Photo,
    PhotoConsent,
)
