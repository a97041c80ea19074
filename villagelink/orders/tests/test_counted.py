"""`counted_between` (the counted orders of a span, also through a relation) picks exactly the orders that
`COUNTED` and `COUNTED_ON` pick, for every channel, status, exclusion and day around the span's edges."""

import datetime
import itertools

from villagelink.orders.bulk import orders_insert, rows_insert
from villagelink.orders.facts import COUNTED, COUNTED_ON, counted_between
from villagelink.orders.models import Channel, Order, OrderLine, Status

FIRST, LAST = datetime.date(2019, 6, 1), datetime.date(2019, 6, 30)
DAYS = [None, datetime.date(2019, 5, 31), FIRST, datetime.date(2019, 6, 15), LAST, datetime.date(2019, 7, 1)]
FIELDS = (
    "number", "kind", "channel", "status", "unit_id", "excluded", "total_fen", "refunded_fen", "placed_at",
    "placed_on", "completed_on", "platform", "external_id", "payment_method", "paid_at",
)  # fmt: skip


def test_counted_between_is_counted_on_a_day_of_the_span(units):
    # Given orders of every channel, status and exclusion, placed and completed on days in, before and after
    # the span (or never completed)
    village = units["540221101201"]
    rows = []
    combos = itertools.product(Channel.values, Status.values, (False, True), DAYS[1:], DAYS)
    for n, (channel, status, excluded, placed, completed) in enumerate(combos):
        at = datetime.datetime.combine(placed, datetime.time(12), tzinfo=datetime.UTC)
        rows.append(
            (
                f"C{n}",
                "sale",
                channel,
                status,
                village.pk,
                excluded,
                100,
                0,
                at,
                placed,
                completed,
                "",
                "",
                "cash",
                None,
            )
        )
    orders_insert(FIELDS, rows)
    rows_insert(
        OrderLine,
        ["order_id", "description", "quantity", "unit_price_fen", "amount_fen"],
        [(pk, "Butter", 1, 100, 100) for pk in Order.objects.values_list("pk", flat=True)],
    )

    # When the counted orders of the span are picked both ways, and their lines through the relation
    expected = set(
        Order.objects.filter(COUNTED)
        .annotate(on=COUNTED_ON)
        .filter(on__gte=FIRST, on__lte=LAST)
        .values_list("pk", flat=True)
    )
    picked = set(Order.objects.filter(counted_between(FIRST, LAST)).values_list("pk", flat=True))
    through = set(
        OrderLine.objects.filter(counted_between(FIRST, LAST, via="order__")).values_list(
            "order_id", flat=True
        )
    )

    # Then they are the same orders, some but not all of them
    assert picked == expected == through
    assert 0 < len(expected) < len(rows)
