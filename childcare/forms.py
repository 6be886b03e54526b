"""Forms check the shape of the input; the services decide. Every choice of a child, class or
guardian comes from a QuerySet scoped to the signed-in user, never from a hidden field."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from childcare import rules
from childcare.models import (
    CareClass,
    Child,
    ChildQuerySet,
    CourseStrand,
    Enrolment,
    Guardian,
    HealthCheck,
    MealRecord,
    Session,
    Station,
    TimetableSlot,
)
from communities.models import Community, Region
from communities.validators import check_record_date
from portal.accounts.models import User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what the browser reads
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class StationFinderForm(forms.Form):
    town = forms.ModelChoiceField(
        label=_("Town or county"),
        queryset=Region.objects.filter(level__in=["town", "county", "district"]).order_by("path"),
        required=False,
        empty_label=_("Everywhere"),
    )
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Community.objects.filter(stations__isnull=False)
        .select_related("region")
        .distinct(),
        required=False,
        empty_label=_("All communities"),
    )
    free_only = forms.BooleanField(label=_("Only stations with free places"), required=False)


class ChildChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Child) -> str:
        return obj.resident.name


class BookingForm(forms.Form):
    """Book a session for a child. The station page offers the parent's own children
    (`children`); a POST is checked for its shape only (a child's id), and booking_create
    decides whether the child is the parent's in the same read as its other facts."""

    child = forms.IntegerField(label=_("Child"), min_value=1)

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    @cached_property
    def children(self) -> ChildQuerySet:
        # Built when the station page lists them, not for every booking POST.
        return Child.objects.of_guardian(self.user).select_related("resident")


class GuardianForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    relation = forms.CharField(label=_("Relation to the child"), max_length=20)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


class EnrolmentApplyForm(forms.Form):
    child = ChildChoiceField(label=_("Child"), queryset=Child.objects.none())
    start_date = forms.DateField(label=_("Wished start date"), widget=DATE)
    health_exam_date = forms.DateField(label=_("Date of the health exam"), widget=DATE)
    vaccinations_confirmed = forms.BooleanField(
        label=_("I confirm the child's vaccinations are up to date (vaccination record)"),
    )
    note = forms.CharField(
        label=_("Anything the station should know"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = Child.objects.of_guardian(user).select_related("resident")

    def clean_health_exam_date(self) -> datetime.date:
        day = self.cleaned_data["health_exam_date"]
        check_record_date(day)
        return day


DECISIONS = [
    ("offered", _("Offer a place")),
    ("waitlisted", _("Put on the waiting list")),
    ("declined", _("Decline")),
    ("enrolled", _("Enrol in a class")),
    ("left", _("Mark as left")),
]


class EnrolmentDecisionForm(forms.Form):
    status = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    care_class = forms.ModelChoiceField(
        label=_("Class (when enrolling)"), queryset=CareClass.objects.none(), required=False
    )
    note = forms.CharField(
        label=pgettext_lazy("childcare", "Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: object, station: Station, enrolment: Enrolment | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["care_class"].queryset = station.classes.all()
        if enrolment is not None:
            # Only the decisions the service would accept from the current status are offered.
            allowed = enrolment.allowed_transitions()
            self.fields["status"].choices = [(k, v) for k, v in DECISIONS if k in allowed]
            if "enrolled" not in allowed:
                del self.fields["care_class"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("status") == "enrolled" and not data.get("care_class"):
            self.add_error("care_class", _("Choose the class the child joins."))
        return data


def check_ends_after_start(form: forms.Form, start: str, end: str, message: object) -> None:
    """A field error here also keeps Django from reporting the matching DB constraint by name."""
    data = form.cleaned_data
    if data.get(start) and data.get(end) and data[end] <= data[start]:
        form.add_error(end, message)


class EnrolmentReassignForm(forms.Form):
    station = forms.ModelChoiceField(label=_("Move to station"), queryset=Station.objects.none())
    note = forms.CharField(label=pgettext_lazy("childcare", "Note"), required=False, max_length=200)

    def __init__(self, *args: object, user: User, enrolment: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = (
            Station.objects.managed_by(user).public().exclude(pk=enrolment.station_id)
        )


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["kind", "date", "starts_at", "ends_at", "capacity"]
        widgets = {"date": DATE, "starts_at": TIME, "ends_at": TIME}

    def clean(self) -> dict:
        data = super().clean()
        check_ends_after_start(
            self, "starts_at", "ends_at", _("A session must end after it starts.")
        )
        return data


class StationForm(forms.ModelForm):
    class Meta:
        model = Station
        fields = [
            "address",
            "licensed_places",
            "opens_at",
            "closes_at",
            "inclusive_monthly_price",
            "monthly_subsidy",
            "status",
            "phone",
            "description",
            "cancel_cutoff_hours",
            "photo_retention_days",
        ]
        widgets = {"opens_at": TIME, "closes_at": TIME}

    def clean(self) -> dict:
        data = super().clean()
        check_ends_after_start(
            self, "opens_at", "closes_at", _("Closing time must be after opening time.")
        )
        return data


class GuardianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Guardian) -> str:
        return f"{obj.name} ({obj.relation})"


class CheckInForm(forms.Form):
    brought_by = GuardianChoiceField(label=_("Brought by"), queryset=Guardian.objects.none())

    def __init__(self, *args: object, child: Child, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["brought_by"].queryset = child.guardians.all()


class CheckOutForm(forms.Form):
    # Only people the parents authorised are offered; the service re-checks whatever is posted.
    collected_by = GuardianChoiceField(label=_("Collected by"), queryset=Guardian.objects.none())

    def __init__(self, *args: object, child: Child, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collected_by"].queryset = child.guardians.filter(may_collect=True)


class HealthCheckForm(forms.Form):
    period = forms.ChoiceField(label=_("Check"), choices=HealthCheck.Period.choices)
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"), min_value=34, max_value=43, decimal_places=1
    )
    symptoms = forms.CharField(label=_("Symptoms seen"), max_length=200, required=False)
    result = forms.ChoiceField(label=_("Result"), choices=HealthCheck.Result.choices)


class MealForm(forms.Form):
    meal = forms.ChoiceField(label=_("Meal"), choices=MealRecord.Kind.choices)
    amount = forms.ChoiceField(label=_("How much"), choices=MealRecord.Amount.choices)
    note = forms.CharField(label=pgettext_lazy("childcare", "Note"), max_length=200, required=False)


class NapForm(forms.Form):
    started = forms.TimeField(label=_("Fell asleep"), widget=TIME)
    ended = forms.TimeField(label=_("Woke up"), widget=TIME)

    def clean(self) -> dict:
        data = super().clean()
        check_ends_after_start(self, "started", "ended", _("The nap must end after it starts."))
        return data


class OutdoorForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes outdoors today"), min_value=0, max_value=24 * 60)


class GrowthForm(forms.Form):
    # The bounds are those of the GrowthRecord constraints, which exclude 30/130 cm and
    # 1/40 kg themselves: an inclusive bound here let those values reach the DB as a 500.
    measured_on = forms.DateField(label=_("Measured on"), widget=DATE)
    height_cm = forms.DecimalField(
        label=_("Height (cm)"),
        min_value=Decimal("30.1"),
        max_value=Decimal("129.9"),
        decimal_places=1,
    )
    weight_kg = forms.DecimalField(
        label=_("Weight (kg)"),
        min_value=Decimal("1.01"),
        max_value=Decimal("39.99"),
        decimal_places=2,
    )

    def clean_measured_on(self) -> datetime.date:
        day = self.cleaned_data["measured_on"]
        check_record_date(day)
        return day


class ProgressNoteForm(forms.Form):
    domain = forms.ChoiceField(label=_("Domain"), choices=rules.CARE_DOMAINS)
    strand = forms.ModelChoiceField(
        label=_("Activity (course strand)"), queryset=CourseStrand.objects.none(), required=False
    )
    text = forms.CharField(
        label=pgettext_lazy("childcare", "Note"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: object, child: Child, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The strands of the station the child is enrolled at (the service checks it too).
        self.fields["strand"].queryset = CourseStrand.objects.filter(
            station__enrolments__child=child, station__enrolments__status="enrolled"
        ).order_by("order", "name")


class StrandForm(forms.ModelForm):
    class Meta:
        model = CourseStrand
        fields = ["name", "description", "order"]

    def __init__(self, *args: object, station: Station, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.station = station

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if CourseStrand.objects.filter(station=self.station, name=name).exists():
            raise forms.ValidationError(_("This station already has a strand of that name."))
        return name


class SlotForm(forms.ModelForm):
    class Meta:
        model = TimetableSlot
        fields = ["care_class", "weekday", "starts_at", "ends_at", "strand", "activity"]
        widgets = {"starts_at": TIME, "ends_at": TIME}

    def __init__(self, *args: object, station: Station, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["care_class"].queryset = CareClass.objects.filter(station=station)
        self.fields["strand"].queryset = CourseStrand.objects.filter(station=station)

    def clean(self) -> dict:
        data = super().clean()
        check_ends_after_start(
            self, "starts_at", "ends_at", _("An activity must end after it starts.")
        )
        return data
