"""The programme's indicators: each one's name (as used in the API and exports), label and one definition."""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from villagelink.core.money import fen_to_yuan


class Measure(StrEnum):
    COUNT = "count"
    YUAN = "yuan"  # held as integer fen
    SHARE = "share"  # a fraction between 0 and 1, or None where there is nothing to divide by


@dataclass(frozen=True)
class Indicator:
    name: str
    label: Promise
    definition: Promise
    measure: Measure
    # A unit's figure is the sum of its children's (site and shop counts, trade); distinct counts and shares
    # are not.
    additive: bool = True


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "online_sales",
        _("Online sales"),
        _(
            "Value of the unit's completed online sales in the period, after refunds: storefront orders and "
            "sales made at service points count on the day they completed; orders reported by an external "
            "platform count from the day they were placed once the platform reports them paid. Cancelled, "
            "refunded and reversed orders do not count."
        ),
        Measure.YUAN,
    ),
    Indicator(
        "online_sales_orders",
        _("Online sales orders"),
        _("Number of the orders counted in online sales."),
        Measure.COUNT,
    ),
    Indicator(
        "online_purchases",
        _("Online purchases"),
        _(
            "Value of goods bought online for the unit's villages in the period (assisted purchases at "
            "service points, completed), after refunds."
        ),
        Measure.YUAN,
    ),
    Indicator(
        "online_purchases_orders",
        _("Online purchases orders"),
        _("Number of the orders counted in online purchases."),
        Measure.COUNT,
    ),
    Indicator(
        "purchase_savings",
        _("Savings on assisted purchases"),
        _(
            "For assisted purchases where the operator recorded the local shop price of the same goods: that "
            "price less the amount paid online, summed over the period."
        ),
        Measure.YUAN,
    ),
    Indicator(
        "poor_household_income",
        _("E-commerce income of poor households"),
        _(
            "Completed sales of shops of households registered poor that year, or of cooperatives and "
            "enterprises linked to them (shared equally among the poor households linked), in the period."
        ),
        Measure.YUAN,
    ),
    Indicator(
        "assistance_events",
        _("Acts of assistance"),
        _(
            "Entries in the assistance ledger dated in the period for households of the unit; a reversal "
            "cancels the entry it corrects."
        ),
        Measure.COUNT,
    ),
    Indicator(
        "households_assisted",
        _("Households assisted"),
        _("Distinct households with at least one act of assistance (net of reversals) in the period."),
        Measure.COUNT,
        additive=False,
    ),
    Indicator(
        "online_shops",
        _("Online shops"),
        _("Shops of the unit's households, cooperatives and enterprises open at the end of the period."),
        Measure.COUNT,
    ),
    Indicator(
        "county_centres",
        _("County centres"),
        _("County e-commerce public service centres open at the end of the period."),
        Measure.COUNT,
    ),
    Indicator(
        "township_stations",
        _("Township stations"),
        _("Township service stations open at the end of the period."),
        Measure.COUNT,
    ),
    Indicator(
        "village_points",
        _("Village points"),
        _("Village service points open at the end of the period."),
        Measure.COUNT,
    ),
    Indicator(
        "township_coverage",
        _("Township coverage"),
        _("Share of the unit's townships with a township station open at the end of the period."),
        Measure.SHARE,
        additive=False,
    ),
    Indicator(
        "village_coverage",
        _("Village coverage"),
        _("Share of the unit's villages with a village point open at the end of the period."),
        Measure.SHARE,
        additive=False,
    ),
    Indicator(
        "demonstration_counties",
        _("Demonstration counties"),
        _(
            "Counties designated national e-commerce demonstration counties in or before the year the "
            "period ends."
        ),
        Measure.COUNT,
    ),
)

BY_NAME = {indicator.name: indicator for indicator in INDICATORS}


def exported(values: dict) -> dict:
    """Values as the API and `villagelink kpis --json` give them: money as yuan strings with two decimals,
    shares as numbers rounded to four places (None where there is nothing to divide by), counts as integers."""
    out = {}
    for indicator in INDICATORS:
        value = values[indicator.name]
        if indicator.measure == Measure.YUAN:
            out[indicator.name] = fen_to_yuan(value)
        elif indicator.measure == Measure.SHARE:
            out[indicator.name] = None if value is None else round(value, 4)
        else:
            out[indicator.name] = value
    return out


def kpi_heading(unit, period) -> dict:
    """The unit and the period an answer of the API is about."""
    return {
        "unit": {"code": unit.code, "name": unit.name, "level": unit.level},
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


def kpi_document(unit, period, values: dict) -> dict:
    """The unit, the period and every indicator by name: the API's and the CLI's answer."""
    return {**kpi_heading(unit, period), **exported(values)}
