"""Case work on minors: the registry, volunteers and pairings, visits, concerns and the access log.

Need-to-know is the rule here (PIPL: minors' data is sensitive). `CaseChild.objects.visible_to`
is the single place that decides who may open a case record: a volunteer only while paired,
community staff only their community's, officials never (they get counts, see selectors).
Every case read writes an `AccessLog` row (services.case_read).
"""

from __future__ import annotations

import datetime

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import ID_NUMBER_RE, Community, Resident, path_prefix_q
from portal.accounts.models import Role, User


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class CaseStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class ParentsAway(models.TextChoices):
    NONE = "", _("—")
    FATHER = "father", _("Father works away")
    MOTHER = "mother", _("Mother works away")
    BOTH = "both", _("Both parents work away")
    SINGLE = "single", _("Single parent works away")


class TeamKind(models.TextChoices):
    COMPANION_MOTHERS = "companion_mothers", _("Companion mothers")
    HOMEROOM_TEACHERS = "homeroom_teachers", _("After-school homeroom teachers")
    PARTY_PAIRING = "party_pairing", _("Party-member pairing")
    OTHER = "other", _("Other")


class VisitKind(models.TextChoices):
    HOME = "home", _("Home visit")
    CARE = "care", _("Care visit")
    COMPANIONSHIP = "companionship", _("Companionship")
    COUNSELLING = "counselling", _("After-school counselling")


class ConcernCategory(models.TextChoices):
    SAFETY = "safety", _("Safety at home")
    HEALTH = "health", _("Health")
    SCHOOLING = "schooling", _("Schooling")
    EMOTIONAL = "emotional", _("Emotional wellbeing")
    GUARDIANSHIP = "guardianship", _("Guardianship")
    ABUSE_NEGLECT = "abuse_neglect", _("Suspected abuse or neglect")
    OTHER = "other", _("Other")


class Organiser(models.TextChoices):
    PROCURATORATE = "procuratorate", _("Procuratorate")
    YOUTH_LEAGUE = "youth_league", _("Communist Youth League")
    WOMENS_FEDERATION = "womens_federation", _("Women's federation")
    NEXT_GENERATION = "next_generation", _("Committee for the next generation")
    OTHER = "other", _("Other")


class OutreachKind(models.TextChoices):
    LEGAL_EDUCATION = "legal_education", _("Legal education in schools")
    SAFETY = "safety", _("Safety education")
    OTHER = "other", _("Other")


def _staff_q(user: User, lookup: str = "community") -> Q:
    return path_prefix_q(f"{lookup}__region__path", user.region_paths(Role.COMMUNITY_STAFF))


class CaseChildQuerySet(models.QuerySet):
    def open(self) -> CaseChildQuerySet:
        """Cases not closed: registered ones awaiting approval and active ones."""
        return self.exclude(status=CaseStatus.CLOSED)

    def active(self) -> CaseChildQuerySet:
        return self.filter(status=CaseStatus.ACTIVE)

    def visible_to(self, user: User) -> CaseChildQuerySet:
        """Case records a user may open: need-to-know only.

        Community staff: their communities'. A volunteer: children with an active pairing to
        them (the record disappears the moment the pairing ends). Officials: none — they see
        counts (selectors.registry_counts). Admins: all.
        """
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        paired = Pairing.objects.filter(
            child=OuterRef("pk"), active=True, volunteer__user=user, volunteer__active=True
        )
        q = _staff_q(user)
        if user.has_role(Role.VOLUNTEER):
            q |= Q(Exists(paired)) & Q(status=CaseStatus.ACTIVE)
        return self.filter(q)

    def managed_by(self, user: User) -> CaseChildQuerySet:
        """Records the user manages as community staff (approve, pair, close)."""
        if user.is_portal_admin:
            return self.all()
        return self.filter(_staff_q(user))

    def counted_for(self, user: User) -> CaseChildQuerySet:
        """Rows that may be *counted* for a user (officials: their region), never listed."""
        if user.is_portal_admin:
            return self.all()
        paths = user.region_paths(Role.OFFICIAL, Role.COMMUNITY_STAFF)
        return self.filter(path_prefix_q("community__region__path", paths))

    def overdue(self, today: datetime.date) -> CaseChildQuerySet:
        return self.filter(status=CaseStatus.ACTIVE, next_visit_due__lt=today)


class CaseChild(models.Model):
    """A child in the care network registry (留守儿童 / 困境儿童)."""

    RiskLevel = RiskLevel
    Status = CaseStatus
    ParentsAway = ParentsAway

    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="case_records", verbose_name=_("child")
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="case_children",
        verbose_name=_("community"),
    )
    is_left_behind = models.BooleanField(_("left-behind child"), default=False)
    parents_away = models.CharField(
        _("parents working away"), max_length=10, choices=ParentsAway.choices, blank=True
    )
    parents_work_place = models.CharField(_("where the parents work"), max_length=100, blank=True)
    is_in_distress = models.BooleanField(_("child in distress"), default=False)
    distress_illness_disability = models.BooleanField(_("illness or disability"), default=False)
    distress_family_hardship = models.BooleanField(_("family hardship"), default=False)
    distress_lack_of_guardianship = models.BooleanField(_("lack of guardianship"), default=False)
    distress_other = models.CharField(_("other distress"), max_length=100, blank=True)
    carer = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cared_for_cases",
        verbose_name=_("carer living with the child"),
    )
    carer_relation = models.CharField(_("carer's relation"), max_length=20, blank=True)
    school = models.CharField(_("school"), max_length=100, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    risk_level = models.CharField(
        _("risk level"), max_length=6, choices=RiskLevel.choices, default=RiskLevel.LOW
    )
    risk_reason = models.TextField(_("reason for the risk level"))
    risk_review_needed = models.BooleanField(_("risk review needed"), default=False)
    risk_review_reason = models.CharField(_("why the risk is reviewed"), max_length=200, blank=True)
    plan = models.TextField(_("care plan"), blank=True)
    status = models.CharField(
        _("status"), max_length=7, choices=CaseStatus.choices, default=CaseStatus.PENDING
    )
    # Maintained by the services (approval, visits, risk changes): the overdue job is then a
    # plain indexed comparison instead of a per-child computation.
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True)
    registered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)
    approved_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    close_requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_reason = models.TextField(_("reason for closing"), blank=True)
    closed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("registered child")
        verbose_name_plural = _("registered children")
        ordering = ["community", "resident__name", "pk"]
        indexes = [
            models.Index(
                fields=["next_visit_due"],
                condition=Q(status="active"),
                name="casework_child_due_active_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_level__in=["low", "medium", "high"]),
                name="casework_casechild_risk_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "active", "closed"]),
                name="casework_casechild_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(parents_away__in=["", "father", "mother", "both", "single"]),
                name="casework_casechild_parents_away_valid",
            ),
            models.CheckConstraint(
                condition=Q(is_left_behind=True) | Q(is_in_distress=True),
                name="casework_casechild_has_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(is_left_behind=False) | ~Q(parents_away=""),
                name="casework_casechild_left_behind_says_who_is_away",
            ),
            models.CheckConstraint(
                condition=Q(is_in_distress=False)
                | Q(distress_illness_disability=True)
                | Q(distress_family_hardship=True)
                | Q(distress_lack_of_guardianship=True)
                | ~Q(distress_other=""),
                name="casework_casechild_distress_has_a_category",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(approved_at__isnull=False),
                name="casework_casechild_active_is_approved",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(closed_reason="")),
                name="casework_casechild_closed_has_reason",
            ),
            # One open registration per child; a closed case may be followed by a new one.
            models.UniqueConstraint(
                fields=["resident"],
                condition=~Q(status="closed"),
                name="casework_casechild_one_open_per_resident",
            ),
        ]

    def __str__(self) -> str:
        return self.resident.name

    def get_absolute_url(self) -> str:
        return reverse("casework:child_detail", args=[self.pk])

    @property
    def distress_categories(self) -> list[str]:
        labels = []
        if self.distress_illness_disability:
            labels.append(str(_("illness or disability")))
        if self.distress_family_hardship:
            labels.append(str(_("family hardship")))
        if self.distress_lack_of_guardianship:
            labels.append(str(_("lack of guardianship")))
        if self.distress_other:
            labels.append(self.distress_other)
        return labels


class VolunteerTeam(models.Model):
    Kind = TeamKind

    name = models.CharField(pgettext_lazy("team", "name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind.choices)
    region = models.ForeignKey(
        "communities.Region",
        on_delete=models.PROTECT,
        related_name="volunteer_teams",
        verbose_name=_("region"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=TeamKind.values), name="casework_volunteerteam_kind_valid"
            ),
            models.UniqueConstraint(fields=["region", "name"], name="casework_team_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class VolunteerQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> VolunteerQuerySet:
        """Staff see their communities' volunteers; a volunteer sees their own record."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(_staff_q(user) | Q(user=user))


class Volunteer(models.Model):
    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="volunteer", verbose_name=_("portal account")
    )
    team = models.ForeignKey(
        VolunteerTeam, on_delete=models.PROTECT, related_name="members", verbose_name=_("team")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="volunteers", verbose_name=_("community")
    )
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    is_party_member = models.BooleanField(_("Party member"), default=False)
    active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined"), null=True, blank=True)
    # For the volunteer registry's export of service hours; every page shows it masked.
    id_number = models.CharField(
        _("ID number"),
        max_length=18,
        blank=True,
        validators=[
            RegexValidator(ID_NUMBER_RE, _("An ID number has 17 digits and a digit or X."))
        ],
    )

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["community", "user__name"]

    def __str__(self) -> str:
        return str(self.user)


class PairingQuerySet(models.QuerySet):
    def active(self) -> PairingQuerySet:
        return self.filter(active=True)

    def visible_to(self, user: User) -> PairingQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(_staff_q(user, "child__community") | Q(volunteer__user=user))


class Pairing(models.Model):
    """A volunteer paired with a child (结对帮扶). Ended pairings are kept as history."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("volunteer")
    )
    child = models.ForeignKey(
        CaseChild, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("child")
    )
    is_primary = models.BooleanField(_("primary pairing"), default=True)
    active = models.BooleanField(_("active"), default=True)
    started_on = models.DateField(_("started"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["-active", "-started_on", "-pk"]
        constraints = [
            # The backstop for pairing_create's row lock: two staff pairing the same child at
            # once cannot both leave it with an active primary pairing.
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(active=True, is_primary=True),
                name="casework_pairing_one_active_primary",
            ),
            models.UniqueConstraint(
                fields=["child", "volunteer"],
                condition=Q(active=True),
                name="casework_pairing_one_active_per_volunteer",
            ),
            models.CheckConstraint(
                condition=Q(active=True, ended_on__isnull=True)
                | Q(active=False, ended_on__isnull=False),
                name="casework_pairing_ended_iff_inactive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} — {self.child}"


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> VisitQuerySet:
        return self.filter(child__in=CaseChild.objects.visible_to(user))


class Visit(models.Model):
    Kind = VisitKind

    child = models.ForeignKey(
        CaseChild, on_delete=models.PROTECT, related_name="visits", verbose_name=_("child")
    )
    kind = models.CharField(_("kind of visit"), max_length=15, choices=VisitKind.choices)
    date = models.DateField(_("date of the visit"))
    visited_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("visited by")
    )
    notes = models.TextField(_("what happened"), blank=True)
    follow_up_actions = models.TextField(_("follow-up actions"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["child", "-date"], name="casework_visit_child_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=VisitKind.values), name="casework_visit_kind_valid"
            ),
            # The form refuses a future date with a message; this keeps imports honest too:
            # a visit is recorded after it happened (one day of slack for time zones). It is
            # checked against the row's own timestamp, not the clock, so the check is
            # deterministic (SQLite refuses now() in a CHECK; PostgreSQL would re-judge old
            # rows on restore).
            models.CheckConstraint(
                condition=Q(date__lte=F("created") + datetime.timedelta(days=1)),
                name="casework_visit_date_not_future",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class ConcernQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ConcernQuerySet:
        return self.filter(child__in=CaseChild.objects.visible_to(user))

    def escalated(self) -> ConcernQuerySet:
        return self.filter(escalated_at__isnull=False)


class Concern(models.Model):
    """Something worrying found on a visit. Suspected abuse or neglect is escalated at once."""

    Category = ConcernCategory

    child = models.ForeignKey(
        CaseChild, on_delete=models.PROTECT, related_name="concerns", verbose_name=_("child")
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("visit"),
    )
    category = models.CharField(_("category"), max_length=15, choices=ConcernCategory.choices)
    description = models.TextField(_("what was found"))
    suspected_abuse = models.BooleanField(_("suspected abuse or neglect"), default=False)
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(_("raised"), auto_now_add=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    must_report = models.BooleanField(_("to be reported to the authorities"), default=False)
    reported_at = models.DateTimeField(_("reported to the authorities"), null=True, blank=True)
    reported_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    report_reference = models.CharField(_("report reference"), max_length=100, blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=ConcernCategory.values),
                name="casework_concern_category_valid",
            ),
            # 托育机构管理规范 art. 25: suspected abuse is escalated and reported, always.
            models.CheckConstraint(
                condition=Q(suspected_abuse=False)
                | Q(escalated_at__isnull=False, must_report=True),
                name="casework_concern_abuse_is_escalated",
            ),
            models.CheckConstraint(
                condition=Q(reported_at__isnull=True) | Q(must_report=True),
                name="casework_concern_reported_only_if_reportable",
            ),
        ]

    def __str__(self) -> str:
        return self.get_category_display()


class OverdueNotice(models.Model):
    """One row per overdue period (child, due date): the daily job notifies once per row."""

    child = models.ForeignKey(CaseChild, on_delete=models.CASCADE, related_name="overdue_notices")
    due_date = models.DateField()
    created = models.DateTimeField(auto_now_add=True)
    # Set by the job run that claimed the row and sent its notifications.
    claim = models.UUIDField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("overdue-visit notice")
        verbose_name_plural = _("overdue-visit notices")
        constraints = [
            models.UniqueConstraint(
                fields=["child", "due_date"], name="casework_overduenotice_once_per_period"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created"],
                condition=Q(notified_at__isnull=True),
                name="casework_notice_unsent_idx",
            ),
            models.Index(fields=["claim"], name="casework_notice_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.due_date}"


class CarerReviewNotice(models.Model):
    """A carer's ability assessment that raised a child's risk review, notified once."""

    child = models.ForeignKey(CaseChild, on_delete=models.CASCADE, related_name="carer_reviews")
    carer = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    assessed_on = models.DateField()
    level = models.PositiveSmallIntegerField()
    created = models.DateTimeField(auto_now_add=True)
    claim = models.UUIDField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("carer ability review")
        verbose_name_plural = _("carer ability reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["child", "carer", "assessed_on"],
                name="casework_carerreview_once_per_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.assessed_on} {self.level}"


class AccessLogQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> AccessLogQuerySet:
        """Community staff read the log of their communities' records (supervision)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(_staff_q(user, "child__community"))


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("Opened the case record")
        VISIT_FORM = "visit_form", _("Opened the visit form")
        LISTED = "listed", _("Saw the child in a list")

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    child = models.ForeignKey(
        CaseChild, on_delete=models.PROTECT, related_name="access_log", verbose_name=_("record")
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    path = models.CharField(_("page"), max_length=200, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["view", "visit_form", "listed"]),
                name="casework_accesslog_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.child_id} {self.at}"


class OutreachEventQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> OutreachEventQuerySet:
        """Not personal data: anyone working in the region (staff, officials, volunteers)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        paths = user.region_paths(Role.COMMUNITY_STAFF, Role.OFFICIAL, Role.VOLUNTEER)
        # A county-wide session concerns every community below it, so ancestors count too.
        above = {
            "/" + "/".join(p.strip("/").split("/")[: i + 1]) + "/"
            for p in paths
            for i in range(p.count("/") - 1)
        }
        return self.filter(path_prefix_q("region__path", paths) | Q(region__path__in=above))


class OutreachEvent(models.Model):
    """A session such as legal education in schools (法治宣传进校园)."""

    Organiser = Organiser
    Kind = OutreachKind

    kind = models.CharField(
        _("kind"), max_length=16, choices=OutreachKind.choices, default=OutreachKind.LEGAL_EDUCATION
    )
    title = models.CharField(_("title"), max_length=150)
    organiser = models.CharField(_("organiser"), max_length=20, choices=Organiser.choices)
    region = models.ForeignKey(
        "communities.Region",
        on_delete=models.PROTECT,
        related_name="outreach_events",
        verbose_name=_("region"),
    )
    school = models.CharField(_("school"), max_length=100)
    date = models.DateField(_("date"))
    attendance = models.PositiveIntegerField(pgettext_lazy("outreach", "attendance"))
    materials = models.TextField(_("materials"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = OutreachEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("outreach event")
        verbose_name_plural = _("outreach events")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organiser__in=Organiser.values),
                name="casework_outreach_organiser_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=OutreachKind.values), name="casework_outreach_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(attendance__gte=0), name="casework_outreach_attendance_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.title


# --- volunteers' service hours (志愿服务时长) -------------------------------------------------

# A single activity longer than this is a typing error, not a day's service.
SERVICE_MINUTES_MAX = 720


class ServiceHoursQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ServiceHoursQuerySet:
        """A volunteer sees their own hours; community staff those given in their regions."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        paths = user.region_paths(Role.COMMUNITY_STAFF)
        return self.filter(path_prefix_q("region__path", paths) | Q(volunteer__user=user))

    def confirmable_by(self, user: User) -> ServiceHoursQuerySet:
        """Hours `user` may confirm: community staff of the region where they were given."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(path_prefix_q("region__path", user.region_paths(Role.COMMUNITY_STAFF)))

    def confirmed(self) -> ServiceHoursQuerySet:
        return self.filter(confirmed_at__isnull=False)

    def unconfirmed(self) -> ServiceHoursQuerySet:
        return self.filter(confirmed_at__isnull=True)


class ServiceHours(models.Model):
    """Minutes one volunteer gave on one visit or one outreach session.

    Recorded by the volunteer with the visit (or by staff for an outreach session) and
    counted in totals, certificates and the dashboards only once community staff confirm it.
    """

    volunteer = models.ForeignKey(
        Volunteer,
        on_delete=models.PROTECT,
        related_name="service_hours",
        verbose_name=_("volunteer"),
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="service_hours",
        verbose_name=_("visit"),
    )
    outreach = models.ForeignKey(
        OutreachEvent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="service_hours",
        verbose_name=_("outreach session"),
    )
    # Where the service was given: the child's community, or the session's region.
    region = models.ForeignKey(
        "communities.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
    )
    date = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("minutes"))
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    objects = ServiceHoursQuerySet.as_manager()

    class Meta:
        verbose_name = _("service hours")
        verbose_name_plural = _("service hours")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visit__isnull=False, outreach__isnull=True)
                | Q(visit__isnull=True, outreach__isnull=False),
                name="casework_servicehours_one_activity",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=SERVICE_MINUTES_MAX),
                name="casework_servicehours_minutes_range",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True, confirmed_by__isnull=True)
                | Q(confirmed_at__isnull=False, confirmed_by__isnull=False),
                name="casework_servicehours_confirmed_has_who",
            ),
            models.UniqueConstraint(
                fields=["volunteer", "visit"], name="casework_servicehours_once_per_visit"
            ),
            models.UniqueConstraint(
                fields=["volunteer", "outreach"], name="casework_servicehours_once_per_outreach"
            ),
        ]
        indexes = [models.Index(fields=["volunteer", "date"], name="casework_hours_vol_date")]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.date} {self.minutes} min"

    @property
    def activity(self) -> str:
        if self.visit_id:
            return str(self.visit.get_kind_display())
        return self.outreach.title
