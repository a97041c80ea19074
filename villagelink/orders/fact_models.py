"""The daily and monthly facts: what the counted orders add up to, per unit, day or month, kind, channel and
category (kept in step by `facts`). Defined here, exported by `models`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Daily facts: what the counted orders of each day add up to, kept for every unit at every level.
#
# A fact row holds, for one unit (by path: region, prefecture, county, township and village alike), one day and
# one kind/channel/category, the number and value of the orders that count (see `facts.COUNTED`), the savings and
# service fees recorded on assisted purchases, and the e-commerce income of registered-poor households. The
# services that change orders keep the rows up to date in the same transaction; `villagelink rebuild-facts`
# recomputes them from the records. A unit's figures for a period are one indexed range over its own rows.


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
