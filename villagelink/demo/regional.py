"""The region's online trade over the demo period (2015-01-01 to 2019-06-30), generated in bulk.

The published figures for the period are online sales of more than 260 million yuan and online purchases of
290 million yuan. The demo holds them as about 92,000 orders, drawn by `regional_trades` and written by
`regional_writer` with the one bulk writer of orders (COPY on PostgreSQL, executemany on SQLite); the ORM
would take minutes. Each order costs about 100 µs on a 2-core machine (a dozen indexes, six checks, a line,
an event and some four daily-fact rows), so the orders are of realistic but not small sizes.

The builder measures what already counts in the period and draws orders until the region's counted sales and
purchases reach their targets. The demo operator's village point is left to the desk demo, which records its
trades through the services; the assistance ledger is left alone (its figure is fixed by `assistance.demo`).
"""

import datetime
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Sum

from villagelink.core.paths import subtree_q
from villagelink.geo.models import AdminUnit
from villagelink.orders.facts import COUNTED, COUNTED_ON
from villagelink.orders.models import Order

from .regional_trades import (
    COMPLETED,
    DESIGNATION_EFFECT,
    END,
    PURCHASE,
    PURCHASES_TARGET_FEN,
    SALE,
    SALES_TARGET_FEN,
    START,
    draw_trades,
)
from .regional_writer import regional_orders_q, trades_write

__all__ = ["RegionalOrders", "build_regional_orders", "counted_fen", "regional_orders_q"]


@dataclass(frozen=True)
class RegionalOrders:
    """What was written (none when the region's orders were there already), and the region's counted online
    sales and purchases over the period afterwards, every order included."""

    storefront_sales: int
    platform_sales: int
    assisted_sales: int
    assisted_purchases: int
    refunded: int
    cancelled: int
    income_shares: int
    facts: int
    sales_fen: int
    purchases_fen: int
    seconds: float

    @property
    def orders(self) -> int:
        return self.storefront_sales + self.platform_sales + self.assisted_sales + self.assisted_purchases


def counted_fen(
    *, region: AdminUnit, kind: str, start: datetime.date = START, end: datetime.date = END
) -> int:
    """The region's counted online sales or purchases (`kind`) from `start` to `end`, in fen, straight from
    the orders, by the rule the indicators use (`orders.facts.COUNTED` on `COUNTED_ON`)."""
    return (
        Order.objects.filter(subtree_q("unit__path", region.path), COUNTED, kind=kind)
        .annotate(counted_on=COUNTED_ON)
        .filter(counted_on__gte=start, counted_on__lte=end)
        .aggregate(amount=Sum(F("total_fen") - F("refunded_fen")))["amount"]
        or 0
    )


@transaction.atomic
def build_regional_orders(
    *, region: AdminUnit, seed: int = 2019, scale: float = 1.0, effect: float = DESIGNATION_EFFECT
) -> RegionalOrders:
    """Writes the region's online trade for the demo period, once: nothing is added when the orders are
    there already. `scale` scales the targets (tests use a small one); `effect` is the designation's effect on
    a county's trade (`regional_trades.DESIGNATION_EFFECT`)."""
    began = time.perf_counter()
    if Order.objects.filter(regional_orders_q()).exists():
        return RegionalOrders(
            *[0] * 8,
            sales_fen=counted_fen(region=region, kind=SALE),
            purchases_fen=counted_fen(region=region, kind=PURCHASE),
            seconds=time.perf_counter() - began,
        )
    rng = random.Random(seed)
    sales_before = counted_fen(region=region, kind=SALE)
    purchases_before = counted_fen(region=region, kind=PURCHASE)
    drawn = draw_trades(
        rng=rng,
        region=region,
        sales_fen=round(SALES_TARGET_FEN * scale) - sales_before,
        purchases_fen=round(PURCHASES_TARGET_FEN * scale) - purchases_before,
        effect=effect,
    )
    trades = drawn.trades
    written = trades_write(rng=rng, trades=trades, days=drawn.days, region=region)
    counted = {SALE: 0, PURCHASE: 0}  # all of them are in the region and the period
    for trade in trades:
        if trade.status == COMPLETED:
            counted[trade.kind] += trade.total_fen
    return RegionalOrders(
        **written,
        sales_fen=sales_before + counted[SALE],
        purchases_fen=purchases_before + counted[PURCHASE],
        seconds=time.perf_counter() - began,
    )
