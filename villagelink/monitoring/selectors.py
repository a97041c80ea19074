"""Indicators for any unit and period, and for each of the unit's children, from the daily facts and the
(small) tables of sites, shops, designations and the assistance ledger. Nothing here scans orders.

Callers pass units the person may see (`geo.selectors.unit_get` checks); everything below a visible unit is
visible too.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db import connection
from django.db.models import Case, Count, F, Max, QuerySet, Sum, When
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.approvals.models import Approval
from villagelink.approvals.services import APPROVING_LEVELS, approval_state, can_approve, missing_children
from villagelink.assistance.models import AssistanceEvent, AssistanceKind, TrainingSession
from villagelink.catalog.categories import FARM_PRODUCTS
from villagelink.core.dates import region_today
from villagelink.core.paths import subtree_q
from villagelink.core.periods import (
    EARLIEST,
    Period,
    month_end,
    next_month,
    period_before,
    period_default,
    period_parse,
    period_year_before,
)
from villagelink.geo.models import LEVEL_PATH_WIDTH, AdminUnit, Level
from villagelink.geo.selectors import unit_ancestors
from villagelink.network.models import Designation, SiteKind
from villagelink.network.selectors import coverage_for
from villagelink.network.stock import stock_on
from villagelink.orders.models import Channel, Fact, Kind, MonthlyFact, PurchaseCategory
from villagelink.quality.shares import AreaFlags, FoundLater, flags_by_unit, flags_of, found_after_approval
from villagelink.quality.signoff import open_flags_for
from villagelink.registry.models import Household, OrganisationKind

from .indicators import BY_NAME, INDICATORS, PARTS, Measure, derive
from .models import Target, TargetKind

Values = dict[str, int | float | None]

SITE_INDICATOR = {
    SiteKind.COUNTY_CENTRE: "county_centres",
    SiteKind.TOWNSHIP_STATION: "township_stations",
    SiteKind.VILLAGE_POINT: "village_points",
}


# The stock's measures that count what happened on each day (the parcels at the desks), not what stands: the
# period's figure is the difference between its end and the day before its start.
FLOWS = {
    "parcels": "parcels",
    "parcel_cost": "_parcel_cost_fen",
    "parcels_costed": "_parcels_costed",
    "picked_up": "_parcels_picked_up",
    "pickup_days": "_pickup_days",
}


@dataclass(frozen=True)
class Figures:
    unit: AdminUnit
    values: Values


def _grouped(
    queryset: QuerySet, lookup: str, parent: AdminUnit | None, units: list[AdminUnit], *group, **sums
):
    """`queryset` below `parent` (None: everything held), grouped by which of `units` each row lies under (and
    by `group`): one grouped queryset per width of the units' paths."""
    if parent is not None:
        queryset = queryset.filter(subtree_q(lookup, parent.path))
    return [
        queryset.annotate(branch=Substr(lookup, 1, width))
        .order_by()
        .values("branch", *group)
        .annotate(**sums)
        for width in sorted({len(unit.path) for unit in units})
    ]


def _whole_months(start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """The first days of the first and last whole months within the period, or None if it holds none."""
    first = start if start.day == 1 else next_month(start)
    last = (
        end.replace(day=1)
        if end == month_end(end)
        else (end.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    )
    return (first, last) if first <= last else None


SUMS = {
    "orders": Sum("orders"),
    "amount": Sum("amount_fen"),
    "savings": Sum("savings_fen"),
    "income": Sum("income_fen"),
}


def _fact_sums(paths: list[str], start, end, *group: str, by_month: bool = False):
    """The facts' sums over the period for these unit paths, grouped by `group` (and by month): whole months
    from the monthly facts, the days at either edge from the daily ones (a handful of rows per unit)."""
    months = _whole_months(start, end)
    edges = [(start, end)] if months is None else [(start, months[0] - datetime.timedelta(days=1))]
    if months is not None:
        edges.append((next_month(months[1]), end))
        rows = MonthlyFact.objects.filter(path__in=paths, month__gte=months[0], month__lte=months[1])
        yield from rows.order_by().values(*group, *(["month"] if by_month else [])).annotate(**SUMS)
    for first, last in edges:
        if first > last:
            continue
        days = Fact.objects.filter(path__in=paths, day__gte=first, day__lte=last).order_by()
        if not by_month:
            yield from days.values(*group).annotate(**SUMS)
            continue
        for row in days.values(*group, "day").annotate(**SUMS):
            row["month"] = row.pop("day").replace(day=1)
            yield row


def _figures(
    parent: AdminUnit | None, units: list[AdminUnit], start: datetime.date, end: datetime.date
) -> dict:
    values: dict[str, Values] = {
        unit.path: {**{i.name: 0 for i in INDICATORS}, **dict.fromkeys(PARTS, 0)} for unit in units
    }

    def put(path, name, value):
        if path in values:
            values[path][name] = value

    def add(figures: Values, name: str, value: int | None) -> None:
        figures[name] = (figures[name] or 0) + (value or 0)

    for row in _fact_sums(list(values), start, end, "path", "kind", "category"):
        figures = values[row["path"]]
        noun = "sales" if row["kind"] == Kind.SALE else "purchases"
        if row["kind"] == Kind.SALE and row["category"] in FARM_PRODUCTS:
            add(figures, "farm_product_sales", row["amount"])
        add(figures, f"online_{noun}", row["amount"])
        add(figures, f"online_{noun}_orders", row["orders"])
        if row["kind"] == Kind.PURCHASE:
            add(figures, "purchase_savings", row["savings"])
        add(figures, "poor_household_income", row["income"])

    before = stock_on(list(values), start - datetime.timedelta(days=1), measures=FLOWS)
    for path, counts in stock_on(list(values), end).items():
        for measure, name in FLOWS.items():  # what happened within the period
            values[path][name] = counts.get(measure, 0) - before[path].get(measure, 0)
        for kind, name in SITE_INDICATOR.items():
            values[path][name] = counts.get(f"sites:{kind}", 0)
        values[path]["online_shops"] = counts.get("shops", 0)
        for owner in ("household", *OrganisationKind.values):
            values[path][f"{owner}_shops"] = counts.get(f"shops:{owner}", 0)
        values[path]["poor_households"] = counts.get("poor", 0)
        values[path]["poor_villages"] = counts.get("units:poor_village", 0)
        values[path]["_poor_villages_covered"] = counts.get("covered:poor_village", 0)
        values[path]["demonstration_counties"] = counts.get("designations", 0)
        for level, name in ((Level.TOWNSHIP, "township_coverage"), (Level.VILLAGE, "village_coverage")):
            total = counts.get(f"units:{level}", 0)
            values[path][name] = counts.get(f"covered:{level}", 0) / total if total else None

    for branch, net, households, poor, training in _assistance(parent, units, start, end):
        put(branch, "assistance_events", net)
        put(branch, "households_assisted", households)
        put(branch, "poor_households_assisted", poor)
        put(branch, "training_person_times", training)
    sessions = TrainingSession.objects.filter(day__gte=start, day__lte=end)
    for grouped in _grouped(sessions, "site__unit__path", parent, units, n=Count("pk")):
        for row in grouped:
            put(row["branch"], "training_sessions", row["n"])
    for figures in values.values():
        derive(figures)
    return values


def _assistance(parent: AdminUnit | None, units: list[AdminUnit], start, end):
    """(branch, net acts of help, households with net help, of them those registered poor at the period's end,
    net attendances at training) for the period: the ledger's entries per household are summed in the
    database from one index, then only the households found are looked up for their years of poverty, and one
    row per branch comes back."""
    events = AssistanceEvent.objects.filter(day__gte=start, day__lte=end).annotate(member=F("household"))
    sums = {
        "net": Sum("sign"),
        "training": Sum(Case(When(kind=AssistanceKind.TRAINING, then="sign"), default=0)),
    }
    households = connection.ops.quote_name(Household._meta.db_table)
    year = end.year
    for inner in _grouped(events, "village_path", parent, units, "member", **sums):
        sql, params = inner.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT branch, SUM(net), SUM(CASE WHEN net > 0 THEN 1 ELSE 0 END), "  # noqa: S608 - ORM SQL
                "SUM(CASE WHEN net > 0 AND h.registered_poor_in <= %s AND (h.exited_poverty_in IS NULL "
                "OR h.exited_poverty_in > %s) THEN 1 ELSE 0 END), SUM(training) "
                f"FROM ({sql}) per_household JOIN {households} h ON h.id = per_household.member GROUP BY branch",
                [year, year, *params],
            )
            # SUM of a bigint is numeric on PostgreSQL: whole numbers back to int.
            for branch, *sums_of_branch in cursor.fetchall():
                yield (branch, *(int(value or 0) for value in sums_of_branch))


def _children_of(unit: AdminUnit | None) -> list[AdminUnit]:
    """The unit's children in the order of their codes; with None, the regions held (a national programme's)."""
    children = AdminUnit.objects.filter(parent__isnull=True) if unit is None else unit.children.all()
    return list(children.order_by("code"))


def _children_figures(
    unit: AdminUnit | None, start: datetime.date, end: datetime.date, children: list[AdminUnit]
) -> list[Figures]:
    if not children:
        return []
    values = _figures(unit, children, start, end)
    return [Figures(child, values[child.path]) for child in children]


def period_with_data(*, unit: AdminUnit) -> Period:
    """Where a dashboard opens: this year so far once the unit has trade recorded in it, else the last year that
    has some (a region whose records end in 2019 opens on 2019, not on an empty year)."""
    latest = MonthlyFact.objects.filter(path=unit.path).aggregate(latest=Max("month"))["latest"]
    if latest is None or latest.year >= region_today().year:
        return period_default()
    return period_parse(str(latest.year))


def figures_for(*, unit: AdminUnit, start: datetime.date, end: datetime.date) -> Values:
    return _figures(unit, [unit], start, end)[unit.path]


def figures_for_children(*, unit: AdminUnit, start: datetime.date, end: datetime.date) -> list[Figures]:
    return _children_figures(unit, start, end, _children_of(unit))


def figures_for_level(
    *, unit: AdminUnit, level: str, start: datetime.date, end: datetime.date
) -> list[Figures]:
    """The figures of every unit of `level` below `unit` (the counties of a region, for its map), in the order
    of their codes: one read of the facts and one of the network's stock for all of them."""
    units = list(AdminUnit.objects.filter(subtree_q("path", unit.path), level=level).order_by("code"))
    if not units:
        return []
    values = _figures(unit, units, start, end)
    return [Figures(each, values[each.path]) for each in units]


def figures_for_regions(*, start: datetime.date, end: datetime.date) -> list[Figures]:
    """Each region's figures, for a national programme that holds several: the ranking of the nation's
    children. The caller has checked that the person may see every region."""
    return _children_figures(None, start, end, _children_of(None))


def figures_for_nation(*, start: datetime.date, end: datetime.date) -> Values:
    """The nation's figures, for a national programme that holds several regions: the sum of its regions'
    (every unit and household lies in exactly one region, so distinct counts add up too), the coverage over
    all of their townships and villages. No unit stands for the nation: its figures are read from the regions'
    facts, a few dozen paths. The caller has checked that the person may see every region."""
    total, coverages = coverage_for(unit=None, day=end)
    held = [coverage.unit for coverage in coverages if coverage.unit is not None]
    regions = _children_figures(None, start, end, held)
    values: Values = {name: sum(r.values[name] or 0 for r in regions) for name in (*BY_NAME, *PARTS)}
    values["township_coverage"] = total.share(Level.TOWNSHIP)
    values["village_coverage"] = total.share(Level.VILLAGE)
    derive(values)
    return values


def figures_at_itself(values: Values, children: list[Figures]) -> Values | None:
    """What counts in a unit but in none of its children: records attached to the unit itself (a county's
    centre, a county cooperative's shop, trade recorded at a county centre without a household), as the
    unit's figure less its children's, for the additive indicators (the others are None). None when nothing
    is recorded at the unit itself, or when it has no children."""
    if not children:
        return None
    own: Values = {
        i.name: (values[i.name] or 0) - sum(c.values[i.name] or 0 for c in children) if i.additive else None
        for i in INDICATORS
    }
    return own if any(own.values()) else None


@dataclass(frozen=True)
class Month:
    start: datetime.date
    sales_fen: int
    sales_orders: int
    purchases_fen: int
    purchases_orders: int


def monthly_trend(*, unit: AdminUnit, start: datetime.date, end: datetime.date) -> list[Month]:
    """Sales and purchases of each month of the period (every month listed, empty ones as zero)."""
    sums: dict[tuple[datetime.date, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in _fact_sums([unit.path], start, end, "kind", by_month=True):
        found = sums[(row["month"], row["kind"])]
        found[0] += row["amount"] or 0
        found[1] += row["orders"] or 0
    months = []
    month = start.replace(day=1)
    while month <= end:
        sales, purchases = sums.get((month, Kind.SALE), [0, 0]), sums.get((month, Kind.PURCHASE), [0, 0])
        months.append(Month(month, sales[0], sales[1], purchases[0], purchases[1]))
        month = next_month(month)
    return months


@dataclass(frozen=True)
class Trade:
    """A unit's online trade in a period from one channel, or its purchases of one category."""

    key: str
    label: str
    sales_fen: int
    sales_orders: int
    purchases_fen: int
    purchases_orders: int


def _trade(unit: AdminUnit, start, end, dimension: str, choices: Sequence[tuple[str, object]]) -> list[Trade]:
    """Sums by `dimension`, one entry per choice; a value outside the choices counts under the last one."""
    known = {key for key, _label in choices}
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in _fact_sums([unit.path], start, end, "kind", dimension):
        key = row[dimension] if row[dimension] in known else choices[-1][0]
        found = sums[(key, row["kind"])]
        found[0] += row["amount"] or 0
        found[1] += row["orders"] or 0
    return [
        Trade(key, str(label), *sums.get((key, Kind.SALE), [0, 0]), *sums.get((key, Kind.PURCHASE), [0, 0]))
        for key, label in choices
    ]


def trade_by_channel(*, unit: AdminUnit, start: datetime.date, end: datetime.date) -> list[Trade]:
    """Online sales and purchases made on this storefront, on external platforms and at service points."""
    return _trade(unit, start, end, "channel", Channel.choices)


def purchases_by_category(*, unit: AdminUnit, start: datetime.date, end: datetime.date) -> list[Trade]:
    """Online purchases by what they brought in (recorded at the service points' desks); purchases recorded
    without a category last."""
    choices = [*PurchaseCategory.choices, ("", _("Not given"))]
    return _trade(unit, start, end, "category", choices)


def designations_within(*, unit: AdminUnit, year: int):
    """The demonstration counties at or below `unit` designated in or before `year`."""
    return (
        Designation.objects.filter(subtree_q("county__path", unit.path), year__lte=year)
        .select_related("county")
        .order_by("year", "batch", "county__code")
    )


@dataclass(frozen=True)
class MonthApproval:
    """Where the approval of the month on show stands, for a unit that approves months."""

    standing: Approval | None
    can_approve: bool
    missing: list[AdminUnit]  # the children that have not approved the month yet
    ended: bool
    open_flags: int  # flags of the area for the month still open (a reason is asked for while any are)


# ---------------------------------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Progress:
    """A figure against its unit's target for the year: the target (in the indicator's terms), how much of it
    is reached, whether that is behind where the period stands, and the unit it comes from when inherited."""

    target: Decimal
    reached: float | None  # a fraction; None for a target of nothing
    behind: bool
    set_at: AdminUnit
    growth: float | None = (
        None  # for a growth target: the growth on the year before, a fraction (None: no base)
    )
    kind: str = TargetKind.LEVEL


def _ancestor_paths(path: str) -> list[str]:
    return [path[:width] for width in sorted(set(LEVEL_PATH_WIDTH.values())) if width < len(path)]


def targets_for(*, units: Sequence[AdminUnit], year: int) -> dict[str, dict[str, Target]]:
    """Each unit's targets for the year, by path and indicator: its own, and for a share without its own the
    nearest ancestor's (one query)."""
    paths = {unit.path for unit in units}
    wanted = paths | {p for path in paths for p in _ancestor_paths(path)}
    by_path: dict[str, dict[str, Target]] = {}
    for target in Target.objects.filter(unit__path__in=wanted, year=year).select_related("unit"):
        by_path.setdefault(target.unit.path, {})[target.indicator] = target
    found: dict[str, dict[str, Target]] = {}
    for path in paths:
        own = dict(by_path.get(path, {}))
        for ancestor in reversed(_ancestor_paths(path)):  # the nearest first
            for name, target in by_path.get(ancestor, {}).items():
                if target.passes_down:
                    own.setdefault(name, target)
        found[path] = own
    return found


def progress_of(
    values: Values, targets: dict[str, Target], period: Period, year_before: Values | None = None
) -> dict[str, Progress]:
    """How far each figure is towards its target, for a period from 1 January (a year, or the year so far): an
    amount or a count is behind when it has reached less of the target than the share of the year gone by; a
    share (coverage at the period's end) when it is below it; a growth when the figure has grown less on the
    same span a year before (`year_before`) than the target's percent. Other periods (a month, a quarter) have
    none."""
    if (period.start.month, period.start.day) != (1, 1) or period.end.year != period.start.year:
        return {}
    year_days = (datetime.date(period.start.year, 12, 31) - period.start).days + 1
    gone = ((period.end - period.start).days + 1) / year_days
    progress = {}
    for name, target in targets.items():
        value = values.get(name)
        if value is None:
            continue
        if target.kind == TargetKind.GROWTH:
            base = None if year_before is None else year_before.get(name)
            growth = value / base - 1 if base else None
            aim = float(target.value) / 100
            reached = growth / aim if growth is not None and aim else None
            behind = growth is not None and growth < aim
            progress[name] = Progress(target.value, reached, behind, target.unit, growth, target.kind)
            continue
        measure = BY_NAME[name].measure
        aim = float(target.value) * (
            100 if measure == Measure.YUAN else 0.01 if measure == Measure.SHARE else 1
        )
        reached = value / aim if aim else None
        expected = 1.0 if measure == Measure.SHARE else gone
        progress[name] = Progress(
            target.value, reached, reached is not None and reached < expected, target.unit
        )
    return progress


@dataclass(frozen=True)
class Dashboard:
    """A unit's dashboard for a period as one person sees it: the figures that the page, the printable report,
    the workbook and the KPI API show. Each part is read when first asked for and kept, so an answer that
    shows one part (the KPI API's) reads only that part. Every part takes a fixed number of queries, whatever
    the number of children."""

    user: User
    unit: AdminUnit
    period: Period

    @cached_property
    def values(self) -> Values:
        """Every indicator of the unit itself."""
        return figures_for(unit=self.unit, start=self.period.start, end=self.period.end)

    @cached_property
    def comparisons(self) -> list[tuple[Period, Values]]:
        """The unit's figures for the period before (a month's or a quarter's) and the same period a year
        earlier, for the cards' changes."""
        periods = [period_before(self.period), period_year_before(self.period)]
        return [
            (period, figures_for(unit=self.unit, start=period.start, end=period.end))
            for period in periods
            if period is not None and period.start >= EARLIEST
        ]

    @cached_property
    def parent_values(self) -> tuple[AdminUnit, Values] | None:
        """The parent's figures for the period, for the unit's share; None at the top of what the person may
        see (a county officer is not shown their county's share of a prefecture they cannot open)."""
        parent = self.ancestors[-1] if self.ancestors else None
        if parent is None or parent.pk != self.unit.parent_id:
            return None
        return parent, figures_for(unit=parent, start=self.period.start, end=self.period.end)

    @cached_property
    def progress(self) -> dict[str, Progress]:
        """The unit's figures against its targets for the period's year (a year, or the year so far)."""
        targets = targets_for(units=[self.unit], year=self.period.end.year)[self.unit.path]
        year_before = period_year_before(self.period)
        earlier = next((values for period, values in self.comparisons if period == year_before), None)
        return progress_of(self.values, targets, self.period, earlier)

    @cached_property
    def children_behind(self) -> dict[str, set[str]]:
        """For each child, by path, the indicators behind its target."""
        children = [child.unit for child in self.children]
        if not children or (self.period.start.month, self.period.start.day) != (1, 1):
            return {}
        targets = targets_for(units=children, year=self.period.end.year)
        earlier: dict[str, Values] = {}
        year_before = period_year_before(self.period)
        growth = any(t.kind == TargetKind.GROWTH for found in targets.values() for t in found.values())
        if growth and year_before is not None and year_before.start >= EARLIEST:
            before = _children_figures(self.unit, year_before.start, year_before.end, children)
            earlier = {figures.unit.path: figures.values for figures in before}
        behind = {}
        for child in self.children:
            path = child.unit.path
            progress = progress_of(child.values, targets[path], self.period, earlier.get(path))
            behind[child.unit.path] = {name for name, p in progress.items() if p.behind}
        return behind

    @cached_property
    def children(self) -> list[Figures]:
        """Every indicator of each child, by code."""
        return figures_for_children(unit=self.unit, start=self.period.start, end=self.period.end)

    @cached_property
    def own(self) -> Values | None:
        """What counts in the unit but in none of its children (see `figures_at_itself`)."""
        return figures_at_itself(self.values, self.children)

    @cached_property
    def months(self) -> list[Month]:
        return monthly_trend(unit=self.unit, start=self.period.start, end=self.period.end)

    @cached_property
    def channels(self) -> list[Trade]:
        return trade_by_channel(unit=self.unit, start=self.period.start, end=self.period.end)

    @cached_property
    def categories(self) -> list[Trade]:
        return purchases_by_category(unit=self.unit, start=self.period.start, end=self.period.end)

    @cached_property
    def designations(self) -> list[Designation]:
        """The demonstration counties designated by the period's end, by year, batch and code."""
        return list(designations_within(unit=self.unit, year=self.period.end.year))

    @property
    def designations_by_year(self) -> list[tuple[int, list[Designation]]]:
        by_year: dict[int, list[Designation]] = {}
        for designation in self.designations:
            by_year.setdefault(designation.year, []).append(designation)
        return sorted(by_year.items())

    @cached_property
    def ancestors(self) -> list[AdminUnit]:
        """The unit's ancestors the person may see, from the top down."""
        return unit_ancestors(user=self.user, unit=self.unit)

    @cached_property
    def approval(self) -> MonthApproval | None:
        """For a month, at a unit that approves months; None otherwise."""
        if self.period.kind != "month" or self.unit.level not in APPROVING_LEVELS:
            return None
        standing = approval_state(self.unit, self.period.start)
        return MonthApproval(
            standing=standing,
            can_approve=can_approve(self.user, self.unit),
            missing=missing_children(self.unit, self.period.start),
            ended=self.period.end < region_today(),
            open_flags=0 if standing else open_flags_for(unit=self.unit, month=self.period.start),
        )

    @cached_property
    def flags(self) -> AreaFlags:
        """What the unit's money and order figures rest on: open flags, and what confirmed flags took out."""
        return flags_of(unit=self.unit, start=self.period.start, end=self.period.end)

    @cached_property
    def children_flags(self) -> dict[str, AreaFlags]:
        """The same for each child, by path."""
        children = [child.unit for child in self.children]
        if not children:
            return {}
        return flags_by_unit(parent=self.unit, units=children, start=self.period.start, end=self.period.end)

    @cached_property
    def found_later(self) -> list[FoundLater]:
        """Flags filed on a month of the period after the unit approved it, for a unit that approves months."""
        if self.unit.level not in APPROVING_LEVELS:
            return []
        return found_after_approval(unit=self.unit, start=self.period.start, end=self.period.end)


def dashboard_for(*, user: User, unit: AdminUnit, period: Period) -> Dashboard:
    """The dashboard of `unit` for `period` as `user` sees it. The caller has checked that the person may see
    the unit (`geo.selectors.unit_get`); everything below it is visible too."""
    return Dashboard(user=user, unit=unit, period=period)
