"""Each index of an order earns its keep: the query that needs it uses it (the plan names it), and the partial
ones serve their query although they leave out the orders without the link."""

import datetime

import pytest
from django.db import connection

from villagelink.orders.models import IncomeShare, Order, OrderEvent, OrderLine, Status

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2019, 6, 1, 12, tzinfo=datetime.UTC)

# (the query that needs the index, the index's name in the plan)
QUERIES = [
    (lambda: Order.objects.filter(checkout_id=1), "orders_order_checkout_set"),
    (lambda: Order.objects.filter(buyer_id=1), "orders_order_buyer_set"),
    (lambda: Order.objects.filter(site_id=1), "orders_order_site_set"),
    (lambda: Order.objects.filter(household_id=1), "orders_order_household_set"),
    (lambda: Order.objects.filter(organisation_id=1), "orders_order_organisation_set"),
    (lambda: Order.objects.filter(handed_over_at_id=1), "orders_order_handed_over_set"),
    (lambda: Order.objects.filter(status=Status.PLACED, expires_at__lt=NOW), "orders_order_expiring"),
    (lambda: Order.objects.filter(shop_id=1), "orders_orde_shop_id_2cc0ff_idx"),
    (lambda: OrderLine.objects.filter(product_id=1), "orders_line_product_set"),
]


def plan_of(queryset) -> str:
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return " ".join(str(step[-1]) for step in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: ask whether it can do without a scan
        cursor.execute("EXPLAIN " + sql, params)
        return " ".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(("query", "index"), QUERIES, ids=[name for _q, name in QUERIES])
def test_the_query_that_needs_an_index_uses_it(query, index):
    assert index in plan_of(query())


@pytest.mark.parametrize("model", [Order, OrderLine, OrderEvent, IncomeShare], ids=lambda m: m.__name__)
def test_no_index_of_the_rows_an_order_writes_is_covered_by_another(model):
    """No index is the leading part of another, unique ones included (the shop's own index went: (shop, status)
    covers it; an income share's order is the lead of its unique (order, household)), and the links most
    orders leave empty have only partial indexes. PostgreSQL's `…_like` index of the order's number is the
    one of its kind: it serves the search by the number's beginning (LIKE 'x%'), which the unique index of
    the same column cannot under the database's collation."""
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, model._meta.db_table)
    found = {name: tuple(c["columns"]) for name, c in indexes.items() if c["index"] or c["unique"]}
    for name, mine in found.items():
        if indexes[name]["unique"] or name.endswith("_like"):
            continue
        for other_name, other in found.items():
            assert other_name == name or other[: len(mine)] != mine, (model.__name__, name, other_name)
    if model is Order:
        assert ("shop_id",) not in found.values()
