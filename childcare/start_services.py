"""Writes for a family's start on the portal: declaring household and child, the guardian's
consent, and the checks that processing needs that consent and a verified household.

Each service is atomic and refuses with a translated ValidationError; nothing is saved then.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childcare.consent import CONSENT_TEXTS, CURRENT_VERSION
from childcare.models import Child, Guardian, GuardianConsent, GuardianRelation
from communities import services as community_services
from communities.models import Community, Household, Resident
from portal.accounts.models import Role, RoleAssignment, User

CONSENT_NEEDED = _(
    "There is no guardian consent for %(child)s's personal information. A guardian can give "
    "it on the child's page; until then the child cannot be booked or apply for a place."
)
HOUSEHOLD_PENDING = _(
    "%(child)s's household is not verified by the community yet. Sessions can be booked "
    "once it is verified; you will be notified."
)
HOUSEHOLD_REFUSED = _("The community could not verify %(child)s's household: %(reason)s")
OFFER_NEEDS_VERIFIED = _(
    "%(child)s's household is not verified by the community yet: a place can be offered "
    "once the community has verified it."
)


def has_active_consent(child: Child) -> bool:
    """At least one guardian's consent stands (one guardian's consent suffices, art. 31)."""
    return GuardianConsent.objects.active().filter(child=child).exists()


def consent_withdrawn(child: Child) -> bool:
    """What staff see: a guardian withdrew consent and none stands now."""
    consents = GuardianConsent.objects.filter(child=child)
    return not consents.active().exists() and consents.exists()


def require_consent(child: Child) -> None:
    if not has_active_consent(child):
        raise consent_needed(child)


def consent_needed(child: Child) -> ValidationError:
    return ValidationError(CONSENT_NEEDED % {"child": child}, code="no_consent")


def require_household_not_refused(child: Child) -> None:
    household = child.resident.household
    if household.status == Household.Status.REFUSED:
        raise _refused(child, household.refusal_reason)


def _refused(child: Child, reason: str) -> ValidationError:
    return ValidationError(
        HOUSEHOLD_REFUSED % {"child": child, "reason": reason}, code="household_refused"
    )


def require_verified_household(child: Child, *, offering: bool = False) -> None:
    """Booking a session and being offered a place need a household the community verified."""
    household = child.resident.household
    require_verified_status(child, household.status, household.refusal_reason, offering=offering)


def require_verified_status(
    child: Child, status: str, refusal_reason: str, *, offering: bool = False
) -> None:
    """require_verified_household for a household status read elsewhere (booking_create)."""
    if status == Household.Status.REFUSED:
        raise _refused(child, refusal_reason)
    if status != Household.Status.VERIFIED:
        text = OFFER_NEEDS_VERIFIED if offering else HOUSEHOLD_PENDING
        raise ValidationError(text % {"child": child}, code="household_pending")


def _check_relation(relation: str) -> None:
    if relation not in GuardianRelation.values:
        raise ValidationError({"relation": _("Choose your relation to the child.")})


def _check_consent(consent_version: str) -> None:
    if consent_version not in CONSENT_TEXTS:
        raise ValidationError({"consent": _("Please read and accept the consent.")})


def _child_with_guardian(
    *,
    name: str,
    sex: str,
    date_of_birth: datetime.date,
    id_number: str,
    relation: str,
    consent_version: str,
    allergies: str = "",
    by: User,
) -> Child:
    resident = community_services.resident_declare(
        name=name, sex=sex, date_of_birth=date_of_birth, id_number=id_number, by=by
    )
    # Not `by.resident`: the account may be a cached copy that remembers having none.
    parent = Resident.objects.get(user=by)
    child = Child.objects.create(resident=resident, allergies=allergies)
    Guardian.objects.create(
        child=child,
        user=by,
        name=parent.name,
        relation=relation,
        phone=parent.phone or (by.phone or ""),
        may_collect=True,
    )
    GuardianConsent.objects.create(
        child=child, user=by, version=consent_version, given_at=timezone.now()
    )
    RoleAssignment.objects.get_or_create(user=by, role=Role.PARENT)
    return child


@transaction.atomic
def household_declare(
    *,
    community: Community,
    address: str,
    parent_name: str,
    parent_sex: str,
    parent_date_of_birth: datetime.date,
    parent_id_number: str = "",
    relation: str,
    child_name: str,
    child_sex: str,
    child_date_of_birth: datetime.date,
    child_id_number: str = "",
    consent_version: str,
    by: User,
) -> Child:
    """A parent new to the portal declares household, themselves and a child, in one step.

    Creates the household (waiting for the community's verification), the parent's resident
    record linked to `by`, the child's resident record and Child, `by` as guardian who may
    collect, the guardian's consent (for the version of the text shown) and the PARENT role.
    The community's staff are notified. Either all of it is saved or nothing is.
    """
    _check_relation(relation)
    _check_consent(consent_version)
    community_services.household_declare(
        community=community,
        address=address,
        name=parent_name,
        sex=parent_sex,
        date_of_birth=parent_date_of_birth,
        id_number=parent_id_number,
        by=by,
    )
    return _child_with_guardian(
        name=child_name,
        sex=child_sex,
        date_of_birth=child_date_of_birth,
        id_number=child_id_number,
        relation=relation,
        consent_version=consent_version,
        by=by,
    )


@transaction.atomic
def child_register(
    *,
    name: str,
    sex: str,
    date_of_birth: datetime.date,
    relation: str,
    consent_version: str,
    id_number: str = "",
    allergies: str = "",
    by: User,
) -> Child:
    """A parent whose household is declared (verified or waiting) adds a further child."""
    _check_relation(relation)
    _check_consent(consent_version)
    return _child_with_guardian(
        name=name,
        sex=sex,
        date_of_birth=date_of_birth,
        id_number=id_number,
        relation=relation,
        consent_version=consent_version,
        allergies=allergies,
        by=by,
    )


@transaction.atomic
def consent_give(*, child: Child, by: User, version: str = CURRENT_VERSION) -> GuardianConsent:
    """A guardian gives (or gives again) consent for the current text."""
    if not child.guardians.filter(user=by).exists():
        raise ValidationError(_("Only the child's guardians can give consent."))
    _check_consent(version)
    try:
        with transaction.atomic():
            return GuardianConsent.objects.create(
                child=child, user=by, version=version, given_at=timezone.now()
            )
    except IntegrityError as exc:
        raise ValidationError(_("Your consent is already recorded.")) from exc


@transaction.atomic
def consent_withdraw(*, child: Child, by: User) -> GuardianConsent:
    """A guardian withdraws their consent. The row stays, with the time of the withdrawal."""
    consent = (
        GuardianConsent.objects.select_for_update().active().filter(child=child, user=by).first()
    )
    if consent is None:
        raise ValidationError(_("You have no consent to withdraw for this child."))
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    return consent
