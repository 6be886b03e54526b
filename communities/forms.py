"""Forms check the shape of input; the choices they offer come from scoped QuerySets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import Community, Household, Premises, Resident
from communities.services import (
    DUPLICATE_ID_NUMBER,
    FREE_PREMISES_HAVE_NO_RENT,
    ORIGIN_ONLY_IF_RELOCATED,
    check_date_of_birth,
)
from communities.validators import (
    normalise_id_number,
    validate_birth_date_matches,
    validate_id_number,
)
from portal.accounts.models import User


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Community) -> str:
        return obj.region.name


class HouseholdChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Household) -> str:
        return f"{obj.community.region.name} · {obj.address}"


def _managed_communities(user: User) -> Any:
    return Community.objects.managed_by(user).select_related("region")


class UnechoedTextInput(forms.TextInput):
    """A text input that never puts a value into the page, not even the one just typed:
    a form sent back with an error must not carry a full ID number either."""

    def format_value(self, value: Any) -> None:
        return None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CommunityForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = ["population", "address", "contact_name", "contact_phone", "party_secretary"]
        fields += ["notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class HouseholdForm(forms.ModelForm):
    community = CommunityChoiceField(queryset=Community.objects.none(), label=_("community"))

    class Meta:
        model = Household
        fields = ["community", "address", "is_relocated", "origin_township", "origin_village"]
        fields += ["notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "origin_township": _("Only for households relocated from elsewhere."),
            "origin_village": _("Only for households relocated from elsewhere."),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = _managed_communities(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("is_relocated"):
            for field in ("origin_township", "origin_village"):
                if data.get(field):
                    self.add_error(field, ORIGIN_ONLY_IF_RELOCATED)
        return data


class HouseholdSearchForm(forms.Form):
    q = forms.CharField(label=_("Address contains"), required=False, max_length=100)


class ResidentSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or phone"), required=False, max_length=100)


class ResidentForm(forms.ModelForm):
    household = HouseholdChoiceField(queryset=Household.objects.none(), label=_("household"))
    # Not a model-bound field: its initial value is never the stored number (which would put
    # the full ID into the page); empty on edit means "keep what is stored".
    id_number = forms.CharField(
        label=_("ID number"),
        required=False,
        max_length=40,
        widget=UnechoedTextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    remove_id_number = forms.BooleanField(label=_("Remove the stored ID number"), required=False)

    class Meta:
        model = Resident
        fields = ["household", "name", "sex", "date_of_birth", "phone", "relation_to_head"]
        widgets = {"date_of_birth": DateInput()}
        labels = {"name": pgettext_lazy("person", "Name")}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.managed_by(user).select_related(
            "community__region"
        )
        self.initial.pop("id_number", None)
        stored = self.instance.pk and self.instance.id_number
        if stored:
            self.fields["id_number"].help_text = _(
                "Stored: %(masked)s. Leave empty to keep it; type a new number to replace it."
            ) % {"masked": self.instance.masked_id_number}
        else:
            self.fields["id_number"].help_text = _(
                "18 characters, as on the resident identity card. For privacy it is not "
                "shown again after saving or after an error."
            )
            del self.fields["remove_id_number"]

    def clean_date_of_birth(self) -> Any:
        value = self.cleaned_data["date_of_birth"]
        if value:
            check_date_of_birth(value)
        return value

    def clean_id_number(self) -> str:
        value = normalise_id_number(self.cleaned_data.get("id_number", ""))
        if not value:
            return ""
        validate_id_number(value)
        taken = Resident.objects.filter(id_number=value)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(DUPLICATE_ID_NUMBER, code="duplicate")
        return value

    def new_id_number(self) -> str | None:
        """The ID number to store: None keeps the stored one, "" removes it."""
        if self.cleaned_data.get("id_number"):
            return self.cleaned_data["id_number"]
        if self.cleaned_data.get("remove_id_number"):
            return ""
        return None if self.instance.pk else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        date_of_birth = data.get("date_of_birth")
        if date_of_birth and "id_number" not in self.errors:
            new = self.new_id_number()
            number = self.instance.id_number if new is None else new
            if number:
                try:
                    validate_birth_date_matches(number, date_of_birth)
                except forms.ValidationError as error:
                    # Blame the field the user just typed into.
                    self.add_error("id_number" if new else "date_of_birth", error)
        return data


class PremisesForm(forms.ModelForm):
    community = CommunityChoiceField(queryset=Community.objects.none(), label=_("community"))

    class Meta:
        model = Premises
        fields = ["community", "name", "address", "floor", "area_m2", "terms", "monthly_rent"]
        fields += ["status", "used_by", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = _managed_communities(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        rent = data.get("monthly_rent")
        if data.get("terms") == Premises.Terms.FREE and rent:
            self.add_error("monthly_rent", FREE_PREMISES_HAVE_NO_RENT)
        return data


class PremisesFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("All"))] + list(Premises.Status.choices),
    )
    terms = forms.ChoiceField(
        label=_("terms"), required=False, choices=[("", _("All"))] + list(Premises.Terms.choices)
    )


class RefusalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the family reads it)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
