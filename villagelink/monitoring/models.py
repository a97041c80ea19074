"""The dashboard reads the facts kept beside the orders (`orders.models.Fact`, `MonthlyFact`), the approvals
(`approvals`) and the domain apps' records. Its one table of its own holds the officers' yearly targets."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .indicators import BY_NAME, Measure

# The indicators an officer may set a yearly target for: the programme's amounts, counts and coverage.
TARGETED = (
    "online_sales",
    "online_purchases",
    "poor_household_income",
    "assistance_events",
    "households_assisted",
    "online_shops",
    "village_points",
    "township_coverage",
    "village_coverage",
    "poor_village_coverage",
)


class TargetKind(models.TextChoices):
    LEVEL = "level", _("A level to reach")
    GROWTH = "growth", _("Growth on a year before (%)")


class Target(models.Model):
    """A yearly target an officer sets for one indicator of a region, prefecture or county: a level to reach,
    in the indicator's own terms (yuan, a count, or a percentage), or for an amount or a count a growth on the
    same span of the year before, in percent. A target for a share (coverage) or a growth passes down to the
    prefectures and counties below that set none of their own; a level for an amount or a count does not (a
    county cannot have the region's total)."""

    unit = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="targets"
    )
    indicator = models.CharField(
        _("indicator"), max_length=40, choices=[(name, BY_NAME[name].label) for name in TARGETED]
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(
        _("kind of target"), max_length=10, choices=TargetKind.choices, default=TargetKind.LEVEL
    )
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["unit", "indicator", "year"], name="monitoring_target_once"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="monitoring_target_not_negative"),
            models.CheckConstraint(
                condition=models.Q(kind__in=TargetKind.values), name="monitoring_target_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.indicator}"

    @property
    def measure(self) -> Measure:
        return BY_NAME[self.indicator].measure

    @property
    def passes_down(self) -> bool:
        """Whether the units below that set none of their own take it (a share, or a growth rate)."""
        return self.kind == TargetKind.GROWTH or self.measure == Measure.SHARE

    def get_additional_data(self) -> dict:
        return {"unit_path": self.unit.path}  # the audit trail's place in the hierarchy
