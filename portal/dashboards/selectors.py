"""Reads for the dashboards: the official's regions, and one region's page built from the rollup.

`dashboard_for` issues a fixed number of queries (region tree, rollup rows, gaps, premises)
whatever the size of the region: it never touches the children, elders or residents tables.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from childcare.models import Station
from communities.models import Premises, Region
from portal.accounts.models import Role, User
from portal.dashboards import indicators, rules
from portal.dashboards.indicators import GROUP_LABELS, Indicator, Kind
from portal.dashboards.models import RegionIndicator
from portal.formats import format_duration
from portal.months import current_month, month_start, previous_month

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
EARLIEST_MONTH = datetime.date(2000, 1, 1)


class BadMonth(ValueError):
    """The month in the address is malformed or outside the range the portal keeps."""


def home_region(user: User) -> Region | None:
    """The official's own region (the highest one if they hold several)."""
    assignments = [a for a in user.assignments if a.role == Role.OFFICIAL and a.region_id]
    if assignments:
        return min((a.region for a in assignments), key=lambda r: (r.depth, r.path))
    if user.is_authenticated and user.is_portal_admin:
        return Region.objects.filter(parent__isnull=True).order_by("path").first()
    return None


def parse_month(text: str | None) -> datetime.date:
    """`YYYY-MM` → first day of that month; empty → this month. Raises BadMonth."""
    if not text:
        return current_month()
    match = MONTH_RE.match(text.strip())
    if not match:
        raise BadMonth(_("Give the month as year and month, for example 2024-08."))
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise BadMonth(_("There is no month %(month)s.") % {"month": month})
    if year < EARLIEST_MONTH.year:
        # Also keeps year 0, which datetime.date refuses, from becoming a 500.
        raise BadMonth(
            _("Figures exist from %(first)s up to this month; %(asked)s is outside that range.")
            % {"first": EARLIEST_MONTH.strftime("%Y-%m"), "asked": f"{year:04d}-{month:02d}"}
        )
    day = datetime.date(year, month, 1)
    if day < EARLIEST_MONTH or day > current_month():
        raise BadMonth(
            _("Figures exist from %(first)s up to this month; %(asked)s is outside that range.")
            % {"first": EARLIEST_MONTH.strftime("%Y-%m"), "asked": day.strftime("%Y-%m")}
        )
    return day


def month_list(month: datetime.date, count: int) -> list[datetime.date]:
    """`count` months ending with `month`, oldest first."""
    months = [month]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return list(reversed(months))


@dataclass
class Figure:
    indicator: Indicator
    value: float | None
    numerator: int | None
    denominator: int | None

    @property
    def display(self) -> str:
        return format_value(self.indicator.kind, self.value)

    @property
    def fraction(self) -> str:
        """“numerator ÷ denominator” for rates, empty for plain counts."""
        if self.indicator.kind == Kind.COUNT or self.denominator is None:
            return ""
        numerator = number_format(self.numerator or 0, force_grouping=True)
        return f"{numerator} ÷ {number_format(self.denominator, force_grouping=True)}"


def format_value(kind: str, value: float | None) -> str:
    """A figure as the reader's language writes numbers (portal/locale_formats/)."""
    if value is None:
        return "–"
    if kind == Kind.PERCENT:
        return f"{number_format(value, 1, force_grouping=True)}%"
    if kind == Kind.PER_1000:
        return number_format(value, 2, force_grouping=True)
    if kind == Kind.MINUTES:
        return format_duration(value)
    if kind == Kind.YUAN_AVERAGE:
        return number_format(value, 2, force_grouping=True)
    return number_format(round(value), force_grouping=True)


@dataclass
class Table:
    slug: str
    title: Promise | str
    columns: list
    rows: list[list]
    chart: dict | None = None


@dataclass
class Gap:
    region: Region
    population: int
    places: int
    per_1000: float
    places_needed: int
    free_premises: list[Premises] = field(default_factory=list)


@dataclass
class Dashboard:
    region: Region
    month: datetime.date
    breadcrumb: list[Region]
    children: list[Region]
    groups: list[tuple[Promise, list[Figure]]]
    headlines: list[Figure]
    tables: dict[str, Table]
    gaps: list[Gap]
    premises: list[Premises]
    computed_at: datetime.datetime | None
    population: int
    target: float = float(rules.CHILDCARE_PLACES_PER_1000_TARGET)
    target_source: str = rules.CHILDCARE_PLACES_TARGET_SOURCE

    @property
    def has_figures(self) -> bool:
        return self.computed_at is not None


# Indicators compared between the parts of a region, and drawn as trends.
PART_KEYS = ["population", "cc_places", "cc_places_per_1000", "pr_free_available"]
PART_CARE_KEYS = ["cw_left_behind", "cw_in_distress", "ec_elders_central", "ec_facilities"]
# What the shared-partner policy costs (subsidies, premises) next to what it buys (places).
PART_FEE_KEYS = [
    "fe_subsidies",
    "fe_subsidy_per_child",
    "fe_net_price",
    "fe_ceiling",
    "pr_free_value",
    "pr_rent_relief",
    "cc_places_per_1000",
]
TREND_RATE_KEYS = ["cc_places_per_1000"]
TREND_ACTIVITY_KEYS = ["cc_bookings", "ec_daycare_attendance", "ec_meals_served", "cw_outreach"]
TREND_KEYS = TREND_RATE_KEYS + TREND_ACTIVITY_KEYS


def _label(key: str) -> Promise | str:
    if key == "population":
        return _("Resident population")
    return indicators.BY_KEY[key].label


def _kind(key: str) -> str:
    return Kind.COUNT if key == "population" else indicators.BY_KEY[key].kind


def dashboard_for(region: Region, month: datetime.date) -> Dashboard:
    """Everything a region's dashboard shows, read from the rollup in a fixed number of queries."""
    months = month_list(month, rules.TREND_MONTHS)
    breadcrumb = list(region.ancestors()) + [region]
    children = list(Region.objects.filter(parent=region).order_by("name", "code"))
    rows = list(
        RegionIndicator.objects.filter(
            Q(region=region, month=month)
            | Q(region=region, month__gte=months[0], month__lt=month, key__in=TREND_KEYS)
            | Q(
                region__parent=region,
                month=month,
                key__in=PART_KEYS + PART_CARE_KEYS + PART_FEE_KEYS,
            )
        ).values_list(
            "region_id", "month", "key", "value", "numerator", "denominator", "computed_at"
        )
    )
    own: dict[str, tuple] = {}
    trend: dict[tuple[datetime.date, str], float | None] = {}
    parts: dict[tuple[int, str], float | None] = {}
    computed_at = None
    for region_id, row_month, key, value, numerator, denominator, at in rows:
        if region_id == region.pk:
            trend[(row_month, key)] = value
            if row_month == month:
                own[key] = (value, numerator, denominator)
                computed_at = max(computed_at, at) if computed_at else at
        else:
            parts[(region_id, key)] = value

    groups = []
    for group, label in GROUP_LABELS.items():
        figures = [
            Figure(ind, *own[ind.key])
            for ind in indicators.ALL
            if ind.group == group and ind.key in own
        ]
        if figures:
            groups.append((label, figures))

    present_keys = set(own)
    tables = {
        "summary": _summary_table(groups),
        "parts": _parts_table(children, parts, present_keys),
        "parts_care": _parts_care_table(children, parts, present_keys),
        "parts_fees": _parts_fees_table(region, children, own, parts, present_keys),
        "trend_rate": _trend_table(
            "trend_rate",
            _("Places per 1,000 residents by month"),
            TREND_RATE_KEYS,
            months,
            trend,
            present_keys,
            target=True,
        ),
        "trend_activity": _trend_table(
            "trend_activity",
            _("Activity by month"),
            TREND_ACTIVITY_KEYS,
            months,
            trend,
            present_keys,
        ),
    }
    gaps = _gaps(region, month)
    tables["gaps"] = Table(
        "gaps",
        _("Where the gaps are"),
        [
            _("Community"),
            _("Resident population"),
            _("Licensed places"),
            _("Places per 1,000 residents"),
            _("Places needed to reach the target"),
            _("Free premises available"),
        ],
        [
            [
                g.region.name,
                g.population,
                g.places,
                round(g.per_1000, 2),
                g.places_needed,
                "; ".join(f"{p.name} ({p.area_m2} m²)" for p in g.free_premises),
            ]
            for g in gaps
        ],
    )
    premises = list(
        Premises.objects.filter(
            terms=Premises.Terms.FREE, community__region__path__startswith=region.path
        )
        .select_related("community__region")
        .order_by("status", "community__region__path", "name")[:50]
    )
    tables["premises"] = Table(
        "premises",
        _("Premises lent free and how they are used"),
        [_("Community"), _("Premises"), _("Floor area (m²)"), _("Status"), _("Used by")],
        [
            [p.community.region.name, p.name, p.area_m2, p.get_status_display(), p.used_by]
            for p in premises
        ],
    )
    tables["stations"] = _stations_table(region)
    population = int((own.get("population") or (0, 0, None))[1] or 0)
    headlines = [f for _label_, figures in groups for f in figures if f.indicator.headline]
    return Dashboard(
        region=region,
        month=month,
        breadcrumb=breadcrumb,
        children=children,
        groups=groups,
        headlines=headlines,
        tables=tables,
        gaps=gaps,
        premises=premises,
        computed_at=computed_at,
        population=population,
    )


def _summary_table(groups: list[tuple[Promise, list[Figure]]]) -> Table:
    rows = []
    for group_label, figures in groups:
        for f in figures:
            rows.append(
                [
                    group_label,
                    f.indicator.label,
                    f.display,
                    f.numerator,
                    f.denominator,
                    f.indicator.definition,
                ]
            )
    return Table(
        "summary",
        _("All figures"),
        [_("Area"), _("Indicator"), _("Value"), _("Numerator"), _("Denominator"), _("Definition")],
        rows,
    )


def _parts_table(children: list[Region], parts: dict, present: set[str]) -> Table:
    keys = [k for k in PART_KEYS if k in present]
    rows = [
        [child.name, *[format_value(_kind(k), parts.get((child.pk, k))) for k in keys]]
        for child in children
    ]
    chart = None
    if "cc_places_per_1000" in keys and children:
        chart = {
            "type": "bar",
            "labels": [c.name for c in children],
            "series": [
                {
                    "label": str(_label("cc_places_per_1000")),
                    "data": [parts.get((c.pk, "cc_places_per_1000")) for c in children],
                }
            ],
            "target": float(rules.CHILDCARE_PLACES_PER_1000_TARGET),
            "targetLabel": str(_("National target")),
        }
    return Table(
        "parts",
        _("Comparison of the parts of this region"),
        [_("Part"), *[_label(k) for k in keys]],
        rows,
        chart,
    )


def _parts_care_table(children: list[Region], parts: dict, present: set[str]) -> Table:
    keys = [k for k in PART_CARE_KEYS if k in present]
    rows = [
        [child.name, *[format_value(_kind(k), parts.get((child.pk, k))) for k in keys]]
        for child in children
    ]
    chart = None
    if keys and children:
        chart = {
            "type": "bar",
            "labels": [c.name for c in children],
            "series": [
                {"label": str(_label(k)), "data": [parts.get((c.pk, k)) for c in children]}
                for k in keys
            ],
        }
    return Table(
        "parts_care",
        _("Children and elders in the parts of this region"),
        [_("Part"), *[_label(k) for k in keys]],
        rows,
        chart,
    )


def _parts_fees_table(
    region: Region, children: list[Region], own: dict, parts: dict, present: set[str]
) -> Table:
    """The region and each of its parts: what subsidies and free premises cost, the net
    price families pay against the ceiling, and the places per 1,000 residents it buys."""
    keys = [k for k in PART_FEE_KEYS if k in present]
    rows = [[region.name, *[format_value(_kind(k), (own.get(k) or (None,))[0]) for k in keys]]]
    rows += [
        [child.name, *[format_value(_kind(k), parts.get((child.pk, k))) for k in keys]]
        for child in children
    ]
    return Table(
        "parts_fees",
        _("What the shared-partner policy costs and buys"),
        [_("Region"), *[_label(k) for k in keys]],
        rows,
    )


def _stations_table(region: Region) -> Table:
    """Childcare stations of the region: institutions, not people, so listed by name."""
    columns = [
        _("Station"),
        _("Community"),
        _("Kind"),
        _("Status"),
        _("Licensed places"),
        _("Children enrolled"),
        _("Inclusive monthly price (yuan)"),
    ]
    rows = [
        [
            s.name,
            s.community.region.name,
            s.get_kind_display(),
            s.get_status_display(),
            s.licensed_places,
            s.enrolled_count,
            s.inclusive_monthly_price,
        ]
        for s in Station.objects.filter(community__region__path__startswith=region.path)
        .select_related("community__region")
        .order_by("-licensed_places", "name")[:50]
    ]
    return Table("stations", _("Childcare stations"), columns, rows)


def _trend_table(
    slug: str,
    title: Promise,
    keys: list[str],
    months: list[datetime.date],
    trend: dict,
    present: set[str],
    target: bool = False,
) -> Table:
    keys = [k for k in keys if k in present]
    labels = [date_format(m, "YEAR_MONTH_FORMAT") for m in months]
    rows = [
        [label, *[format_value(_kind(k), trend.get((m, k))) for k in keys]]
        for label, m in zip(labels, months, strict=True)
    ]
    chart = None
    if keys:
        chart = {
            "type": "line",
            "labels": labels,
            "series": [
                {"label": str(_label(k)), "data": [trend.get((m, k)) for m in months]} for k in keys
            ],
        }
        if target:
            chart["target"] = float(rules.CHILDCARE_PLACES_PER_1000_TARGET)
            chart["targetLabel"] = str(_("National target"))
    return Table(slug, title, [_("Month"), *[_label(k) for k in keys]], rows, chart)


def _gaps(region: Region, month: datetime.date) -> list[Gap]:
    """Communities furthest below the places target, with the free premises they could offer."""
    target = float(rules.CHILDCARE_PLACES_PER_1000_TARGET)
    gap_rows = RegionIndicator.objects.filter(
        month=month,
        key="cc_places_per_1000",
        region__path__startswith=region.path,
        region__level=Region.Level.COMMUNITY,
        denominator__gt=0,
        value__lt=target,
    ).order_by("value", "region__path")[: rules.GAPS_LIMIT]
    rows = list(gap_rows.select_related("region"))
    # One query for all listed communities' premises, via the same (unevaluated) subquery.
    premises = list(
        Premises.objects.filter(
            terms=Premises.Terms.FREE,
            status=Premises.Status.AVAILABLE,
            community__region_id__in=gap_rows.values("region_id"),
        )
        .order_by("-area_m2", "name")
        .values_list("community__region_id", "name", "area_m2")
    )
    by_region: dict[int, list] = {}
    for region_id, name, area in premises:
        by_region.setdefault(region_id, []).append(Premises(name=name, area_m2=area))
    gaps = []
    for row in rows:
        population = int(row.denominator or 0)
        places = int(row.numerator or 0)
        needed = max(0, math.ceil(target * population / 1000 - places))
        gaps.append(
            Gap(
                row.region,
                population,
                places,
                row.value or 0.0,
                needed,
                by_region.get(row.region_id, []),
            )
        )
    return gaps


__all__ = [
    "BadMonth",
    "Dashboard",
    "dashboard_for",
    "month_start",
    "parse_month",
]
