"""Every write to communities' records goes through here.

Each service takes the acting user (`by`) and refuses (PermissionDenied) when that user does
not manage the community concerned. The views already choose objects through scoped
QuerySets; the check here keeps a future caller (a command, another app) from bypassing them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Replace
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communities import rules
from communities.models import Community, Household, Invitation, Premises, Resident
from communities.selectors import community_staff_by_community
from communities.signals import resident_linked
from communities.validators import (
    normalise_id_number,
    validate_birth_date_matches,
    validate_id_number,
)
from portal.accounts.models import User
from portal.accounts.phone import normalize_phone
from portal.accounts.sms import get_sms_sender
from portal.notifications.services import notification_create, notification_create_many

DUPLICATE_ID_NUMBER = _("This ID number is already registered for another resident.")
ORIGIN_ONLY_IF_RELOCATED = _(
    "Only a relocated household has a township or village of origin. Tick "
    "“relocated household” or leave both empty."
)
FREE_PREMISES_HAVE_NO_RENT = _(
    "Premises lent free of charge cannot have a rent. Set the rent to 0 or choose “Rented”."
)
FUTURE_DATE_OF_BIRTH = _("The date of birth cannot be in the future.")
BIRTH_BEFORE_1900 = _("The date of birth cannot be before 1900. Please check the year.")


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


def check_date_of_birth(date_of_birth: datetime.date) -> None:
    """A date of birth a person can have: not in the future, not before 1900."""
    if date_of_birth > timezone.localdate():
        raise ValidationError(FUTURE_DATE_OF_BIRTH, code="future")
    if date_of_birth < rules.EARLIEST_BIRTH_DATE:
        raise ValidationError(BIRTH_BEFORE_1900, code="too_early")


def _check_resident(id_number: str, date_of_birth: datetime.date) -> None:
    try:
        check_date_of_birth(date_of_birth)
    except ValidationError as error:
        raise ValidationError({"date_of_birth": error.error_list}) from error
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


# --- declarations by families, and their verification ---------------------------------------


ALREADY_DECLARED = _(
    "Your account is already linked to a resident record; add a child from your page instead."
)
NOT_PENDING = _("This household is not waiting for verification.")
NOTHING_TO_MERGE = _("No resident of this household matches a resident the community holds.")


def _city_path(community: Community) -> str:
    """The path of the top region above `community` (the city)."""
    return "/" + community.region.path.strip("/").split("/")[0] + "/"


def duplicate_candidate(
    *,
    community: Community,
    name: str,
    date_of_birth: datetime.date,
    id_number: str,
    exclude: list[int] | None = None,
) -> Resident | None:
    """A resident the community already holds who may be the person being declared: the same
    ID number anywhere in the city, or the same name and date of birth in `community`."""
    others = Resident.objects.exclude(pk__in=exclude or [])
    if id_number:
        same_id = others.filter(
            id_number=id_number,
            household__community__region__path__startswith=_city_path(community),
        ).first()
        if same_id is not None:
            return same_id
    return (
        others.filter(
            household__community=community, name=name.strip(), date_of_birth=date_of_birth
        )
        .order_by("pk")
        .first()
    )


def _declared_resident(
    *,
    household: Household,
    name: str,
    sex: str,
    date_of_birth: datetime.date,
    id_number: str,
    phone: str = "",
    relation_to_head: str = "",
    user: User | None = None,
    exclude: list[int] | None = None,
) -> Resident:
    """A resident a family declares: checked like any other, and flagged when they may be a
    resident the community already holds. An ID number already on record stays on that
    record only (it is unique); the match is kept for staff to merge."""
    id_number = normalise_id_number(id_number)
    _check_resident(id_number, date_of_birth)
    candidate = duplicate_candidate(
        community=household.community,
        name=name,
        date_of_birth=date_of_birth,
        id_number=id_number,
        exclude=exclude,
    )
    if id_number and Resident.objects.filter(id_number=id_number).exists():
        id_number = ""
    resident = Resident(
        household=household,
        name=name.strip(),
        sex=sex,
        date_of_birth=date_of_birth,
        id_number=id_number,
        phone=phone,
        relation_to_head=relation_to_head,
        user=user,
        possible_duplicate_of=candidate,
    )
    _save_resident(resident)
    return resident


@transaction.atomic
def household_declare(
    *,
    community: Community,
    address: str,
    name: str,
    sex: str,
    date_of_birth: datetime.date,
    id_number: str = "",
    by: User,
) -> Resident:
    """A signed-in person with no resident record declares their household and themselves.

    The household waits for the community's staff to verify it (they are notified); the
    person's resident record is linked to their account. Returns that resident.
    """
    if Resident.objects.filter(user=by).exists():
        raise ValidationError(ALREADY_DECLARED)
    household = Household.objects.create(
        community=community, address=address.strip(), status=Household.Status.PENDING
    )
    resident = _declared_resident(
        household=household,
        name=name,
        sex=sex,
        date_of_birth=date_of_birth,
        id_number=id_number,
        phone=by.phone or "",
        user=by,
    )
    staff = community_staff_by_community([community]).get(community.pk, [])
    notification_create_many(
        recipients=staff,
        text=_("A family declared a household in %(community)s (%(address)s): please verify it."),
        params={"community": community.name, "address": household.address},
        link=reverse("communities:declaration_list"),
    )
    return resident


@transaction.atomic
def resident_declare(
    *,
    name: str,
    sex: str,
    date_of_birth: datetime.date,
    id_number: str = "",
    relation_to_head: str = "",
    by: User,
) -> Resident:
    """A declared person (a child) joins the household of `by`'s own resident record."""
    own = Resident.objects.select_related("household__community").filter(user=by).first()
    if own is None:
        raise ValidationError(
            _("Your household is not registered yet. Please declare it first."), code="no_household"
        )
    if own.household.status == Household.Status.REFUSED:
        raise ValidationError(
            _("The community refused your household: %(reason)s")
            % {"reason": own.household.refusal_reason},
            code="refused",
        )
    return _declared_resident(
        household=own.household,
        name=name,
        sex=sex,
        date_of_birth=date_of_birth,
        id_number=id_number,
        relation_to_head=relation_to_head,
        exclude=[own.pk],
    )


def _require_household_manager(by: User, household: Household) -> None:
    if not Household.objects.managed_by(by).filter(pk=household.pk).exists():
        raise PermissionDenied


def _notify_household(household: Household, text: object, params: dict) -> None:
    for resident in household.residents.filter(user__isnull=False).select_related("user"):
        notification_create(recipient=resident.user, text=text, params=params, link="/")


@transaction.atomic
def household_verify(*, household: Household, by: User) -> Household:
    """Community staff confirm a declared household: the family may now book."""
    _require_household_manager(by, household)
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.status != Household.Status.PENDING:
        raise ValidationError(NOT_PENDING)
    household.status = Household.Status.VERIFIED
    household.verified_by = by
    household.verified_at = timezone.now()
    household.save(update_fields=["status", "verified_by", "verified_at"])
    _notify_household(
        household,
        _("The community verified your household (%(address)s). You can now book sessions."),
        {"address": household.address},
    )
    return household


@transaction.atomic
def household_refuse(*, household: Household, reason: str, by: User) -> Household:
    """Community staff refuse a declared household, with a reason the family reads."""
    _require_household_manager(by, household)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the family a reason.")})
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.status != Household.Status.PENDING:
        raise ValidationError(NOT_PENDING)
    household.status = Household.Status.REFUSED
    household.refusal_reason = reason
    household.save(update_fields=["status", "refusal_reason"])
    _notify_household(
        household,
        _("The community could not verify your household (%(address)s): %(reason)s"),
        {"address": household.address, "reason": reason},
    )
    return household


def _is_snapshot(rel: models.ForeignObjectRel) -> bool:
    # History event rows (portal.history) copy a row as it was, foreign keys included, without
    # a database constraint: those copies stay as they were. Only `pgh_obj`, which says whose
    # history a row is, follows the merge.
    return not getattr(rel.field, "db_constraint", True) and rel.field.name != "pgh_obj"


def _reverse_relations(model: type[models.Model]) -> list[models.ForeignObjectRel]:
    # Not `_meta.related_objects` alone: it leaves out foreign keys declared with
    # related_name="+" (casework's carer is one), which must follow the merge too.
    return [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created
        and not f.concrete
        and (f.one_to_many or f.one_to_one or f.many_to_many)
        and not _is_snapshot(f)
    ]


def _repoint(model: type[models.Model], old: models.Model, new: models.Model) -> None:
    """Make every row that points at `old` point at `new` instead (the rows of every app)."""
    for rel in _reverse_relations(model):
        if rel.many_to_many:
            column = rel.field.m2m_reverse_field_name()
            rel.through._base_manager.filter(**{column: old.pk}).update(**{column: new.pk})
            continue
        related = rel.related_model._base_manager
        name = rel.field.name
        if rel.one_to_one and related.filter(**{name: new}).exists():
            if related.filter(**{name: old}).exists():
                raise ValidationError(
                    _(
                        "Both records have a %(kind)s record; they cannot be merged here. "
                        "Please ask the administrator."
                    )
                    % {"kind": rel.related_model._meta.verbose_name}
                )
            continue
        related.filter(**{name: old}).update(**{name: new})


def _merge_resident(declared: Resident, into: Resident) -> None:
    if declared.user_id and into.user_id and declared.user_id != into.user_id:
        raise ValidationError(
            _("%(name)s already has a portal account of their own; they cannot be merged.")
            % {"name": into.name}
        )
    _repoint(Resident, declared, into)
    Resident.objects.filter(pk=into.pk, possible_duplicate_of=into.pk).update(
        possible_duplicate_of=None
    )
    # The existing record is the community's: it keeps its details and gains what only the
    # declaration knew (the account, a phone number, an ID number).
    user, phone, id_number = declared.user, declared.phone, declared.id_number
    declared.delete()
    into.refresh_from_db()
    into.user = into.user or user
    into.phone = into.phone or phone
    into.id_number = into.id_number or id_number
    _save_resident(into)


@transaction.atomic
def household_merge(*, household: Household, by: User) -> Household:
    """Merge a declared household into what the community already holds.

    Each declared resident flagged as a possible duplicate is merged into the matching
    resident (every record pointing at the declared one is moved to it, whatever app it
    belongs to); the declared household is then merged into the household of the matches
    and deleted. Everything happens in this one transaction, or nothing does.
    """
    _require_household_manager(by, household)
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.status != Household.Status.PENDING:
        raise ValidationError(NOT_PENDING)
    flagged = list(
        household.residents.filter(possible_duplicate_of__isnull=False)
        .select_related("possible_duplicate_of__household")
        .order_by(F("user_id").desc(nulls_last=True), "pk")
    )
    if not flagged:
        raise ValidationError(NOTHING_TO_MERGE)
    target = flagged[0].possible_duplicate_of.household
    managed = Household.objects.managed_by(by)
    for declared in flagged:
        if not managed.filter(pk=declared.possible_duplicate_of.household_id).exists():
            raise PermissionDenied
    for declared in flagged:
        _merge_resident(declared, declared.possible_duplicate_of)
    if target.pk != household.pk:
        _repoint(Household, household, target)
        household.delete()
    _notify_household(
        target,
        _("The community matched your declaration with its records (%(address)s)."),
        {"address": target.address},
    )
    return target


@transaction.atomic
def resident_merge(*, declared: Resident, by: User) -> Resident:
    """Merge one resident flagged as a possible duplicate into the resident they match."""
    _require_manager(by, declared.household.community)
    declared = Resident.objects.select_for_update().get(pk=declared.pk)
    into = declared.possible_duplicate_of
    if into is None:
        raise ValidationError(NOTHING_TO_MERGE)
    _require_manager(by, into.household.community)
    _merge_resident(declared, into)
    into.refresh_from_db()
    return into


@transaction.atomic
def duplicate_dismiss(*, resident: Resident, by: User) -> Resident:
    """Staff decide a flagged resident is a different person: the flag goes."""
    _require_manager(by, resident.household.community)
    Resident.objects.filter(pk=resident.pk).update(possible_duplicate_of=None)
    resident.possible_duplicate_of = None
    return resident


# --- accounts and residents ------------------------------------------------------------------


def phone_variants(e164: str) -> list[str]:
    """Spellings of one mainland number a record may hold: +86…, 86…, 0086…, the 11 digits."""
    national = e164.removeprefix("+86") if e164.startswith("+86") else e164
    return [e164, national, "86" + national, "0086" + national]


def bare_phone(field: str) -> Replace:
    """`field` without the spaces and dashes people type into phone numbers."""
    return Replace(Replace(Replace(field, Value(" ")), Value("-")), Value("\N{NO-BREAK SPACE}"))


def _residents_with_phone(phone: str) -> list[Resident]:
    rows = (
        Resident.objects.filter(user__isnull=True)
        .exclude(phone="")
        .annotate(bare=bare_phone("phone"))
        .filter(bare__in=phone_variants(phone))
    )
    return [r for r in rows if normalize_phone(r.phone) == phone]


@transaction.atomic
def resident_link_by_phone(*, user: User) -> Resident | None:
    """Link `user` to the resident whose phone is `user`'s verified number, if exactly one
    resident without an account has it; that person is then not declared a second time.

    Returns the linked resident, or None (no match, several, or the user has one already).
    """
    if not user.phone or not user.phone_verified:
        return None
    if Resident.objects.filter(user=user).exists():
        return None
    matches = _residents_with_phone(user.phone)
    if len(matches) != 1:
        return None
    resident = matches[0]
    # A conditional UPDATE: a concurrent link of the same resident (or of this user) leaves
    # this one doing nothing rather than taking the record from the other.
    try:
        with transaction.atomic():
            linked = Resident.objects.filter(pk=resident.pk, user__isnull=True).update(user=user)
    except IntegrityError:
        return None
    if not linked:
        return None
    resident.user = user
    Invitation.objects.filter(resident=resident, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )
    resident_linked.send(sender=Resident, resident=resident, user=user)
    return resident


@transaction.atomic
def invitation_send(*, resident: Resident, signup_url: str, by: User) -> Invitation:
    """Invite a resident the community holds to the portal by SMS. Signing up with that
    phone number links the account to the resident (resident_link_by_phone)."""
    _require_manager(by, resident.household.community)
    if resident.user_id:
        raise ValidationError(_("This resident already has a portal account."))
    phone = normalize_phone(resident.phone or "")
    if phone is None:
        raise ValidationError(
            _("This resident has no mobile phone number on record; add one first.")
        )
    if User.objects.filter(phone=phone).exists():
        raise ValidationError(
            _(
                "Someone already has a portal account with this phone number. It is linked to "
                "the resident when the number is verified; otherwise ask the administrator."
            )
        )
    invitation = Invitation.objects.create(resident=resident, phone=phone, invited_by=by)
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(
            "%(community)s invites you to the One Old, One Young portal. Sign up with this "
            "phone number: %(url)s"
        ) % {"community": resident.household.community.name, "url": signup_url}
    transaction.on_commit(lambda: get_sms_sender().send(phone=phone, text=text))
    return invitation


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
