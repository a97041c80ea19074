"""The commit holds what its rows' foreign keys refer to and writes them without PostgreSQL's key triggers when
it may (`imports.keys`): every key it writes refers to a row, a referred row gone since the check refuses the
commit, and without the right to turn the triggers off the commit writes the same rows with them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from villagelink.catalog.models import Shop
from villagelink.core.exceptions import ApplicationError
from villagelink.imports import keys, staging
from villagelink.imports.models import BatchStatus
from villagelink.imports.services import import_commit
from villagelink.orders import bulk
from villagelink.orders.facts import facts_verify
from villagelink.orders.models import IncomeShare, Order, OrderEvent, OrderLine

from .test_services import TAOBAO, preview

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="PostgreSQL's triggers and roles"
)


def dangling_keys() -> list[str]:
    """Every foreign key of the rows an import writes that refers to no row, by table and column."""
    found = []
    quote = connection.ops.quote_name
    for model in (Order, OrderLine, OrderEvent, IncomeShare):
        for field in model._meta.concrete_fields:
            if not field.is_relation:
                continue
            target = field.related_model._meta
            sql = (
                f"SELECT COUNT(*) FROM {quote(model._meta.db_table)} x LEFT JOIN {quote(target.db_table)} t "  # noqa: S608
                f"ON t.{quote(target.pk.column)} = x.{quote(field.column)} "
                f"WHERE x.{quote(field.column)} IS NOT NULL AND t.{quote(target.pk.column)} IS NULL"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql)
                if cursor.fetchone()[0]:
                    found.append(f"{model._meta.db_table}.{field.column}")
    return found


def replication_role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('session_replication_role')")
        return cursor.fetchone()[0]


def test_every_key_the_commit_writes_refers_to_a_row(county_officer, shops):
    with CaptureQueriesContext(connection) as queries:
        import_commit(by=county_officer, batch=preview(county_officer, TAOBAO))

    assert Order.objects.count() == 4 and IncomeShare.objects.exists() and OrderEvent.objects.count() == 4
    assert dangling_keys() == []
    assert facts_verify()[0] == 0
    turned_off = any("session_replication_role = replica" in q["sql"] for q in queries.captured_queries)
    assert turned_off == (connection.vendor == "postgresql")  # the tests' role is a superuser
    if connection.vendor == "postgresql":
        assert replication_role() == "origin"  # set back for the rest of the transaction


def test_a_shop_gone_since_the_check_refuses_the_commit_and_nothing_is_written(county_officer, shops):
    batch = preview(county_officer, TAOBAO)
    gone = Shop.objects.order_by("pk").last().pk + 1
    with connection.cursor() as cursor:  # one row's shop is gone since the check (the app deletes none)
        cursor.execute(f"UPDATE {staging.table(batch.pk)} SET shop_id = %s WHERE row_number = 4", [gone])  # noqa: S608

    with pytest.raises(ApplicationError, match="changed since this report was checked"):
        import_commit(by=county_officer, batch=batch)

    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEWED
    assert not Order.objects.exists() and not OrderLine.objects.exists() and not OrderEvent.objects.exists()
    if connection.vendor == "postgresql":
        assert replication_role() == "origin"


def test_without_the_right_to_turn_the_triggers_off_the_commit_writes_the_same_rows(
    county_officer, shops, monkeypatch
):
    monkeypatch.setattr(keys, "may_skip_triggers", lambda: False)
    with CaptureQueriesContext(connection) as queries:
        import_commit(by=county_officer, batch=preview(county_officer, TAOBAO))

    assert not any("session_replication_role" in q["sql"] for q in queries.captured_queries)
    assert Order.objects.count() == 4 and dangling_keys() == [] and facts_verify()[0] == 0


@postgresql_only
def test_a_role_without_the_right_keeps_the_triggers(db):
    assert keys.may_skip_triggers()  # the tests' superuser
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE vl_test_plain NOLOGIN")  # undone with the test's transaction
        cursor.execute("SET LOCAL ROLE vl_test_plain")
    try:
        assert not keys.may_skip_triggers()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def test_the_orders_insert_may_write_no_key_the_commit_does_not_hold(monkeypatch):
    filled = {"shop_id": "s.shop_id", "unit_id": "sh.unit_id", "status": "s.status"}
    keys.order_keys_written(filled)  # as the commit writes them

    with pytest.raises(ValueError, match="buyer_id"):
        keys.order_keys_written({**filled, "buyer_id": "s.buyer"})
    monkeypatch.setitem(bulk.ORDER_DEFAULTS, "site_id", 7)  # a key given a value for every order
    with pytest.raises(ValueError, match="site_id"):
        keys.order_keys_written(filled)
