"""The rollup the dashboards read: one row per region, month and indicator.

Every figure of every region is precomputed for its whole subtree by `rollup.refresh_month`
(a few set-based statements), so a dashboard costs the same few indexed reads whether the
county has ten thousand residents or a million.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Region


class RegionIndicatorQuerySet(models.QuerySet):
    def for_month(self, month) -> RegionIndicatorQuerySet:  # noqa: ANN001
        return self.filter(month=month)


class RegionIndicator(models.Model):
    """One figure of one region (its whole subtree) for one month.

    Snapshot figures (stations, places, registered children) record the state at the last
    refresh within the month; flow figures (bookings, meals, visits) count what happened in
    the month. Rates keep their numerator and denominator so the page can show both.
    """

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("region")
    )
    month = models.DateField(_("month"))
    key = models.CharField(_("indicator"), max_length=48)
    value = models.FloatField(_("value"), null=True)
    numerator = models.BigIntegerField(_("numerator"), null=True)
    denominator = models.BigIntegerField(_("denominator"), null=True)
    computed_at = models.DateTimeField(_("computed at"))

    objects = RegionIndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("region indicator")
        verbose_name_plural = _("region indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "month", "key"], name="dashboards_regionindicator_unique"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="dashboards_regionindicator_month_first_day"
            ),
        ]
        indexes = [models.Index(fields=["month", "key", "value"], name="dashboards_ri_month_key")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m} {self.key}={self.value}"
