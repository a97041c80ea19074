"""What the rules read and what they find: the counted orders of an area and a span, read once for every rule
(`Area`), and a rule's `Finding`."""

import datetime
import hashlib
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models import F, Q, QuerySet

from villagelink.core.paths import subtree_q
from villagelink.geo.models import AdminUnit
from villagelink.orders.facts import COUNTED_ON, counted_between
from villagelink.orders.models import Order


@dataclass(frozen=True)
class Finding:
    rule: str
    unit_id: int
    shop_id: int | None
    month: datetime.date
    order_ids: tuple[int, ...]
    amount_fen: int
    evidence: dict = field(hash=False)

    @property
    def fingerprint(self) -> str:
        if not self.order_ids:  # a unit's figure, not orders: the unit and month are the evidence
            key = f"{self.rule}:unit:{self.unit_id}:{self.month:%Y-%m}"
        else:
            key = f"{self.rule}:" + ",".join(str(pk) for pk in sorted(self.order_ids))
        return hashlib.sha256(key.encode()).hexdigest()


def counted_orders(path: str, first: datetime.date, last: datetime.date, *, where: Q | None = None):
    """The orders of the area (by unit path, or the condition `where`) that count on a day from `first` to
    `last`."""
    return (
        Order.objects.filter(
            subtree_q("unit__path", path) if where is None else where, counted_between(first, last)
        )
        .annotate(counted_on=COUNTED_ON, amount=F("total_fen") - F("refunded_fen"))
        .order_by()
    )


def rows(queryset: QuerySet, *, day: int, shared: tuple[int, ...] = ()) -> list[tuple]:
    """The rows of a `values_list` query as the database cursor gives them, with the date in column `day` made
    (SQLite gives text) and the values of the `shared` columns (few distinct values: a shop, a channel, a
    day) held once each. Django's converters would spend a second on each million rows, and a million
    copies of "platform" two hundred megabytes."""
    sql, params = queryset.query.sql_with_params()
    same: dict = {}
    one = same.setdefault
    dates: dict = {}
    found = []
    # On PostgreSQL a server-side cursor: the rows come in chunks, not all at once into the driver's memory.
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(10_000):
            for fetched in chunk:
                row = list(fetched)
                for column in shared:
                    row[column] = one(row[column], row[column])
                text = row[day]
                if text not in dates:
                    dates[text] = datetime.date.fromisoformat(text) if isinstance(text, str) else text
                row[day] = dates[text]
                found.append(tuple(row))
    return found


@dataclass
class Area:
    """What the rules check: the counted orders of an area (by unit path) from `first` to `last`, read once for
    every rule, with the year before (the outsized rule's usual, the spike's trailing days)."""

    path: str
    first: datetime.date
    last: datetime.date
    limits: dict

    @property
    def since(self) -> datetime.date:
        year_before = self.first.replace(day=1) - datetime.timedelta(days=365)
        days = max(self.limits["spike_window_days"], self.limits["repeat_days"], self.limits["twin_days"])
        return min(year_before, self.first - datetime.timedelta(days=days))

    @property
    def until(self) -> datetime.date:
        return self.last + datetime.timedelta(days=self.limits["twin_days"])

    @cached_property
    def orders(self) -> list[tuple]:
        """(pk, shop, unit, day, amount, channel, kind, platform, household, buyer) of each counted order,
        from `since` to `until`, by day."""
        found = rows(
            counted_orders(self.path, self.since, self.until, where=self.within("unit__path")).values_list(
                "pk",
                "shop_id",
                "unit_id",
                "counted_on",
                "amount",
                "channel",
                "kind",
                "platform",
                "household_id",
                "buyer_key",
            ),
            day=3,
            shared=(1, 2, 5, 6, 7, 8, 9),
        )
        found.sort(key=lambda row: row[3])
        return found

    @cached_property
    def shop_orders(self) -> list[tuple]:
        """The counted orders of shops."""
        return [row for row in self.orders if row[1] is not None]

    @cached_property
    def everywhere(self) -> bool:
        """Whether the area holds every unit (a region's deployment checking the region)."""
        return not AdminUnit.objects.exclude(subtree_q("path", self.path)).exists()

    def within(self, lookup: str) -> Q:
        """The rows of the area, by the unit path at `lookup`; no condition when the area is everywhere, where
        a condition on the path would have SQLite read the orders unit by unit through an index (five times
        slower than reading them all)."""
        return Q() if self.everywhere else subtree_q(lookup, self.path)

    def inside(self, day: datetime.date) -> bool:
        return self.first <= day <= self.last
