"""Forms of a family's start on the portal: where they live, who they are, their child."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from childcare.consent import CONSENT_TEXTS
from childcare.models import GuardianRelation, Station
from communities.forms import DateInput, UnechoedTextInput
from communities.models import Community, Region, Resident
from communities.services import check_date_of_birth
from communities.validators import (
    normalise_id_number,
    validate_birth_date_matches,
    validate_id_number,
)


class StationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Station) -> str:
        return f"{obj.name} · {obj.community.region.name}"


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Community) -> str:
        return obj.region.name


class StationPickForm(forms.Form):
    station = StationChoiceField(
        label=_("The station you want to use"),
        queryset=Station.objects.public().select_related("community__region").order_by("name"),
        empty_label=_("Choose a station"),
    )


class PlaceFilterForm(forms.Form):
    """GET: narrows the list of communities, county first, then town (no JavaScript)."""

    county = forms.ModelChoiceField(
        label=_("County or district"),
        queryset=Region.objects.filter(level__in=["county", "district"]).order_by("path"),
        required=False,
        empty_label=_("Choose a county"),
    )
    town = forms.ModelChoiceField(
        label=_("Town"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("All towns"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        county = self._chosen("county")
        if county is not None:
            self.fields["town"].queryset = Region.objects.filter(
                level="town", path__startswith=county.path
            ).order_by("path")
        else:
            del self.fields["town"]

    def _chosen(self, name: str) -> Region | None:
        field = self.fields[name]
        try:
            return field.clean(self.data.get(name)) if self.is_bound else None
        except forms.ValidationError:
            return None

    def communities(self) -> Any:
        """The communities in the chosen town, or county; none before a county is chosen."""
        region = (self._chosen("town") if "town" in self.fields else None) or self._chosen("county")
        if region is None:
            return Community.objects.none()
        return Community.objects.in_region(region).select_related("region").order_by("region__name")


class CommunityPickForm(forms.Form):
    community = CommunityChoiceField(
        label=_("Your community"),
        queryset=Community.objects.none(),
        empty_label=_("Choose your community"),
    )

    def __init__(self, *args: Any, communities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class PersonFieldsMixin:
    """Date of birth and optional ID number, checked as the community's own forms check them."""

    def clean_date_of_birth(self) -> Any:
        value = self.cleaned_data["date_of_birth"]
        check_date_of_birth(value)
        return value

    def clean_id_number(self) -> str:
        value = normalise_id_number(self.cleaned_data.get("id_number", ""))
        if value:
            validate_id_number(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("id_number") and data.get("date_of_birth"):
            try:
                validate_birth_date_matches(data["id_number"], data["date_of_birth"])
            except forms.ValidationError as error:
                self.add_error("id_number", error)
        return data


def _id_number_field() -> forms.CharField:
    return forms.CharField(
        label=_("ID number (optional)"),
        required=False,
        max_length=40,
        help_text=_(
            "18 characters, as on the resident identity card. For privacy it is not shown "
            "again after saving or after an error."
        ),
        widget=UnechoedTextInput(attrs={"autocomplete": "off"}),
    )


class HouseholdStepForm(PersonFieldsMixin, forms.Form):
    address = forms.CharField(
        label=_("Household address"),
        max_length=200,
        help_text=_("Building, unit and flat, e.g. 3栋2单元101."),
    )
    name = forms.CharField(label=_("Your name"), max_length=50)
    sex = forms.ChoiceField(label=_("Sex"), choices=Resident.Sex.choices, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(label=_("Your date of birth"), widget=DateInput())
    id_number = _id_number_field()
    relation = forms.ChoiceField(
        label=_("Your relation to the child"),
        choices=GuardianRelation.choices,
        widget=forms.RadioSelect,
    )


class ChildStepForm(PersonFieldsMixin, forms.Form):
    name = forms.CharField(label=_("Child's name"), max_length=50)
    sex = forms.ChoiceField(label=_("Sex"), choices=Resident.Sex.choices, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(label=_("Child's date of birth"), widget=DateInput())
    id_number = _id_number_field()
    consent_version = forms.CharField(widget=forms.HiddenInput)
    consent = forms.BooleanField(
        label=_("I have read the text above and give my consent as the child's guardian."),
        error_messages={"required": _("Please read and accept the consent.")},
    )

    def clean_consent_version(self) -> str:
        value = self.cleaned_data["consent_version"]
        if value not in CONSENT_TEXTS:
            raise forms.ValidationError(_("Please read and accept the consent."))
        return value


class ChildRegisterForm(ChildStepForm):
    """A parent with a household adds a further child: the child, the relation, consent."""

    relation = forms.ChoiceField(
        label=_("Your relation to the child"),
        choices=GuardianRelation.choices,
        widget=forms.RadioSelect,
    )
    allergies = forms.CharField(label=_("Allergies"), max_length=200, required=False)

    field_order = ["name", "sex", "date_of_birth", "id_number", "relation", "allergies"]


class ConsentWithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=pgettext_lazy(
            "consent",
            "I understand: new bookings and applications for my child stop until consent "
            "is given again.",
        ),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")},
    )
