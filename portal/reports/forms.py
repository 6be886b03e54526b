from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import RegionQuerySet
from portal.dashboards.selectors import BadMonth, parse_month


class ReportRequestForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=None, to_field_name="code", empty_label=None
    )
    month = forms.CharField(
        label=_("Month"),
        help_text=_("Year and month, for example 2024-08."),
        widget=forms.DateInput(attrs={"type": "month"}),
    )

    def __init__(self, *args: object, regions: RegionQuerySet, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Only the official's own regions can be chosen: never trust a posted region id.
        self.fields["region"].queryset = regions.order_by("path")

    def clean_month(self) -> datetime.date:
        try:
            return parse_month(self.cleaned_data["month"] or "-")
        except BadMonth as exc:
            raise forms.ValidationError(str(exc)) from exc
