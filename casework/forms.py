"""Forms check the shape of the input; services decide. Choices come from scoped QuerySets."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework.models import (
    SERVICE_MINUTES_MAX,
    CaseChild,
    CaseStatus,
    ConcernCategory,
    Organiser,
    OutreachKind,
    ParentsAway,
    RiskLevel,
    ServiceHours,
    VisitKind,
    Volunteer,
)
from communities.models import Region, Resident, path_prefix_q
from communities.validators import check_record_date
from portal.accounts.models import Role, User

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResidentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Resident) -> str:
        return f"{obj.name} ({obj.date_of_birth:%Y-%m-%d}, {obj.household.address})"


class CaseRegisterForm(forms.Form):
    resident = ResidentChoiceField(label=_("Child"), queryset=Resident.objects.none())
    is_left_behind = forms.BooleanField(label=_("Left-behind child"), required=False)
    parents_away = forms.ChoiceField(
        label=_("Who works away"), choices=ParentsAway.choices, required=False
    )
    parents_work_place = forms.CharField(
        label=_("Where the parents work"), max_length=100, required=False
    )
    is_in_distress = forms.BooleanField(label=_("Child in distress"), required=False)
    distress_illness_disability = forms.BooleanField(
        label=_("Illness or disability"), required=False
    )
    distress_family_hardship = forms.BooleanField(label=_("Family hardship"), required=False)
    distress_lack_of_guardianship = forms.BooleanField(
        label=_("Lack of guardianship"), required=False
    )
    distress_other = forms.CharField(label=_("Other distress"), max_length=100, required=False)
    carer = ResidentChoiceField(
        label=_("Carer living with the child"), queryset=Resident.objects.none(), required=False
    )
    carer_relation = forms.CharField(
        label=_("Carer's relation (e.g. grandmother)"), max_length=20, required=False
    )
    school = forms.CharField(label=_("School"), max_length=100, required=False)
    grade = forms.CharField(label=_("Grade"), max_length=20, required=False)
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    risk_reason = forms.CharField(label=_("Reason for the risk level"), widget=forms.Textarea)
    plan = forms.CharField(label=_("Care plan"), widget=forms.Textarea, required=False)

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Staff choose among their own community's residents only (never a hidden id).
        residents = Resident.objects.visible_to(user).select_related("household")
        today = timezone.localdate()
        adult_born = today.replace(month=1, day=1, year=today.year - 18)
        # Minors not already in the registry; carers are the adults living with such a child.
        unregistered = residents.filter(date_of_birth__gt=adult_born).exclude(
            case_records__status__in=[CaseStatus.PENDING, CaseStatus.ACTIVE]
        )
        self.fields["resident"].queryset = unregistered
        self.fields["carer"].queryset = residents.filter(
            date_of_birth__lte=adult_born,
            household__in=unregistered.values("household"),
        )

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("is_left_behind") and not data.get("is_in_distress"):
            raise forms.ValidationError(
                _("Tick at least one reason: left-behind child or child in distress.")
            )
        if data.get("is_left_behind") and not data.get("parents_away"):
            self.add_error("parents_away", _("Say which parent works away."))
        if data.get("is_in_distress") and not (
            data.get("distress_illness_disability")
            or data.get("distress_family_hardship")
            or data.get("distress_lack_of_guardianship")
            or data.get("distress_other")
        ):
            self.add_error("is_in_distress", _("Tick at least one category of distress."))
        return data


class VisitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of visit"), choices=VisitKind.choices)
    date = forms.DateField(label=_("Date of the visit"), widget=DATE_INPUT)
    notes = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    follow_up_actions = forms.CharField(
        label=_("Follow-up actions"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    concern_category = forms.ChoiceField(
        label=_("Concern found"),
        choices=[("", _("No concern"))] + ConcernCategory.choices,
        required=False,
    )
    concern_description = forms.CharField(
        label=_("Describe the concern"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    suspected_abuse = forms.BooleanField(
        label=_("I suspect abuse or neglect (staff are alerted at once)"), required=False
    )

    minutes = forms.IntegerField(
        label=_("Minutes you gave (your volunteer service hours)"),
        min_value=1,
        max_value=SERVICE_MINUTES_MAX,
        required=False,
    )

    def __init__(self, *args: object, volunteer: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        # Only volunteers' time counts as service hours; staff visit as part of their job.
        if not volunteer:
            del self.fields["minutes"]

    def clean_date(self) -> datetime.date:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("A visit cannot be dated in the future."))
        check_record_date(date)
        return date

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("concern_category") or data.get("suspected_abuse")) and not (
            data.get("concern_description") or ""
        ).strip():
            self.add_error("concern_description", _("Describe what you found."))
        return data


class PairingForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("Volunteer"), queryset=Volunteer.objects.none())
    is_primary = forms.BooleanField(label=_("Primary pairing"), required=False, initial=True)
    started_on = forms.DateField(label=_("Start date"), widget=DATE_INPUT)

    def __init__(self, *args: object, user: User, child: CaseChild, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = (
            Volunteer.objects.visible_to(user)
            .filter(community=child.community, active=True)
            .select_related("user", "team")
        )
        self.fields["started_on"].initial = timezone.localdate()

    def clean_started_on(self) -> datetime.date:
        day = self.cleaned_data["started_on"]
        check_record_date(day)
        return day


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class RiskForm(forms.Form):
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    risk_reason = forms.CharField(label=_("Reason for the risk level"), widget=forms.Textarea)


class ReportForm(forms.Form):
    reference = forms.CharField(label=_("Report reference number"), max_length=100)


class OutreachForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Where"), queryset=Region.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=OutreachKind.choices)
    title = forms.CharField(label=_("Title"), max_length=150)
    organiser = forms.ChoiceField(label=_("Organiser"), choices=Organiser.choices)
    school = forms.CharField(label=_("School"), max_length=100)
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    attendance = forms.IntegerField(
        label=pgettext_lazy("outreach", "Attendance"), min_value=0, max_value=100000
    )
    materials = forms.CharField(label=_("Materials"), widget=forms.Textarea, required=False)
    volunteers = forms.ModelMultipleChoiceField(
        label=_("Volunteers who helped"),
        queryset=Volunteer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    minutes_each = forms.IntegerField(
        label=_("Minutes each volunteer gave"),
        min_value=1,
        max_value=SERVICE_MINUTES_MAX,
        required=False,
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].queryset = (
            Volunteer.objects.visible_to(user).filter(active=True).select_related("user")
        )
        # The same rule as outreach_create's: administrators anywhere, staff in their regions.
        regions = Region.objects.all()
        if not user.is_portal_admin:
            regions = regions.filter(path_prefix_q("path", user.region_paths(Role.COMMUNITY_STAFF)))
        self.fields["region"].queryset = regions

    def clean_date(self) -> datetime.date:
        day = self.cleaned_data["date"]
        check_record_date(day)
        return day

    def clean(self) -> dict:
        data = super().clean()
        if data.get("volunteers") and not data.get("minutes_each"):
            self.add_error("minutes_each", _("Give the minutes each volunteer gave."))
        return data


class RegistryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All"))] + CaseChild.Status.choices,
        required=False,
    )
    risk = forms.ChoiceField(
        label=_("Risk level"), choices=[("", _("All"))] + RiskLevel.choices, required=False
    )
    overdue = forms.BooleanField(label=_("Visit overdue"), required=False)
    review = forms.BooleanField(label=_("Risk review needed"), required=False)
    q = forms.CharField(label=_("Name"), max_length=50, required=False)


class HoursConfirmForm(forms.Form):
    hours = forms.ModelMultipleChoiceField(
        label=_("Hours to confirm"), queryset=ServiceHours.objects.none()
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hours"].queryset = ServiceHours.objects.confirmable_by(user).unconfirmed()


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
