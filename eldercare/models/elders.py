"""Elderly care: facilities, elders, assessments, day care, meals, health readings and alerts.

Scoping (every read of personal data goes through a `visible_to(user)` QuerySet method):
facility staff see their facility's elders; community staff see their community's elders
and facilities; a family member sees only the elders they are a family contact of, and of
those only what the contact row allows; officials see no elder rows at all (dashboards
aggregate).
"""

from __future__ import annotations

import datetime

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import mask_id_number, path_prefix_q
from eldercare import rules
from portal.accounts.models import Role, User

# --- choices (module level so that Meta constraints can use them) -------------------------


class FacilityKind(models.TextChoices):
    NURSING_HOME = "nursing_home", _("Nursing home")
    DAY_CARE = "day_care", _("Day-care centre")
    HOME_CARE = "home_care", _("Home-care service centre")


class FacilityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("eldercare", "Open")
    PREPARING = "preparing", _("Preparing")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", pgettext_lazy("eldercare", "Closed")


class SupportCategory(models.TextChoices):
    CENTRAL = "central", _("Centrally supported")
    DISPERSED = "dispersed", _("Dispersed support")
    LOW_INCOME = "low_income", _("Low-income")
    NONE = "none", _("None")


class ElderStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LEFT = "left", pgettext_lazy("eldercare", "Left")


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class RiskEventKind(models.TextChoices):
    FALL = "fall", _("Fall")
    CHOKING = "choking", _("Choking")
    SELF_HARM = "self_harm", _("Self-harm")
    WANDERING = "wandering", _("Wandering off")


class MealKind(models.TextChoices):
    BREAKFAST = "breakfast", _("Breakfast")
    LUNCH = "lunch", _("Lunch")
    DINNER = "dinner", _("Dinner")


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    SERVED = "served", _("Served")
    CANCELLED = "cancelled", _("Cancelled")


class ReadingKind(models.TextChoices):
    BLOOD_PRESSURE = "bp", _("Blood pressure")
    HEART_RATE = "heart_rate", _("Heart rate")
    GLUCOSE = "glucose", _("Blood glucose")
    TEMPERATURE = "temperature", _("Temperature")
    WEIGHT = "weight", _("Weight")


READING_UNITS = {
    "bp": "mmHg",
    "heart_rate": _("beats/min"),
    "glucose": "mmol/L",
    "temperature": "°C",
    "weight": "kg",
}


class ReadingSource(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    IMPORT = "import", _("Imported from a device")


class AlertKind(models.TextChoices):
    READING = "reading", _("Health reading out of range")
    MISSED_CHECKIN = "missed_checkin", _("Expected but not checked in")
    OTHER = "other", _("Other")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("eldercare alert", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", pgettext_lazy("eldercare alert", "Closed")


class Shift(models.TextChoices):
    DAY = "day", _("Day shift")
    NIGHT = "night", _("Night shift")


# Functional rooms and accessibility features (checklists). Each is a boolean column so that
# the database stores only valid entries and officials can count them with one query.
ROOM_FIELDS = (
    "has_dining_room",
    "has_kitchen",
    "has_rest_rooms",
    "has_rehabilitation_room",
    "has_activity_room",
    "has_medical_room",
    "has_bathing_room",
)
ACCESSIBILITY_FIELDS = (
    "has_ramps",
    "has_handrails",
    "has_lift",
    "has_accessible_toilet",
    "has_call_bells",
    "has_non_slip_floors",
)


# --- scoping helpers ------------------------------------------------------------------------


def _staff_facility_q(user: User, prefix: str) -> Q:
    """Rows of the user's facilities (facility staff) or community (community staff)."""
    return Q(**{f"{prefix}facility_id__in": user.facility_ids()}) | path_prefix_q(
        f"{prefix}community__region__path", user.region_paths(Role.COMMUNITY_STAFF)
    )


def elder_visible_q(user: User, prefix: str = "") -> Q | None:
    """Q for elders (under `prefix`) that `user` may see; None means all (admins)."""
    if user.is_portal_admin:
        return None
    return _staff_facility_q(user, prefix) | Q(**{f"{prefix}family_contacts__user": user})


# --- facilities -----------------------------------------------------------------------------


class CareFacilityQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> CareFacilityQuerySet:
        """Facilities a user works at or oversees. Facilities are not personal data, so
        officials see those of their region; family members those serving their elders."""
        if user.is_portal_admin:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        paths = user.region_paths(Role.COMMUNITY_STAFF, Role.OFFICIAL)
        family = Elder.objects.filter(family_contacts__user=user).values("facility_id")
        return self.filter(
            Q(pk__in=user.facility_ids())
            | path_prefix_q("community__region__path", paths)
            | Q(pk__in=family)
        )

    def editable_by(self, user: User) -> CareFacilityQuerySet:
        """Facilities whose records and day a user runs: their own, or their community's."""
        if user.is_portal_admin:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(pk__in=user.facility_ids())
            | path_prefix_q("community__region__path", user.region_paths(Role.COMMUNITY_STAFF))
        )


class CareFacility(models.Model):
    Kind = FacilityKind
    Status = FacilityStatus

    name = models.CharField(pgettext_lazy("eldercare", "name"), max_length=100)
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.PROTECT,
        related_name="care_facilities",
        verbose_name=_("community"),
    )
    kind = models.CharField(
        _("type"), max_length=20, choices=FacilityKind.choices, default=FacilityKind.DAY_CARE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=FacilityStatus.choices, default=FacilityStatus.OPEN
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    beds = models.PositiveIntegerField(_("beds"), default=0)
    day_places = models.PositiveIntegerField(_("day-care places"), default=0)
    opens_at = models.TimeField(_("opens at"), default=datetime.time(8, 0))
    closes_at = models.TimeField(_("closes at"), default=datetime.time(17, 30))
    open_days = models.CharField(
        _("open days"), max_length=50, blank=True, help_text=_("For example: Monday to Friday")
    )
    # An elder expected on a day who has not checked in by this time raises an alert.
    checkin_deadline = models.TimeField(_("check-in expected by"), default=datetime.time(9, 30))
    staff_count = models.PositiveIntegerField(_("number of staff"), default=0)
    manager_name = models.CharField(_("manager"), max_length=50, blank=True)

    has_dining_room = models.BooleanField(_("dining room"), default=False)
    has_kitchen = models.BooleanField(_("kitchen"), default=False)
    has_rest_rooms = models.BooleanField(_("rest rooms"), default=False)
    has_rehabilitation_room = models.BooleanField(_("rehabilitation room"), default=False)
    has_activity_room = models.BooleanField(_("activity room"), default=False)
    has_medical_room = models.BooleanField(_("medical room"), default=False)
    has_bathing_room = models.BooleanField(_("bathing room"), default=False)

    has_ramps = models.BooleanField(_("barrier-free ramps"), default=False)
    has_handrails = models.BooleanField(_("handrails on stairs"), default=False)
    has_lift = models.BooleanField(_("lift"), default=False)
    has_accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    has_call_bells = models.BooleanField(_("emergency call bells"), default=False)
    has_non_slip_floors = models.BooleanField(_("non-slip floors"), default=False)

    objects = CareFacilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("care facility")
        verbose_name_plural = _("care facilities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FacilityKind.values), name="eldercare_carefacility_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FacilityStatus.values),
                name="eldercare_carefacility_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at")),
                name="eldercare_carefacility_opens_before_closing",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("eldercare:facility_detail", args=[self.pk])

    def rooms(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in ROOM_FIELDS if getattr(self, f)]

    def accessibility(self) -> list[str]:
        return [
            str(self._meta.get_field(f).verbose_name)
            for f in ACCESSIBILITY_FIELDS
            if getattr(self, f)
        ]


# --- elders ---------------------------------------------------------------------------------


class ElderQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ElderQuerySet:
        """Elders a user may see: staff of their facility or community, or their family."""
        if not user.is_authenticated:
            return self.none()
        q = elder_visible_q(user)
        if q is None:
            return self.all()
        # The family-contact join can repeat a row; filter by pk to keep rows unique.
        return self.filter(pk__in=Elder.objects.filter(q).values("pk"))

    def managed_by(self, user: User) -> ElderQuerySet:
        """Elders whose records a user may change: staff of their facility or community."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(_staff_facility_q(user, ""))

    def with_person(self) -> ElderQuerySet:
        return self.select_related("resident", "facility", "community__region")


def weekdays_validator() -> RegexValidator:
    return RegexValidator(r"^[0-6]{0,7}$", _("Use digits 0 (Monday) to 6 (Sunday)."))


class Elder(models.Model):
    SupportCategory = SupportCategory
    Status = ElderStatus

    # Where the elder lives in a registered household, the person details come from the
    # Resident row; the own fields below are for elders not (yet) registered there.
    resident = models.OneToOneField(
        "communities.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="elder",
        verbose_name=_("resident record"),
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    id_number = models.CharField(
        _("ID number"),
        max_length=18,
        blank=True,
        validators=[
            RegexValidator(r"^\d{17}[\dX]$", _("An ID number has 17 digits and a digit or X."))
        ],
    )
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.PROTECT,
        related_name="elders",
        verbose_name=_("community"),
    )
    facility = models.ForeignKey(
        CareFacility,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="elders",
        verbose_name=_("serving facility"),
    )
    support_category = models.CharField(
        _("support category"),
        max_length=12,
        choices=SupportCategory.choices,
        default=SupportCategory.NONE,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ElderStatus.choices, default=ElderStatus.ACTIVE
    )
    medical_notes = models.TextField(_("medical notes"), blank=True)
    allergies = models.CharField(_("allergies"), max_length=200, blank=True)
    dietary_needs = models.CharField(
        _("dietary needs"),
        max_length=200,
        blank=True,
        help_text=_("For example: low salt, soft food, diabetic"),
    )
    has_dementia_or_psychiatric_diagnosis = models.BooleanField(
        _("diagnosed with dementia or a psychiatric illness"), default=False
    )
    # Weekdays the elder is expected at day care: "01234" is Monday to Friday.
    day_care_weekdays = models.CharField(
        _("day-care weekdays"), max_length=7, blank=True, validators=[weekdays_validator()]
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = ElderQuerySet.as_manager()

    class Meta:
        verbose_name = _("elder")
        verbose_name_plural = _("elders")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(support_category__in=SupportCategory.values),
                name="eldercare_elder_support_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ElderStatus.values), name="eldercare_elder_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(sex__in=["", "F", "M"]), name="eldercare_elder_sex_valid"
            ),
            models.CheckConstraint(
                condition=Q(resident__isnull=False) | ~Q(name=""),
                name="eldercare_elder_resident_or_name",
            ),
            models.CheckConstraint(
                condition=Q(day_care_weekdays__regex=r"^[0-6]{0,7}$"),
                name="eldercare_elder_weekdays_shape",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("eldercare:elder_detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        return self.resident.name if self.resident_id else self.name

    @property
    def birth_date(self) -> datetime.date | None:
        return self.resident.date_of_birth if self.resident_id else self.date_of_birth

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.resident.id_number if self.resident_id else self.id_number)

    def age_on(self, day: datetime.date) -> int | None:
        born = self.birth_date
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def expected_on(self, day: datetime.date) -> bool:
        return str(day.weekday()) in self.day_care_weekdays


class FamilyContactQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> FamilyContactQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(elder_id__in=visible_elder_ids(user, None))


class FamilyContact(models.Model):
    """A family member of an elder, and what they may see and do."""

    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="family_contacts", verbose_name=_("elder")
    )
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="elder_contacts",
        verbose_name=_("portal account"),
    )
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=20, help_text=_("For example: daughter"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    can_see_health = models.BooleanField(
        _("may see health readings, assessments and alerts"), default=True
    )
    can_see_medical = models.BooleanField(_("may see medical notes and allergies"), default=False)
    can_book = models.BooleanField(_("may book meals"), default=True)
    notify_alerts = models.BooleanField(_("is notified of alerts"), default=True)

    objects = FamilyContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("family contact")
        verbose_name_plural = _("family contacts")
        ordering = ["elder", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["elder", "user"], name="eldercare_familycontact_unique_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.relation})"


class CareRiskEvent(models.Model):
    """A fall, choking, self-harm or wandering event: two in 30 days raise the level."""

    Kind = RiskEventKind

    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="risk_events", verbose_name=_("elder")
    )
    kind = models.CharField(
        pgettext_lazy("eldercare", "kind"), max_length=12, choices=RiskEventKind.choices
    )
    occurred_on = models.DateField(_("date"))
    note = models.TextField(pgettext_lazy("eldercare", "what happened"), blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("care-risk event")
        verbose_name_plural = _("care-risk events")
        ordering = ["-occurred_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RiskEventKind.values),
                name="eldercare_careriskevent_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


def visible_elder_ids(user: User, family_flag: str | None) -> models.QuerySet:
    """Subquery of the pks of elders whose rows `user` may see.

    A family member sees a row only where their contact row has `family_flag` set
    (None: any contact row will do)."""
    family: dict = {"family_contacts__user": user}
    if family_flag:
        family[f"family_contacts__{family_flag}"] = True
    return Elder.objects.filter(_staff_facility_q(user, "") | Q(**family)).values("pk")


class ElderRelatedQuerySet(models.QuerySet):
    """Rows about one elder: visible to whoever may see the elder (and, for family, only
    where their contact row allows `family_flag`)."""

    family_flag: str | None = "can_see_health"

    def visible_to(self, user: User) -> models.QuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(elder_id__in=visible_elder_ids(user, self.family_flag))


class AttendanceQuerySet(ElderRelatedQuerySet):
    family_flag = None


class BookingQuerySet(ElderRelatedQuerySet):
    family_flag = None


# --- assessments and care plans -------------------------------------------------------------


class AbilityAssessment(models.Model):
    """An ability assessment per GB/T 42195-2022 (the rules are in eldercare/rules.py)."""

    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("elder")
    )
    assessed_on = models.DateField(_("assessed on"))
    assessor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("assessor")
    )
    # Item code -> score, as entered (the domain columns below are their sums).
    scores = models.JSONField(_("item scores"), default=dict)
    self_care = models.PositiveSmallIntegerField(_("self-care"))
    motor = models.PositiveSmallIntegerField(_("basic motor ability"))
    mental = models.PositiveSmallIntegerField(_("mental state"))
    perception = models.PositiveSmallIntegerField(_("perception and social participation"))
    total = models.PositiveSmallIntegerField(_("total score"))
    base_level = models.PositiveSmallIntegerField(_("level by score"))
    level = models.PositiveSmallIntegerField(pgettext_lazy("eldercare", "level"))
    raise_reason = models.CharField(_("reason the level was raised"), max_length=200, blank=True)
    next_due = models.DateField(_("next assessment due"))
    # Set once by the reminder job (claimed with a conditional UPDATE): one reminder each.
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = ElderRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ability assessment")
        verbose_name_plural = _("ability assessments")
        ordering = ["-assessed_on", "-pk"]
        get_latest_by = ["assessed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0, total__lte=rules.TOTAL_MAX),
                name="eldercare_abilityassessment_total_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    total=models.F("self_care")
                    + models.F("motor")
                    + models.F("mental")
                    + models.F("perception")
                ),
                name="eldercare_abilityassessment_total_is_sum",
            ),
            models.CheckConstraint(
                condition=Q(self_care__lte=rules.DOMAINS[0].max_score)
                & Q(motor__lte=rules.DOMAINS[1].max_score)
                & Q(mental__lte=rules.DOMAINS[2].max_score)
                & Q(perception__lte=rules.DOMAINS[3].max_score),
                name="eldercare_abilityassessment_domain_max",
            ),
            models.CheckConstraint(
                condition=Q(base_level__lte=rules.MAX_LEVEL)
                & Q(level__gte=models.F("base_level"))
                & Q(level__lte=models.F("base_level") + 1)
                & Q(level__lte=rules.MAX_LEVEL),
                name="eldercare_abilityassessment_level_range",
            ),
            models.CheckConstraint(
                condition=Q(next_due__gt=models.F("assessed_on")),
                name="eldercare_abilityassessment_due_after_assessment",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_due"],
                condition=Q(reminder_sent_at__isnull=True),
                name="eldercare_assess_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.elder} {self.assessed_on}: {self.level}"

    def get_level_display(self) -> str:
        return str(rules.LEVEL_LABELS[self.level])


RISK_FIELDS = tuple(f"risk_{code}" for code in rules.RISK_CODES)


class RiskAssessment(models.Model):
    """The admission risk assessment of GB 38600-2019: which of the nine risks apply."""

    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="risk_assessments", verbose_name=_("elder")
    )
    assessed_on = models.DateField(_("assessed on"))
    assessor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("assessor")
    )
    risk_choking = models.BooleanField(rules.RISKS[0][1], default=False)
    risk_wrong_intake = models.BooleanField(rules.RISKS[1][1], default=False)
    risk_pressure_sores = models.BooleanField(rules.RISKS[2][1], default=False)
    risk_scalds = models.BooleanField(rules.RISKS[3][1], default=False)
    risk_fall_from_bed = models.BooleanField(rules.RISKS[4][1], default=False)
    risk_falls = models.BooleanField(rules.RISKS[5][1], default=False)
    risk_wandering = models.BooleanField(rules.RISKS[6][1], default=False)
    risk_harm = models.BooleanField(rules.RISKS[7][1], default=False)
    risk_activity_accident = models.BooleanField(rules.RISKS[8][1], default=False)
    notes = models.TextField(_("notes"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = ElderRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.elder} {self.assessed_on}"

    def risk_codes(self) -> list[str]:
        return [code for code in rules.RISK_CODES if getattr(self, f"risk_{code}")]

    def risk_labels(self) -> list[str]:
        return [str(label) for code, label in rules.RISKS if getattr(self, f"risk_{code}")]


class CarePlan(models.Model):
    """The care that follows from the latest level and risks (see rules.care_plan_for)."""

    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="care_plans", verbose_name=_("elder")
    )
    level = models.PositiveSmallIntegerField(pgettext_lazy("eldercare", "level"), null=True)
    risks = models.JSONField(_("risks"), default=list)
    round_interval_hours = models.PositiveSmallIntegerField(_("rounds every (hours)"))
    measures = models.JSONField(_("care measures"), default=list)
    is_current = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ElderRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("eldercare", "care plan")
        verbose_name_plural = pgettext_lazy("eldercare", "care plans")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["elder"],
                condition=Q(is_current=True),
                name="eldercare_careplan_one_current",
            ),
            models.CheckConstraint(
                condition=Q(round_interval_hours__gte=1), name="eldercare_careplan_interval_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder} {self.created:%Y-%m-%d}"


# --- day care -------------------------------------------------------------------------------


class DayCareAttendance(models.Model):
    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("elder")
    )
    facility = models.ForeignKey(
        CareFacility,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("facility"),
    )
    date = models.DateField(_("date"))
    # The n-th place taken that day, and the places the facility had: with the unique
    # (facility, date, seat_no) below the database refuses more check-ins than places even if
    # a writer skipped the row lock in attendance_check_in.
    seat_no = models.PositiveIntegerField()
    places = models.PositiveIntegerField()
    checked_in_at = models.DateTimeField(pgettext_lazy("eldercare", "checked in at"))
    checked_in_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    checked_out_at = models.DateTimeField(
        pgettext_lazy("eldercare", "checked out at"), null=True, blank=True
    )
    checked_out_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("day-care attendance")
        verbose_name_plural = _("day-care attendances")
        ordering = ["-date", "checked_in_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["elder", "date"], name="eldercare_attendance_once_per_day"
            ),
            models.UniqueConstraint(
                fields=["facility", "date", "seat_no"], name="eldercare_attendance_seat_unique"
            ),
            models.CheckConstraint(
                condition=Q(seat_no__gte=1) & Q(seat_no__lte=models.F("places")),
                name="eldercare_attendance_seat_within_places",
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_out_at__gte=models.F("checked_in_at")),
                name="eldercare_attendance_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder} {self.date}"


class DayCareNotice(models.Model):
    """Family or staff say an elder will (or will not) come on a day, beside the weekly plan.

    An elder is expected on a day when the notice says so, or when the day is in their plan
    and no notice says otherwise (see `expected_q`)."""

    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="daycare_notices", verbose_name=_("elder")
    )
    date = models.DateField(_("date"))
    coming = models.BooleanField(_("coming"))
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    # The centre whose day place a "coming" notice holds (counted in DayCarePlaces.reserved);
    # kept on the notice so the place is freed at that centre even if the elder moves.
    place_facility = models.ForeignKey(
        CareFacility, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("day-care notice")
        verbose_name_plural = _("day-care notices")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["elder", "date"], name="eldercare_notice_one_per_day"),
            models.CheckConstraint(
                condition=Q(coming=True) | Q(place_facility__isnull=True),
                name="eldercare_notice_only_coming_holds_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder} {self.date} {self.coming}"


def regular_q(day: datetime.date) -> Q:
    """Elders expected on `day` by their weekly plan alone: the day is in the plan and no
    notice (coming or not) was given for it."""
    notices = DayCareNotice.objects.filter(elder=models.OuterRef("pk"), date=day)
    return Q(day_care_weekdays__contains=str(day.weekday())) & ~models.Exists(notices)


def expected_q(day: datetime.date) -> Q:
    """Elders expected at day care on `day`: by a "coming" notice, or by plan unless a notice
    says no. (A plan day with a "coming" notice is covered by the notice.)"""
    notices = DayCareNotice.objects.filter(elder=models.OuterRef("pk"), date=day)
    return regular_q(day) | models.Exists(notices.filter(coming=True))


class DayCarePlaces(models.Model):
    """The day places of one day-care centre on one day that "coming" notices hold.

    Places taken on a day = `reserved` (elders with a "coming" notice) + the regulars of the
    weekly plan who gave no notice (`regular_q`, counted live because staff may change a plan
    without any notice). The two never count the same elder: a notice takes the elder out of
    `regular_q`. `daycare_notice_set` locks this row (select_for_update) so two families taking
    the last place at once are serialised; the CheckConstraint reserved <= capacity refuses an
    over-reservation even from a writer that skipped the lock. Check-in stays the hard limit
    on who is actually in the building."""

    facility = models.ForeignKey(
        CareFacility, on_delete=models.CASCADE, related_name="+", verbose_name=_("facility")
    )
    date = models.DateField(_("date"))
    # The facility's day_places, copied under the lock at each reservation.
    capacity = models.PositiveIntegerField(_("day-care places"))
    reserved = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("day-care places of a day")
        verbose_name_plural = _("day-care places of a day")
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "date"], name="eldercare_daycareplaces_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(reserved__lte=models.F("capacity")),
                name="eldercare_daycareplaces_reserved_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.date} {self.reserved}/{self.capacity}"


# --- meals ----------------------------------------------------------------------------------


class MealQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> MealQuerySet:
        """Menus are not personal: whoever sees the facility sees its meals."""
        return self.filter(facility__in=CareFacility.objects.visible_to(user))


class Meal(models.Model):
    Kind = MealKind

    facility = models.ForeignKey(
        CareFacility, on_delete=models.CASCADE, related_name="meals", verbose_name=_("facility")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("meal"), max_length=10, choices=MealKind.choices)
    menu = models.TextField(_("menu"))
    capacity = models.PositiveIntegerField(_("portions"))
    # Kept by meal_book/meal_booking_cancel under the row lock; the constraint is the backstop.
    booked = models.PositiveIntegerField(
        pgettext_lazy("eldercare", "booked"), default=0, editable=False
    )
    price = models.DecimalField(
        _("price (yuan)"),
        max_digits=6,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )

    objects = MealQuerySet.as_manager()

    class Meta:
        verbose_name = _("meal")
        verbose_name_plural = pgettext_lazy("eldercare", "meals")
        ordering = ["date", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "date", "kind"], name="eldercare_meal_unique_per_day"
            ),
            models.CheckConstraint(
                condition=Q(booked__lte=models.F("capacity")),
                name="eldercare_meal_booked_lte_capacity",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MealKind.values), name="eldercare_meal_kind_valid"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="eldercare_meal_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    @property
    def places_left(self) -> int:
        return self.capacity - self.booked


class MealBooking(models.Model):
    Status = BookingStatus

    meal = models.ForeignKey(
        Meal, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("meal")
    )
    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="meal_bookings", verbose_name=_("elder")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    booked_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meal booking")
        verbose_name_plural = _("meal bookings")
        ordering = ["meal", "created"]
        constraints = [
            models.UniqueConstraint(
                fields=["meal", "elder"],
                condition=~Q(status="cancelled"),
                name="eldercare_mealbooking_once_per_meal",
            ),
            models.CheckConstraint(
                condition=Q(status__in=BookingStatus.values),
                name="eldercare_mealbooking_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder} · {self.meal}"


# --- health readings, thresholds and alerts -------------------------------------------------


class ReadingImport(models.Model):
    facility = models.ForeignKey(
        CareFacility, on_delete=models.CASCADE, related_name="reading_imports"
    )
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    filename = models.CharField(max_length=200, blank=True)
    rows = models.PositiveIntegerField(default=0)
    alerts = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.rows})"


class HealthReading(models.Model):
    Kind = ReadingKind
    Source = ReadingSource

    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="readings", verbose_name=_("elder")
    )
    kind = models.CharField(_("measurement"), max_length=12, choices=ReadingKind.choices)
    measured_at = models.DateTimeField(_("measured at"))
    # Systolic for blood pressure; the only value for the others.
    value = models.DecimalField(_("value"), max_digits=6, decimal_places=1)
    value2 = models.DecimalField(
        _("diastolic"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    source = models.CharField(
        max_length=8, choices=ReadingSource.choices, default=ReadingSource.STAFF
    )
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    batch = models.ForeignKey(
        ReadingImport, on_delete=models.CASCADE, null=True, blank=True, related_name="readings"
    )

    objects = ElderRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("health reading")
        verbose_name_plural = _("health readings")
        ordering = ["-measured_at", "-pk"]
        indexes = [models.Index(fields=["elder", "-measured_at"], name="eldercare_reading_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReadingKind.values), name="eldercare_reading_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind="bp", value2__isnull=False)
                | (~Q(kind="bp") & Q(value2__isnull=True)),
                name="eldercare_reading_diastolic_only_for_bp",
            ),
            models.CheckConstraint(
                condition=Q(source__in=ReadingSource.values),
                name="eldercare_reading_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.display_value}"

    @property
    def display_value(self) -> str:
        unit = READING_UNITS[self.kind]
        if self.kind == ReadingKind.BLOOD_PRESSURE:
            return f"{self.value:.0f}/{self.value2:.0f} {unit}"
        return f"{self.value} {unit}"


THRESHOLD_MEASURES = tuple(rules.DEFAULT_THRESHOLDS)


class ElderThreshold(models.Model):
    """An elder's own alert range for one measure, replacing the default in rules.py."""

    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="thresholds", verbose_name=_("elder")
    )
    measure = models.CharField(
        _("measure"),
        max_length=12,
        choices=[
            ("bp_systolic", _("Systolic blood pressure")),
            ("bp_diastolic", _("Diastolic blood pressure")),
            ("heart_rate", _("Heart rate")),
            ("glucose", _("Blood glucose")),
            ("temperature", _("Temperature")),
            ("weight", _("Weight")),
        ],
    )
    low = models.DecimalField(
        _("alert below"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    high = models.DecimalField(
        _("alert above"), max_digits=6, decimal_places=1, null=True, blank=True
    )

    objects = ElderRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert threshold")
        verbose_name_plural = _("alert thresholds")
        constraints = [
            models.UniqueConstraint(
                fields=["elder", "measure"], name="eldercare_elderthreshold_unique"
            ),
            models.CheckConstraint(
                condition=Q(measure__in=THRESHOLD_MEASURES),
                name="eldercare_elderthreshold_measure_valid",
            ),
            models.CheckConstraint(
                condition=Q(low__isnull=True) | Q(high__isnull=True) | Q(low__lt=models.F("high")),
                name="eldercare_elderthreshold_low_below_high",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder} {self.measure}"


class Alert(models.Model):
    Kind = AlertKind
    Status = AlertStatus

    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("elder")
    )
    kind = models.CharField(
        pgettext_lazy("eldercare", "kind"), max_length=16, choices=AlertKind.choices
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    date = models.DateField(_("date"))
    message = models.CharField(_("message"), max_length=300)
    reading = models.ForeignKey(
        HealthReading, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    created = models.DateTimeField(pgettext_lazy("eldercare", "created"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    close_note = models.TextField(_("note on closing"), blank=True)

    objects = ElderRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AlertKind.values), name="eldercare_alert_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AlertStatus.values), name="eldercare_alert_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(close_note="")),
                name="eldercare_alert_closed_has_note",
            ),
            # The missed check-in job may run many times a day: one alert per elder per day.
            models.UniqueConstraint(
                fields=["elder", "date"],
                condition=Q(kind="missed_checkin"),
                name="eldercare_alert_missed_checkin_once_per_day",
            ),
        ]
        indexes = [
            models.Index(
                fields=["elder", "status"],
                condition=~Q(status="closed"),
                name="eldercare_alert_open_idx",
            )
        ]

    def __str__(self) -> str:
        return self.message


# --- shift hand-over and rounds (GB 38600-2019) ---------------------------------------------


class FacilityRecordQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> models.QuerySet:
        """Staff records: for the staff who run the facility (they name elders)."""
        return self.filter(facility__in=CareFacility.objects.editable_by(user))


class ShiftHandover(models.Model):
    Shift = Shift

    facility = models.ForeignKey(
        CareFacility, on_delete=models.CASCADE, related_name="handovers", verbose_name=_("facility")
    )
    date = models.DateField(_("date"))
    shift = models.CharField(_("shift"), max_length=6, choices=Shift.choices)
    handed_over_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("handed over by"),
    )
    received_by = models.CharField(_("received by"), max_length=50)
    summary = models.TextField(_("what the next shift must know"))
    created = models.DateTimeField(auto_now_add=True)

    objects = FacilityRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("shift hand-over")
        verbose_name_plural = _("shift hand-overs")
        ordering = ["-date", "-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(shift__in=Shift.values), name="eldercare_shifthandover_shift_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_shift_display()}"


class RoundRecord(models.Model):
    facility = models.ForeignKey(
        CareFacility, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("facility")
    )
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    all_well = models.BooleanField(_("all well"), default=True)
    observations = models.TextField(_("observations"), blank=True)

    objects = FacilityRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(all_well=True) | ~Q(observations=""),
                name="eldercare_roundrecord_problem_described",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.at:%Y-%m-%d %H:%M}"
