"""Care facilities for the elderly. Extended by the eldercare issue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CareFacility(models.Model):
    name = models.CharField(_("name"), max_length=100)
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.PROTECT,
        related_name="care_facilities",
        verbose_name=_("community"),
    )

    class Meta:
        verbose_name = _("care facility")
        verbose_name_plural = _("care facilities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
