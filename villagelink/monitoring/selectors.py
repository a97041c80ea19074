"""Indicators for any unit and period, and for each of the unit's children, from the daily facts and the
(small) tables of sites, shops, designations and the assistance ledger. Nothing here scans orders.

Callers pass units the person may see (`geo.selectors.unit_get` checks); everything below a visible unit is
visible too.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from villagelink.assistance.models import AssistanceEvent
from villagelink.catalog.models import Shop
from villagelink.core.paths import subtree_q
from villagelink.core.periods import month_end, next_month, open_on_q
from villagelink.geo.models import AdminUnit, Level
from villagelink.network.models import Designation, ServiceSite, SiteKind
from villagelink.network.selectors import coverage_for
from villagelink.orders.models import Channel, Fact, Kind, MonthlyFact, PurchaseCategory

from .indicators import INDICATORS

Values = dict[str, int | float | None]

SITE_INDICATOR = {
    SiteKind.COUNTY_CENTRE: "county_centres",
    SiteKind.TOWNSHIP_STATION: "township_stations",
    SiteKind.VILLAGE_POINT: "village_points",
}


@dataclass(frozen=True)
class Figures:
    unit: AdminUnit
    values: Values


def _grouped(queryset: QuerySet, lookup: str, parent: AdminUnit, units: list[AdminUnit], *group, **sums):
    """`queryset` below `parent`, grouped by which of `units` each row lies under (and by `group`): one
    grouped queryset per width of the units' paths."""
    return [
        queryset.filter(subtree_q(lookup, parent.path))
        .annotate(branch=Substr(lookup, 1, width))
        .order_by()
        .values("branch", *group)
        .annotate(**sums)
        for width in sorted({len(unit.path) for unit in units})
    ]


def _by_branch(queryset: QuerySet, lookup: str, parent: AdminUnit, units: list[AdminUnit], *group, **sums):
    """The rows of `_grouped`."""
    for grouped in _grouped(queryset, lookup, parent, units, *group, **sums):
        yield from grouped


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
        rows = Fact.objects.filter(path__in=paths, day__gte=first, day__lte=last).order_by()
        if not by_month:
            yield from rows.values(*group).annotate(**SUMS)
            continue
        for row in rows.values(*group, "day").annotate(**SUMS):
            row["month"] = row.pop("day").replace(day=1)
            yield row


def _figures(parent: AdminUnit, units: list[AdminUnit], start: datetime.date, end: datetime.date) -> dict:
    values: dict[str, Values] = {unit.path: {i.name: 0 for i in INDICATORS} for unit in units}

    def put(path, name, value):
        if path in values:
            values[path][name] = value

    for row in _fact_sums(list(values), start, end, "path", "kind"):
        figures = values[row["path"]]
        noun = "sales" if row["kind"] == Kind.SALE else "purchases"
        figures[f"online_{noun}"] += row["amount"] or 0
        figures[f"online_{noun}_orders"] += row["orders"] or 0
        if row["kind"] == Kind.PURCHASE:
            figures["purchase_savings"] += row["savings"] or 0
        figures["poor_household_income"] += row["income"] or 0

    sites = ServiceSite.objects.filter(open_on_q(end))
    for row in _by_branch(sites, "unit__path", parent, units, "kind", n=Count("id")):
        put(row["branch"], SITE_INDICATOR[SiteKind(row["kind"])], row["n"])
    shops = Shop.objects.filter(open_on_q(end))
    for row in _by_branch(shops, "unit__path", parent, units, n=Count("id")):
        put(row["branch"], "online_shops", row["n"])
    designations = Designation.objects.filter(year__lte=end.year)
    for row in _by_branch(designations, "county__path", parent, units, n=Count("id")):
        put(row["branch"], "demonstration_counties", row["n"])

    for branch, net, households in _assistance(parent, units, start, end):
        put(branch, "assistance_events", net)
        put(branch, "households_assisted", households)
    return values


def _assistance(parent: AdminUnit, units: list[AdminUnit], start, end):
    """(branch, net acts of help, households with net help) for the period: the ledger's entries per
    household are summed in the database and only one row per branch comes back."""
    events = AssistanceEvent.objects.filter(day__gte=start, day__lte=end)
    for inner in _grouped(events, "village_path", parent, units, "household", net=Sum("sign")):
        sql, params = inner.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT branch, SUM(net), SUM(CASE WHEN net > 0 THEN 1 ELSE 0 END) "  # noqa: S608 - ORM SQL
                f"FROM ({sql}) per_household GROUP BY branch",
                params,
            )
            # SUM of a bigint is numeric on PostgreSQL: whole numbers back to int.
            yield from ((branch, int(net or 0), int(count or 0)) for branch, net, count in cursor.fetchall())


def _coverage(values: dict[str, Values], coverages) -> None:
    for coverage in coverages:
        figures = values[coverage.unit.path]
        figures["township_coverage"] = coverage.share(Level.TOWNSHIP)
        figures["village_coverage"] = coverage.share(Level.VILLAGE)


def figures_for(*, unit: AdminUnit, start: datetime.date, end: datetime.date) -> Values:
    values = _figures(unit, [unit], start, end)
    total, _children = coverage_for(unit=unit, day=end)
    _coverage(values, [total])
    return values[unit.path]


def figures_for_children(*, unit: AdminUnit, start: datetime.date, end: datetime.date) -> list[Figures]:
    children = list(unit.children.order_by("code"))
    if not children:
        return []
    values = _figures(unit, children, start, end)
    _total, coverages = coverage_for(unit=unit, day=end)
    _coverage(values, coverages)
    return [Figures(child, values[child.path]) for child in children]


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
        month = sums[(row["month"], row["kind"])]
        month[0] += row["amount"] or 0
        month[1] += row["orders"] or 0
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


def _trade(unit: AdminUnit, start, end, dimension: str, choices: list[tuple[str, str]]) -> list[Trade]:
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
