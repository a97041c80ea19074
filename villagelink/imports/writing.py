"""The orders of a chunk of matched rows written with the bulk writer of orders (`orders.bulk`): new ones
with their line, event and income shares; changed ones updated in place, their income recomputed. Both
added to the daily facts in the same transaction."""

import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.core.dates import region_zone
from villagelink.orders.bulk import orders_insert, rows_insert
from villagelink.orders.facts import facts_add_orders, facts_follow
from villagelink.orders.models import (
    Channel,
    IncomeShare,
    Kind,
    Order,
    OrderEvent,
    OrderLine,
    PaymentMethod,
    Status,
)
from villagelink.orders.services import income_recompute, income_split, poor_beneficiaries

from .matching import Planned
from .models import ImportBatch


def _orders_where(column: str, values: list[str], columns: list[str], platform: str | None = None) -> list:
    """The `columns` of the orders whose `column` is one of `values` (a chunk's worth), in plain SQL: the ORM's
    preparation of thousands of parameters cost more than the query."""
    if not values:
        return []
    quote = connection.ops.quote_name
    where = f"{quote(column)} IN ({', '.join(['%s'] * len(values))})"
    params = list(values)
    if platform is not None:
        # The unique index on (platform, external_id) leaves out orders without an external id; SQLite uses
        # it only when the query repeats that condition (else it scans every order, once per chunk).
        where += f" AND {quote('platform')} = %s AND NOT ({quote('external_id')} = '')"
        params.append(platform)
    sql = "SELECT {} FROM {} WHERE {}".format(  # noqa: S608 - names from the model, quoted; values as parameters
        ", ".join(quote(c) for c in columns), quote(Order._meta.db_table), where
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The order fields an import fills, in the order of its rows; the others are blank (`orders.bulk`).
ORDER_FIELDS = (
    "number", "kind", "channel", "status", "shop_id", "unit_id", "platform", "external_id", "payment_method",
    "total_fen", "refunded_fen", "placed_at", "placed_on", "paid_at", "completed_on", "buyer_key",
)  # fmt: skip


def _completed_on(plan: Planned, zone: ZoneInfo) -> datetime.date | None:
    if plan.status != Status.COMPLETED:
        return None
    return (plan.row.completed_at or plan.row.placed_at).astimezone(zone).date()


def _insert(batch: ImportBatch, by: User, plans: list[Planned], now, note: str, members: dict) -> None:
    if not plans:
        return
    numbers = {}
    rows = []
    zone = region_zone()
    for plan in plans:
        row = plan.row
        number = f"I{batch.pk}-{row.number}"
        numbers[number] = plan
        rows.append(
            (
                number,
                Kind.SALE,
                Channel.PLATFORM,
                plan.status,
                plan.shop.pk,
                plan.shop.unit_id,
                batch.platform,
                row.external_id,
                PaymentMethod.ONLINE,
                row.amount_fen,
                plan.refunded_fen,
                row.placed_at,
                row.placed_at.astimezone(zone).date(),
                None if plan.status in (Status.CANCELLED, Status.PLACED) else row.placed_at,
                _completed_on(plan, zone),
                row.buyer_key,
            )
        )
    orders_insert(ORDER_FIELDS, rows)
    ids = dict(_orders_where("number", list(numbers), ["number", "id"]))
    lines, events = [], []
    for number, plan in numbers.items():
        row = plan.row
        title = row.title or _("Order %(id)s") % {"id": row.external_id}
        lines.append(
            (ids[number], None, title[:200], row.quantity, row.amount_fen // row.quantity, row.amount_fen)
        )
        events.append((ids[number], plan.status, row.placed_at, by.pk, note))
    rows_insert(
        OrderLine,
        ["order_id", "product_id", "description", "quantity", "unit_price_fen", "amount_fen"],
        lines,
    )
    rows_insert(OrderEvent, ["order_id", "status", "at", "by_id", "note"], events)
    shares = _income_rows(ids, numbers, zone, members)
    rows_insert(IncomeShare, ["order_id", "household_id", "amount_fen", "day"], shares)
    facts_add_orders(ids.values())


def _income_rows(
    ids: dict[str, int], plans: dict[str, Planned], zone: ZoneInfo, members: dict
) -> list[tuple]:
    """The income shares of new orders (as `orders.services` records them for a completed sale), without
    loading the orders again: each row's shop, with its owner, is at hand; `members` caches organisations'
    households for the whole import."""
    rows = []
    for number, plan in plans.items():
        amount, day = plan.row.amount_fen - plan.refunded_fen, _completed_on(plan, zone)
        if day is None or amount <= 0:
            continue
        shop = plan.shop
        households = poor_beneficiaries(shop.household, shop.organisation, day.year, members)
        if households:
            rows += [(ids[number], h.pk, share, day) for h, share in income_split(amount, households)]
    return rows


def _update(by: User, changed: list[tuple[int, str, Planned]], now, note: str) -> None:
    if not changed:
        return
    quote = connection.ops.quote_name
    table = quote(Order._meta.db_table)
    assignments = ", ".join(
        f"{quote(c)} = %s" for c in ("status", "total_fen", "refunded_fen", "completed_on")
    )
    # An order first seen unpaid is paid when a later report says it moved on (at its placing, as new ones).
    paid_at, placed_at = quote("paid_at"), quote("placed_at")
    paid = f"{paid_at} = CASE WHEN %s THEN COALESCE({paid_at}, {placed_at}) ELSE {paid_at} END"
    sql = f"UPDATE {table} SET {assignments}, {paid} WHERE {quote('id')} = %s"  # noqa: S608 - model names, quoted
    ids = [pk for pk, _old, _plan in changed]
    zone = region_zone()
    with facts_follow(ids):
        with connection.cursor() as cursor:
            cursor.executemany(
                sql,
                [
                    (
                        plan.status,
                        plan.row.amount_fen,
                        plan.refunded_fen,
                        connection.ops.adapt_datefield_value(_completed_on(plan, zone)),
                        plan.status not in (Status.PLACED, Status.CANCELLED),
                        pk,
                    )
                    for pk, _old, plan in changed
                ],
            )
        income_recompute(ids)
    rows_insert(
        OrderEvent,
        ["order_id", "status", "at", "by_id", "note"],
        [(pk, plan.status, now, by.pk, note) for pk, old, plan in changed if old != plan.status],
    )
