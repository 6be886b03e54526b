from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from childcare.models import Station
from communities.models import Region
from eldercare.models import CareFacility
from portal.api.models import ApiToken


class TokenForm(forms.Form):
    organisation = forms.CharField(label=_("Organisation"), max_length=100)
    access = forms.ChoiceField(
        label=_("Access"), choices=ApiToken.Access.choices, initial=ApiToken.Access.READ
    )
    region = forms.ModelChoiceField(
        label=_("Region (figures only)"),
        queryset=Region.objects.exclude(level=Region.Level.COMMUNITY),
        required=False,
    )
    station = forms.ModelChoiceField(
        label=_("Childcare station (its own records)"),
        queryset=Station.objects.order_by("name"),
        required=False,
    )
    facility = forms.ModelChoiceField(
        label=_("Care facility (its own records)"),
        queryset=CareFacility.objects.order_by("name"),
        required=False,
    )

    def clean(self) -> dict:
        data = super().clean()
        chosen = [f for f in ("region", "station", "facility") if data.get(f)]
        if len(chosen) != 1:
            raise forms.ValidationError(_("Choose exactly one region, station or care facility."))
        return data
