"""Forms of the fees pages. They check the shape of the input; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from billing import rules
from billing.models import PaymentMethod, Statement, SubsidyCategory
from childcare.models import Child

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what the browser reads
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


def money(label: object, **kwargs: object) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=10, decimal_places=2, min_value=Decimal("0"), **kwargs
    )


class PriceListForm(forms.Form):
    valid_from = forms.DateField(
        label=_("From the month of"), widget=MONTH, input_formats=["%Y-%m", "%Y-%m-%d"]
    )
    monthly_price = money(_("Full-time place per month (yuan)"))
    inclusive_ceiling = money(
        _("Inclusive price ceiling per month (yuan)"),
        help_text=_(
            "The highest monthly price the station committed to as an inclusive (普惠) provider."
        ),
    )
    half_day_price = money(_("Half-day session (yuan)"), initial=Decimal("0"))
    drop_in_price = money(_("Drop-in session (yuan)"), initial=Decimal("0"))
    absence_free_days = forms.IntegerField(
        label=_("Absent days charged before refunds start"),
        min_value=0,
        max_value=23,
        initial=rules.DEFAULT_ABSENCE_FREE_DAYS,
        help_text=_(
            "Weekdays a month that a family reports absent in advance are charged up to this "
            "number; each further day is refunded at the month's daily rate."
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.categories = list(SubsidyCategory.objects.all())
        for category in self.categories:
            self.fields[f"subsidy_{category.pk}"] = money(
                _("Subsidy: %(name)s (yuan per child per month)") % {"name": category},
                required=False,
                initial=Decimal("0"),
            )

    def subsidies(self) -> dict[SubsidyCategory, Decimal]:
        return {
            category: self.cleaned_data.get(f"subsidy_{category.pk}") or Decimal("0")
            for category in self.categories
        }


class PaymentForm(forms.Form):
    amount = money(_("Amount paid (yuan)"))
    method = forms.ChoiceField(label=_("Paid by"), choices=PaymentMethod.choices)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("The transfer's or the WeChat/Alipay payment's number; not needed for cash."),
    )


class ChildOfStationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Child) -> str:
        return obj.name


class AdjustmentForm(forms.Form):
    child = ChildOfStationField(label=_("Child"), queryset=Child.objects.none())
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        max_digits=10,
        decimal_places=2,
        help_text=_("Positive charges the family, negative credits them."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
    corrects = forms.ModelChoiceField(
        label=_("Corrects the statement"), queryset=Statement.objects.none(), required=False
    )

    def __init__(
        self, *args: object, children: object, statements: object, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children
        self.fields["corrects"].queryset = statements


class GrantForm(forms.Form):
    child = ChildOfStationField(label=_("Child"), queryset=Child.objects.none())
    category = forms.ModelChoiceField(
        label=_("Subsidy"), queryset=SubsidyCategory.objects.filter(for_every_child=False)
    )
    valid_from = forms.DateField(label=_("From"), widget=DATE)
    valid_until = forms.DateField(label=_("Until (inclusive)"), widget=DATE, required=False)
    note = forms.CharField(
        label=_("Evidence seen"),
        max_length=200,
        required=False,
        help_text=_("e.g. household register, low-income certificate (no ID numbers)."),
    )

    def __init__(self, *args: object, children: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children
