"""Childcare stations (托育驿站 / 托育机构). Extended by the childcare issue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Station(models.Model):
    name = models.CharField(_("name"), max_length=100)
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.PROTECT,
        related_name="stations",
        verbose_name=_("community"),
    )

    class Meta:
        verbose_name = _("childcare station")
        verbose_name_plural = _("childcare stations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
