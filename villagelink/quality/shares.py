"""How much of a unit's figures rests on flags, for the dashboard, the printable report, the workbook and the
KPI API: nothing is hidden from the level above.

- **On open flags**: the counted orders of the area and period that an open flag covers (their value and their
  number, the savings of the purchases among them, and the poor households' income from the sales: `ON_ORDERS`).
  They are in the figure while nobody has reviewed them; each order once, however many flags cover it.
- **Excluded**: the orders an officer took out by confirming a flag. They are no longer in the figure; their
  value is shown beside it, so that a reader sees what the figure would have been.
- **Open flags**: how many flags of the area's months in the period are still open; with their share of the
  trade, what marks a unit in the ranking (`is_marked`, thresholds in the setting `VILLAGELINK_QUALITY_MARK`).
- **Found after approval**: flags filed on a month after the unit approved it (the approval stands), for the
  approving level to see.

Everything is read in a few grouped queries whatever the number of units (one per width of the units' paths),
driven from the flags' orders (a small share of all orders), never by scanning every order of the area.

Why the marking thresholds are what they are (`MARK_DEFAULTS`):

- `open_share` 5 %: the usual quantitative materiality of an audit (5 % of the reported figure). A unit whose
  online trade rests 5 % or more on unreviewed flags could move in the ranking, or cross a target, on orders
  that may not be real; below it, an officer can sign while the review goes on. The checks flag well under 1 %
  of ordinary orders, so 5 % is not reached by chance.
- `open_flags` 10: a review backlog, whatever the money. One flag covers one pattern (a day, a shop's month, a
  number): ten unreviewed patterns in a unit's period are more than a county officer clears in passing, even
  when they are small (brushing is often many small orders, and a figure can be lifted by many small units).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr

from villagelink.approvals.models import Approval
from villagelink.core.paths import subtree_q
from villagelink.geo.models import AdminUnit
from villagelink.orders.facts import COUNTED_ON, SAVINGS
from villagelink.orders.models import Channel, IncomeShare, Kind, Order, Status

from .models import Flag, FlagStatus


def kept(via: str = "") -> Q:
    """Orders that would count but for an officer's exclusion (through a relation with `via`):
    `orders.facts.COUNTED` less its `excluded=False` (a test holds the two together)."""
    return Q(**{f"{via}status": Status.COMPLETED}) | Q(
        **{
            f"{via}channel": Channel.PLATFORM,
            f"{via}status__in": [Status.PAID, Status.SHIPPED, Status.DELIVERED],
        }
    )


KEPT = kept()

# The indicators measured on orders, by kind: (value in fen, number of orders).
MEASURED = {
    Kind.SALE: ("online_sales", "online_sales_orders"),
    Kind.PURCHASE: ("online_purchases", "online_purchases_orders"),
}
MONEY = tuple(money for money, _orders in MEASURED.values())
# Every indicator summed from orders: the trade above, the savings of assisted purchases (on the purchase's
# order) and the income of poor households (on the sale's income shares, by the household's village).
ON_ORDERS = (
    *(name for pair in MEASURED.values() for name in pair),
    "purchase_savings",
    "poor_household_income",
)

MARK_DEFAULTS = {"open_share": 0.05, "open_flags": 10}


def mark_thresholds() -> dict:
    return {**MARK_DEFAULTS, **getattr(settings, "VILLAGELINK_QUALITY_MARK", {})}


@dataclass(frozen=True)
class Part:
    """Of one indicator (fen, or orders): what rests on open flags and what confirmed flags took out."""

    open: int = 0
    excluded: int = 0

    def share_of(self, figure: int | float | None) -> float | None:
        """The part of `figure` that rests on open flags (None when the figure is nothing)."""
        return self.open / figure if figure else None


@dataclass(frozen=True)
class AreaFlags:
    """What a unit's figures for a period rest on: by indicator name (`MEASURED`), and the open flags."""

    parts: dict[str, Part] = field(default_factory=dict)
    open_flags: int = 0

    def part(self, name: str) -> Part:
        return self.parts.get(name, Part())

    @property
    def open_fen(self) -> int:
        """The value of the counted orders on open flags, sales and purchases together."""
        return sum(self.part(name).open for name in MONEY)

    @property
    def excluded_fen(self) -> int:
        return sum(self.part(name).excluded for name in MONEY)


NOTHING = AreaFlags()


def is_marked(area: AreaFlags, trade_fen: int | float | None) -> bool:
    """Whether a unit is marked in the ranking: open flags covering at least `open_share` of its online
    trade (sales and purchases, `trade_fen`), or at least `open_flags` open flags."""
    limits = mark_thresholds()
    if area.open_flags >= limits["open_flags"]:
        return True
    return bool(area.open_fen) and area.open_fen >= limits["open_share"] * (trade_fen or 0)


def _months(start: datetime.date, end: datetime.date) -> Q:
    return Q(month__gte=start.replace(day=1), month__lte=end)


def _reviewed() -> QuerySet:
    """The ids of the orders an open or confirmed flag covers."""
    covered = Flag.orders.through.objects
    return covered.filter(flag__status__in=[FlagStatus.OPEN, FlagStatus.CONFIRMED]).values("order_id")


def _marks(order: str) -> dict:
    """`on_open` and `on_confirmed`: whether an open (a confirmed) flag covers the order at `order`."""
    covered = Flag.orders.through.objects
    return {
        "on_open": Exists(covered.filter(order_id=OuterRef(order), flag__status=FlagStatus.OPEN)),
        "on_confirmed": Exists(covered.filter(order_id=OuterRef(order), flag__status=FlagStatus.CONFIRMED)),
    }


def _flagged_orders(parent: AdminUnit, start: datetime.date, end: datetime.date) -> QuerySet[Order]:
    """The orders of `parent`'s area with a day of the period (the day they count, or would) that an open or
    confirmed flag covers, each once; marked `on_open` and `on_confirmed`. Whether they count is left to the
    sums (`KEPT` there, not here: in the WHERE its OR of statuses makes SQLite walk every order of those
    statuses instead of looking up the flagged ones by key)."""
    return (
        Order.objects.filter(pk__in=_reviewed())
        .filter(subtree_q("unit__path", parent.path))
        .annotate(counted_on=COUNTED_ON)
        .filter(counted_on__gte=start, counted_on__lte=end)
        .annotate(**_marks("pk"))
    )


def flags_by_unit(
    *, parent: AdminUnit, units: list[AdminUnit], start: datetime.date, end: datetime.date
) -> dict[str, AreaFlags]:
    """For each of `units` (`parent` itself, or units below it), by path: what its figures for the period
    rest on. Three grouped queries per width of the units' paths."""
    wanted = {unit.path for unit in units}
    parts: dict[str, dict[str, list[int]]] = {path: {} for path in wanted}
    open_flags: dict[str, int] = dict.fromkeys(wanted, 0)
    on_open = KEPT & Q(excluded=False, on_open=True)
    taken_out = KEPT & Q(excluded=True, on_confirmed=True)
    amount = F("total_fen") - F("refunded_fen")
    flagged = _flagged_orders(parent, start, end)
    shares = IncomeShare.objects.filter(
        subtree_q("household__village__path", parent.path),
        day__gte=start,
        day__lte=end,
        order_id__in=_reviewed(),
    ).annotate(**_marks("order_id"))
    share_on_open = kept("order__") & Q(order__excluded=False, on_open=True)
    share_taken_out = kept("order__") & Q(order__excluded=True, on_confirmed=True)
    flags = Flag.objects.filter(
        subtree_q("unit__path", parent.path), _months(start, end), status=FlagStatus.OPEN
    )
    for width in sorted({len(path) for path in wanted}):
        rows = (
            flagged.annotate(branch=Substr("unit__path", 1, width))
            .order_by()
            .values("branch", "kind")
            .annotate(
                open_orders=Count("pk", filter=on_open),
                open_fen=Sum(amount, filter=on_open),
                excluded_orders=Count("pk", filter=taken_out),
                excluded_fen=Sum(amount, filter=taken_out),
                open_savings=Sum(SAVINGS, filter=on_open),
                excluded_savings=Sum(SAVINGS, filter=taken_out),
            )
        )
        for row in rows:
            if row["branch"] not in wanted or row["kind"] not in MEASURED:
                continue
            money, orders = MEASURED[Kind(row["kind"])]
            into = parts[row["branch"]]
            into[money] = [int(row["open_fen"] or 0), int(row["excluded_fen"] or 0)]
            into[orders] = [row["open_orders"], row["excluded_orders"]]
            if row["kind"] == Kind.PURCHASE:
                into["purchase_savings"] = [int(row["open_savings"] or 0), int(row["excluded_savings"] or 0)]
        income = (
            shares.annotate(branch=Substr("household__village__path", 1, width))
            .order_by()
            .values("branch")
            .annotate(
                open_fen=Sum("amount_fen", filter=share_on_open),
                excluded_fen=Sum("amount_fen", filter=share_taken_out),
            )
        )
        for row in income:
            if row["branch"] in wanted:
                parts[row["branch"]]["poor_household_income"] = [
                    int(row["open_fen"] or 0),
                    int(row["excluded_fen"] or 0),
                ]
        counts = (
            flags.annotate(branch=Substr("unit__path", 1, width))
            .order_by()
            .values("branch")
            .annotate(n=Count("pk"))
        )
        for row in counts:
            if row["branch"] in wanted:
                open_flags[row["branch"]] = row["n"]
    return {
        path: AreaFlags({name: Part(*values) for name, values in parts[path].items()}, open_flags[path])
        for path in wanted
    }


def flags_of(*, unit: AdminUnit, start: datetime.date, end: datetime.date) -> AreaFlags:
    """What `unit`'s figures for the period rest on (two queries)."""
    return flags_by_unit(parent=unit, units=[unit], start=start, end=end)[unit.path]


@dataclass(frozen=True)
class FoundLater:
    """Flags filed on a month after the unit approved it (the approval still standing)."""

    month: datetime.date
    flags: int
    still_open: int


def found_after_approval(*, unit: AdminUnit, start: datetime.date, end: datetime.date) -> list[FoundLater]:
    """For each month of the period that `unit` approved, the flags of its area filed after the approval
    (one query); months without any are left out."""
    approved_before = Approval.objects.filter(
        unit=unit, withdrawn_at__isnull=True, month=OuterRef("month"), approved_at__lt=OuterRef("found_at")
    )
    rows = (
        Flag.objects.filter(subtree_q("unit__path", unit.path), _months(start, end))
        .filter(Exists(approved_before))
        .order_by()
        .values("month")
        .annotate(flags=Count("pk"), still_open=Count("pk", filter=Q(status=FlagStatus.OPEN)))
        .order_by("month")
    )
    return [FoundLater(row["month"], row["flags"], row["still_open"]) for row in rows]
