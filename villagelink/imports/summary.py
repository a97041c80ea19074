"""What the check of a report found, for the officer to decide on before anything is written: the orders and
amount per status, what would count as sales, the change to each county's sales for each month the report
touches, and the first rows as read. Kept on the batch (`ImportBatch.summary`, JSON) for the page, the API
and `import-orders`; the figures "now" beside the change are read when shown (`figures_now`)."""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from villagelink.core.dates import region_zone
from villagelink.core.money import fen_to_yuan
from villagelink.core.notes import note_text
from villagelink.geo.models import LEVEL_PATH_WIDTH, AdminUnit, Level
from villagelink.orders.models import Kind, MonthlyFact, Status

from .matching import Planned

SAMPLE_ROWS = 20
# What a row does to what is recorded, as the first rows shown say it.
EFFECTS = {
    "new": _("new order"),
    "updated": _("updates the order"),
    "unchanged": _("unchanged"),
    "older": _("older than what is recorded"),
    "rejected": _("rejected"),
}
# What counts as a sale for an order a platform reports (orders.facts.COUNTED for the platform channel, which
# also leaves out the orders an officer excluded: see `counted`).
COUNTED = frozenset({Status.PAID, Status.SHIPPED, Status.DELIVERED, Status.COMPLETED})
COUNTY = LEVEL_PATH_WIDTH[Level.COUNTY]


def counted(status: str, total_fen: int, refunded_fen: int, *, excluded: bool = False) -> tuple[int, int]:
    """(orders, fen) an order adds to the sales figures: once paid, its total less refunds; nothing if an
    officer excluded it (confirming a data-quality flag on it)."""
    return (1, total_fen - refunded_fen) if status in COUNTED and not excluded else (0, 0)


@dataclass
class Summary:
    statuses: dict[str, list[int]] = field(default_factory=dict)  # status: [orders, amount, refunded] (fen)
    counted: list[int] = field(default_factory=lambda: [0, 0])  # [orders, fen] the report's rows count
    months: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (county path, "YYYY-MM"): change
    sample: list[dict] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)  # header cells no field of ours was read from
    missing: list[str] = field(default_factory=list)  # our fields the report has no column for
    zone: ZoneInfo = field(default_factory=region_zone)
    _months: dict[datetime.date, str] = field(default_factory=dict, repr=False)  # each day's "YYYY-MM"
    _counties: dict[int, str] = field(default_factory=dict, repr=False)  # each shop's county path

    def row(self, plan: Planned, *, excluded: bool = False) -> None:
        """An accepted row of the report, whatever it does to what is recorded; `excluded`: the row's order
        is recorded and an officer excluded it (its row is a status like any other, but counts nothing)."""
        figures = self.statuses.setdefault(plan.status, [0, 0, 0])
        figures[0] += 1
        figures[1] += plan.row.amount_fen
        figures[2] += plan.refunded_fen
        orders, fen = counted(plan.status, plan.row.amount_fen, plan.refunded_fen, excluded=excluded)
        self.counted[0] += orders
        self.counted[1] += fen

    def new(self, plan: Planned, placed_on: datetime.date) -> None:
        """A row that adds an order, placed on `placed_on` (the region's day). Runs for every new row: an order
        that counts nothing changes no month (`as_json` leaves out months without a change)."""
        if plan.status not in COUNTED:
            return
        month = self._months.get(placed_on)
        if month is None:
            month = self._months[placed_on] = placed_on.isoformat()[:7]
        county = self._counties.get(plan.shop.pk)
        if county is None:
            county = self._counties[plan.shop.pk] = plan.shop.unit.path[:COUNTY]
        self._add(county, month, 1, plan.row.amount_fen - plan.refunded_fen)

    def changed(
        self, plan: Planned, placed_on, status: str, total: int, refunded: int, *, excluded: bool = False
    ) -> None:
        """An order recorded as (status, total, refunded), placed on `placed_on`, that the row changes.

        An order an officer excluded (`excluded`, by confirming a data-quality flag) counts nothing before
        the change nor after it: the commit records the platform's new status and amounts but the order stays
        excluded — a platform's report does not undo an officer's decision, which only an officer takes back
        (`orders.services.orders_exclude`). So its row changes no figure, as the facts will not."""
        if excluded:
            return
        month = str(placed_on)[:7]  # a date, or its ISO text from SQLite's cursor
        orders, fen = counted(status, total, refunded)
        self._add(plan.shop.unit.path, month, -orders, -fen)
        self._change(plan.shop.unit.path, month, plan)

    def _change(self, path: str, month: str, plan: Planned) -> None:
        self._add(path, month, *counted(plan.status, plan.row.amount_fen, plan.refunded_fen))

    def _add(self, path: str, month: str, orders: int, fen: int) -> None:
        change = self.months.setdefault((path[:COUNTY], month), [0, 0])
        change[0] += orders
        change[1] += fen

    def wants_rows(self) -> bool:
        return len(self.sample) < SAMPLE_ROWS

    def show(self, entries: list[dict]) -> None:
        """Adds a chunk's rows, as read, to the first rows shown (until there are enough)."""
        room = SAMPLE_ROWS - len(self.sample)
        if room > 0:
            self.sample += sorted(entries, key=lambda e: e["row"])[:room]

    def as_json(self) -> dict:
        return {
            "statuses": self.statuses,
            "counted": self.counted,
            "months": [
                [path, month, orders, fen]
                for (path, month), (orders, fen) in sorted(self.months.items())
                if orders or fen
            ],
            "sample": self.sample,
            "header": self.header,
            "unused": self.unused,
            "missing": self.missing,
        }


def sample_entry(plan: Planned, effect: str, zone: ZoneInfo) -> dict:
    row = plan.row
    return {
        "row": row.number,
        "order": row.external_id,
        "placed_at": row.placed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "status": plan.status,
        "amount_fen": row.amount_fen,
        "refunded_fen": plan.refunded_fen,
        "shop": plan.shop.name,
        "effect": effect,
    }


def figures_now(summary: dict) -> list[dict]:
    """The summary's changes per county and month, each with the county's name and its sales recorded now
    (orders and fen, every channel): what the officer compares the change with."""
    months = summary.get("months") or []
    paths = {path for path, *_rest in months}
    names = {
        unit.path: unit.name for unit in AdminUnit.objects.filter(path__in=paths)
    }  # in the reader's language
    now: dict[tuple[str, str], tuple[int, int]] = {}
    if months:
        firsts = {f"{month}-01" for _path, month, *_rest in months}
        rows = (
            MonthlyFact.objects.filter(path__in=paths, month__in=firsts, kind=Kind.SALE)
            .values_list("path", "month")
            .annotate(orders=Sum("orders"), fen=Sum("amount_fen"))
        )
        now = {(path, month.strftime("%Y-%m")): (orders, fen) for path, month, orders, fen in rows}
    shown = []
    for path, month, orders, fen in months:
        before = now.get((path, month), (0, 0))
        shown.append(
            {
                "county": names.get(path, path),
                "county_path": path,
                "month": month,
                "orders_change": orders,
                "fen_change": fen,
                "orders_now": before[0],
                "fen_now": before[1],
            }
        )
    return shown


def preview_of(summary: dict) -> dict:
    """The summary as the API and `import-orders` give it: amounts in yuan (text, as everywhere in the API)."""
    return {
        "statuses": [
            {
                "status": status,
                "orders": orders,
                "amount": fen_to_yuan(amount),
                "refunded": fen_to_yuan(refunded),
            }
            for status, (orders, amount, refunded) in (summary.get("statuses") or {}).items()
        ],
        "counted": {
            "orders": (summary.get("counted") or [0, 0])[0],
            "amount": fen_to_yuan((summary.get("counted") or [0, 0])[1]),
        },
        "months": [
            {
                "county": m["county"],
                "county_path": m["county_path"],
                "month": m["month"],
                "orders_change": m["orders_change"],
                "amount_change": fen_to_yuan(m["fen_change"]),
                "amount_now": fen_to_yuan(m["fen_now"]),
            }
            for m in figures_now(summary)
        ],
        "first_rows": [
            {
                "row": entry["row"],
                "effect": entry["effect"],
                "order": entry.get("order", ""),
                "placed_at": entry.get("placed_at", ""),
                "status": entry.get("status", ""),
                "amount": fen_to_yuan(entry["amount_fen"]) if "amount_fen" in entry else "",
                "refunded": fen_to_yuan(entry["refunded_fen"]) if "refunded_fen" in entry else "",
                "shop": entry.get("shop", ""),
                "reason": note_text(entry.get("reason", "")),
            }
            for entry in summary.get("sample", [])
        ],
    }
