"""Accounts and scoped roles.

A user signs in by mobile phone number or email. What a user may see is decided by
their role assignments, each scoped to a node of the region tree or to one institution
(a childcare station or a care facility). Parents and elders' family members are
scoped by their links to the child or elder (childcare.Guardian, eldercare.FamilyContact),
not by a region.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PortalUserManager(UserManager):
    """Users have no username: they are known by phone number or email."""

    use_in_migrations = True

    def _create_user(
        self, username: str | None, email: str | None, password: str | None, **extra_fields: Any
    ) -> User:
        email = self.normalize_email(email) or None
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(None, email, password, **extra_fields)

    def create_superuser(
        self, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(None, email, password, **extra_fields)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    name = models.CharField(_("name"), max_length=100, blank=True)
    email = models.EmailField(_("email address"), unique=True, null=True, blank=True)
    # Mainland mobile numbers in E.164 form (+86...), as allauth's phone support stores them.
    phone = models.CharField(_("mobile phone"), max_length=20, unique=True, null=True, blank=True)
    phone_verified = models.BooleanField(_("phone verified"), default=False)
    elder_mode = models.BooleanField(
        _("elder mode"), default=False, help_text=_("Larger type and higher contrast.")
    )
    language = models.CharField(_("language"), max_length=10, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False),
                name="accounts_user_has_email_or_phone",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.phone or self.email or f"#{self.pk}"

    def clean(self) -> None:
        super().clean()
        # AbstractUser.clean() turns a missing email into "", which the unique index would
        # then allow only once: an absent email is NULL.
        self.email = self.email or None

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return str(self)

    # --- role look-ups (from the cache until they change, then on the instance) -------------

    @cached_property
    def assignments(self) -> list[RoleAssignment]:
        if not self.is_authenticated or self.pk is None:
            return []
        from portal.accounts.scope import assignments_for

        return assignments_for(self)

    def has_role(self, *roles: str) -> bool:
        return any(a.role in roles for a in self.assignments)

    def region_paths(self, *roles: str) -> list[str]:
        """Materialised paths of the regions this user holds any of `roles` in."""
        return [a.region.path for a in self.assignments if a.role in roles and a.region_id]

    def station_ids(self) -> list[int]:
        return [a.station_id for a in self.assignments if a.station_id]

    def facility_ids(self) -> list[int]:
        return [a.facility_id for a in self.assignments if a.facility_id]

    @property
    def is_portal_admin(self) -> bool:
        return self.is_superuser or self.has_role(Role.ADMIN)


class Role(models.TextChoices):
    PARENT = "parent", _("Parent / guardian")
    ELDER_FAMILY = "elder_family", _("Family member of an elder")
    STATION_STAFF = "station_staff", _("Childcare station staff")
    FACILITY_STAFF = "facility_staff", _("Care facility staff")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    VOLUNTEER = "volunteer", _("Volunteer")
    OFFICIAL = "official", _("Official")
    ADMIN = "admin", _("Administrator")


# Which scope each role needs; checked by the database (see RoleAssignment.Meta).
REGION_ROLES = [Role.COMMUNITY_STAFF, Role.VOLUNTEER, Role.OFFICIAL]
STATION_ROLES = [Role.STATION_STAFF]
FACILITY_ROLES = [Role.FACILITY_STAFF]
UNSCOPED_ROLES = [Role.PARENT, Role.ELDER_FAMILY, Role.ADMIN]


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "communities.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("region"),
    )
    station = models.ForeignKey(
        "childcare.Station",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("childcare station"),
    )
    facility = models.ForeignKey(
        "eldercare.CareFacility",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("care facility"),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="accounts_roleassignment_role_valid"
            ),
            # Each role carries exactly the scope it needs, and no other.
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=REGION_ROLES,
                        region__isnull=False,
                        station__isnull=True,
                        facility__isnull=True,
                    )
                    | Q(
                        role__in=STATION_ROLES,
                        station__isnull=False,
                        region__isnull=True,
                        facility__isnull=True,
                    )
                    | Q(
                        role__in=FACILITY_ROLES,
                        facility__isnull=False,
                        region__isnull=True,
                        station__isnull=True,
                    )
                    | Q(
                        role__in=UNSCOPED_ROLES,
                        region__isnull=True,
                        station__isnull=True,
                        facility__isnull=True,
                    )
                ),
                name="accounts_roleassignment_scope_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region", "station", "facility"],
                nulls_distinct=False,
                name="accounts_roleassignment_unique",
            ),
        ]

    def __str__(self) -> str:
        scope = self.region or self.station or self.facility
        return f"{self.user} · {self.get_role_display()}" + (f" · {scope}" if scope else "")
