"""The dashboard's indicators: what each figure means and how one community's share is counted.

Each indicator gives a per-community aggregate (an ORM queryset grouped by community, with
columns `cid`, `num` and optionally `den`); `rollup.refresh_month` wraps it in one
set-based statement that sums it over every region's subtree. The source models are
imported and read through their named QuerySet methods (`Station.objects.open()`), so a
renamed model, field or status fails at import or in the tests, never silently.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from billing.models import Statement
from casework.models import CaseChild, Concern, OutreachEvent, Pairing, ServiceHours
from childcare.models import Booking, Enrolment, HealthCheck, Incident, Station
from communities.models import Premises
from eldercare.models import (
    AbilityAssessment,
    Alarm,
    Alert,
    CareFacility,
    DayCareAttendance,
    Device,
    Elder,
    MealBooking,
)
from portal.dashboards import rules


@dataclass(frozen=True)
class Period:
    """The month being computed: [start, end), and the moment snapshot figures are taken."""

    start: datetime.date
    end: datetime.date
    as_of: datetime.datetime

    @property
    def as_of_date(self) -> datetime.date:
        return timezone.localdate(self.as_of)

    @property
    def start_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def end_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.end, datetime.time.min))


class Kind:
    COUNT = "count"  # value = Σ num
    PERCENT = "percent"  # value = 100 × Σ num ÷ Σ den
    PER_1000 = "per_1000"  # value = 1000 × Σ num ÷ Σ population
    MINUTES = "minutes"  # value = Σ num, a duration shown as hours and minutes
    YUAN = "yuan"  # value = Σ num, money in yuan (shown in whole yuan)
    YUAN_AVERAGE = "yuan_average"  # value = Σ num ÷ Σ den, money in yuan per unit


class Anchor:
    COMMUNITY = "community"  # the source's cid is a communities.Community id
    REGION = "region"  # the source's cid is a communities.Region id, of any level


class Group:
    CHILDCARE = "childcare"
    ELDERCARE = "eldercare"
    CASEWORK = "casework"
    FEES = "fees"
    PREMISES = "premises"


GROUP_LABELS: dict[str, Promise] = {
    Group.CHILDCARE: _("Childcare for the under-threes"),
    Group.ELDERCARE: _("Care for the elderly"),
    Group.CASEWORK: _("Left-behind children and children in distress"),
    Group.FEES: _("Fees and subsidies (community shared partner)"),
    Group.PREMISES: _("Premises lent free by communities"),
}


@dataclass(frozen=True)
class Indicator:
    key: str
    group: str
    label: Promise
    definition: Promise
    source: Callable[[Period], QuerySet]
    kind: str = Kind.COUNT
    headline: bool = False
    anchor: str = Anchor.COMMUNITY


def _by_community(qs: QuerySet, path: str = "community_id") -> QuerySet:
    return qs.order_by().values(cid=F(path))


# --- premises (communities app) -------------------------------------------------------------


def _premises_free(status: str | None) -> Callable[[Period], QuerySet]:
    def source(period: Period) -> QuerySet:
        qs = Premises.objects.lent_free()
        if status:
            qs = qs.filter(status=status)
        return _by_community(qs).annotate(num=Count("id"))

    return source


def _premises_free_area(period: Period) -> QuerySet:
    qs = Premises.objects.lent_free()
    return _by_community(qs).annotate(num=Sum("area_m2"))


MONEY = DecimalField(max_digits=14, decimal_places=2)


def _reference_rent_a_year() -> Value:
    return Value(settings.BILLING_REFERENCE_RENT_PER_M2 * 12, output_field=MONEY)


def _premises_free_value(period: Period) -> QuerySet:
    qs = Premises.objects.lent_free()
    value = ExpressionWrapper(F("area_m2") * _reference_rent_a_year(), output_field=MONEY)
    return _by_community(qs).annotate(num=Sum(value))


def _premises_rent_relief(period: Period) -> QuerySet:
    qs = Premises.objects.exclude(terms=Premises.Terms.FREE)
    relief = Greatest(
        ExpressionWrapper(
            F("area_m2") * _reference_rent_a_year() - F("monthly_rent") * 12, output_field=MONEY
        ),
        Value(0, output_field=MONEY),
    )
    return _by_community(qs).annotate(num=Sum(relief))


PREMISES = [
    Indicator(
        "pr_free",
        Group.PREMISES,
        _("Premises lent free"),
        _("Rooms communities lend free of charge to care providers (公建配套用房)."),
        _premises_free(None),
        headline=True,
    ),
    Indicator(
        "pr_free_in_use",
        Group.PREMISES,
        _("Free premises in use"),
        _("Free premises a provider is using now."),
        _premises_free("in_use"),
    ),
    Indicator(
        "pr_free_available",
        Group.PREMISES,
        _("Free premises still available"),
        _("Free premises offered and not yet taken: room for a new station or centre."),
        _premises_free("available"),
    ),
    Indicator(
        "pr_free_area",
        Group.PREMISES,
        _("Floor area lent free (m²)"),
        _("Total floor area of the free premises, in square metres."),
        _premises_free_area,
    ),
    Indicator(
        "pr_free_value",
        Group.PREMISES,
        _("Yearly value of free premises (yuan)"),
        _(
            "What the premises lent free would cost a year at the reference rent: floor area × "
            "reference monthly rent per m² × 12 (setting BILLING_REFERENCE_RENT_PER_M2)."
        ),
        _premises_free_value,
        kind=Kind.YUAN,
        headline=True,
    ),
    Indicator(
        "pr_rent_relief",
        Group.PREMISES,
        _("Yearly rent relief (yuan)"),
        _(
            "Rented premises let below the reference rent: (floor area × reference monthly rent "
            "per m² − the monthly rent) × 12, summed where positive."
        ),
        _premises_rent_relief,
        kind=Kind.YUAN,
    ),
]


# --- fees and subsidies (billing) -----------------------------------------------------------


def _statements(period: Period) -> QuerySet:
    """The month's issued statements (one per child and station)."""
    return Statement.objects.for_month(period.start)


def _full_months(period: Period) -> QuerySet:
    """Statements of children who held a place every billable day of the month."""
    return _statements(period).filter(enrolled_days=F("billable_days"), enrolled_days__gt=0)


def _net_price() -> ExpressionWrapper:
    return ExpressionWrapper(F("monthly_price") - F("subsidy_total"), output_field=MONEY)


def _subsidies(period: Period) -> QuerySet:
    qs = _statements(period)
    return _by_community(qs, "station__community_id").annotate(num=Sum("subsidy_total"))


def _subsidy_per_child(period: Period) -> QuerySet:
    qs = _statements(period)
    return _by_community(qs, "station__community_id").annotate(
        num=Sum("subsidy_total"), den=Count("id")
    )


def _net_price_average(period: Period) -> QuerySet:
    qs = _full_months(period)
    return _by_community(qs, "station__community_id").annotate(
        num=Sum(_net_price()), den=Count("id")
    )


def _ceiling_average(period: Period) -> QuerySet:
    qs = _full_months(period)
    return _by_community(qs, "station__community_id").annotate(
        num=Sum("inclusive_ceiling"), den=Count("id")
    )


def _net_price_to_ceiling(period: Period) -> QuerySet:
    qs = _full_months(period)
    return _by_community(qs, "station__community_id").annotate(
        num=Sum(_net_price()), den=Sum("inclusive_ceiling")
    )


def _amount_billed(period: Period) -> QuerySet:
    qs = _statements(period)
    return _by_community(qs, "station__community_id").annotate(num=Sum("total"))


FEES = [
    Indicator(
        "fe_subsidies",
        Group.FEES,
        _("Subsidies paid (yuan)"),
        _(
            "Subsidies deducted on the month's childcare statements: what the district pays "
            "for the month."
        ),
        _subsidies,
        kind=Kind.YUAN,
        headline=True,
    ),
    Indicator(
        "fe_subsidy_per_child",
        Group.FEES,
        _("Subsidy per child (yuan)"),
        _("Subsidies on the month's statements ÷ children with a statement."),
        _subsidy_per_child,
        kind=Kind.YUAN_AVERAGE,
    ),
    Indicator(
        "fe_net_price",
        Group.FEES,
        _("Average net price of a full-time place (yuan)"),
        _(
            "What a family pays for a full month's place after subsidies, before absence "
            "refunds and sessions: the average over children who held a place all month."
        ),
        _net_price_average,
        kind=Kind.YUAN_AVERAGE,
    ),
    Indicator(
        "fe_ceiling",
        Group.FEES,
        _("Average inclusive-price ceiling (yuan)"),
        _("The inclusive (普惠) monthly price the stations committed to, for the same children."),
        _ceiling_average,
        kind=Kind.YUAN_AVERAGE,
    ),
    Indicator(
        "fe_net_to_ceiling",
        Group.FEES,
        _("Net price against the ceiling"),
        _("The average net price of a full-time place ÷ the average inclusive-price ceiling."),
        _net_price_to_ceiling,
        kind=Kind.PERCENT,
    ),
    Indicator(
        "fe_billed",
        Group.FEES,
        _("Amount billed to families (yuan)"),
        _("The sum of the month's childcare statements, what families owe for the month."),
        _amount_billed,
        kind=Kind.YUAN,
    ),
]


# --- childcare ------------------------------------------------------------------------------


def _open_stations() -> QuerySet:
    return Station.objects.open()


def _stations(kind: str | None) -> Callable[[Period], QuerySet]:
    def source(period: Period) -> QuerySet:
        qs = _open_stations()
        if kind:
            qs = qs.filter(kind=kind)
        return _by_community(qs).annotate(num=Count("id"))

    return source


def _stations_in_network(period: Period) -> QuerySet:
    leads = Station.objects.filter(network_lead=OuterRef("pk"))
    qs = _open_stations().filter(Q(network_lead__isnull=False) | Q(Exists(leads)))
    return _by_community(qs).annotate(num=Count("id"))


def _places(period: Period) -> QuerySet:
    return _by_community(_open_stations()).annotate(num=Sum("licensed_places"))


def _inclusive_places(period: Period) -> QuerySet:
    return _by_community(_open_stations()).annotate(
        num=Sum("licensed_places", filter=Q(inclusive_monthly_price__isnull=False)),
        den=Sum("licensed_places"),
    )


def _occupancy(period: Period) -> QuerySet:
    # Station.enrolled_count is the counter the childcare service keeps under a row lock.
    return _by_community(_open_stations()).annotate(
        num=Sum("enrolled_count"), den=Sum("licensed_places")
    )


def _waitlist(period: Period) -> QuerySet:
    qs = Enrolment.objects.waitlisted()
    return _by_community(qs, "station__community_id").annotate(num=Count("id"))


def _bookings(period: Period) -> QuerySet:
    qs = Booking.objects.confirmed().filter(created__gte=period.start_at, created__lt=period.end_at)
    return _by_community(qs, "session__station__community_id").annotate(num=Count("id"))


def _failed_health_checks(period: Period) -> QuerySet:
    # A check belongs to the child, not the station: count it where the child is enrolled.
    station_community = Subquery(
        Enrolment.objects.enrolled()
        .filter(child=OuterRef("child"))
        .order_by("-created")
        .values("station__community_id")[:1]
    )
    qs = HealthCheck.objects.filter(
        result=HealthCheck.Result.FAIL, date__gte=period.start, date__lt=period.end
    ).annotate(station_community=station_community)
    return _by_community(qs, "station_community").annotate(num=Count("id"))


def _serious_incidents(period: Period) -> QuerySet:
    # A count only: the dashboard never names the child.
    qs = Incident.objects.filter(
        serious=True, occurred_at__gte=period.start_at, occurred_at__lt=period.end_at
    )
    return _by_community(qs, "station__community_id").annotate(num=Count("id"))


CHILDCARE = [
    Indicator(
        "cc_stations",
        Group.CHILDCARE,
        _("Childcare stations open"),
        _("Stations (托育驿站) with status open."),
        _stations(None),
        headline=True,
    ),
    Indicator(
        "cc_stations_demonstration",
        Group.CHILDCARE,
        _("Demonstration institutions"),
        _("Open stations of kind demonstration: the “1” of a “1+N” network."),
        _stations("demonstration"),
    ),
    Indicator(
        "cc_stations_branch",
        Group.CHILDCARE,
        _("Branch sites"),
        _("Open stations of kind branch: one of the “N” of a network."),
        _stations("branch"),
    ),
    Indicator(
        "cc_stations_standalone",
        Group.CHILDCARE,
        _("Standalone stations"),
        _("Open stations of kind standalone."),
        _stations("standalone"),
    ),
    Indicator(
        "cc_stations_in_network",
        Group.CHILDCARE,
        _("Stations in “1+N” networks"),
        _("Open stations that lead a network or belong to one."),
        _stations_in_network,
    ),
    Indicator(
        "cc_places",
        Group.CHILDCARE,
        _("Licensed childcare places"),
        _("Care places (托位) licensed in open stations."),
        _places,
        headline=True,
    ),
    Indicator(
        "cc_places_per_1000",
        Group.CHILDCARE,
        _("Places per 1,000 residents"),
        _(
            "Licensed places in open stations ÷ resident population × 1,000. "
            "National target: 4.5 by 2025."
        ),
        _places,
        kind=Kind.PER_1000,
        headline=True,
    ),
    Indicator(
        "cc_occupancy",
        Group.CHILDCARE,
        _("Occupancy"),
        _("Children enrolled in open stations ÷ their licensed places."),
        _occupancy,
        kind=Kind.PERCENT,
    ),
    Indicator(
        "cc_inclusive_share",
        Group.CHILDCARE,
        _("Inclusive-price share"),
        _("Places in stations with an inclusive (普惠) monthly price ÷ all licensed places."),
        _inclusive_places,
        kind=Kind.PERCENT,
    ),
    Indicator(
        "cc_waitlist",
        Group.CHILDCARE,
        _("Waiting list"),
        _("Enrolment applications with status waitlisted."),
        _waitlist,
    ),
    Indicator(
        "cc_bookings",
        Group.CHILDCARE,
        _("Bookings this month"),
        _("Confirmed session bookings made in the month."),
        _bookings,
    ),
    Indicator(
        "cc_health_failed",
        Group.CHILDCARE,
        _("Failed health checks"),
        _("Morning and midday checks (晨午检) with result fail in the month."),
        _failed_health_checks,
    ),
    Indicator(
        "cc_incidents_serious",
        Group.CHILDCARE,
        _("Serious incidents at stations"),
        _(
            "Accidents and illnesses at childcare stations recorded as serious in the month "
            "(托育机构管理规范: injuries are reported)."
        ),
        _serious_incidents,
    ),
]


# --- eldercare ------------------------------------------------------------------------------


def _facilities(kinds: tuple[str, ...] | None) -> Callable[[Period], QuerySet]:
    def source(period: Period) -> QuerySet:
        qs = CareFacility.objects.open()
        if kinds:
            qs = qs.filter(kind__in=kinds)
        return _by_community(qs).annotate(num=Count("id"))

    return source


def _elders() -> QuerySet:
    return Elder.objects.active()


def _elders_support(category: str) -> Callable[[Period], QuerySet]:
    def source(period: Period) -> QuerySet:
        qs = _elders().filter(support_category=category)
        return _by_community(qs).annotate(num=Count("id"))

    return source


def _latest_assessment(field_name: str) -> Subquery:
    return Subquery(
        AbilityAssessment.objects.filter(elder=OuterRef("pk"))
        .order_by("-assessed_on", "-pk")
        .values(field_name)[:1]
    )


def _elders_level(level: int) -> Callable[[Period], QuerySet]:
    def source(period: Period) -> QuerySet:
        qs = _elders().annotate(level_now=_latest_assessment("level")).filter(level_now=level)
        return _by_community(qs).annotate(num=Count("id"))

    return source


def _reassessments_overdue(period: Period) -> QuerySet:
    qs = _elders().annotate(due=_latest_assessment("next_due")).filter(due__lt=period.as_of_date)
    return _by_community(qs).annotate(num=Count("id"))


def _daycare_attendance(period: Period) -> QuerySet:
    qs = DayCareAttendance.objects.filter(date__gte=period.start, date__lt=period.end)
    return _by_community(qs, "facility__community_id").annotate(num=Count("id"))


def _meals_served(period: Period) -> QuerySet:
    qs = MealBooking.objects.served().filter(
        meal__date__gte=period.start, meal__date__lt=period.end
    )
    return _by_community(qs, "elder__community_id").annotate(num=Count("id"))


def _alerts(overdue: bool) -> Callable[[Period], QuerySet]:
    def source(period: Period) -> QuerySet:
        qs = Alert.objects.open()
        if overdue:
            qs = qs.filter(
                created__lt=period.as_of - datetime.timedelta(hours=rules.ALERT_OVERDUE_HOURS)
            )
        return _by_community(qs, "elder__community_id").annotate(num=Count("id"))

    return source


def _smart_elders(period: Period) -> QuerySet:
    devices = Device.objects.filter(elder=OuterRef("pk"), active=True)
    qs = _elders().filter(Exists(devices))
    return _by_community(qs).annotate(num=Count("id"))


def _devices(silent: bool | None) -> Callable[[Period], QuerySet]:
    def source(period: Period) -> QuerySet:
        qs = Device.objects.filter(active=True)
        if silent is not None:
            quiet = qs.silent(period.as_of).values("pk")
            qs = qs.filter(pk__in=quiet) if silent else qs.exclude(pk__in=quiet)
        return _by_community(qs, "elder__community_id").annotate(num=Count("id"))

    return source


def _alarms(period: Period) -> QuerySet:
    qs = Alarm.objects.filter(opened_at__gte=period.start_at, opened_at__lt=period.end_at)
    return _by_community(qs, "elder__community_id").annotate(num=Count("id"))


def _alarms_answered_in_time(period: Period) -> QuerySet:
    # A median does not add up across communities; the share answered before the SMS
    # escalation does, and says the same thing to an official.
    in_time = Q(escalated_at__isnull=True, acknowledged_at__isnull=False)
    qs = Alarm.objects.filter(opened_at__gte=period.start_at, opened_at__lt=period.end_at)
    return _by_community(qs, "elder__community_id").annotate(
        num=Count("id", filter=in_time), den=Count("id")
    )


ELDERCARE = [
    Indicator(
        "ec_facilities",
        Group.ELDERCARE,
        _("Elderly-care facilities"),
        _("Open nursing homes, day-care centres and home-care service centres."),
        _facilities(None),
        headline=True,
    ),
    Indicator(
        "ec_facilities_nursing_home",
        Group.ELDERCARE,
        _("Nursing homes"),
        _("Open facilities of kind nursing home (敬老院)."),
        _facilities(("nursing_home",)),
    ),
    Indicator(
        "ec_facilities_community",
        Group.ELDERCARE,
        _("Day-care and home-care centres"),
        _("Open day-care centres (日间照料中心) and home-care service centres (居家养老服务中心)."),
        _facilities(("day_care", "home_care")),
    ),
    *[
        Indicator(
            f"ec_elders_{category}",
            Group.ELDERCARE,
            label,
            definition,
            _elders_support(category),
            headline=category == "central",
        )
        for category, label, definition in [
            (
                "central",
                _("Centrally supported elders"),
                _("Registered elders in central support (集中供养)."),
            ),
            (
                "dispersed",
                _("Elders in dispersed support"),
                _("Registered elders in dispersed support (分散供养)."),
            ),
            (
                "low_income",
                _("Low-income elders"),
                _("Registered elders on low-income support (低保)."),
            ),
        ]
    ],
    *[
        Indicator(
            f"ec_elders_level_{level}",
            Group.ELDERCARE,
            label,
            _("Elders whose latest ability assessment (GB/T 42195-2022) gave this level."),
            _elders_level(level),
        )
        for level, label in [
            (0, _("Ability level 0: intact")),
            (1, _("Ability level 1: mildly impaired")),
            (2, _("Ability level 2: moderately impaired")),
            (3, _("Ability level 3: severely impaired")),
            (4, _("Ability level 4: completely lost")),
        ]
    ],
    Indicator(
        "ec_daycare_attendance",
        Group.ELDERCARE,
        _("Day-care attendance"),
        _("Elder-days attended at day-care centres in the month."),
        _daycare_attendance,
    ),
    Indicator(
        "ec_meals_served",
        Group.ELDERCARE,
        _("Meals served"),
        _("Meal bookings (助餐) marked served, for meals in the month."),
        _meals_served,
    ),
    Indicator(
        "ec_alerts_open",
        Group.ELDERCARE,
        _("Open alerts"),
        _("Alerts about elders still open."),
        _alerts(overdue=False),
    ),
    Indicator(
        "ec_alerts_overdue",
        Group.ELDERCARE,
        _("Overdue alerts"),
        _("Alerts still open more than 24 hours after they were raised."),
        _alerts(overdue=True),
    ),
    Indicator(
        "ec_smart_elders",
        Group.ELDERCARE,
        _("Elders under smart management"),
        _("Active elders with at least one device in service (互联网+智慧养老)."),
        _smart_elders,
    ),
    Indicator(
        "ec_devices_online",
        Group.ELDERCARE,
        _("Devices online"),
        _("Devices in service heard from within their heartbeat interval."),
        _devices(silent=False),
    ),
    Indicator(
        "ec_devices_silent",
        Group.ELDERCARE,
        _("Devices silent"),
        _("Devices in service not heard from within their heartbeat interval."),
        _devices(silent=True),
    ),
    Indicator(
        "ec_alarms",
        Group.ELDERCARE,
        _("SOS and fall alarms"),
        _("Alarms opened by an SOS press or a detected fall in the month."),
        _alarms,
    ),
    Indicator(
        "ec_alarms_answered_in_time",
        Group.ELDERCARE,
        _("Alarms answered in time"),
        _("Share of the month's alarms acknowledged before the SMS escalation."),
        _alarms_answered_in_time,
        kind=Kind.PERCENT,
    ),
    Indicator(
        "ec_reassessments_overdue",
        Group.ELDERCARE,
        _("Re-assessments overdue"),
        _("Elders whose latest ability assessment is past its next-due date."),
        _reassessments_overdue,
    ),
]


# --- community care (casework) --------------------------------------------------------------


def _case_children() -> QuerySet:
    return CaseChild.objects.open()


def _case_children_flag(flag: str) -> Callable[[Period], QuerySet]:
    def source(period: Period) -> QuerySet:
        qs = _case_children().filter(**{flag: True})
        return _by_community(qs).annotate(num=Count("id"))

    return source


def _active_children() -> QuerySet:
    return CaseChild.objects.active()


def _paired_share(period: Period) -> QuerySet:
    paired = Pairing.objects.filter(child=OuterRef("pk"), active=True)
    qs = _active_children().annotate(paired=Exists(paired))
    return _by_community(qs).annotate(num=Count("id", filter=Q(paired=True)), den=Count("id"))


def _visited_on_time(period: Period) -> QuerySet:
    # casework keeps each child's next_visit_due from its risk level (casework/rules.py).
    qs = _active_children().filter(next_visit_due__isnull=False)
    return _by_community(qs).annotate(
        num=Count("id", filter=Q(next_visit_due__gte=period.as_of_date)), den=Count("id")
    )


def _visits_overdue(period: Period) -> QuerySet:
    qs = _active_children().filter(next_visit_due__lt=period.as_of_date)
    return _by_community(qs).annotate(num=Count("id"))


def _escalations(period: Period) -> QuerySet:
    qs = Concern.objects.filter(escalated_at__gte=period.start_at, escalated_at__lt=period.end_at)
    return _by_community(qs, "child__community_id").annotate(num=Count("id"))


def _outreach(period: Period) -> QuerySet:
    # Events belong to a region of any level (a school in a town), not to a community.
    qs = OutreachEvent.objects.filter(date__gte=period.start, date__lt=period.end)
    return _by_community(qs, "region_id").annotate(num=Count("id"))


def _volunteer_minutes(period: Period) -> QuerySet:
    # Hours are given where the child lives or where the session was held: a region.
    qs = ServiceHours.objects.filter(
        confirmed_at__isnull=False, date__gte=period.start, date__lt=period.end
    )
    return _by_community(qs, "region_id").annotate(num=Sum("minutes"))


CASEWORK = [
    Indicator(
        "cw_left_behind",
        Group.CASEWORK,
        _("Left-behind children"),
        _("Children in the registry (not closed) marked left-behind (留守儿童)."),
        _case_children_flag("is_left_behind"),
        headline=True,
    ),
    Indicator(
        "cw_in_distress",
        Group.CASEWORK,
        _("Children in distress"),
        _("Children in the registry (not closed) marked in distress (困境儿童)."),
        _case_children_flag("is_in_distress"),
        headline=True,
    ),
    Indicator(
        "cw_paired_share",
        Group.CASEWORK,
        _("Share paired with a volunteer"),
        _("Active children with an active pairing (结对帮扶) ÷ active children."),
        _paired_share,
        kind=Kind.PERCENT,
    ),
    Indicator(
        "cw_visited_on_time",
        Group.CASEWORK,
        _("Share visited on time"),
        _(
            "Active children whose next visit is not yet overdue ÷ active children with a "
            "visit schedule (high risk every 14 days, medium 30, low 90)."
        ),
        _visited_on_time,
        kind=Kind.PERCENT,
    ),
    Indicator(
        "cw_visits_overdue",
        Group.CASEWORK,
        _("Overdue visits"),
        _("Active children whose next visit is past its due date."),
        _visits_overdue,
    ),
    Indicator(
        "cw_escalations",
        Group.CASEWORK,
        _("Escalations"),
        _("Concerns about a child escalated in the month."),
        _escalations,
    ),
    Indicator(
        "cw_outreach",
        Group.CASEWORK,
        _("Outreach sessions held"),
        _("Outreach events (e.g. legal education in schools) held in the month."),
        _outreach,
        anchor=Anchor.REGION,
    ),
    Indicator(
        "cw_volunteer_minutes",
        Group.CASEWORK,
        _("Volunteer service hours"),
        _(
            "Hours volunteers gave on visits and outreach sessions in the month, as confirmed "
            "by community staff (志愿服务时长)."
        ),
        _volunteer_minutes,
        kind=Kind.MINUTES,
        anchor=Anchor.REGION,
    ),
]

ALL: list[Indicator] = [*CHILDCARE, *ELDERCARE, *CASEWORK, *FEES, *PREMISES]
BY_KEY: dict[str, Indicator] = {i.key: i for i in ALL}
