"""API tokens: how a partner system (a province platform, a vendor, a mini-program) signs in.

A token belongs to one organisation and acts through a service account of its own: a user
who cannot sign in and holds exactly one role assignment (an official's over a region, or a
station's or facility's staff role). Every read the API makes therefore goes through the same
`visible_to(user)` QuerySets as the pages, and the access log names the token's account, as if
a person had read the records. Only a SHA-256 digest of the secret is stored.
"""

from __future__ import annotations

import hashlib

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import RoleAssignment, User


def token_digest(secret: str) -> str:
    """Tokens are long random strings, so one SHA-256 pass is enough to keep them unusable."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def live(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)

    def visible_to(self, user: User) -> ApiTokenQuerySet:
        """Tokens are managed by the portal's administrators only."""
        if user.is_authenticated and user.is_portal_admin:
            return self.all()
        return self.none()


class ApiToken(models.Model):
    class Access(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    organisation = models.CharField(_("organisation"), max_length=100)
    account = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="api_token", verbose_name=_("account")
    )
    scope = models.OneToOneField(
        RoleAssignment, on_delete=models.PROTECT, related_name="+", verbose_name=_("scope")
    )
    access = models.CharField(_("access"), max_length=5, choices=Access.choices)
    # The first characters of the secret, shown in lists so a token can be recognised.
    prefix = models.CharField(_("begins with"), max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(access__in=["read", "write"]), name="api_apitoken_access_valid"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_by__isnull=False),
                name="api_apitoken_revoked_has_who",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.prefix}…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.access == self.Access.WRITE

    def touch(self) -> None:
        """Record use at most once a minute, so a busy client does not write on every call."""
        now = timezone.now()
        if self.last_used is None or (now - self.last_used).total_seconds() > 60:
            ApiToken.objects.filter(pk=self.pk).update(last_used=now)
            self.last_used = now
