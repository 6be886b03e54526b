"""Monthly reports: one per region and month, built by the worker as an XLSX and a PDF."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from communities.models import Region, path_prefix_q
from portal.accounts.models import Role, User


class MonthlyReportQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> MonthlyReportQuerySet:
        """Reports of regions inside the user's official regions (admins: all)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(path_prefix_q("region__path", user.region_paths(Role.OFFICIAL)))


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class MonthlyReport(models.Model):
    Status = ReportStatus

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="monthly_reports", verbose_name=_("region")
    )
    month = models.DateField(_("month"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    xlsx = models.FileField(_("workbook (XLSX)"), upload_to="reports/%Y/%m/", blank=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/%m/", blank=True)
    error = models.TextField(_("reason of the failure"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    requested_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month", "region__path"]
        constraints = [
            # Generating the same region and month twice yields this one row, not two.
            models.UniqueConstraint(
                fields=["region", "month"], name="reports_monthlyreport_unique"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="reports_monthlyreport_month_first_day"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "ready", "failed"]),
                name="reports_monthlyreport_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="reports_monthlyreport_progress_lte_100"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(xlsx="") & ~Q(pdf="")),
                name="reports_monthlyreport_ready_has_files",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("reports:report_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)
