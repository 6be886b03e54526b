"""Forms check the shape of the input; the services decide."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.forms import UnechoedTextInput
from communities.models import Resident, mask_id_number
from communities.services import check_date_of_birth
from communities.validators import check_record_date
from eldercare import rules
from eldercare.models import (
    ACCESSIBILITY_FIELDS,
    ROOM_FIELDS,
    CareFacility,
    Elder,
    ElderThreshold,
    Meal,
    ReadingKind,
    RiskEventKind,
    Shift,
)
from portal.accounts.models import User

WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class DayForm(forms.Form):
    """The ?date= of a day page; a bad date is a form error, not a 500."""

    date = forms.DateField(
        label=pgettext_lazy("eldercare", "Day"), required=False, widget=DATE_WIDGET
    )

    def day(self) -> datetime.date:
        if self.is_valid() and self.cleaned_data["date"]:
            return self.cleaned_data["date"]
        return timezone.localdate()


class FacilityForm(forms.ModelForm):
    class Meta:
        model = CareFacility
        fields = [
            "name",
            "kind",
            "status",
            "address",
            "phone",
            "beds",
            "day_places",
            "opens_at",
            "closes_at",
            "open_days",
            "checkin_deadline",
            "staff_count",
            "manager_name",
            *ROOM_FIELDS,
            *ACCESSIBILITY_FIELDS,
        ]
        widgets = {
            "opens_at": TIME_WIDGET,
            "closes_at": TIME_WIDGET,
            "checkin_deadline": TIME_WIDGET,
        }

    def clean(self) -> dict:
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and opens >= closes:
            self.add_error("closes_at", _("Closing time must be after opening time."))
        return data

    def room_fields(self) -> list:
        return [self[name] for name in ROOM_FIELDS]

    def accessibility_fields(self) -> list:
        return [self[name] for name in ACCESSIBILITY_FIELDS]

    def main_fields(self) -> list:
        skip = set(ROOM_FIELDS) | set(ACCESSIBILITY_FIELDS)
        return [f for f in self if f.name not in skip]


class ElderForm(forms.ModelForm):
    weekdays = forms.MultipleChoiceField(
        label=_("Days at day care"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Elder
        fields = [
            "resident",
            "name",
            "sex",
            "date_of_birth",
            "id_number",
            "support_category",
            "status",
            "medical_notes",
            "allergies",
            "dietary_needs",
            "has_dementia_or_psychiatric_diagnosis",
        ]
        widgets = {
            "date_of_birth": DATE_WIDGET,
            "medical_notes": forms.Textarea(attrs={"rows": 3}),
            # A form sent back with an error must not carry the full number just typed either.
            "id_number": UnechoedTextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args: object, user: User, community_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Only residents of the facility's community that this user may see; facility staff
        # who see no residents enter the person details by hand.
        self.fields["resident"].queryset = Resident.objects.visible_to(user).filter(
            household__community_id=community_id
        )
        self.fields["resident"].required = False
        self.fields["weekdays"].initial = list(self.instance.day_care_weekdays or "")
        # A stored ID number is never sent back to the browser in full: the field starts
        # empty, shows the masked number, and an empty answer keeps what is stored.
        self._stored_id_number = self.instance.id_number
        if self._stored_id_number:
            self.initial["id_number"] = ""
            self.fields["id_number"].help_text = _(
                "Stored: %(masked)s. Leave empty to keep it."
            ) % {"masked": mask_id_number(self._stored_id_number)}

    def clean_id_number(self) -> str:
        return self.cleaned_data["id_number"] or self._stored_id_number

    def clean_date_of_birth(self) -> datetime.date | None:
        born = self.cleaned_data["date_of_birth"]
        if born is not None:
            # The same rule as every person's record: not in the future, not before 1900.
            check_date_of_birth(born)
        return born

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("resident") and not (data.get("name") and data.get("date_of_birth")):
            raise forms.ValidationError(
                _("Choose the resident record, or enter the name and date of birth.")
            )
        return data

    def save(self, commit: bool = True) -> Elder:
        self.instance.day_care_weekdays = "".join(sorted(self.cleaned_data["weekdays"]))
        return super().save(commit=commit)


class FamilyContactForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("eldercare", "Name"), max_length=50)
    relation = forms.CharField(label=_("Relation"), max_length=20)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    account_phone = forms.CharField(
        label=_("Portal account (mobile number)"),
        max_length=20,
        required=False,
        help_text=_("If the family member has an account, they will see this elder's page."),
    )
    can_see_health = forms.BooleanField(
        label=_("May see health readings, assessments and alerts"), required=False, initial=True
    )
    can_see_medical = forms.BooleanField(
        label=_("May see medical notes and allergies"), required=False
    )
    can_book = forms.BooleanField(label=_("May book meals"), required=False, initial=True)
    notify_alerts = forms.BooleanField(
        label=_("Is notified of alerts"), required=False, initial=True
    )

    def clean_account_phone(self) -> User | None:
        phone = self.cleaned_data["account_phone"].strip().replace(" ", "")
        if not phone:
            return None
        if not phone.startswith("+"):
            phone = "+86" + phone
        user = User.objects.filter(phone=phone, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No account has this mobile number."))
        return user


class AssessmentForm(forms.Form):
    """One field per item of GB/T 42195-2022; a score outside 0..max is a form error."""

    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE_WIDGET)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = timezone.localdate()
        for domain in rules.DOMAINS:
            for item in domain.items:
                self.fields[item.code] = forms.IntegerField(
                    label=item.label,
                    min_value=0,
                    max_value=item.max_score,
                    help_text=_("0 to %(max)d") % {"max": item.max_score},
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )

    def clean_assessed_on(self) -> datetime.date:
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("An assessment cannot be in the future."))
        # Year 1 would also make the 30-day risk-event window before it overflow (a 500).
        check_record_date(day)
        return day

    def domains(self) -> list[tuple[str, list]]:
        return [(d.label, [self[i.code] for i in d.items]) for d in rules.DOMAINS]

    def scores(self) -> dict[str, int]:
        return {code: self.cleaned_data[code] for code in rules.ITEMS}


class RiskAssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE_WIDGET)
    risks = forms.MultipleChoiceField(
        label=_("Risks found"),
        choices=rules.RISKS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = timezone.localdate()

    def clean_assessed_on(self) -> datetime.date:
        # The care plan follows the latest risk assessment by date: one dated in the future
        # would decide the plan until that day.
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("An assessment cannot be in the future."))
        check_record_date(day)
        return day


class RiskEventForm(forms.Form):
    kind = forms.ChoiceField(
        label=pgettext_lazy("eldercare", "What happened"), choices=RiskEventKind.choices
    )
    occurred_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    note = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_occurred_on(self) -> datetime.date:
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        check_record_date(day)
        return day


class ThresholdForm(forms.ModelForm):
    class Meta:
        model = ElderThreshold
        fields = ["measure", "low", "high"]


class ReadingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Measurement"), choices=ReadingKind.choices)
    value = forms.DecimalField(
        label=_("Value (systolic for blood pressure)"), max_digits=6, decimal_places=1
    )
    value2 = forms.DecimalField(
        label=_("Diastolic (blood pressure only)"), max_digits=6, decimal_places=1, required=False
    )
    measured_at = forms.DateTimeField(
        label=_("Measured at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measured_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean(self) -> dict:
        data = super().clean()
        kind, value2 = data.get("kind"), data.get("value2")
        if kind == ReadingKind.BLOOD_PRESSURE and value2 is None:
            self.add_error("value2", _("Blood pressure needs the diastolic value too."))
        if kind and kind != ReadingKind.BLOOD_PRESSURE and value2 is not None:
            self.add_error("value2", _("Only blood pressure has a second value."))
        at = data.get("measured_at")
        if at and at > timezone.now() + datetime.timedelta(minutes=5):
            self.add_error("measured_at", _("The time cannot be in the future."))
        elif at and rules.reading_time_refusal(at, timezone.now()):
            self.add_error("measured_at", rules.reading_time_refusal(at, timezone.now()))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file from the device"),
        help_text=_("Columns: elder_id, measured_at, kind, value, value2"),
    )


class MealForm(forms.ModelForm):
    class Meta:
        model = Meal
        fields = ["date", "kind", "menu", "capacity", "price"]
        widgets = {"date": DATE_WIDGET, "menu": forms.Textarea(attrs={"rows": 2})}

    def clean_price(self) -> Decimal:
        price = self.cleaned_data["price"]
        if price < 0:
            raise forms.ValidationError(_("The price cannot be negative."))
        return price


class BookForm(forms.Form):
    meal = forms.ModelChoiceField(label=_("Meal"), queryset=Meal.objects.none())

    def __init__(self, *args: object, meals: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meal"].queryset = meals


class StaffBookForm(forms.Form):
    elder = forms.ModelChoiceField(label=_("Elder"), queryset=Elder.objects.none())

    def __init__(self, *args: object, elders: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["elder"].queryset = elders


class NoticeForm(forms.Form):
    date = forms.DateField(label=pgettext_lazy("eldercare", "Day"), widget=DATE_WIDGET)
    coming = forms.TypedChoiceField(
        label=_("Will they come to the day-care centre?"),
        choices=[("1", _("Yes, coming")), ("0", _("No, not coming"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate() + datetime.timedelta(days=1)


class AlertCloseForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class HandoverForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    shift = forms.ChoiceField(label=_("Shift"), choices=Shift.choices)
    received_by = forms.CharField(label=_("Handed over to"), max_length=50)
    summary = forms.CharField(
        label=_("What the next shift must know"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class RoundForm(forms.Form):
    all_well = forms.BooleanField(label=_("All well"), required=False, initial=True)
    observations = forms.CharField(
        label=_("Observations"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("all_well") and not (data.get("observations") or "").strip():
            self.add_error("observations", _("Describe what was wrong on the round."))
        return data
