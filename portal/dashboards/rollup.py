"""Refreshing the rollup: every region's figures for its whole subtree, set-based.

For each indicator, ONE statement: the indicator's per-community aggregate (a GROUP BY over
its source table) is joined to every region through the materialised path prefix
(`community.path LIKE region.path || '%'`) and summed per region. The cost is one pass over
each source table plus regions × communities path comparisons: never a query per region or
per row. The statement upserts, so two refreshes running at once both end with the same rows.
"""

from __future__ import annotations

import datetime
import logging
import time

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from communities.models import Community, Region
from portal.dashboards import indicators
from portal.dashboards.indicators import Anchor, Indicator, Kind, Period
from portal.dashboards.models import RegionIndicator
from portal.months import month_start, next_month

logger = logging.getLogger(__name__)


def period_for(month: datetime.date, now: datetime.datetime | None = None) -> Period:
    """Snapshot figures of a past month are taken at its last moment, else now."""
    now = now or timezone.now()
    end = next_month(month)
    end_moment = timezone.make_aware(datetime.datetime.combine(end, datetime.time.min))
    return Period(start=month, end=end, as_of=min(now, end_moment))


def _value_sql(kind: str) -> str:
    if kind == Kind.YUAN_AVERAGE:
        return "1.0 * COALESCE(SUM(pc.num), 0) / NULLIF(SUM(pc.den), 0)"
    if kind == Kind.PERCENT:
        return "100.0 * COALESCE(SUM(pc.num), 0) / NULLIF(SUM(pc.den), 0)"
    if kind == Kind.PER_1000:
        return "1000.0 * COALESCE(SUM(pc.num), 0) / NULLIF(SUM(c.population), 0)"
    return "COALESCE(SUM(pc.num), 0)"


def _denominator_sql(kind: str) -> str:
    if kind in (Kind.PERCENT, Kind.YUAN_AVERAGE):
        return "COALESCE(SUM(pc.den), 0)"
    if kind == Kind.PER_1000:
        return "COALESCE(SUM(c.population), 0)"
    return "NULL"


def refresh_indicator(indicator: Indicator, period: Period, computed_at: datetime.datetime) -> int:
    source_sql, source_params = indicator.source(period).query.sql_with_params()
    if indicator.kind not in (Kind.PERCENT, Kind.YUAN_AVERAGE):
        # A count's per-community query has no den column; give the wrapper one.
        source_sql = f"SELECT s.cid, s.num, NULL AS den FROM ({source_sql}) s"  # noqa: S608
    table = RegionIndicator._meta.db_table
    region_table = Region._meta.db_table
    community_table = Community._meta.db_table
    join_column = "cr.id" if indicator.anchor == Anchor.REGION else "c.id"
    # CAST keeps the numerator integral on both backends (area sums are decimals).
    sql = f"""
        INSERT INTO {table} (region_id, month, key, value, numerator, denominator, computed_at)
        SELECT r.id, %s, %s, {_value_sql(indicator.kind)},
               CAST(ROUND(COALESCE(SUM(pc.num), 0)) AS BIGINT),
               {_denominator_sql(indicator.kind)}, %s
        FROM {region_table} r
        LEFT JOIN {region_table} cr ON cr.path LIKE r.path || '%%'
        LEFT JOIN {community_table} c ON c.region_id = cr.id
        LEFT JOIN ({source_sql}) pc ON pc.cid = {join_column}
        GROUP BY r.id
        ON CONFLICT (region_id, month, key) DO UPDATE SET
            value = EXCLUDED.value,
            numerator = EXCLUDED.numerator,
            denominator = EXCLUDED.denominator,
            computed_at = EXCLUDED.computed_at
    """  # noqa: S608 - table names come from model metadata, values are parameters
    params = [period.start, indicator.key, computed_at, *source_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def refresh_population(period: Period, computed_at: datetime.datetime) -> int:
    """Resident population of each region's subtree (the denominator of per-1,000 rates)."""
    table = RegionIndicator._meta.db_table
    region_table = Region._meta.db_table
    community_table = Community._meta.db_table
    sql = f"""
        INSERT INTO {table} (region_id, month, key, value, numerator, denominator, computed_at)
        SELECT r.id, %s, 'population', COALESCE(SUM(c.population), 0),
               COALESCE(SUM(c.population), 0), NULL, %s
        FROM {region_table} r
        LEFT JOIN {region_table} cr ON cr.path LIKE r.path || '%%'
        LEFT JOIN {community_table} c ON c.region_id = cr.id
        GROUP BY r.id
        ON CONFLICT (region_id, month, key) DO UPDATE SET
            value = EXCLUDED.value,
            numerator = EXCLUDED.numerator,
            computed_at = EXCLUDED.computed_at
    """  # noqa: S608 - table names come from model metadata
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.start, computed_at])
        return cursor.rowcount


def refresh_month(month: datetime.date, *, now: datetime.datetime | None = None) -> list[str]:
    """Recompute every indicator of every region for `month`; returns the keys."""
    month = month_start(month)
    period = period_for(month, now)
    computed_at = timezone.now()
    keys = ["population"]
    with transaction.atomic():
        refresh_population(period, computed_at)
        for indicator in indicators.ALL:
            refresh_indicator(indicator, period, computed_at)
            keys.append(indicator.key)
        # Rendered pages cached under the old version are not served again. Bumped now and
        # again on commit, so a page rendered from the old rows meanwhile is dropped too.
        bump_version()
        transaction.on_commit(bump_version)
    logger.info("Rollup for %s refreshed: %d indicators", month, len(keys))
    return keys


VERSION_KEY = "dashboards:rollup-version"


def bump_version() -> None:
    cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def current_version() -> int:
    """Changes whenever the rollup changes; part of every cached dashboard page's key."""
    return cache.get_or_set(VERSION_KEY, time.time_ns, timeout=None)
