"""Elders, their family contacts, risk events, assessments and care plans.

Scoping (every read of personal data goes through a `visible_to(user)` QuerySet method):
facility staff see their facility's elders; community staff see their community's elders
and facilities; a family member sees only the elders they are a family contact of, and of
those only what the contact row allows; officials see no elder rows at all (dashboards
aggregate).
"""

from __future__ import annotations

import datetime

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import mask_id_number, path_prefix_q
from eldercare import rules
from eldercare.models.choices import (
    ElderStatus,
    RiskEventKind,
    Sex,
    SupportCategory,
)
from eldercare.models.facilities import CareFacility
from portal.accounts.models import Role, User

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


# --- elders ---------------------------------------------------------------------------------


class ElderQuerySet(models.QuerySet):
    def active(self) -> ElderQuerySet:
        """Elders on the register (not those who left)."""
        return self.filter(status=ElderStatus.ACTIVE)

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
