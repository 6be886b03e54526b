"""The region tree, communities, households, residents and the premises communities lend.

The region tree keeps a materialised path ("/530800/530828/nadeng/") on every node, so a
whole subtree, however deep, is one `path LIKE 'prefix%'` query.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Role, User
from portal.months import months_between


class RegionQuerySet(models.QuerySet):
    def subtree(self, region: Region) -> RegionQuerySet:
        """The region and everything below it, in one query."""
        return self.filter(path__startswith=region.path)

    def overseen_by(self, user: User) -> RegionQuerySet:
        """Regions whose dashboards and reports `user` may open: their official regions'
        subtrees (admins: all)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(path_prefix_q("path", user.region_paths(Role.OFFICIAL)))

    def visible_to(self, user: User) -> RegionQuerySet:
        """Regions a user works in: their assignments' subtrees (admins: all)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        paths = user.region_paths(Role.OFFICIAL, Role.COMMUNITY_STAFF, Role.VOLUNTEER)
        return self.filter(path_prefix_q("path", paths))


def path_prefix_q(lookup: str, paths: list[str]) -> Q:
    """`lookup` starts with any of `paths`; matches nothing for an empty list."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{lookup}__startswith": path})
    return q


class Region(models.Model):
    class Level(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        COUNTY = "county", _("County")
        TOWN = "town", _("Town")
        COMMUNITY = "community", _("Community")

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    # The administrative division code where known (e.g. 530828 for Lancang); otherwise a
    # short stable slug. It is the region's key in URLs and in the materialised path.
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9-]+$", _("Use digits, lower-case letters and -."))],
    )
    is_division_code = models.BooleanField(_("official division code"), default=False)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent region"),
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=["city", "district", "county", "town", "community"]),
                name="communities_region_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(path__endswith="/") & Q(path__startswith="/"),
                name="communities_region_path_shape",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        parent_path = self.parent.path if self.parent_id else "/"
        self.path = f"{parent_path}{self.code}/"
        self.depth = self.path.count("/") - 2
        super().save(*args, **kwargs)

    def ancestors(self) -> RegionQuerySet:
        """This region's ancestors, root first, in one query (the breadcrumb)."""
        codes = [c for c in self.path.strip("/").split("/")][:-1]
        return Region.objects.filter(code__in=codes).order_by("depth")

    def contains(self, other: Region) -> bool:
        return other.path.startswith(self.path)


class CommunityQuerySet(models.QuerySet):
    def in_region(self, region: Region) -> CommunityQuerySet:
        return self.filter(region__path__startswith=region.path)

    def visible_to(self, user: User) -> CommunityQuerySet:
        """Communities are public facts; staff pages list those the user works in."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        paths = user.region_paths(Role.COMMUNITY_STAFF, Role.OFFICIAL, Role.VOLUNTEER)
        return self.filter(path_prefix_q("region__path", paths))

    def managed_by(self, user: User) -> CommunityQuerySet:
        """Communities whose records `user` may change: community staff's own (admins: all).

        Officials and volunteers see community facts (visible_to) but never manage them.
        """
        if user.is_portal_admin:
            return self.all()
        return self.filter(path_prefix_q("region__path", user.region_paths(Role.COMMUNITY_STAFF)))

    def with_counts(self) -> CommunityQuerySet:
        """Households, residents and premises by status, as correlated subqueries.

        Subqueries rather than joined Counts: four joined Counts would multiply rows
        (households x residents x premises) before counting; these stay one query.
        """
        return self.annotate(
            household_count=_count_of(Household.objects.all(), "community"),
            resident_count=_count_of(Resident.objects.all(), "household__community"),
            premises_available_count=_count_of(
                Premises.objects.filter(status=Premises.Status.AVAILABLE), "community"
            ),
            premises_in_use_count=_count_of(
                Premises.objects.filter(status=Premises.Status.IN_USE), "community"
            ),
        )


def _count_of(queryset: models.QuerySet, lookup: str) -> Coalesce:
    """Number of rows of `queryset` whose `lookup` is the outer row (0 when none)."""
    counted = (
        queryset.filter(**{lookup: OuterRef("pk")})
        .order_by()
        .values(lookup)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)


class Community(models.Model):
    region = models.OneToOneField(
        Region,
        on_delete=models.PROTECT,
        related_name="community",
        limit_choices_to={"level": Region.Level.COMMUNITY},
        verbose_name=_("region"),
    )
    population = models.PositiveIntegerField(_("resident population"), default=0)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    party_secretary = models.CharField(_("Party secretary"), max_length=50, blank=True)
    is_relocation_site = models.BooleanField(_("relocation site"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["region__path"]

    def __str__(self) -> str:
        return self.region.name

    def get_absolute_url(self) -> str:
        return reverse("communities:community_detail", args=[self.pk])

    @property
    def name(self) -> str:
        return self.region.name


def _staff_community_q(user: User, lookup: str) -> Q:
    """Rows whose community lies in a region where `user` is community staff."""
    return path_prefix_q(f"{lookup}__region__path", user.region_paths(Role.COMMUNITY_STAFF))


class HouseholdQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> HouseholdQuerySet:
        """Community staff see their community's households; a resident sees their own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        # The own-household test is a subquery, not a join on residents: a join would need
        # DISTINCT, which makes PostgreSQL annotate and de-duplicate every row before LIMIT.
        own = Resident.objects.filter(user=user).values("household_id")
        return self.filter(_staff_community_q(user, "community") | Q(pk__in=own))

    def managed_by(self, user: User) -> HouseholdQuerySet:
        """Households whose records `user` may change (their community's staff, admins)."""
        if user.is_portal_admin:
            return self.all()
        return self.filter(_staff_community_q(user, "community"))

    def search(self, text: str) -> HouseholdQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(address__icontains=text)

    def pending(self) -> HouseholdQuerySet:
        """Households a family declared that their community has not verified yet."""
        return self.filter(status=HouseholdStatus.PENDING)

    def with_resident_count(self) -> HouseholdQuerySet:
        # A subquery: visible_to() may already join residents, and a joined Count would
        # then count only the rows that join matched.
        return self.annotate(resident_count=_count_of(Resident.objects.all(), "household"))


class HouseholdStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the community to verify")
    VERIFIED = "verified", _("Verified by the community")
    REFUSED = "refused", _("Refused by the community")


class Household(models.Model):
    Status = HouseholdStatus

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="households", verbose_name=_("community")
    )
    address = models.CharField(_("address"), max_length=200)
    is_relocated = models.BooleanField(_("relocated household"), default=False)
    origin_township = models.CharField(_("township of origin"), max_length=50, blank=True)
    origin_village = models.CharField(_("village of origin"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Households the community records itself are verified; one a family declares on the
    # portal waits for the community's staff (household_declare / household_verify).
    status = models.CharField(
        _("status"), max_length=10, choices=HouseholdStatus.choices, default="verified"
    )
    refusal_reason = models.TextField(_("reason for the refusal"), blank=True)
    verified_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["community", "address"]
        # The staff list pages sort by these columns and show one page: an index lets
        # PostgreSQL read the first page instead of sorting the whole community.
        indexes = [
            models.Index(fields=["community", "address"], name="communities_household_list_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_relocated=True) | Q(origin_village="", origin_township=""),
                name="communities_household_origin_only_if_relocated",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "verified", "refused"]),
                name="communities_household_status_valid",
            ),
            # The family reads the reason on their page: a refusal always gives one.
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""),
                name="communities_household_refused_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.address

    def get_absolute_url(self) -> str:
        return reverse("communities:household_detail", args=[self.pk])


ID_NUMBER_RE = r"^\d{17}[\dX]$"


def mask_id_number(value: str) -> str:
    """Show the first four and last four characters: 5308**********1234."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


class ResidentQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ResidentQuerySet:
        """Community staff see their community's residents; a user sees their own record."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        return self.filter(_staff_community_q(user, "household__community") | Q(user=user))

    def managed_by(self, user: User) -> ResidentQuerySet:
        """Residents whose records `user` may change (their community's staff, admins)."""
        if user.is_portal_admin:
            return self.all()
        return self.filter(_staff_community_q(user, "household__community"))

    def search(self, text: str) -> ResidentQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(phone__contains=text))


class Resident(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="residents", verbose_name=_("household")
    )
    name = models.CharField(_("name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"))
    # Stored in full for the record; every page shows it masked (see mask_id_number).
    id_number = models.CharField(
        _("ID number"),
        max_length=18,
        blank=True,
        validators=[
            RegexValidator(ID_NUMBER_RE, _("An ID number has 17 digits and a digit or X."))
        ],
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    relation_to_head = models.CharField(
        _("relation to head of household"), max_length=20, blank=True
    )
    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident",
        verbose_name=_("portal account"),
    )
    # Set when a family's declaration matches a resident the community already holds (same ID
    # number, or same name and date of birth in the community): staff merge or dismiss it.
    possible_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="possible_duplicates",
        verbose_name=_("possible duplicate of"),
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["name", "id"], name="communities_resident_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(sex__in=["F", "M"]), name="communities_resident_sex_valid"
            ),
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~Q(id_number=""),
                name="communities_resident_id_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("communities:resident_detail", args=[self.pk])

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def is_verified(self) -> bool:
        return self.household.status == HouseholdStatus.VERIFIED

    def age_on(self, day: datetime.date) -> int:
        years = day.year - self.date_of_birth.year
        if (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day):
            years -= 1
        return years

    def age_in_months_on(self, day: datetime.date) -> int:
        return months_between(self.date_of_birth, day)


class InvitationQuerySet(models.QuerySet):
    def managed_by(self, user: User) -> InvitationQuerySet:
        if user.is_portal_admin:
            return self.all()
        return self.filter(_staff_community_q(user, "resident__household__community"))


class Invitation(models.Model):
    """Community staff invite a resident they hold to the portal by SMS; signing up with that
    phone number links the new account to the resident (communities.receivers)."""

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("resident")
    )
    phone = models.CharField(_("phone"), max_length=20)
    invited_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by")
    )
    created = models.DateTimeField(_("sent at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.resident} · {self.phone}"


class PremisesQuerySet(models.QuerySet):
    def lent_free(self) -> PremisesQuerySet:
        """Premises lent free of charge (the others are rented)."""
        return self.filter(terms=Premises.Terms.FREE)

    def visible_to(self, user: User) -> PremisesQuerySet:
        """Staff see their community's premises; officials their region's (not personal data)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        paths = user.region_paths(Role.COMMUNITY_STAFF, Role.OFFICIAL)
        return self.filter(path_prefix_q("community__region__path", paths))

    def managed_by(self, user: User) -> PremisesQuerySet:
        """Premises whose records `user` may change (their community's staff, admins)."""
        if user.is_portal_admin:
            return self.all()
        return self.filter(_staff_community_q(user, "community"))


class Premises(models.Model):
    """Public rooms a community offers to care providers (公建配套用房)."""

    class Terms(models.TextChoices):
        FREE = "free", _("Lent free of charge")
        RENT = "rent", _("Rented")

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        IN_USE = "in_use", _("In use")
        UNAVAILABLE = "unavailable", _("Unavailable")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="premises", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    floor = models.SmallIntegerField(_("floor"), default=1)
    area_m2 = models.DecimalField(
        _("area (m²)"), max_digits=8, decimal_places=1, validators=[MinValueValidator(0)]
    )
    terms = models.CharField(_("terms"), max_length=10, choices=Terms.choices, default=Terms.FREE)
    monthly_rent = models.DecimalField(
        _("monthly rent (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.AVAILABLE
    )
    used_by = models.CharField(_("used by"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = PremisesQuerySet.as_manager()

    class Meta:
        verbose_name = _("premises")
        verbose_name_plural = _("premises")
        ordering = ["community", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(area_m2__gte=0), name="communities_premises_area_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(terms="rent") | Q(monthly_rent=0),
                name="communities_premises_free_has_no_rent",
            ),
            models.CheckConstraint(
                condition=Q(terms__in=["free", "rent"]), name="communities_premises_terms_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["available", "in_use", "unavailable"]),
                name="communities_premises_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("communities:premises_detail", args=[self.pk])
