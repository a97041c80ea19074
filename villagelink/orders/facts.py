"""Keeping the daily facts: what counts, how an order's contribution is measured, and how changes apply.

The one rule for what counts: an order counts once it is completed — or, for an order reported by an
external platform, once the platform reports it paid (paid, shipped, delivered or completed) — at its total
less refunds. It counts on the day of the trade: the day it was placed for a platform's order, the day it
completed for every other. Cancelled, refunded and reversed orders do not count, nor orders an officer has
excluded by confirming a data-quality flag (and their households' income from them).

Services change facts through `facts_follow(order_ids)`: it measures what the orders contribute before and
after the change and applies the difference to every level above each order's village, in the same
transaction. `facts_rebuild` recomputes everything from the records; `facts_verify` compares.

Whatever changes the figures passes `facts_apply`; once its transaction commits, the apps above that asked
with `facts_on_change` hear which units (by path) and months moved: the data-quality checks run again there,
whichever path the change took (an import, a desk entry, a completed storefront order, a refund).
"""

import datetime
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case, Count, F, Max, Min, Q, QuerySet, Sum, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.db.models.sql.compiler import SQLCompiler

from villagelink.approvals.models import Approval
from villagelink.approvals.services import approvals_guard
from villagelink.geo.models import LEVEL_PATH_WIDTH

from .models import Channel, Fact, IncomeShare, MonthlyFact, Order, Status

COUNTED = (
    Q(status=Status.COMPLETED)
    | Q(channel=Channel.PLATFORM, status__in=[Status.PAID, Status.SHIPPED, Status.DELIVERED])
) & Q(excluded=False)
COUNTED_ON = Case(When(channel=Channel.PLATFORM, then=F("placed_on")), default=F("completed_on"))
# What an assisted purchase saved: the local shop's price of the same goods, when recorded, less what was paid.
SAVINGS = Case(When(local_price_fen__isnull=False, then=F("local_price_fen") - F("total_fen")), default=0)


def counted_between(first: datetime.date, last: datetime.date, *, via: str = "") -> Q:
    """COUNTED, on a day from `first` to `last` by COUNTED_ON; through a relation with `via` (e.g. "order__").
    The day stays a CASE, which no index serves: over a long span SQLite then reads the orders in one pass,
    where an index on the dates would have it fetch them one by one, four times slower; a unit's orders
    still come through the unit's index."""
    platform = [Status.PAID, Status.SHIPPED, Status.DELIVERED]
    on = Case(
        When(**{f"{via}channel": Channel.PLATFORM}, then=F(f"{via}placed_on")),
        default=F(f"{via}completed_on"),
    )
    return (
        (
            Q(**{f"{via}status": Status.COMPLETED})
            | Q(**{f"{via}channel": Channel.PLATFORM, f"{via}status__in": platform})
        )
        & Q(**{f"{via}excluded": False})
        & Q(GreaterThanOrEqual(on, first))
        & Q(LessThanOrEqual(on, last))
    )


KEY = ("path", "day", "kind", "channel", "category")
MEASURES = ("orders", "amount_fen", "savings_fen", "service_fees_fen", "income_fen")
WIDTHS = sorted(set(LEVEL_PATH_WIDTH.values()))

Key = tuple[str, datetime.date, str, str, str]
Measures = dict[Key, list[int]]


def _add(into: Measures, key: Key, values: Iterable[int], sign: int = 1) -> None:
    row = into.get(key)
    if row is None:
        row = into[key] = [0] * len(MEASURES)
    for i, value in enumerate(values):
        row[i] += sign * (value or 0)


def _ancestors(path: str) -> list[str]:
    """The unit's own path and every ancestor's (region "54", prefecture "5402", …)."""
    return [path[:width] for width in WIDTHS if width <= len(path)]


def _counted_rows(orders: QuerySet[Order]) -> QuerySet:
    return (
        orders.filter(COUNTED)
        .annotate(counted_on=COUNTED_ON)
        .order_by()
        .values_list("unit__path", "counted_on", "kind", "channel", "category")
        .annotate(
            n=Count("id"),
            amount=Sum(F("total_fen") - F("refunded_fen")),
            savings=Sum(SAVINGS),
            fees=Sum("service_fee_fen"),
        )
    )


def _income_rows(shares: QuerySet[IncomeShare]) -> QuerySet:
    return (
        shares.filter(order__excluded=False)
        .order_by()
        .values_list("household__village__path", "day", "order__kind", "order__channel", "order__category")
        .annotate(income=Sum("amount_fen"))
    )


def _measured(counted: Iterable[Sequence], income: Iterable[Sequence]) -> Measures:
    """The grouped rows of `_counted_rows` and `_income_rows` (per village), added up at every level."""
    village: Measures = {}
    for path, day, kind, channel, category, n, amount, savings, fees in counted:
        _add(village, (path, day, kind, channel, category), (n, amount, savings, fees, 0))
    for path, day, kind, channel, category, amount in income:
        _add(village, (path, day, kind, channel, category), (0, 0, 0, 0, amount))
    every_level: Measures = {}
    for (path, day, kind, channel, category), values in village.items():
        for ancestor in _ancestors(path):
            _add(every_level, (ancestor, day, kind, channel, category), values)
    return every_level


def measure(orders: QuerySet[Order], shares: QuerySet[IncomeShare]) -> Measures:
    """What `orders` (and the income `shares` of their households) add up to, per unit at every level."""
    return _measured(_counted_rows(orders), _income_rows(shares))


def _by_ids(ids_sql: str, params: list) -> tuple[QuerySet, QuerySet]:
    """`measure`'s two grouped queries for the orders whose ids `ids_sql` (fixed SQL) lists."""
    return (
        _counted_rows(Order.objects.filter(pk__in=RawSQL(ids_sql, params))),  # noqa: S611 - fixed SQL
        _income_rows(IncomeShare.objects.filter(order_id__in=RawSQL(ids_sql, params))),  # noqa: S611
    )


class _Ids:
    """Stands for the list of order ids in SQL compiled once (see `_by_ids_sql`)."""


@functools.cache
def _by_ids_sql(alias: str) -> list[tuple[str, list, int, SQLCompiler, dict]]:
    """`measure`'s two queries for a list of order ids, compiled once per database: (sql, params, the index of
    the ids' parameter, the compiler and its converters, which turn a row's values into Python's as the ORM
    does). Building them through the ORM for each order took most of a single order's upkeep."""
    ids = _Ids()
    compiled = []
    for queryset in _by_ids("SELECT value FROM json_each(%s)", [ids]):
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        compiled.append((sql, list(params), list(params).index(ids), compiler, converters))
    return compiled


@functools.cache
def _measure_sql_postgresql() -> str:
    """`measure`'s two queries for the order ids `$1` as one statement for PostgreSQL to prepare (every other
    value written into it): rows ("c", village path, day, kind, channel, category, orders, amount, savings,
    fees) of counted orders and ("i", …, income, 0, 0, 0) of income shares."""
    parts = []
    for queryset in _by_ids("SELECT unnest($1::bigint[])", []):
        sql, params = queryset.query.sql_with_params()
        parts.append(connection.ops.compose_sql(sql, params))  # type: ignore[attr-defined]  # PostgreSQL only
    return f"SELECT 'c', c.* FROM ({parts[0]}) c UNION ALL SELECT 'i', i.*, 0, 0, 0 FROM ({parts[1]}) i"  # noqa: S608


_PREPARED = "_villagelink_prepared"


def _execute_prepared(cursor, name: str, types: list[str], sql: str, params: list) -> None:
    """Runs `sql` (parameters $1, $2, … of `types`) as a statement PostgreSQL prepared once per connection:
    planning it again for every order cost more than running it (the settings have PostgreSQL plan prepared
    statements once: `plan_cache_mode`)."""
    raw = connection.connection
    known = getattr(connection, _PREPARED, None)
    if known is None or known[0] is not raw:
        known = (raw, set[str]())
        setattr(connection, _PREPARED, known)
    if name not in known[1]:
        cursor.execute(f"PREPARE {name} ({', '.join(types)}) AS {sql}")
        known[1].add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)


def _measure_ids(ids: list[int]) -> Measures:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _execute_prepared(
                cursor, "villagelink_facts_measure", ["bigint[]"], _measure_sql_postgresql(), [ids]
            )
            counted, income = [], []
            for which, path, day, kind, channel, category, *values in cursor.fetchall():
                if which == "c":
                    counted.append((path, day, kind, channel, category, *(int(v or 0) for v in values)))
                else:
                    income.append((path, day, kind, channel, category, int(values[0] or 0)))
            return _measured(counted, income)
        results = []
        for sql, params, at, compiler, converters in _by_ids_sql(connection.alias):
            cursor.execute(sql, [*params[:at], json.dumps(ids), *params[at + 1 :]])
            results.append(list(compiler.apply_converters(cursor.fetchall(), converters)))
    return _measured(*results)


def by_month(measures: Measures) -> Measures:
    """The same measures keyed by each day's month (its first day), for `MonthlyFact`."""
    months: Measures = {}
    for (path, day, kind, channel, category), values in measures.items():
        _add(months, (path, day.replace(day=1), kind, channel, category), values)
    return months


def _rows(measures: Measures) -> Iterator[tuple]:
    adapt = connection.ops.adapt_datefield_value
    for (path, day, kind, channel, category), values in measures.items():
        if any(values):
            yield (path, adapt(day), kind, channel, category, *values)


# Each table with its date column: the daily facts and their monthly sums.
TABLES = ((Fact, "day"), (MonthlyFact, "month"))


def _insert_sql(model, date_column: str, *, accumulate: bool) -> str:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key = (KEY[0], date_column, *KEY[2:])
    columns = ", ".join(quote(c) for c in (*key, *MEASURES))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * (len(key) + len(MEASURES)))})"  # noqa: S608
    if accumulate:
        # ON CONFLICT … DO UPDATE: PostgreSQL 9.5+ and SQLite 3.24+ alike.
        sums = ", ".join(f"{quote(m)} = {table}.{quote(m)} + excluded.{quote(m)}" for m in MEASURES)
        sql += f" ON CONFLICT ({', '.join(quote(k) for k in key)}) DO UPDATE SET {sums}"
    return sql


Changed = set[tuple[str, datetime.date]]  # (a unit's path, at every level; the month's first day)
_listeners: list[Callable[[Changed], None]] = []


def facts_on_change(listener: Callable[[Changed], None]) -> None:
    """`listener` hears, after each commit that changed the figures, which units and months moved."""
    if listener not in _listeners:
        _listeners.append(listener)


APPLY_TYPES = ["varchar", "date", "varchar", "varchar", "varchar", *(["bigint"] * len(MEASURES))]


@functools.cache
def _apply_sql_postgresql() -> str:
    """One statement that adds rows, given as one array per column ($1… the daily rows, then the monthly),
    to the daily and the monthly facts: one round trip for a single order's upkeep (two `executemany` took
    two, and a statement per row)."""
    quote = connection.ops.quote_name
    parts = []
    for offset, (model, date_column) in zip((0, len(APPLY_TYPES)), TABLES, strict=True):
        table = quote(model._meta.db_table)
        key = ", ".join(quote(c) for c in (KEY[0], date_column, *KEY[2:]))
        columns = f"{key}, {', '.join(quote(m) for m in MEASURES)}"
        arrays = ", ".join(f"${offset + i + 1}::{kind}[]" for i, kind in enumerate(APPLY_TYPES))
        sums = ", ".join(f"{quote(m)} = {table}.{quote(m)} + excluded.{quote(m)}" for m in MEASURES)
        parts.append(
            f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) "  # noqa: S608 - names quoted
            f"ON CONFLICT ({key}) DO UPDATE SET {sums}"
        )
    return f"WITH daily AS ({parts[0]}) {parts[1]}"


def _columns(rows: list[tuple]) -> list[list]:
    return [list(column) for column in zip(*rows, strict=True)]


def facts_apply(delta: Measures) -> None:
    """Adds `delta` to the stored facts (daily and monthly); refused if it touches a month whose figures
    stand approved."""
    rows = list(_rows(delta))
    if not rows:
        return
    approvals_guard({(key[0], key[1]) for key, values in delta.items() if any(values)})
    months = list(_rows(by_month(delta)))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _execute_prepared(
                cursor,
                "villagelink_facts_apply",
                [f"{kind}[]" for kind in APPLY_TYPES * 2],
                _apply_sql_postgresql(),
                [*_columns(rows), *_columns(months)],
            )
        else:
            cursor.executemany(_insert_sql(Fact, "day", accumulate=True), rows)
            cursor.executemany(_insert_sql(MonthlyFact, "month", accumulate=True), months)
    _notify({(key[0], key[1]) for key in delta})


def _notify(days: Iterable[tuple[str, datetime.date]]) -> None:
    """Tells the listeners, once the transaction commits, which units and months moved."""
    if _listeners:
        changed = {(path, day.replace(day=1)) for path, day in days}
        for listener in _listeners:
            transaction.on_commit(functools.partial(listener, changed))


@functools.cache
def _add_sql_postgresql() -> str:
    """New orders `$1` added to the facts in one statement for PostgreSQL to prepare: measured, rolled up to
    every level, written daily and monthly — unless an approval stands anywhere (then nothing is written and
    the first column says so: the caller takes the way that checks which months are approved). Returns
    (approvals stand, path, day) of each fact moved."""
    quote = connection.ops.quote_name
    measures = ", ".join(quote(m) for m in MEASURES)
    sums = ("o", "a", "s", "f", "i")
    nonzero = " OR ".join(f"SUM({m}) <> 0" for m in sums)
    widths = ", ".join(f"({width})" for width in WIDTHS)
    approvals = quote(Approval._meta.db_table)
    writes = []
    for model, date_column in TABLES:
        table = quote(model._meta.db_table)
        key = ", ".join(quote(c) for c in (KEY[0], date_column, *KEY[2:]))
        on = "day" if date_column == "day" else "date_trunc('month', day)::date"
        updates = ", ".join(f"{quote(m)} = {table}.{quote(m)} + excluded.{quote(m)}" for m in MEASURES)
        writes.append(
            f"INSERT INTO {table} ({key}, {measures}) "  # noqa: S608 - names quoted
            f"SELECT path, {on}, kind, channel, category, {', '.join(f'SUM({m})' for m in sums)} FROM rolled "
            f"WHERE NOT (SELECT stand FROM approved) GROUP BY path, {on}, kind, channel, category "
            f"HAVING {nonzero} ON CONFLICT ({key}) DO UPDATE SET {updates}"
        )
    return (
        f"WITH records (which, path, day, kind, channel, category, v1, v2, v3, v4) AS ({_measure_sql_postgresql()}), "  # noqa: S608
        "own AS (SELECT path, day, kind, channel, category, "
        "SUM(CASE WHEN which = 'c' THEN v1 ELSE 0 END)::bigint AS o, "
        "SUM(CASE WHEN which = 'c' THEN v2 ELSE 0 END)::bigint AS a, "
        "SUM(CASE WHEN which = 'c' THEN v3 ELSE 0 END)::bigint AS s, "
        "SUM(CASE WHEN which = 'c' THEN v4 ELSE 0 END)::bigint AS f, "
        "SUM(CASE WHEN which = 'i' THEN v1 ELSE 0 END)::bigint AS i "
        "FROM records GROUP BY path, day, kind, channel, category), "
        "rolled AS (SELECT SUBSTR(path, 1, w) AS path, day, kind, channel, category, SUM(o) AS o, SUM(a) AS a, "
        f"SUM(s) AS s, SUM(f) AS f, SUM(i) AS i FROM own, (VALUES {widths}) AS widths (w) "
        f"WHERE LENGTH(path) >= w GROUP BY SUBSTR(path, 1, w), day, kind, channel, category HAVING {nonzero}), "
        f"approved AS (SELECT EXISTS (SELECT 1 FROM {approvals} WHERE {quote('withdrawn_at')} IS NULL) AS stand), "
        f"daily AS ({writes[0]}), monthly AS ({writes[1]}) "
        "SELECT (SELECT stand FROM approved), path, day FROM rolled"
    )


def _difference(after: Measures, before: Measures) -> Measures:
    delta: Measures = {}
    for key, values in after.items():
        _add(delta, key, values)
    for key, values in before.items():
        _add(delta, key, values, sign=-1)
    return delta


@contextmanager
def facts_follow(ids: Iterable[int]):
    """Around a change to existing orders: their facts move by what the change did to their contribution.
    Must run inside the transaction that makes the change (services call it after locking the orders)."""
    ids = list(ids)
    before = _measure_ids(ids) if ids else {}
    yield
    facts_apply(_difference(_measure_ids(ids), before))


def facts_add_orders(ids: Iterable[int]) -> None:
    """New orders (by id) count from now on."""
    ids = list(ids)
    if not ids:
        return
    if connection.vendor == "postgresql":  # one round trip; measured in bench/bench_national.py
        with connection.cursor() as cursor:
            _execute_prepared(cursor, "villagelink_facts_add", ["bigint[]"], _add_sql_postgresql(), [ids])
            moved = cursor.fetchall()
        if not moved or not moved[0][0]:
            _notify((path, day) for _stand, path, day in moved)
            return
    facts_apply(_measure_ids(ids))


def _years() -> Iterator[tuple[datetime.date, datetime.date]]:
    """Year by year over every day that holds a counted order, an income share or a stored fact (a year at a
    time keeps memory bounded; each year is one pass over the orders)."""
    counted = (
        Order.objects.filter(COUNTED)
        .annotate(counted_on=COUNTED_ON)
        .aggregate(first=Min("counted_on"), last=Max("counted_on"))
    )
    bounds = [
        counted,
        IncomeShare.objects.aggregate(first=Min("day"), last=Max("day")),
        Fact.objects.aggregate(first=Min("day"), last=Max("day")),
        MonthlyFact.objects.aggregate(first=Min("month"), last=Max("month")),
    ]
    firsts = [b["first"] for b in bounds if b["first"] is not None]
    lasts = [b["last"] for b in bounds if b["last"] is not None]
    if not firsts:
        return
    for year in range(min(firsts).year, max(lasts).year + 1):
        yield datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _computed(first: datetime.date, last: datetime.date) -> Measures:
    """The facts of one span of days recomputed from the records."""
    orders = Order.objects.annotate(counted_on=COUNTED_ON).filter(counted_on__gte=first, counted_on__lte=last)
    return measure(orders, IncomeShare.objects.filter(day__gte=first, day__lte=last))


def _stored(model, date_column: str, first: datetime.date, last: datetime.date) -> Measures:
    stored: Measures = {}
    key = (KEY[0], date_column, *KEY[2:])
    rows = model.objects.filter(**{f"{date_column}__gte": first, f"{date_column}__lte": last})
    for row in rows.values_list(*key, *MEASURES).iterator(chunk_size=10_000):
        if any(row[len(KEY) :]):
            stored[row[: len(KEY)]] = list(row[len(KEY) :])
    return stored


def _rebuild_sql() -> tuple[str, list]:
    """One statement that writes every daily fact from the records: the orders and income shares grouped by
    their unit's full path and day (materialised once), then rolled up to each level's width of the path."""
    quote = connection.ops.quote_name
    keys = ("fpath", "fday", "fkind", "fchannel", "fcategory")
    counted = (
        Order.objects.filter(COUNTED)
        .annotate(fpath=F("unit__path"), fday=COUNTED_ON, fkind=F("kind"))
        .annotate(fchannel=F("channel"), fcategory=F("category"))
        .order_by()
        .values(*keys)
        .annotate(
            n=Count("id"),
            amount=Sum(F("total_fen") - F("refunded_fen")),
            savings=Sum(SAVINGS),
            fees=Sum("service_fee_fen"),
        )
    )
    income = (
        IncomeShare.objects.filter(order__excluded=False)
        .annotate(fpath=F("household__village__path"), fday=F("day"), fkind=F("order__kind"))
        .annotate(fchannel=F("order__channel"), fcategory=F("order__category"))
        .order_by()
        .values(*keys)
        .annotate(income=Sum("amount_fen"))
    )
    counted_sql, counted_params = counted.query.sql_with_params()
    income_sql, income_params = income.query.sql_with_params()
    levels = " UNION ALL ".join(  # widths are the model's integers; the rest is the ORM's SQL
        f"SELECT SUBSTR(path, 1, {width}), day, kind, channel, category, SUM(o), SUM(a), SUM(s), SUM(f), SUM(i) "  # noqa: S608
        f"FROM own WHERE LENGTH(path) >= {width} GROUP BY SUBSTR(path, 1, {width}), day, kind, channel, category "
        "HAVING SUM(o) <> 0 OR SUM(a) <> 0 OR SUM(s) <> 0 OR SUM(f) <> 0 OR SUM(i) <> 0"
        for width in WIDTHS
    )
    columns = ", ".join(quote(c) for c in (*KEY, *MEASURES))
    # INSERT first, then the WITH of its SELECT: so the drivers report the rows written (SQLite's reports none
    # for a statement that begins with WITH).
    sql = (
        f"INSERT INTO {quote(Fact._meta.db_table)} ({columns}) "  # noqa: S608 - names quoted, SQL from the ORM
        "WITH own AS MATERIALIZED ("
        "SELECT path, day, kind, channel, category, SUM(o) AS o, SUM(a) AS a, SUM(s) AS s, SUM(f) AS f, "
        "SUM(i) AS i FROM ("
        "SELECT fpath AS path, fday AS day, fkind AS kind, fchannel AS channel, fcategory AS category, n AS o, "
        f"amount AS a, savings AS s, fees AS f, 0 AS i FROM ({counted_sql}) counted "
        "UNION ALL SELECT fpath, fday, fkind, fchannel, fcategory, 0, 0, 0, 0, income "
        f"FROM ({income_sql}) income) records GROUP BY path, day, kind, channel, category) {levels}"
    )
    return sql, [*counted_params, *income_params]


def _months_sql() -> tuple[str, list]:
    """One statement that writes the monthly facts as the sums of the daily ones."""
    quote = connection.ops.quote_name
    sums = {measure: Sum(measure) for measure in MEASURES}
    grouped = (
        Fact.objects.annotate(fmonth=TruncMonth("day"))
        .order_by()
        .values("path", "fmonth", "kind", "channel", "category")
        .annotate(**{f"total_{name}": total for name, total in sums.items()})
    )
    sql, params = grouped.query.sql_with_params()
    key = (KEY[0], "month", *KEY[2:])
    columns = ", ".join(quote(c) for c in (*key, *MEASURES))
    picked = ", ".join(["path", "fmonth", "kind", "channel", "category", *(f"total_{m}" for m in MEASURES)])
    return (
        f"INSERT INTO {quote(MonthlyFact._meta.db_table)} ({columns}) SELECT {picked} FROM ({sql}) months",  # noqa: S608
        list(params),
    )


@transaction.atomic
def facts_rebuild() -> int:
    """Recomputes every fact from the records in the database, a few statements whatever the number of orders;
    returns the number of rows written."""
    if connection.vendor == "postgresql":
        # Services that change orders meanwhile wait, then add their change on top of the rebuilt rows.
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(Fact._meta.db_table)} IN EXCLUSIVE MODE")
    Fact.objects.all().delete()
    MonthlyFact.objects.all().delete()
    written = 0
    with connection.cursor() as cursor:
        for sql, params in (_rebuild_sql(), _months_sql()):
            cursor.execute(sql, params)
            written += cursor.rowcount
    return written


@dataclass(frozen=True)
class Difference:
    table: str
    key: Key
    stored: list[int]
    computed: list[int]


def facts_verify(*, limit: int = 50) -> tuple[int, list[Difference]]:
    """Compares the stored facts with the records: (number of differing rows, the first `limit` of them)."""
    zero = [0] * len(MEASURES)
    count, differing = 0, list[Difference]()
    for first, last in _years():
        measures = _computed(first, last)
        for (model, date_column), grain in zip(TABLES, (measures, by_month(measures)), strict=True):
            computed = {key: values for key, values in grain.items() if any(values)}
            stored = _stored(model, date_column, first, last)
            for key in sorted(set(computed) | set(stored)):
                if stored.get(key, zero) != computed.get(key, zero):
                    count += 1
                    if len(differing) < limit:
                        differing.append(
                            Difference(
                                model._meta.db_table, key, stored.get(key, zero), computed.get(key, zero)
                            )
                        )
    return count, differing
