"""Reads that span rows: the registry list, officials' counts, the one-household view."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils.translation import gettext_lazy as _

from casework import rules
from casework.models import AccessLog, CaseChild, CaseStatus, Pairing, ServiceHours, Volunteer
from childcare.models import Child, ChildAccessLog
from communities.models import Household, Resident
from eldercare.models import AbilityAssessment
from portal.accounts.models import Role, User
from portal.formats import format_duration

# The under-threes of a household are childcare's concern (托育: 0–3 years).
YOUNG_CHILD_MAX_AGE = 3


def primary_volunteer_name() -> Subquery:
    return Subquery(
        Pairing.objects.filter(child=OuterRef("pk"), active=True, is_primary=True).values(
            "volunteer__user__name"
        )[:1]
    )


def registry_list(user: User, *, filters: dict, today: datetime.date) -> QuerySet[CaseChild]:
    """The registry page: one query per page whatever the size (joins + one subquery)."""
    qs = (
        CaseChild.objects.managed_by(user)
        .select_related("resident", "community__region")
        .annotate(volunteer_name=primary_volunteer_name())
    )
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("risk"):
        qs = qs.filter(risk_level=filters["risk"])
    if filters.get("overdue"):
        qs = qs.overdue(today)
    if filters.get("review"):
        qs = qs.filter(risk_review_needed=True)
    if filters.get("q"):
        qs = qs.filter(resident__name__icontains=filters["q"])
    return qs.order_by("community__region__path", "resident__name", "pk")


def registry_counts(user: User, *, today: datetime.date) -> list[dict]:
    """Counts per community for officials (and staff): never a name."""
    active = Q(status=CaseStatus.ACTIVE)
    return list(
        CaseChild.objects.counted_for(user)
        .values(
            community_name=F("community__region__name"), community_path=F("community__region__path")
        )
        .annotate(
            active=Count("pk", filter=active),
            left_behind=Count("pk", filter=active & Q(is_left_behind=True)),
            in_distress=Count("pk", filter=active & Q(is_in_distress=True)),
            high_risk=Count("pk", filter=active & Q(risk_level="high")),
            overdue=Count("pk", filter=active & Q(next_visit_due__lt=today)),
            pending=Count("pk", filter=Q(status=CaseStatus.PENDING)),
        )
        .order_by("community_path")
    )


def volunteer_children(user: User) -> QuerySet[CaseChild]:
    """The volunteer's start page: children actively paired with them, soonest due first."""
    return (
        CaseChild.objects.filter(
            status=CaseStatus.ACTIVE,
            pairings__active=True,
            pairings__volunteer__user=user,
            pairings__volunteer__active=True,
        )
        .select_related("resident", "community__region")
        .order_by(F("next_visit_due").asc(nulls_last=True), "resident__name")
    )


def carer_levels(resident_ids: list[int]) -> dict[int, tuple[int, datetime.date]]:
    """Latest ability level (GB/T 42195) of each resident who is an elder, in one query.

    Reads eldercare's AbilityAssessment: the household view joins the old and the young.
    """
    latest = AbilityAssessment.objects.filter(elder__resident_id=OuterRef("pk")).order_by(
        "-assessed_on", "-pk"
    )
    rows = (
        Resident.objects.filter(pk__in=resident_ids)
        .annotate(
            level=Subquery(latest.values("level")[:1]),
            assessed=Subquery(latest.values("assessed_on")[:1]),
        )
        .filter(level__isnull=False)
        .values_list("pk", "level", "assessed")
    )
    return {pk: (level, assessed) for pk, level, assessed in rows}


def household_view(household: Household, *, today: datetime.date) -> dict:
    """一老一小 for one household: young children, registry children, elders with ability."""
    residents = list(household.residents.order_by("date_of_birth", "pk"))
    young = [r for r in residents if r.age_on(today) < YOUNG_CHILD_MAX_AGE]
    cases = list(
        CaseChild.objects.filter(resident__household=household)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("resident", "carer")
    )
    levels = carer_levels([r.pk for r in residents] + [c.carer_id for c in cases if c.carer_id])
    elders = [
        {"resident": r, "level": levels[r.pk][0], "assessed_on": levels[r.pk][1]}
        for r in residents
        if r.pk in levels
    ]
    case_rows = []
    for case in cases:
        carer_level = levels.get(case.carer_id, (None, None))[0] if case.carer_id else None
        case_rows.append(
            {
                "case": case,
                "carer_level": carer_level,
                "needs_review": case.risk_review_needed
                or (carer_level is not None and carer_level >= rules.CARER_ABILITY_REVIEW_LEVEL),
            }
        )
    return {"young": young, "cases": case_rows, "elders": elders, "residents": residents}


# --- volunteers' service hours ------------------------------------------------------------


@dataclass
class HoursTotal:
    label: str
    minutes: int

    @property
    def display(self) -> str:
        return format_duration(self.minutes)


def volunteer_hours_totals(volunteer: Volunteer) -> dict:
    """A volunteer's confirmed minutes by month and by year, newest first (two queries)."""
    confirmed = ServiceHours.objects.filter(volunteer=volunteer).confirmed()
    by_month = (
        confirmed.annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(minutes=Sum("minutes"))
        .order_by("-month")
    )
    by_year = (
        confirmed.annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(minutes=Sum("minutes"))
        .order_by("-year")
    )
    pending = ServiceHours.objects.filter(volunteer=volunteer).unconfirmed()
    return {
        "months": [HoursTotal(r["month"].strftime("%Y-%m"), r["minutes"]) for r in by_month],
        "years": [HoursTotal(str(r["year"]), r["minutes"]) for r in by_year],
        "pending": HoursTotal("", pending.aggregate(m=Sum("minutes"))["m"] or 0),
    }


def hours_year_total(volunteer: Volunteer, year: int) -> int:
    return (
        ServiceHours.objects.filter(volunteer=volunteer, date__year=year)
        .confirmed()
        .aggregate(m=Sum("minutes"))["m"]
        or 0
    )


def hours_totals_for_staff(user: User, year: int) -> dict:
    """Confirmed minutes in `year` by team and by community, within the staff's regions."""
    hours = ServiceHours.objects.visible_to(user).confirmed().filter(date__year=year)
    by_team = (
        hours.values("volunteer__team__name").annotate(minutes=Sum("minutes")).order_by("-minutes")
    )
    by_community = (
        hours.values("volunteer__community__region__name")
        .annotate(minutes=Sum("minutes"))
        .order_by("-minutes")
    )
    return {
        "teams": [HoursTotal(r["volunteer__team__name"], r["minutes"]) for r in by_team],
        "communities": [
            HoursTotal(r["volunteer__community__region__name"], r["minutes"]) for r in by_community
        ],
    }


# --- who read a child's records (for the child's guardians) -----------------------------------

# The role a reader is named by, most responsible first (a person may hold several).
READER_ROLES = [
    Role.ADMIN,
    Role.COMMUNITY_STAFF,
    Role.STATION_STAFF,
    Role.VOLUNTEER,
    Role.FACILITY_STAFF,
    Role.OFFICIAL,
]


@dataclass
class RecordRead:
    at: datetime.datetime
    role: str
    name: str
    what: str


def reader_label(user: User) -> tuple[str, str]:
    """(role, name) under which a reader of a child's records is shown to the family: the
    role they held, and their name as the portal knows it (their work identity)."""
    roles = {a.role for a in user.role_assignments.all()}
    if user.is_superuser:
        roles.add(Role.ADMIN)
    role = next((r for r in READER_ROLES if r in roles), None)
    return (str(role.label) if role else str(_("Portal user")), str(user))


def child_record_reads(child: Child, limit: int = 200) -> list[RecordRead]:
    """Who read `child`'s records, newest first (PIPL art. 44-45: the family's right to know).

    The childcare records (station and community staff opening the child's pages) and, for a
    child who is also in the care registry, the case record and the lists that show it. A
    fixed four queries, whatever the number of reads.
    """
    childcare_reads = list(
        ChildAccessLog.objects.filter(child=child).order_by("-at", "-pk")[:limit]
    )
    case_reads = list(
        AccessLog.objects.filter(child__resident_id=child.resident_id).order_by("-at", "-pk")[
            :limit
        ]
    )
    user_ids = {r.user_id for r in childcare_reads} | {r.user_id for r in case_reads}
    users = {
        u.pk: reader_label(u)
        for u in User.objects.filter(pk__in=user_ids).prefetch_related("role_assignments")
    }
    reads = [
        RecordRead(r.at, *users[r.user_id], str(_("Opened the child's childcare records")))
        for r in childcare_reads
    ] + [RecordRead(r.at, *users[r.user_id], str(r.get_action_display())) for r in case_reads]
    reads.sort(key=lambda r: r.at, reverse=True)
    return reads[:limit]
