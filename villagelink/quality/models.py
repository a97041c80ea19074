"""Data-quality flags: what a check found suspicious in the orders (brushing, 刷单, and numbers that cannot be
right), with its rule, its evidence and the orders it covers, and what an officer decided about it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from villagelink.catalog.models import Platform
from villagelink.core.numbers import yuan_text


class Rule(models.TextChoices):
    OUTSIZED = "outsized", _("Orders far above the shop's usual amount")
    SPIKE = "spike", _("A day's sales far outside the shop's own history")
    SAME_NUMBER = "same_number", _("One order number reported twice")
    TWIN_SALE = "twin_sale", _("A desk sale and an imported order that are the same sale")
    REPEAT_BUYER = "repeat_buyer", _("One buyer ordering from a shop again and again")
    PRICE_MISMATCH = "price_mismatch", _("An amount that does not fit the quantity and the price")
    LATE_REFUND = "late_refund", _("Orders refunded after the month's figures were reported or approved")
    MONTHLY_JUMP = "monthly_jump", _("A unit's month growing far faster than the units beside it")


class FlagStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("flag", "Open")
    CONFIRMED = "confirmed", _("Confirmed: the orders no longer count")
    DISMISSED = "dismissed", _("Dismissed")


class Flag(models.Model):
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    # The village (or other unit) whose figures the orders count in; a flag is reviewed within its scope.
    unit = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="quality_flags"
    )
    shop = models.ForeignKey(
        "catalog.Shop",
        verbose_name=_("shop"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month the orders count in."))
    # What the rule measured, by name (amounts in fen): the figures the reviewer sees beside the orders.
    evidence = models.JSONField(_("evidence"), default=dict)
    orders = models.ManyToManyField("orders.Order", related_name="quality_flags", verbose_name=_("orders"))
    amount_fen = models.BigIntegerField(_("amount (fen)"), default=0)
    # The rule and the orders it covers: the same evidence never flags twice, even once dismissed.
    fingerprint = models.CharField(max_length=64, unique=True, editable=False)
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    scope_path_lookup = "unit__path"

    class Meta:
        verbose_name = _("data-quality flag")
        verbose_name_plural = _("data-quality flags")
        ordering = ["-month", "unit__path", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rule__in=Rule.values), name="quality_flag_rule_valid"),
            models.CheckConstraint(
                condition=models.Q(status__in=FlagStatus.values), name="quality_flag_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status=FlagStatus.OPEN) | ~models.Q(reason=""),
                name="quality_flag_review_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "month"])]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} · {self.month:%Y-%m}"

    def get_additional_data(self) -> dict:
        return {"unit_path": self.unit.path}


# What each figure of a flag's evidence is, for the reviewer (amounts in fen end in "_fen").
EVIDENCE_LABELS = {
    "median_fen": _("The shop's median order before"),
    "factor": _("Times the usual it must reach"),
    "threshold_fen": _("Threshold passed"),
    "amounts_fen": _("Amounts flagged"),
    "day": _("Day"),
    "spread_fen": _("The usual spread of a day's sales (robust)"),
    "season": _("In a sales season (Losar, 618, Double 11)"),
    "number": _("Order number on the platform"),
    "platforms": _("Reported on"),
    "first_order": _("First reported as order (id)"),
    "reported_order": _("The platform's report of the same sale (order id)"),
    "reported_on": _("Reported for the day"),
    "orders": _("Orders"),
    "window_days": _("Within days"),
    "least": _("Orders that make a flag"),
    "first_day": _("First day"),
    "last_day": _("Last day"),
    "item": _("Item"),
    "quantity": _("Quantity"),
    "price_fen": _("The product's price"),
    "expected_fen": _("Quantity × price"),
    "paid_fen": _("Paid"),
    "due": _("Figures due by"),
    "share": _("Share of the shop's sales of the month"),
    "month_fen": _("Sales of the month"),
    "year_before_fen": _("Sales of the same month a year before"),
    "growth": _("Growth against the same month a year before"),
    "usual_growth": _("The growth of the other units beside it"),
}


def evidence_shown(evidence: dict) -> list[tuple[str, str]]:
    """A flag's evidence as the reviewer reads it: each figure by its name, amounts in yuan, yes or no."""
    shown = []
    for name, value in evidence.items():
        if name.endswith("_fen"):
            values = value if isinstance(value, list) else [value]
            text = ", ".join(f"¥{yuan_text(int(v))}" for v in values)
        elif isinstance(value, bool):
            text = gettext_now("yes") if value else gettext_now("no")
        elif name == "platforms":
            text = ", ".join(str(Platform(v).label) if v in Platform.values else str(v) for v in value)
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        else:
            text = str(value)
        shown.append((str(EVIDENCE_LABELS.get(name, name)), text))
    return shown
