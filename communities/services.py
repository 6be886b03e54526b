"""Every write to communities' records goes through here.

Each service takes the acting user (`by`) and refuses (PermissionDenied) when that user does
not manage the community concerned. The views already choose objects through scoped
QuerySets; the check here keeps a future caller (a command, another app) from bypassing them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Household, Premises, Resident
from communities.validators import (
    normalise_id_number,
    validate_birth_date_matches,
    validate_id_number,
)
from portal.accounts.models import User

DUPLICATE_ID_NUMBER = _("This ID number is already registered for another resident.")
ORIGIN_ONLY_IF_RELOCATED = _(
    "Only a relocated household has a township or village of origin. Tick "
    "“relocated household” or leave both empty."
)
FREE_PREMISES_HAVE_NO_RENT = _(
    "Premises lent free of charge cannot have a rent. Set the rent to 0 or choose “Rented”."
)
FUTURE_DATE_OF_BIRTH = _("The date of birth cannot be in the future.")


def _require_manager(by: User, community: Community) -> None:
    if not Community.objects.managed_by(by).filter(pk=community.pk).exists():
        raise PermissionDenied


# --- communities ----------------------------------------------------------------------------


@transaction.atomic
def community_update(
    *,
    community: Community,
    population: int,
    address: str,
    contact_name: str,
    contact_phone: str,
    party_secretary: str,
    notes: str,
    by: User,
) -> Community:
    _require_manager(by, community)
    community.population = population
    community.address = address
    community.contact_name = contact_name
    community.contact_phone = contact_phone
    community.party_secretary = party_secretary
    community.notes = notes
    community.save(
        update_fields=[
            "population",
            "address",
            "contact_name",
            "contact_phone",
            "party_secretary",
            "notes",
        ]
    )
    return community


# --- households -----------------------------------------------------------------------------


def _check_origin(is_relocated: bool, origin_township: str, origin_village: str) -> None:
    # Mirrors the constraint communities_household_origin_only_if_relocated.
    if not is_relocated and (origin_township or origin_village):
        raise ValidationError(ORIGIN_ONLY_IF_RELOCATED, code="origin_only_if_relocated")


@transaction.atomic
def household_create(
    *,
    community: Community,
    address: str,
    is_relocated: bool = False,
    origin_township: str = "",
    origin_village: str = "",
    notes: str = "",
    by: User,
) -> Household:
    _require_manager(by, community)
    _check_origin(is_relocated, origin_township, origin_village)
    return Household.objects.create(
        community=community,
        address=address,
        is_relocated=is_relocated,
        origin_township=origin_township,
        origin_village=origin_village,
        notes=notes,
    )


@transaction.atomic
def household_update(
    *,
    household: Household,
    community: Community,
    address: str,
    is_relocated: bool,
    origin_township: str,
    origin_village: str,
    notes: str,
    by: User,
) -> Household:
    """Change a household; moving it to another community needs managing both."""
    _require_manager(by, household.community)
    _require_manager(by, community)
    _check_origin(is_relocated, origin_township, origin_village)
    household.community = community
    household.address = address
    household.is_relocated = is_relocated
    household.origin_township = origin_township
    household.origin_village = origin_village
    household.notes = notes
    household.save()
    return household


# --- residents ------------------------------------------------------------------------------


def _check_resident(id_number: str, date_of_birth: datetime.date) -> None:
    if date_of_birth > timezone.localdate():
        raise ValidationError({"date_of_birth": FUTURE_DATE_OF_BIRTH})
    if id_number:
        try:
            validate_id_number(id_number)
            validate_birth_date_matches(id_number, date_of_birth)
        except ValidationError as error:
            raise ValidationError({"id_number": error.error_list}) from error


def _save_resident(resident: Resident) -> None:
    """Save; a duplicate ID number (even one saved by a concurrent request) is a form error."""
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError as error:
        if "communities_resident_id_number_unique" in str(error):
            raise ValidationError({"id_number": DUPLICATE_ID_NUMBER}) from error
        raise


@transaction.atomic
def resident_create(
    *,
    household: Household,
    name: str,
    sex: str,
    date_of_birth: datetime.date,
    id_number: str = "",
    phone: str = "",
    relation_to_head: str = "",
    by: User,
) -> Resident:
    _require_manager(by, household.community)
    id_number = normalise_id_number(id_number)
    _check_resident(id_number, date_of_birth)
    resident = Resident(
        household=household,
        name=name,
        sex=sex,
        date_of_birth=date_of_birth,
        id_number=id_number,
        phone=phone,
        relation_to_head=relation_to_head,
    )
    _save_resident(resident)
    return resident


@transaction.atomic
def resident_update(
    *,
    resident: Resident,
    household: Household,
    name: str,
    sex: str,
    date_of_birth: datetime.date,
    phone: str,
    relation_to_head: str,
    id_number: str | None = None,
    by: User,
) -> Resident:
    """Change a resident. `id_number=None` keeps the stored number; "" removes it."""
    _require_manager(by, resident.household.community)
    _require_manager(by, household.community)
    if id_number is not None:
        resident.id_number = normalise_id_number(id_number)
    _check_resident(resident.id_number, date_of_birth)
    resident.household = household
    resident.name = name
    resident.sex = sex
    resident.date_of_birth = date_of_birth
    resident.phone = phone
    resident.relation_to_head = relation_to_head
    _save_resident(resident)
    return resident


# --- premises -------------------------------------------------------------------------------


def _check_rent(terms: str, monthly_rent: Decimal) -> None:
    # Mirrors the constraint communities_premises_free_has_no_rent.
    if terms == Premises.Terms.FREE and monthly_rent != 0:
        raise ValidationError({"monthly_rent": FREE_PREMISES_HAVE_NO_RENT})


@transaction.atomic
def premises_create(
    *,
    community: Community,
    name: str,
    address: str,
    floor: int,
    area_m2: Decimal,
    terms: str,
    monthly_rent: Decimal,
    status: str,
    used_by: str = "",
    notes: str = "",
    by: User,
) -> Premises:
    _require_manager(by, community)
    _check_rent(terms, monthly_rent)
    return Premises.objects.create(
        community=community,
        name=name,
        address=address,
        floor=floor,
        area_m2=area_m2,
        terms=terms,
        monthly_rent=monthly_rent,
        status=status,
        used_by=used_by,
        notes=notes,
    )


@transaction.atomic
def premises_update(
    *,
    premises: Premises,
    community: Community,
    name: str,
    address: str,
    floor: int,
    area_m2: Decimal,
    terms: str,
    monthly_rent: Decimal,
    status: str,
    used_by: str,
    notes: str,
    by: User,
) -> Premises:
    _require_manager(by, premises.community)
    _require_manager(by, community)
    _check_rent(terms, monthly_rent)
    premises.community = community
    premises.name = name
    premises.address = address
    premises.floor = floor
    premises.area_m2 = area_m2
    premises.terms = terms
    premises.monthly_rent = monthly_rent
    premises.status = status
    premises.used_by = used_by
    premises.notes = notes
    premises.save()
    return premises
