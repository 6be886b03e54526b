"""Writes for API tokens: create (with its service account) and revoke."""

from __future__ import annotations

import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childcare.models import Station
from communities.models import Region
from eldercare.models import CareFacility
from portal.accounts.models import Role, RoleAssignment, User
from portal.api.models import ApiToken, token_digest

TOKEN_BYTES = 32
PREFIX_LENGTH = 8


def token_create(
    *,
    organisation: str,
    access: str,
    by: User,
    region: Region | None = None,
    station: Station | None = None,
    facility: CareFacility | None = None,
) -> tuple[ApiToken, str]:
    """Create a token scoped to exactly one region, station or facility.

    Returns the token and its secret; the secret is shown once and never stored.
    A region token reads as an official of that region (figures only, never a name); a
    station or facility token reads as that organisation's staff.
    """
    if not by.is_portal_admin:
        raise ValidationError(_("Only administrators manage API tokens."))
    scopes = [s for s in (region, station, facility) if s is not None]
    if len(scopes) != 1:
        raise ValidationError(_("Choose exactly one region, station or care facility."))
    if access not in ApiToken.Access.values:
        raise ValidationError({"access": _("Choose read or read and write.")})
    secret = "yl_" + secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        # The account cannot sign in (no password, inactive): it exists so that the API
        # reads through the same visible_to(user) rules, and the access log names it.
        account = User(
            email=f"api-{uuid.uuid4().hex}@api.invalid",
            name=str(_("API: %(organisation)s") % {"organisation": organisation})[:100],
            is_active=False,
        )
        account.set_unusable_password()
        account.save()
        if region is not None:
            assignment = RoleAssignment(user=account, role=Role.OFFICIAL, region=region)
        elif station is not None:
            assignment = RoleAssignment(user=account, role=Role.STATION_STAFF, station=station)
        else:
            assignment = RoleAssignment(user=account, role=Role.FACILITY_STAFF, facility=facility)
        assignment.save()
        token = ApiToken.objects.create(
            organisation=organisation,
            account=account,
            scope=assignment,
            access=access,
            prefix=secret[:PREFIX_LENGTH],
            digest=token_digest(secret),
            created_by=by,
        )
    return token, secret


def token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke a token for good: the next request with it answers 401."""
    if not by.is_portal_admin:
        raise ValidationError(_("Only administrators manage API tokens."))
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    if not updated:
        raise ValidationError(_("This token was already revoked."))
    token.refresh_from_db()
    return token


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token with this secret, with its account and scope loaded (one query)."""
    if not secret or len(secret) > 200:
        return None
    return (
        ApiToken.objects.live()
        .select_related("account", "scope__region")
        .filter(digest=token_digest(secret))
        .first()
    )
