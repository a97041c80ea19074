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
    DAYS = "days"  # an average number of days, or None where there is nothing to average


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
        "farm_product_sales",
        _("Online sales of farm products"),
        _(
            "The online sales of meat, dairy, grain, medicinal herbs and fungi, and tea and drinks, apart from "
            "handicrafts and other goods: the figure of agricultural products sold online (农产品网络零售额) "
            "that the 2019 notice of the Ministry of Finance, the Ministry of Commerce and the Poverty "
            "Alleviation Office on the rural e-commerce demonstration asks to grow. An order counts under the "
            "category of its goods as recorded at the desk, of its largest line on the storefront, and for a "
            "platform's report as its title names them; an order whose title names no known goods is not "
            "counted here."
        ),
        Measure.YUAN,
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
        "income_per_poor_household",
        _("E-commerce income per poor household"),
        _(
            "E-commerce income of poor households in the period divided by the households registered poor at "
            "its end; none where there are none."
        ),
        Measure.YUAN,
        additive=False,
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
        "poor_households",
        _("Poor households"),
        _(
            "Households of the unit's villages registered poor (建档立卡贫困户) at the end of the period: "
            "registered in or before the period's last year and not yet out of poverty in it. With the poor "
            "counties and villages, they are the focus of the guiding opinion on e-commerce for targeted "
            "poverty alleviation (国开办发〔2016〕40号)."
        ),
        Measure.COUNT,
    ),
    Indicator(
        "poor_households_assisted",
        _("Poor households assisted"),
        _(
            "Households registered poor at the end of the period with at least one act of assistance (net of "
            "reversals) in the period."
        ),
        Measure.COUNT,
        additive=False,
    ),
    Indicator(
        "poor_households_assisted_share",
        _("Share of poor households assisted"),
        _("Poor households assisted as a share of the households registered poor at the end of the period."),
        Measure.SHARE,
        additive=False,
    ),
    Indicator(
        "training_sessions",
        _("Training sessions"),
        _(
            "E-commerce training sessions held at the unit's service sites in the period, as the "
            "demonstration counties' evaluations count training."
        ),
        Measure.COUNT,
    ),
    Indicator(
        "training_person_times",
        _("Training person-times"),
        _(
            "Attendances at training by households of the unit in the period (人次): entries of the kind "
            "“training” in the assistance ledger, net of reversals."
        ),
        Measure.COUNT,
    ),
    Indicator(
        "online_shops",
        _("Online shops"),
        _("Shops of the unit's households, cooperatives and enterprises open at the end of the period."),
        Measure.COUNT,
    ),
    Indicator(
        "household_shops",
        _("Shops of households"),
        _("Online shops owned by households, open at the end of the period."),
        Measure.COUNT,
    ),
    Indicator(
        "cooperative_shops",
        _("Shops of cooperatives"),
        _("Online shops owned by cooperatives, open at the end of the period."),
        Measure.COUNT,
    ),
    Indicator(
        "enterprise_shops",
        _("Shops of enterprises"),
        _("Online shops owned by enterprises, open at the end of the period."),
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
        "poor_villages",
        _("Poor villages"),
        _("Villages registered poor (贫困村) at the end of the period and not yet out of poverty."),
        Measure.COUNT,
    ),
    Indicator(
        "poor_village_coverage",
        _("Poor village coverage"),
        _(
            "Share of the unit's poor villages with a village point open at the end of the period. The guiding "
            "opinion on e-commerce for targeted poverty alleviation (国开办发〔2016〕40号) set e-commerce points "
            "in about half of the poor villages by 2020."
        ),
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
    Indicator(
        "parcels",
        _("Parcels"),
        _(
            "Parcels sent and received at the unit's service sites and recorded at their desks, dated in the "
            "period: the rural logistics the demonstration programme builds."
        ),
        Measure.COUNT,
    ),
    Indicator(
        "parcel_cost",
        _("Cost per parcel"),
        _(
            "Average delivery cost of the period's parcels whose cost was recorded at the desk; none where no "
            "cost was recorded."
        ),
        Measure.YUAN,
        additive=False,
    ),
    Indicator(
        "pickup_days",
        _("Days to pick-up"),
        _(
            "Average days from a received parcel's arrival at a service site to its pick-up, over the parcels "
            "picked up in the period."
        ),
        Measure.DAYS,
        additive=False,
    ),
)

# The sums the averages and shares above are worked out from: kept beside the figures so that figures that add
# up (a nation's, of its regions) give their averages too (`derive`).
PARTS = (
    "_parcel_cost_fen",
    "_parcels_costed",
    "_pickup_days",
    "_parcels_picked_up",
    "_poor_villages_covered",
)


def derive(values: dict) -> None:
    """Works out the averages and shares of `values` from its sums (and `PARTS`), in place."""
    poor = values["poor_households"]
    values["poor_households_assisted_share"] = values["poor_households_assisted"] / poor if poor else None
    values["income_per_poor_household"] = round(values["poor_household_income"] / poor) if poor else None
    villages = values["poor_villages"]
    values["poor_village_coverage"] = values["_poor_villages_covered"] / villages if villages else None
    costed, picked = values["_parcels_costed"], values["_parcels_picked_up"]
    values["parcel_cost"] = round(values["_parcel_cost_fen"] / costed) if costed else None
    values["pickup_days"] = values["_pickup_days"] / picked if picked else None


BY_NAME = {indicator.name: indicator for indicator in INDICATORS}


def exported(values: dict) -> dict:
    """Values as the API and `villagelink kpis --json` give them: money as yuan strings with two decimals,
    shares as numbers rounded to four places and days to one (None where there is nothing to divide by), counts
    as integers."""
    out = {}
    for indicator in INDICATORS:
        value = values[indicator.name]
        if indicator.measure == Measure.YUAN:
            out[indicator.name] = None if value is None else fen_to_yuan(value)
        elif indicator.measure == Measure.SHARE:
            out[indicator.name] = None if value is None else round(value, 4)
        elif indicator.measure == Measure.DAYS:
            out[indicator.name] = None if value is None else round(value, 1)
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
