"""Fees and subsidies of childcare stations: price lists, monthly statements, payments.

The "community shared partner" (社区共享伙伴) model: the operator commits to an inclusive
(普惠) price ceiling, the district pays subsidies per child, and families pay the rest. Money is
`Decimal` yuan with fen (billing/rules.py has the rounding rule).

An issued statement never changes (database triggers refuse it); a correction is an
`Adjustment`, carried as a line onto the child's next statement.
"""

from __future__ import annotations

import pgtrigger
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from billing import rules
from childcare.models import Child, managed_station_q
from portal.accounts.models import User

ZERO = models.Value(0, output_field=models.DecimalField(max_digits=10, decimal_places=2))


def money_field(label: object, **kwargs: object) -> models.DecimalField:
    """Yuan with fen: up to 99,999,999.99."""
    return models.DecimalField(label, max_digits=10, decimal_places=2, **kwargs)


class SubsidyCategory(models.Model):
    """A kind of subsidy the district pays per child per month ("every child", "second or
    third child", "low-income household", "child in distress"...). Data, not code: the
    amounts are on each station's price list, eligibility is a `SubsidyGrant` (unless the
    category is for every child)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(pgettext_lazy("subsidy", "name"), max_length=60)
    name_en = models.CharField(_("name in English"), max_length=60, blank=True)
    for_every_child = models.BooleanField(
        _("for every enrolled child"),
        default=False,
        help_text=_("Otherwise only for children granted this subsidy."),
    )

    class Meta:
        verbose_name = _("subsidy category")
        verbose_name_plural = _("subsidy categories")
        ordering = ["-for_every_child", "name"]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class PriceListQuerySet(models.QuerySet):
    def managed_by(self, user: User) -> PriceListQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(managed_station_q(user, "station__"))

    def in_force(self, station_id: int, month: object) -> PriceList | None:
        """The station's price list for `month`: the latest that starts on or before it."""
        return (
            self.filter(station_id=station_id, valid_from__lte=month)
            .order_by("-valid_from")
            .prefetch_related("subsidies__category")
            .first()
        )


class PriceList(models.Model):
    """A station's prices from a month on, until the next price list."""

    station = models.ForeignKey(
        "childcare.Station",
        on_delete=models.CASCADE,
        related_name="price_lists",
        verbose_name=_("station"),
    )
    valid_from = models.DateField(_("from the month of"))
    monthly_price = money_field(
        _("full-time place per month (yuan)"), validators=[MinValueValidator(0)]
    )
    half_day_price = money_field(
        _("half-day session (yuan)"), default=0, validators=[MinValueValidator(0)]
    )
    drop_in_price = money_field(
        _("drop-in session (yuan)"), default=0, validators=[MinValueValidator(0)]
    )
    inclusive_ceiling = money_field(
        _("inclusive price ceiling per month (yuan)"),
        validators=[MinValueValidator(0)],
        help_text=_(
            "The highest monthly price the station committed to as an inclusive (普惠) provider."
        ),
    )
    absence_free_days = models.PositiveSmallIntegerField(
        _("absent days charged before refunds start"),
        default=rules.DEFAULT_ABSENCE_FREE_DAYS,
        help_text=_(
            "Weekdays a month that a family reports absent in advance are charged up to this "
            "number; each further day is refunded at the month's daily rate."
        ),
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    created = models.DateTimeField(_("set at"), auto_now_add=True)

    objects = PriceListQuerySet.as_manager()

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["station", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "valid_from"], name="billing_pricelist_one_per_month"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__day=1), name="billing_pricelist_starts_on_month"
            ),
            models.CheckConstraint(
                condition=Q(monthly_price__gte=0, half_day_price__gte=0, drop_in_price__gte=0),
                name="billing_pricelist_prices_gte_0",
            ),
            # The inclusive-price commitment: a full-time place never costs more than the
            # ceiling (backstop of price_list_create, which says why it refuses).
            models.CheckConstraint(
                condition=Q(monthly_price__lte=F("inclusive_ceiling")),
                name="billing_pricelist_price_within_ceiling",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.valid_from:%Y-%m}"


class PriceListSubsidy(models.Model):
    """How much of a subsidy category the station's families get, per child per month."""

    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="subsidies", verbose_name=_("price list")
    )
    category = models.ForeignKey(
        SubsidyCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("subsidy")
    )
    monthly_amount = money_field(_("per child per month (yuan)"), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("subsidy on a price list")
        verbose_name_plural = _("subsidies on a price list")
        ordering = ["price_list", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "category"], name="billing_pricelistsubsidy_unique"
            ),
            models.CheckConstraint(
                condition=Q(monthly_amount__gte=0), name="billing_pricelistsubsidy_amount_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.monthly_amount}"


class SubsidyGrantQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> SubsidyGrantQuerySet:
        """Guardians see their children's grants; staff those of children at their stations."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(
            Q(child__in=Child.objects.of_guardian(user))
            | Q(child__in=Child.objects.visible_to(user))
        )

    def covering(self, first: object, last: object) -> SubsidyGrantQuerySet:
        """Grants in force on any day from `first` to `last`."""
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first)).filter(
            valid_from__lte=last
        )


class SubsidyGrant(models.Model):
    """A child's eligibility for a subsidy category (low-income household, second child...),
    recorded by staff who saw the evidence."""

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="subsidy_grants", verbose_name=_("child")
    )
    category = models.ForeignKey(
        SubsidyCategory, on_delete=models.PROTECT, related_name="grants", verbose_name=_("subsidy")
    )
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until (inclusive)"), null=True, blank=True)
    note = models.CharField(_("evidence seen"), max_length=200, blank=True)
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by")
    )
    created = models.DateTimeField(_("granted at"), auto_now_add=True)

    objects = SubsidyGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("subsidy grant")
        verbose_name_plural = _("subsidy grants")
        ordering = ["child", "category", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="billing_subsidygrant_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.category}"


class StatementQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> StatementQuerySet:
        """Guardians see their children's statements; staff those of the stations they run
        or oversee. Officials see none: they see sums on the dashboards."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(
            Q(child__in=Child.objects.of_guardian(user)) | managed_station_q(user, "station__")
        )

    def with_paid(self) -> StatementQuerySet:
        """`paid`: the sum of the statement's payments; `balance`: what is still owed."""
        paid = Coalesce(Sum("payments__amount"), ZERO)
        return self.annotate(paid=paid, balance=F("total") - paid)

    def for_month(self, month: object) -> StatementQuerySet:
        return self.filter(month=month)


class Statement(models.Model):
    """What a family owes a station for one child and one month. Issued once, never edited."""

    station = models.ForeignKey(
        "childcare.Station",
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name=_("station"),
    )
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="statements", verbose_name=_("child")
    )
    month = models.DateField(_("month"))
    price_list = models.ForeignKey(
        PriceList, on_delete=models.PROTECT, related_name="+", verbose_name=_("price list")
    )
    # Copied from the price list and the month, so that the district's sums need no join and
    # a later price list does not change what an issued statement says.
    monthly_price = money_field(_("full-time place per month (yuan)"))
    inclusive_ceiling = money_field(_("inclusive price ceiling per month (yuan)"))
    billable_days = models.PositiveSmallIntegerField(_("billable days in the month"))
    enrolled_days = models.PositiveSmallIntegerField(_("billable days enrolled"))
    subsidy_total = money_field(_("subsidies (yuan)"))
    total = money_field(_("amount due (yuan)"))
    due_on = models.DateField(_("due on"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    # The one field that changes after issue: set once, when the family is reminded.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["-month", "station", "child"]
        constraints = [
            # The month-end job may run twice (a retry, a second beat): one statement stays.
            models.UniqueConstraint(
                fields=["station", "child", "month"], name="billing_statement_one_per_month"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="billing_statement_month_is_first_day"
            ),
            models.CheckConstraint(
                condition=Q(enrolled_days__lte=F("billable_days")),
                name="billing_statement_enrolled_within_month",
            ),
            models.CheckConstraint(
                condition=Q(subsidy_total__gte=0), name="billing_statement_subsidy_gte_0"
            ),
        ]
        triggers = [
            pgtrigger.ReadOnly(name="billing_statement_issued", exclude=["reminded_at"]),
            pgtrigger.Protect(name="billing_statement_kept", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.station} · {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("billing:statement_detail", args=[self.pk])


class LineKind(models.TextChoices):
    PLACE = "place", _("Full-time place")
    ABSENCE = "absence", _("Refund for days reported absent")
    HALF_DAY = "half_day", _("Half-day sessions")
    DROP_IN = "drop_in", _("Drop-in sessions")
    SUBSIDY = "subsidy", _("Subsidy")
    ADJUSTMENT = "adjustment", _("Adjustment")


class StatementLine(models.Model):
    Kind = LineKind

    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="lines", verbose_name=_("statement")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=12, choices=LineKind.choices)
    # Days or sessions; for a subsidy or an adjustment, 1.
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    # Per day or per session where the line has one (the daily rate is not rounded, so it is
    # shown, not stored: the amount is what counts).
    unit_price = money_field(_("unit price (yuan)"), null=True, blank=True)
    amount = money_field(_("amount (yuan)"))
    # The subsidy category's name or the adjustment's reason, as they were when issued.
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "position"], name="billing_statementline_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["place", "absence", "half_day", "drop_in", "subsidy", "adjustment"]
                ),
                name="billing_statementline_kind_valid",
            ),
            # Charges are positive, refunds and subsidies negative; an adjustment either way.
            models.CheckConstraint(
                condition=Q(kind__in=["place", "half_day", "drop_in"], amount__gte=0)
                | Q(kind__in=["absence", "subsidy"], amount__lte=0)
                | Q(kind="adjustment"),
                name="billing_statementline_sign_by_kind",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="billing_statementline_issued",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class AdjustmentQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> AdjustmentQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(
            Q(child__in=Child.objects.of_guardian(user)) | managed_station_q(user, "station__")
        )

    def pending(self) -> AdjustmentQuerySet:
        """Not yet carried onto a statement."""
        return self.filter(statement__isnull=True)


class Adjustment(models.Model):
    """A correction of an issued statement: a charge (positive) or a credit (negative),
    carried as a line onto the child's next statement at the station."""

    station = models.ForeignKey(
        "childcare.Station",
        on_delete=models.PROTECT,
        related_name="adjustments",
        verbose_name=_("station"),
    )
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("child")
    )
    corrects = models.ForeignKey(
        Statement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects the statement"),
    )
    amount = money_field(_("amount (yuan)"), help_text=_("Negative for a credit."))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created = models.DateTimeField(_("at"), auto_now_add=True)
    statement = models.ForeignKey(
        Statement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adjustments",
        verbose_name=_("carried onto"),
    )

    objects = AdjustmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["created", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="billing_adjustment_not_zero"),
            models.CheckConstraint(condition=~Q(reason=""), name="billing_adjustment_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.amount} · {self.reason}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")


class PaymentQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> PaymentQuerySet:
        return self.filter(statement__in=Statement.objects.visible_to(user))


class Payment(models.Model):
    """Money a family paid against a statement, recorded by station staff (no gateway: the
    reference of a transfer or a WeChat/Alipay payment is kept as text)."""

    Method = PaymentMethod

    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="payments", verbose_name=_("statement")
    )
    amount = money_field(_("amount (yuan)"))
    method = models.CharField(_("paid by"), max_length=10, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_payment_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(method__in=["cash", "transfer", "wechat", "alipay"]),
                name="billing_payment_method_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement} · {self.amount}"
