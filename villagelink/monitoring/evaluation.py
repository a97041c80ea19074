"""The evaluation: did designation as a demonstration county help, and whom does the trade help?

*Staggered roll-out.* Counties were designated in different years, so the counties not yet designated in a year
are a comparison for those designated earlier. For each outcome (a county's online purchases, online sales,
poor households' e-commerce income and purchase savings, per household) this is the estimator of Callaway and
Sant'Anna for staggered adoption, without covariates:

    B. Callaway and P. H. C. Sant'Anna, "Difference-in-Differences with multiple time periods",
    Journal of Econometrics 225(2), 2021, pp. 200–230 (doi:10.1016/j.jeconom.2020.12.001).

- ATT(g, t), the effect in year t on the counties designated in year g (cohort g), is the change of their
  outcome from the year before designation (g − 1, one "universal" base year per cohort) to t, less the same
  change over the counties not yet designated in either year ("not yet treated": designated after both
  years, or never). Before designation (t < g − 1) the same difference is a check of parallel trends.
- Outcomes are in logarithms, so an effect reads as a percentage (exp(ATT) − 1); a per-household figure and the
  county's total differ by the county's households, which the difference removes. A county-year with no trade
  has no logarithm: the county leaves the comparisons that need that year.
- Event time e = t − g: the cohorts' ATT(g, g + e), weighted by cohort size (the paper's "dynamic"
  aggregation); the overall effect is every year after designation, weighted likewise ("simple").
- Standard errors come from each estimate's influence function over the counties (so the estimates' shared
  counties are accounted for in the aggregates), with a small-sample factor n/(n − 1) in each group; intervals
  are pointwise, at 95 %. The paper's multiplier bootstrap (uniform bands) and its correction for the weights
  being estimated are left out: with tens of counties the intervals are read as approximate, and the page says
  so.

The paper's estimator is implemented here (a few sums over tens of counties) rather than taken from a package:
the Python ports (`csdid`, `differences`) bring pandas, scipy and their own dependencies into the production
install for this one page. `tests/test_evaluation.py` checks it against a hand-worked panel and against the
demo's known effect.

*Who gains.* Each household's savings on the assisted purchases made for it and its income from sales (its own
shop's, and produce sold for it at the point) in a period, grouped by registered-poor or not, by the head's sex
and age band (read from the ID number when it was registered, never shown per person) and by the village's
distance from the county seat. A group of fewer than `SMALLEST_GROUP` households is not shown, and when a group
of a split is hidden, so is the next smallest, so that no hidden group follows from the total.
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Expression, F, Max, Q, Sum
from django.db.models.functions import Coalesce, Length, Substr
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from villagelink.core.dates import region_today
from villagelink.core.paths import subtree_q
from villagelink.core.periods import Period, period_default, period_parse
from villagelink.geo.models import LEVEL_PATH_WIDTH, AdminUnit, Level
from villagelink.network.models import Designation
from villagelink.orders.facts import SAVINGS, counted_between
from villagelink.orders.models import Kind, MonthlyFact, Order
from villagelink.registry.models import Household, Sex

SMALLEST_GROUP = 10
# A county-year with fewer orders than this is too thin to compare: its sum says more about a few large orders
# than about the county (a county's yearly online purchases swing by half on 20 orders of roofing and fridges).
FEWEST_ORDERS = 20
# Student's t at 97.5 % for 1 to 30 degrees of freedom; the normal's 1.96 beyond.
T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
    2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def critical_value(treated: int) -> float:
    """The 95 % interval's half-width in standard errors, with few treated counties: Student's t on one degree
    of freedom fewer than the treated counties (the normal's 1.96 undercovers with a handful of them)."""
    freedom = treated - 1
    return T975[freedom - 1] if 1 <= freedom <= len(T975) else 1.96


COUNTY_WIDTH = LEVEL_PATH_WIDTH[Level.COUNTY]


@dataclass(frozen=True)
class Outcome:
    name: str
    label: Promise
    kind: str  # the facts' kind it sums
    measure: str  # the facts' field it sums


OUTCOMES = (
    Outcome("online_purchases", _("Online purchases per household"), Kind.PURCHASE, "amount_fen"),
    Outcome("online_sales", _("Online sales per household"), Kind.SALE, "amount_fen"),
    Outcome(
        "poor_household_income",
        _("Poor households' e-commerce income per household"),
        Kind.SALE,
        "income_fen",
    ),
    Outcome(
        "purchase_savings", _("Savings on assisted purchases per household"), Kind.PURCHASE, "savings_fen"
    ),
)


# --- the estimator, on plain numbers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """A log-scale effect and its standard error; `percent`, `low` and `high` read it as a percentage."""

    value: float
    se: float
    critical: float = 1.96

    @property
    def low(self) -> float:
        return self.value - self.critical * self.se

    @property
    def high(self) -> float:
        return self.value + self.critical * self.se

    @property
    def percent(self) -> float:
        return 100 * math.expm1(self.value)

    @property
    def percent_low(self) -> float:
        return 100 * math.expm1(self.low)

    @property
    def percent_high(self) -> float:
        return 100 * math.expm1(self.high)

    @property
    def clear(self) -> bool:
        """Its interval leaves out zero."""
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class Cell:
    """ATT(g, t): cohort g in year t, against the not-yet-designated counties."""

    cohort: int
    year: int
    estimate: Estimate
    treated: frozenset[str]
    controls: int
    influence: dict[str, float] = field(repr=False, compare=False)

    @property
    def event(self) -> int:
        return self.year - self.cohort


@dataclass(frozen=True)
class EventTime:
    event: int
    estimate: Estimate
    cohorts: tuple[int, ...]


@dataclass(frozen=True)
class Staggered:
    cells: list[Cell]
    events: list[EventTime]  # by event time; -1 is the base (zero by construction) and not listed
    overall: Estimate | None  # every year from designation on
    counties: int  # counties with an outcome in at least one comparison
    cohorts: tuple[int, ...]  # the designation years compared

    @property
    def before(self) -> list[EventTime]:
        return [e for e in self.events if e.event < -1]

    @property
    def after(self) -> list[EventTime]:
        return [e for e in self.events if e.event >= 0]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _cell(
    logs: dict[str, dict[int, float]], cohort_of: dict[str, int | None], g: int, t: int, n: int
) -> Cell | None:
    base = g - 1
    treated, controls = {}, {}
    for unit, years in logs.items():
        if t not in years or base not in years:
            continue
        change = years[t] - years[base]
        designated = cohort_of.get(unit)
        if designated == g:
            treated[unit] = change
        elif designated is None or designated > max(t, base):
            controls[unit] = change
    if len(treated) < 2 or len(controls) < 2:
        return None  # no spread to estimate an error from
    influence: dict[str, float] = {}
    for group, sign in ((treated, 1), (controls, -1)):
        mean, size = _mean(list(group.values())), len(group)
        correction = math.sqrt(size / (size - 1))
        for unit, change in group.items():
            influence[unit] = sign * correction * (change - mean) * n / size
    variance = sum(psi * psi for psi in influence.values()) / n / n
    att = _mean(list(treated.values())) - _mean(list(controls.values()))
    estimate = Estimate(att, math.sqrt(variance), critical_value(len(treated)))
    return Cell(g, t, estimate, frozenset(treated), len(controls), influence)


def _aggregate(cells: list[Cell], n: int) -> Estimate:
    """The cells' mean weighted by their cohorts' sizes, and its error from the combined influence."""
    total = sum(len(cell.treated) for cell in cells)
    combined: dict[str, float] = defaultdict(float)
    value = 0.0
    for cell in cells:
        weight = len(cell.treated) / total
        value += weight * cell.estimate.value
        for unit, psi in cell.influence.items():
            combined[unit] += weight * psi
    treated = len(frozenset().union(*(cell.treated for cell in cells)))
    return Estimate(
        value, math.sqrt(sum(psi * psi for psi in combined.values())) / n, critical_value(treated)
    )


def staggered_did(outcomes: dict[str, dict[int, float]], cohort_of: dict[str, int | None]) -> Staggered:
    """Callaway and Sant'Anna's ATT(g, t) and their event-time and overall aggregates, from each unit's yearly
    outcome (`outcomes[unit][year]`, positive; others left out) and its designation year (`cohort_of`, None
    when never designated)."""
    logs = {
        unit: {year: math.log(value) for year, value in years.items() if value > 0}
        for unit, years in outcomes.items()
    }
    years = sorted({year for values in logs.values() for year in values})
    n = len(logs)
    cells = []
    for g in sorted({c for c in cohort_of.values() if c is not None}):
        for t in years:
            if t != g - 1 and (cell := _cell(logs, cohort_of, g, t, n)) is not None:
                cells.append(cell)
    by_event: dict[int, list[Cell]] = defaultdict(list)
    for cell in cells:
        by_event[cell.event].append(cell)
    events = [
        EventTime(e, _aggregate(group, n), tuple(sorted(c.cohort for c in group)))
        for e, group in sorted(by_event.items())
    ]
    after = [cell for cell in cells if cell.event >= 0]
    return Staggered(
        cells=cells,
        events=events,
        overall=_aggregate(after, n) if after else None,
        counties=len({unit for cell in cells for unit in cell.influence}),
        cohorts=tuple(sorted({cell.cohort for cell in after})),
    )


# --- the evaluation of a unit -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeEvaluation:
    outcome: Outcome
    result: Staggered
    level_before: float | None  # yuan per household, mean over the compared cohorts in the year before

    @property
    def pretrend_clear(self) -> list[EventTime]:
        """The years before designation whose estimate differs from zero: a warning on parallel trends."""
        return [e for e in self.result.before if e.estimate.clear]


@dataclass(frozen=True)
class Evaluation:
    unit: AdminUnit
    counties: int
    designated_by_year: dict[int, int]
    outcomes: list[OutcomeEvaluation]


def _county_years(unit: AdminUnit) -> tuple[dict[str, dict[tuple[int, str], int]], list[int]]:
    """Each county's yearly sums of the facts (by (year, outcome name)), and the years with any."""
    sums: dict[str, dict[tuple[int, str], int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        MonthlyFact.objects.filter(subtree_q("path", unit.path))
        .annotate(length=Length("path"))
        .filter(length=COUNTY_WIDTH)
        .values("path", "month", "kind")  # over the channels and categories
        .annotate(
            n=Sum("orders"), amount=Sum("amount_fen"), savings=Sum("savings_fen"), income=Sum("income_fen")
        )
        .values_list("path", "month", "kind", "n", "amount", "savings", "income")
        .order_by()
    )
    years = set()
    for path, month, kind, orders, amount, savings, income in rows.iterator(chunk_size=5000):
        years.add(month.year)
        measures = {"amount_fen": amount, "savings_fen": savings, "income_fen": income}
        for outcome in OUTCOMES:
            if outcome.kind == kind:
                sums[path][month.year, outcome.name] += measures[outcome.measure]
                sums[path][month.year, f"{outcome.name}:orders"] += orders
    return sums, sorted(years)


def year_with_data(*, unit: AdminUnit) -> Period:
    """The last whole year (before this one) with the unit's trade in it; this year so far when none has."""
    latest = MonthlyFact.objects.filter(
        path=unit.path, month__lt=datetime.date(region_today().year, 1, 1)
    ).aggregate(latest=Max("month"))["latest"]
    return period_default() if latest is None else period_parse(str(latest.year))


def evaluation_for(*, unit: AdminUnit) -> Evaluation:
    """The staggered comparison over the counties at and below `unit` (the caller has checked the user may
    see it), over every year the facts hold."""
    counties = list(
        AdminUnit.objects.filter(subtree_q("path", unit.path), level=Level.COUNTY).values_list(
            "path", flat=True
        )
    )
    cohort_of: dict[str, int | None] = dict.fromkeys(counties)
    cohort_of.update(
        Designation.objects.filter(subtree_q("county__path", unit.path)).values_list("county__path", "year")
    )
    households = dict(
        Household.objects.filter(subtree_q("village__path", unit.path))
        .annotate(county=Substr("village__path", 1, COUNTY_WIDTH))
        .values_list("county")
        .annotate(n=Count("pk"))
    )
    sums, years = _county_years(unit)
    evaluated = []
    for outcome in OUTCOMES:
        per_household = {
            path: {
                year: sums[path][year, outcome.name] / 100 / households[path]
                for year in years
                if sums[path][year, outcome.name] > 0
                and sums[path][year, f"{outcome.name}:orders"] >= FEWEST_ORDERS
            }
            for path in counties
            if households.get(path)
        }
        result = staggered_did(per_household, cohort_of)
        before = [
            per_household[path][g - 1]
            for path, g in cohort_of.items()
            if g in result.cohorts and path in per_household and g - 1 in per_household[path]
        ]
        evaluated.append(OutcomeEvaluation(outcome, result, _mean(before) if before else None))
    designated: dict[int, int] = defaultdict(int)
    for year in cohort_of.values():
        if year is not None:
            designated[year] += 1
    return Evaluation(
        unit=unit,
        counties=len(counties),
        designated_by_year=dict(sorted(designated.items())),
        outcomes=evaluated,
    )


# --- who gains --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    label: str
    households: int | None  # None: hidden (too few, or it would follow from the others)
    savings_yuan: float | None = None  # per household
    income_yuan: float | None = None
    with_savings: float | None = None  # share of the group's households with any
    with_income: float | None = None


@dataclass(frozen=True)
class Split:
    label: str
    groups: list[Group]


@dataclass(frozen=True)
class WhoGains:
    households: int
    total: Group
    splits: list[Split]


AGE_BANDS = (
    (0, 34, _("under 35")),
    (35, 49, _("35 to 49")),
    (50, 64, _("50 to 64")),
    (65, 200, _("65 and over")),
)
DISTANCE_BANDS = (
    (0, 10, _("under 10 km")),
    (10, 30, _("10 to 30 km")),
    (30, 60, _("30 to 60 km")),
    (60, math.inf, _("60 km and more")),
)
UNKNOWN = _("not known")


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (longitude, latitude) points, in km."""
    (lon1, lat1), (lon2, lat2) = ((math.radians(x), math.radians(y)) for x, y in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _band(value: float | None, bands) -> str:
    if value is None:
        return str(UNKNOWN)
    return next(str(label) for low, high, label in bands if low <= value < high or low <= value <= high)


def _group(label: str, members: list[tuple[int, int]]) -> Group:
    """`members`: each household's (savings, income) in fen."""
    n = len(members)
    if n == 0:
        return Group(label, 0)
    return Group(
        label,
        n,
        savings_yuan=sum(s for s, _i in members) / 100 / n,
        income_yuan=sum(i for _s, i in members) / 100 / n,
        with_savings=sum(1 for s, _i in members if s > 0) / n,
        with_income=sum(1 for _s, i in members if i > 0) / n,
    )


def _suppressed(groups: list[Group]) -> list[Group]:
    """Hides the groups under `SMALLEST_GROUP` households, and the next smallest when only one would be hidden
    (else it would be the total less the others)."""
    hidden = {g.label for g in groups if g.households and g.households < SMALLEST_GROUP}
    if len(hidden) == 1:
        shown = sorted(
            (g for g in groups if g.households and g.label not in hidden), key=lambda g: g.households or 0
        )
        if shown:
            hidden.add(shown[0].label)
    return [Group(g.label, None) if g.label in hidden else g for g in groups]


def _by_household(
    queryset, household: Expression | F, amount, first: datetime.date, last: datetime.date
) -> dict[int, int]:
    return dict(
        queryset.filter(counted_between(first, last))
        .annotate(holder=household)
        .filter(holder__isnull=False)
        .values_list("holder")
        .annotate(total=Sum(amount))
        .values_list("holder", "total")
    )


def who_gains(*, unit: AdminUnit, period: Period) -> WhoGains:
    """The households at and below `unit` (the caller has checked the user may see it) in `period`."""
    orders = Order.objects.filter(subtree_q("unit__path", unit.path))
    savings = _by_household(
        orders.filter(kind=Kind.PURCHASE), F("household_id"), SAVINGS, period.start, period.end
    )
    income = _by_household(
        orders.filter(kind=Kind.SALE),
        Coalesce("household_id", "shop__household_id"),
        F("total_fen") - F("refunded_fen"),
        period.start,
        period.end,
    )
    places = {
        path: (float(lon or 0), float(lat or 0))  # (none are null: filtered below)
        for path, lon, lat in AdminUnit.objects.filter(
            subtree_q("path", unit.path) | Q(path=unit.path[:COUNTY_WIDTH]),
            level__in=[Level.COUNTY, Level.VILLAGE],
            longitude__isnull=False,
            latitude__isnull=False,
        ).values_list("path", "longitude", "latitude")
    }
    year = period.end.year
    poverty: dict[str, list] = defaultdict(list)
    sex: dict[str, list] = defaultdict(list)
    age: dict[str, list] = defaultdict(list)
    distance: dict[str, list] = defaultdict(list)
    everyone = []
    labels = {
        "poor": str(_("registered poor")),
        "not_poor": str(_("not registered poor")),
        Sex.FEMALE: str(_("women")),
        Sex.MALE: str(_("men")),
    }
    rows = Household.objects.filter(subtree_q("village__path", unit.path)).values_list(
        "pk", "registered_poor_in", "head_sex", "head_born_in", "village__path"
    )
    for pk, registered, head_sex, born, village in rows.iterator(chunk_size=5000):
        member = (savings.get(pk) or 0, income.get(pk) or 0)
        everyone.append(member)
        poor = registered is not None and registered <= year  # registered by the period's end
        poverty[labels["poor" if poor else "not_poor"]].append(member)
        sex[labels.get(head_sex, str(UNKNOWN))].append(member)
        age[_band(year - born if born else None, AGE_BANDS)].append(member)
        seat, place = places.get(village[:COUNTY_WIDTH]), places.get(village)
        km = distance_km(seat, place) if seat and place else None
        distance[_band(km, DISTANCE_BANDS)].append(member)

    def split(label, grouped: dict[str, list], order: Iterable[str]) -> Split:
        return Split(
            str(label), _suppressed([_group(name, grouped[name]) for name in order if name in grouped])
        )

    known = [str(UNKNOWN)]
    return WhoGains(
        households=len(everyone),
        total=_group(str(_("All households")), everyone),
        splits=[
            split(_("Registered poor"), poverty, [labels["poor"], labels["not_poor"]]),
            split(_("Head's sex"), sex, [labels[Sex.FEMALE], labels[Sex.MALE], *known]),
            split(_("Head's age"), age, [str(label) for *_b, label in AGE_BANDS] + known),
            split(
                _("Distance from the county seat"),
                distance,
                [str(label) for *_b, label in DISTANCE_BANDS] + known,
            ),
        ],
    )
