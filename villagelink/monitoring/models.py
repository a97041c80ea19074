"""Daily facts: what the counted orders of each day add up to, kept for every unit at every level.

A fact row holds, for one unit (by path: region, prefecture, county, township and village alike), one day and
one kind/channel/category, the number and value of the orders that count (see `facts.COUNTED`), the savings and
service fees recorded on assisted purchases, and the e-commerce income of registered-poor households. The
services that change orders keep the rows up to date in the same transaction; `villagelink rebuild-facts`
recomputes them from the records. A unit's figures for a period are one indexed range over its own rows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Measures(models.Model):
    kind = models.CharField(_("kind"), max_length=10)
    channel = models.CharField(_("channel"), max_length=12)
    category = models.CharField(_("category"), max_length=20, blank=True)
    orders = models.BigIntegerField(_("orders"), default=0)
    amount_fen = models.BigIntegerField(_("amount (fen)"), default=0)
    savings_fen = models.BigIntegerField(_("savings (fen)"), default=0)
    service_fees_fen = models.BigIntegerField(_("service fees (fen)"), default=0)
    income_fen = models.BigIntegerField(_("income of poor households (fen)"), default=0)

    class Meta:
        abstract = True


class Fact(Measures):
    path = models.CharField(_("unit path"), max_length=12)
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("daily fact")
        verbose_name_plural = _("daily facts")
        constraints = [
            # Also the index every dashboard query uses: a unit's rows over a range of days.
            models.UniqueConstraint(
                fields=["path", "day", "kind", "channel", "category"], name="monitoring_fact_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.day} {self.kind} {self.channel} {self.category}"


class MonthlyFact(Measures):
    """The same sums per calendar month (`month` is its first day): a period's whole months are read from
    here, only the days at its edges from `Fact`."""

    path = models.CharField(_("unit path"), max_length=12)
    month = models.DateField(_("month"))

    class Meta:
        verbose_name = _("monthly fact")
        verbose_name_plural = _("monthly facts")
        constraints = [
            models.UniqueConstraint(
                fields=["path", "month", "kind", "channel", "category"], name="monitoring_monthlyfact_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.month:%Y-%m} {self.kind} {self.channel} {self.category}"


class Approval(models.Model):
    """An officer's approval of a unit's figures for a month. While it stands (not withdrawn), anything that
    would change those figures is refused; withdrawing it is recorded here and in the audit trail."""

    unit = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="approvals"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month approved."))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason for withdrawing"), max_length=300, blank=True)

    scope_path_lookup = "unit__path"

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["-month", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="monitoring_approval_one_standing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m}"

    def get_additional_data(self) -> dict:
        return {"unit_path": self.unit.path}
