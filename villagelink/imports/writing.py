"""The commit of a checked batch, from its staging table (`staging`) in a few statements: new orders with
their line and event (`INSERT … SELECT`), their income shares (one statement over a plan of who shares each
shop's income in each year) and their facts (one grouped query); changed orders updated in place (`UPDATE …
FROM`) a few thousand at a time, their facts followed and income recomputed. All in the commit's transaction.

The check saw the recorded orders as they were then: a new order that exists by now, or a changed one that
moved since, refuses the commit (the officer checks again and decides on the figures the commit would really
change)."""

from array import array

from django.core.cache import caches
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.catalog.models import Shop
from villagelink.core import notes
from villagelink.core.exceptions import ErrorCode
from villagelink.orders.bulk import ORDER_DEFAULTS, one_of, order_blanks, table_insert
from villagelink.orders.facts import facts_apply, facts_follow, measure
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
from villagelink.orders.services import income_recompute, poor_beneficiaries

from . import keys, staging
from .errors import ImportError_
from .models import ImportBatch
from .progress import _progress_key

CHUNK = 2000
ANALYSE_ROWS = 50_000  # new orders from which PostgreSQL's statistics of orders are brought up to date


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _orders_where(column: str, values: list[str], columns: list[str], platform: str | None = None) -> list:
    """The `columns` of the orders whose `column` is one of `values` (a chunk's worth), in plain SQL: the ORM's
    preparation of thousands of parameters cost more than the query."""
    if not values:
        return []
    where, params = one_of(quote(column), values)
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


def changed_meanwhile() -> ImportError_:
    return ImportError_(
        _(
            "The recorded orders changed since this report was checked, so the import would change the "
            "figures differently from what the check showed. Nothing was written; check the report again and "
            "look at the new figures."
        ),
        code=ErrorCode.CONFLICT,
    )


def _literal(value) -> str:
    """A blank value as SQL (PostgreSQL types a parameter in a SELECT's list as text, a literal as needed)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if value == "":
        return "''"
    raise ValueError(f"no SQL literal for the blank value {value!r}")


def staged_commit(batch: ImportBatch, by: User) -> None:
    """Writes the batch's staged rows as orders and drops the staging table; refuses (nothing written) when
    the table is gone or short, or the recorded orders moved since the check."""
    if not staging.exists(batch.pk):
        raise ImportError_(
            _("The checked rows of this import are no longer kept. Check the report again, then commit it."),
            code=ErrorCode.CONFLICT,
        )
    staged = staging.table(batch.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT effect, COUNT(*) FROM {staged} WHERE effect IN (%s, %s) GROUP BY effect",  # noqa: S608
            [staging.NEW, staging.UPDATED],
        )
        found = dict(cursor.fetchall())
    if (found.get(staging.NEW, 0), found.get(staging.UPDATED, 0)) != (batch.created, batch.updated):
        raise ImportError_(
            _("The checked rows of this import are incomplete. Check the report again, then commit it."),
            code=ErrorCode.CONFLICT,
        )
    note = notes.note("imported", file=batch.file_name, batch=batch.pk)
    if batch.updated:
        _update(batch, staged, by, note)
    if batch.created:
        _insert(batch, staged, by, note)
    staging.drop(batch.pk)


def _progress(batch: ImportBatch, part: float) -> None:
    """How far the commit has got, as a part of the report's rows (the page's "N of about M rows"): changed
    orders first, then the new ones by step."""
    caches["shared"].set(_progress_key(batch.pk), int(batch.rows_total * min(part, 1)), 3600)


def _joined(staged: str) -> str:
    """The new orders joined to their staged rows (by the unique index on platform and external id)."""
    orders = quote(Order._meta.db_table)
    return (
        f"{staged} s JOIN {orders} o ON o.platform = %s AND o.external_id = s.external_id "
        "AND NOT (o.external_id = '')"
    )


def _number(batch: ImportBatch, staged: str) -> None:
    """Gives each new order its id in the staging table, in the report's order, so that its line, event,
    income shares and facts are written from there without finding the order again (a join of every new
    row with the orders, once for each). On PostgreSQL the check drew them from the orders' sequence
    (`staging.order_ids`): only a row without one gets it here. SQLite, whose single writer this transaction
    is by now, counts on from the largest id it has given (AUTOINCREMENT's table) or holds, and moves that on
    when the orders go in."""
    orders = Order._meta.db_table
    if connection.vendor == "postgresql":
        numbered = (
            f"SELECT external_id, nextval(pg_get_serial_sequence(%s, 'id')) AS id "  # noqa: S608 - quoted
            f"FROM (SELECT external_id FROM {staged} WHERE effect = %s AND order_id IS NULL "
            "ORDER BY row_number) q"
        )
        params = [quote(orders), staging.NEW]
    else:
        largest = (
            f"SELECT MAX(m) FROM (SELECT COALESCE(MAX(id), 0) AS m FROM {quote(orders)} "  # noqa: S608
            "UNION ALL SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s)"
        )
        numbered = (
            f"SELECT external_id, ({largest}) + ROW_NUMBER() OVER (ORDER BY row_number) AS id "  # noqa: S608
            f"FROM {staged} WHERE effect = %s"
        )
        params = [orders, staging.NEW]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {staged} SET order_id = n.id FROM ({numbered}) n "  # noqa: S608 - names quoted
            f"WHERE {staged}.external_id = n.external_id",
            params,
        )


def _insert(batch: ImportBatch, staged: str, by: User, note: str) -> None:
    written = batch.created + batch.updated
    done, share = batch.updated / written, batch.created / written  # of the commit's work, for its progress
    filled = {
        "number": "CAST(%s AS varchar(32)) || CAST(s.row_number AS varchar(16))",
        "kind": "%s",
        "channel": "%s",
        "status": "s.status",
        "shop_id": "s.shop_id",
        "unit_id": "sh.unit_id",  # the shop's, as read and held below
        "platform": "%s",
        "external_id": "s.external_id",
        "payment_method": "%s",
        "total_fen": "s.total_fen",
        "refunded_fen": "s.refunded_fen",
        "placed_at": "s.placed_at",
        "placed_on": "s.placed_on",
        "paid_at": "CASE WHEN s.status IN (%s, %s) THEN NULL ELSE s.placed_at END",
        "completed_on": "s.completed_on",
        "buyer_key": "s.buyer_key",
        "category": "s.category",
    }
    params = [f"I{batch.pk}-", Kind.SALE, Channel.PLATFORM, batch.platform, PaymentMethod.ONLINE]
    params += [Status.PLACED, Status.CANCELLED]
    fields = {f.attname: f.column for f in Order._meta.concrete_fields}
    blank = order_blanks(filled)
    keys.order_keys_written(filled)
    columns = ", ".join([quote(Order._meta.pk.column), *(quote(fields[name]) for name in (*filled, *blank))])
    values = ", ".join(["s.order_id", *filled.values(), *(_literal(ORDER_DEFAULTS[name]) for name in blank)])
    orders = quote(Order._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {_joined(staged)} WHERE s.effect = %s LIMIT 1",  # noqa: S608 - names quoted
            [batch.platform, staging.NEW],
        )
        if cursor.fetchone():  # a new order recorded since the check
            raise changed_meanwhile()
        cursor.execute(f"SELECT DISTINCT shop_id FROM {staged} WHERE effect = %s", [staging.NEW])  # noqa: S608
        wanted = [pk for (pk,) in cursor.fetchall()]
    # What the orders' keys refer to is held until the commit ends (`keys`); gone since the check, it refuses.
    unit_of = dict(keys.held(Shop, wanted, ("id", "unit_id")))
    unit = Shop._meta.get_field("unit").related_model
    if (
        len(unit_of) < len(wanted)
        or not keys.all_held(unit, unit_of.values())
        or not keys.all_held(User, [by.pk])
    ):
        raise changed_meanwhile()
    _number(batch, staged)
    pairs = ", ".join(["(CAST(%s AS bigint), CAST(%s AS bigint))"] * len(unit_of))
    with keys.checked_here(keys.may_skip_triggers()), connection.cursor() as cursor:
        cursor.execute(
            # The INSERT first: SQLite's driver counts the rows of a statement only when it begins so.
            f"INSERT INTO {orders} ({columns}) WITH sh (id, unit_id) AS (VALUES {pairs}) "  # noqa: S608 - quoted
            f"SELECT {values} "
            f"FROM {staged} s JOIN sh ON sh.id = s.shop_id WHERE s.effect = %s ORDER BY s.order_id",
            [*(v for pair in unit_of.items() for v in pair), *params, staging.NEW],
        )
        if cursor.rowcount != batch.created:  # the lines, events and shares are of exactly these orders
            raise changed_meanwhile()
        _progress(batch, done + 0.4 * share)
        line = quote(OrderLine._meta.db_table)
        cursor.execute(
            f"INSERT INTO {line} (order_id, product_id, description, quantity, unit_price_fen, amount_fen) "  # noqa: S608
            f"SELECT s.order_id, NULL, s.title, s.quantity, s.total_fen / s.quantity, s.total_fen "
            f"FROM {staged} s WHERE s.effect = %s",
            [staging.NEW],
        )
        _progress(batch, done + 0.6 * share)
        event = quote(OrderEvent._meta.db_table)
        cursor.execute(
            f"INSERT INTO {event} (order_id, status, at, by_id, note) "  # noqa: S608
            f"SELECT s.order_id, s.status, s.placed_at, %s, %s FROM {staged} s WHERE s.effect = %s",
            [by.pk, note, staging.NEW],
        )
        _progress(batch, done + 0.8 * share)
        _income(batch, staged)
    _progress(batch, done + 0.9 * share)
    if connection.vendor == "postgresql" and batch.created >= ANALYSE_ROWS:
        with connection.cursor() as cursor:
            # The planner, told of the new orders, groups them for the facts in one pass (else, taking the
            # table for what it was, it looked each one up: 10 s for a million rather than 1).
            cursor.execute(f"ANALYZE {quote(Order._meta.db_table)}")
    sql = f"SELECT s.order_id FROM {staged} s WHERE s.effect = %s"  # noqa: S608 - names quoted
    new = RawSQL(sql, [staging.NEW])  # noqa: S611
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(order_id), MAX(order_id) FROM {staged} WHERE effect = %s", [staging.NEW])  # noqa: S608
        low, high = cursor.fetchone()
    # The new orders' ids were drawn from the sequence a chunk at a time (`staging.order_ids`, `_number`): their
    # range, which other writers' orders may share (the IN keeps the rows exact), lets the database read them by
    # the primary key rather than scan every order recorded (0.7 s of a 250,000-row commit beside 5,000,000).
    orders = Order.objects.filter(pk__gte=low, pk__lte=high, pk__in=new)
    shares = IncomeShare.objects.filter(order_id__gte=low, order_id__lte=high, order_id__in=new)
    facts_apply(measure(orders, shares))


def _income(batch: ImportBatch, staged: str) -> None:
    """The income shares of the new completed sales (as `orders.services` records them: the shop's poor
    household, or an equal share for each poor household of its organisation, the remainder's fen one each
    to the first): who shares a shop's income in a year is worked out once, then one statement splits every
    order's amount by that plan."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT shop_id, completed_year FROM {staged} "  # noqa: S608
            "WHERE effect = %s AND completed_year IS NOT NULL AND total_fen > refunded_fen",
            [staging.NEW],
        )
        wanted = cursor.fetchall()
    if not wanted:
        return
    shops = Shop.objects.select_related("household", "organisation").in_bulk({shop for shop, _y in wanted})
    members: dict[int, list] = {}
    plan = []
    for shop_id, year in wanted:
        shop = shops[shop_id]
        households = poor_beneficiaries(shop.household, shop.organisation, year, members)
        plan += [(shop_id, year, h.pk, i, len(households)) for i, h in enumerate(households)]
    if not plan:
        return
    if not keys.all_held(IncomeShare._meta.get_field("household").related_model, [p[2] for p in plan]):
        raise changed_meanwhile()  # a household deleted meanwhile
    table = quote(f"imports_plan_{batch.pk}")
    share = quote(IncomeShare._meta.db_table)
    amount = "(s.total_fen - s.refunded_fen)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {table} (shop_id bigint NOT NULL, year integer NOT NULL, "
            "household_id bigint NOT NULL, position integer NOT NULL, n integer NOT NULL)"
        )
        table_insert(table, ["shop_id", "year", "household_id", "position", "n"], plan)
        cursor.execute(
            f"INSERT INTO {share} (order_id, household_id, amount_fen, day) "  # noqa: S608
            f"SELECT s.order_id, p.household_id, {amount} / p.n + CASE WHEN p.position < {amount} %% p.n "
            f"THEN 1 ELSE 0 END, s.completed_on FROM {staged} s "
            f"JOIN {table} p ON p.shop_id = s.shop_id AND p.year = s.completed_year "
            f"WHERE s.effect = %s AND {amount} > 0",
            [staging.NEW],
        )
        cursor.execute(f"DROP TABLE {table}")


def _update(batch: ImportBatch, staged: str, by: User, note: str) -> None:
    """The changed orders, a chunk at a time: checked against what the check saw, updated, their facts
    followed and their income recomputed; an event for each whose status moved."""
    orders = quote(Order._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {staged} s LEFT JOIN {orders} o ON o.id = s.order_id "  # noqa: S608
            "WHERE s.effect = %s AND (o.id IS NULL OR o.status <> s.seen_status "
            "OR o.total_fen <> s.seen_total OR o.refunded_fen <> s.seen_refunded OR o.excluded <> s.seen_excluded)",
            [staging.UPDATED],
        )
        if cursor.fetchone()[0]:
            raise changed_meanwhile()
        cursor.execute(
            f"SELECT order_id FROM {staged} WHERE effect = %s ORDER BY order_id",  # noqa: S608 - quoted
            [staging.UPDATED],
        )
        ids = array("q", (pk for (pk,) in cursor.fetchall()))
    paid_at, placed_at = f"{orders}.{quote('paid_at')}", f"{orders}.{quote('placed_at')}"
    sql = (
        f"UPDATE {orders} SET status = s.status, total_fen = s.total_fen, "  # noqa: S608
        "refunded_fen = s.refunded_fen, completed_on = s.completed_on, "
        # An order first seen unpaid is paid when a later report says it moved on (at its placing, as new ones).
        f"paid_at = CASE WHEN s.status IN (%s, %s) THEN {paid_at} ELSE COALESCE({paid_at}, {placed_at}) END "
        f"FROM {staged} s WHERE s.effect = %s AND s.order_id = {orders}.id AND "
    )
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        among, params = one_of(f"{orders}.id", chunk)
        with facts_follow(chunk), connection.cursor() as cursor:
            cursor.execute(sql + among, [Status.PLACED, Status.CANCELLED, staging.UPDATED, *params])
            income_recompute(chunk)
        _progress(batch, (start + len(chunk)) / (batch.created + batch.updated))
    event = quote(OrderEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {event} (order_id, status, at, by_id, note) "  # noqa: S608
            f"SELECT s.order_id, s.status, %s, %s, %s FROM {staged} s "
            "WHERE s.effect = %s AND s.status <> s.seen_status ORDER BY s.order_id",
            [connection.ops.adapt_datetimefield_value(timezone.now()), by.pk, note, staging.UPDATED],
        )
