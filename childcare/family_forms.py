"""Forms for photos, messages, announcements, absences and incidents: shape only; the
services decide. Choices of children, classes and strands come from scoped QuerySets."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from childcare.models import Absence, CareClass, Child, CourseStrand, Incident, Station
from communities.validators import check_record_date, check_record_moment

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what the browser reads
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ChildChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args: object, no_photos: set[int] | None = None, **kwargs: object) -> None:
        self.no_photos = no_photos or set()
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Child) -> str:
        if obj.pk in self.no_photos:
            return f"{obj.name} ({_('no photos')})"
        return obj.name


class PhotoForm(forms.Form):
    image = forms.ImageField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    children = ChildChoiceField(
        label=_("Children in the photo"),
        queryset=Child.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    strand = forms.ModelChoiceField(
        label=_("Activity (course strand)"), queryset=CourseStrand.objects.none(), required=False
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def __init__(
        self,
        *args: object,
        station: Station,
        children: object,
        no_photos: set[int],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = children
        self.fields["children"].no_photos = no_photos
        self.fields["strand"].queryset = station.strands.all()


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.ImageField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


class AnnouncementForm(forms.Form):
    text = forms.CharField(
        label=_("Announcement"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    care_class = forms.ModelChoiceField(
        label=_("Class"),
        queryset=CareClass.objects.none(),
        required=False,
        empty_label=_("Every family of the station"),
    )
    urgent = forms.BooleanField(label=_("Urgent: also send by SMS"), required=False)

    def __init__(self, *args: object, station: Station, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["care_class"].queryset = station.classes.all()


class AbsenceForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("Until (inclusive)"), widget=DATE)
    reason = forms.ChoiceField(label=_("Reason"), choices=Absence.Reason.choices)
    note = forms.CharField(label=pgettext_lazy("childcare", "Note"), max_length=200, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        tomorrow = timezone.localdate() + timezone.timedelta(days=1)
        self.fields["start"].initial = tomorrow
        self.fields["end"].initial = tomorrow

    def clean_start(self) -> datetime.date:
        day = self.cleaned_data["start"]
        check_record_date(day)
        return day


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Incident.Kind.choices)
    occurred_at = forms.DateTimeField(
        label=_("When"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    what = forms.CharField(
        label=_("What happened"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    first_aid = forms.CharField(
        label=_("First aid given"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    told = forms.CharField(label=_("Who was told"), max_length=200, required=False)
    serious = forms.BooleanField(
        label=_("Serious: also report to the community's staff"), required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean_occurred_at(self) -> datetime.datetime:
        moment = self.cleaned_data["occurred_at"]
        check_record_moment(moment)
        return moment
