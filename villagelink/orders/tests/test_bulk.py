"""The one bulk writer of orders (platform report imports, the regional demo): what it writes reads back
through the ORM as written, on SQLite (executemany; dates and moments as text) and PostgreSQL (COPY)."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from villagelink.orders.bulk import orders_insert, rows_insert, table_insert
from villagelink.orders.models import Order, OrderEvent, OrderLine

FIELDS = (
    "number", "kind", "channel", "status", "unit_id", "platform", "external_id", "payment_method", "total_fen",
    "refunded_fen", "placed_at", "placed_on", "paid_at", "completed_on",
)  # fmt: skip
LHASA = ZoneInfo("Asia/Shanghai")


def test_orders_their_lines_and_events_read_back_as_written(units):
    # Given two platform orders, one placed late in the evening (the day before, in UTC) and one cancelled
    village = units["540221101201"]
    evening = datetime.datetime(2019, 6, 1, 23, 30, 15, tzinfo=LHASA)
    rows = [
        ("B1", "sale", "platform", "completed", village.pk, "taobao", "T-1", "online", 12_345, 0,
         evening, datetime.date(2019, 6, 1), evening, datetime.date(2019, 6, 3)),
        ("B2", "sale", "platform", "cancelled", village.pk, "jd", "J-2", "online", 500, 0,
         evening, datetime.date(2019, 6, 1), None, None),
    ]  # fmt: skip

    # When they are written in bulk, with a line and an event each
    orders_insert(FIELDS, rows)
    ids = dict(Order.objects.values_list("number", "pk"))
    rows_insert(
        OrderLine,
        ["order_id", "product_id", "description", "quantity", "unit_price_fen", "amount_fen"],
        [
            (ids["B1"], None, 'Butter "yak"\tand\\tea\n', 3, 4_115, 12_345),
            (ids["B2"], None, "Barley", 1, 500, 500),
        ],
    )
    rows_insert(
        OrderEvent,
        ["order_id", "status", "at", "by_id", "note"],
        [(ids["B1"], "completed", evening, None, ""), (ids["B2"], "cancelled", evening, None, "")],
    )

    # Then each order holds what was given, and every other field its blank value
    completed, cancelled = Order.objects.order_by("number")
    assert (completed.status, completed.total_fen, completed.unit, completed.external_id) == (
        "completed",
        12_345,
        village,
        "T-1",
    )
    assert completed.placed_at == evening == completed.paid_at and completed.placed_at.tzinfo is not None
    assert (completed.placed_on, completed.completed_on) == (
        datetime.date(2019, 6, 1),
        datetime.date(2019, 6, 3),
    )
    assert (cancelled.paid_at, cancelled.completed_on) == (None, None)
    assert (completed.shop, completed.checkout, completed.buyer, completed.expires_at) == (
        None,
        None,
        None,
        None,
    )
    assert (completed.buyer_name, completed.note, completed.holds_stock, completed.service_fee_fen) == (
        "",
        "",
        False,
        0,
    )
    # …and its line and event
    assert completed.lines.get().description == 'Butter "yak"\tand\\tea\n'
    assert completed.lines.get().amount_fen == completed.amount_fen == 12_345
    assert [(e.status, e.at) for e in cancelled.events.all()] == [("cancelled", evening)]


def test_an_order_field_neither_given_nor_blank_is_refused(units):
    # When a field without a blank value is left out, or a field Order does not have is given
    with pytest.raises(ValueError, match="placed_on"):
        orders_insert([name for name in FIELDS if name != "placed_on"], [])
    with pytest.raises(ValueError, match="colour"):
        orders_insert([*FIELDS, "colour"], [])
    # Then nothing is written
    assert not Order.objects.exists()


def test_no_rows_make_no_statement(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        table_insert('"orders_order"', ['"number"'], [])
        rows_insert(OrderLine, ["order_id"], [])
        orders_insert(FIELDS, [])
