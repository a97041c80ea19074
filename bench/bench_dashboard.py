"""How fast the monitoring dashboard's figures come back over millions of orders, and what keeping the daily
facts costs.

    .venv/bin/python bench/bench_dashboard.py [--orders 5000000] [--runs 20] [--bare]
    .venv/bin/python bench/bench_dashboard.py --postgres            # the database vl_bench_dashboard instead

In a fresh temporary data folder (the project's settings with VILLAGELINK_DATA_DIR pointing there and
DATABASE_URL unset, so a new SQLite file; with --postgres or --database-url, the PostgreSQL database
vl_bench_dashboard on 127.0.0.1, created when missing, migrated and emptied), the run:

1. migrates and loads the Tibet reference units and the demo's synthetic townships and villages (as
   `villagelink demo` does), and — unless --bare — the demo's service network, households, shops and
   assistance ledger (small tables the dashboard also reads; no orders);
2. inserts N orders with raw `executemany` in chunks of --chunk rows, one transaction per chunk, in the order
   they were placed (ids grow with time, as in life): sales on this storefront, on external platforms and at
   service points, and assisted purchases, ≈97 % completed and the rest refunded or cancelled, amounts from
   a skewed distribution, days from 2015-01-01 to 2019-06-30 with trade growing threefold over the span
   (and peaks on 18 June and 11 November), in villages weighted so that Lhasa and Shigatse trade more;
3. times `orders.facts.facts_rebuild()` (the daily facts of every unit at every level, recomputed from
   the orders) and reports the process's peak resident set (ru_maxrss) before and after it;
4. times `figures_for`, `figures_for_children` and `monthly_trend` for the region, a prefecture, a county and
   a village over a year, a quarter, a month and the whole span, --runs times each (median and max in ms),
   each call on a connection of its own on SQLite (the settings give SQLite CONN_MAX_AGE=0, so every
   request starts with a cold page cache; opening the connection is not timed; --reuse-connection keeps
   one); then, for figures_for, how its time splits between the tables it queries (time in execute, rows
   fetched afterwards not included). For comparison, the region's online sales over the whole span summed
   straight from the orders (one aggregate over orders joined to units, by path prefix and day range),
   checked against the figure from the facts;
5. hands the orders to DuckDB (path of the order's unit, kind, channel, status, placed_on, completed_on,
   total_fen, refunded_fen read from the database in chunks of --chunk rows into a pyarrow Table — timed on
   its own — and registered in an in-memory DuckDB connection as "orders"; skipped with a note when duckdb
   or pyarrow is not installed: they are in the `dev` extra), then for the region, the prefecture, the county
   and the village over the year 2018 and the whole span times --scan-runs times (median and max in ms) the
   online sales and purchases and their order counts, by the counting rule of orders.facts, computed by
   DuckDB scanning the orders (path LIKE '5402%') and --orm-runs times by a plain ORM aggregate over the
   orders (COUNTED, COUNTED_ON, subtree_q), and checks both against figures_for; then prints figures_for
   (its times from step 4), DuckDB and the ORM side by side.

Ends with two lines: the slowest dashboard call against the 100 ms budget, and whether the goal is met: every
figures_for call of step 5's table under 100 ms and, for each unit and period, its median below DuckDB's
(the line gives the slowest figures_for call and the fastest DuckDB median). Exits 1 if any totals disagree.
"""

import argparse
import bisect
import datetime
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "vl_bench_dashboard"
FIRST_DAY = datetime.date(2015, 1, 1)
LAST_DAY = datetime.date(2019, 6, 30)
BUDGET_MS = 100
PERIODS = [
    ("year 2018", datetime.date(2018, 1, 1), datetime.date(2018, 12, 31)),
    ("Q2 2018", datetime.date(2018, 4, 1), datetime.date(2018, 6, 30)),
    ("May 2018", datetime.date(2018, 5, 1), datetime.date(2018, 5, 31)),
    ("whole span", FIRST_DAY, LAST_DAY),
]
# Weight of a village's prefecture: Lhasa and Shigatse trade most.
PREFECTURE_WEIGHT = {"5401": 3.0, "5402": 2.0}
# (kind, channel, share of orders)
MIX = [
    ("sale", "platform", 0.40),
    ("sale", "storefront", 0.25),
    ("sale", "assisted", 0.13),
    ("purchase", "assisted", 0.22),
]
PLATFORMS = ["taobao", "jd", "pinduoduo", "wechat", "douyin"]
# The periods (labels of PERIODS) in which figures_for is set against DuckDB and the ORM.
COMPARED = ("year 2018", "whole span")
# online sales, sales orders, online purchases, purchases orders: what the three ways must agree on.
TOTALS = ("online_sales", "online_sales_orders", "online_purchases", "online_purchases_orders")


def django_setup(url: str | None, data_dir: str) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    if url:
        os.environ["DATABASE_URL"] = url
    os.environ["VILLAGELINK_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def postgres_url(args) -> str | None:
    if not (args.postgres or args.database_url):
        return None
    url = args.database_url or f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"} or parts.path.lstrip("/") != DATABASE:
        raise SystemExit(f"{url}: give a PostgreSQL URL of the database {DATABASE} (the run empties it).")
    return url


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def set_up(*, bare: bool) -> None:
    from importlib import resources

    from django.core.management import call_command
    from django.db import connection

    from villagelink.core.paths import subtree_q
    from villagelink.demo.synthetic import synthetic_unit_rows
    from villagelink.geo.models import AdminUnit, Level
    from villagelink.geo.services import units_import, units_import_csv

    call_command("migrate", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0, allow_cascade=True)
    data = resources.files("villagelink.geo").joinpath("fixtures/tibet_admin_units.csv").read_bytes()
    units_import_csv(data=data)
    counties = list(AdminUnit.objects.filter(subtree_q("path", "54"), level=Level.COUNTY))
    units_import(rows=synthetic_unit_rows(counties), synthetic=True)
    if bare:
        return
    from villagelink.demo.assistance import build_assistance_demo
    from villagelink.demo.catalog import build_catalog_demo
    from villagelink.demo.network import build_network_demo
    from villagelink.demo.registry import build_registry_demo

    region = AdminUnit.objects.get(code="540000")
    build_network_demo(region=region)
    build_registry_demo(region=region)
    build_catalog_demo(region=region)
    build_assistance_demo(region=region)


def day_weights() -> list[float]:
    """Trade grows threefold over the span, with the 618 and Singles' Day peaks."""
    days = (LAST_DAY - FIRST_DAY).days + 1
    weights = []
    for i in range(days):
        day = FIRST_DAY + datetime.timedelta(days=i)
        peak = (
            3.0
            if (day.month, day.day) in {(11, 11), (11, 12)}
            else 2.0
            if (day.month, day.day) == (6, 18)
            else 1.0
        )
        weights.append((1 + 2 * i / days) * peak)
    return weights


def orders_per_day(n: int) -> list[int]:
    """`n` orders spread over the days by their weights, adding up exactly."""
    weights = day_weights()
    total = sum(weights)
    counts, running, placed = [], 0.0, 0
    for weight in weights:
        running += weight
        upto = round(n * running / total)
        counts.append(upto - placed)
        placed = upto
    return counts


def village_weights(rng: random.Random) -> tuple[list[int], list[float], list[str]]:
    """Every village's id, cumulative weight and path."""
    from villagelink.geo.models import AdminUnit, Level

    ids, cumulative, paths, running = [], [], [], 0.0
    for pk, path in AdminUnit.objects.filter(level=Level.VILLAGE).order_by("path").values_list("pk", "path"):
        running += PREFECTURE_WEIGHT.get(path[:4], 1.0) * rng.lognormvariate(0, 0.6)
        ids.append(pk)
        cumulative.append(running)
        paths.append(path)
    return ids, cumulative, paths


def insert_orders(n: int, chunk: int, seed: int) -> tuple[float, dict[str, int]]:
    """Inserts `n` orders; returns the seconds it took and how many orders each prefecture got."""
    from django.db import connection, transaction

    from villagelink.catalog.models import Category
    from villagelink.core.dates import region_zone
    from villagelink.orders.bulk import ORDER_DEFAULTS
    from villagelink.orders.models import Order, PurchaseCategory

    rng = random.Random(seed)
    village_ids, cumulative, village_paths = village_weights(rng)
    path_of = dict(zip(village_ids, village_paths, strict=True))
    zone = region_zone()
    adapt_date = connection.ops.adapt_datefield_value
    adapt_moment = connection.ops.adapt_datetimefield_value

    fields = [f for f in Order._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    filled = {
        "number", "kind", "channel", "status", "unit_id", "platform", "external_id", "category", "payment_method",
        "total_fen", "refunded_fen", "service_fee_fen", "local_price_fen", "placed_at", "placed_on", "paid_at",
        "completed_on",
    }  # fmt: skip
    defaults = {name: blank for name, blank in ORDER_DEFAULTS.items() if name not in filled}
    missing = {f.attname for f in fields} - filled - set(defaults)
    assert not missing, f"Order has new fields this benchmark does not fill: {missing}"
    position = {f.attname: i for i, f in enumerate(fields)}
    template = [{**defaults, "service_fee_fen": 0}.get(f.attname) for f in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model, quoted
        quote(Order._meta.db_table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns))
    )

    days = [FIRST_DAY + datetime.timedelta(days=i) for i in range(len(day_weights()))]
    last = len(days) - 1
    adapted_days = [adapt_date(day) for day in days]
    midnight = [datetime.datetime.combine(day, datetime.time(), tzinfo=zone) for day in days]
    mix_cumulative = [sum(share for _k, _c, share in MIX[: i + 1]) for i in range(len(MIX))]
    sale_categories = list(Category.values)
    purchase_categories = list(PurchaseCategory.values)
    p = position
    i_number, i_kind, i_channel, i_status = p["number"], p["kind"], p["channel"], p["status"]
    i_unit, i_platform, i_external, i_category = p["unit_id"], p["platform"], p["external_id"], p["category"]
    i_payment, i_total, i_refunded = p["payment_method"], p["total_fen"], p["refunded_fen"]
    i_fee, i_local, i_at, i_on, i_paid, i_completed = (
        p["service_fee_fen"], p["local_price_fen"], p["placed_at"], p["placed_on"], p["paid_at"], p["completed_on"],
    )  # fmt: skip
    random_ = rng.random
    by_prefecture: dict[str, int] = {}

    def rows_of_day(d: int, count: int, serial: int) -> list[list]:
        rows = []
        units = rng.choices(village_ids, cum_weights=cumulative, k=count)
        for unit in units:
            serial += 1
            row = template.copy()
            m = bisect.bisect(mix_cumulative, random_() * mix_cumulative[-1])
            kind, channel, _share = MIX[m]
            roll = random_()
            status = "completed" if roll < 0.97 else "refunded" if roll < 0.99 else "cancelled"
            if kind == "sale":
                total = int(rng.lognormvariate(8.99, 0.9))  # median ¥80
                row[i_category] = sale_categories[int(random_() * len(sale_categories))]
            else:
                total = int(rng.lognormvariate(9.6, 1.0))  # median ¥150
                row[i_category] = purchase_categories[int(random_() * len(purchase_categories))]
                row[i_local] = int(total * (1.05 + 0.3 * random_()))
            if channel == "assisted":
                row[i_fee] = int(random_() * 6) * 100
            # The day of the trade is `d`: the day placed for a platform's order, completed for the others.
            delay = int(random_() * 6)
            placed = d if channel == "platform" or status != "completed" else max(0, d - delay)
            moment = adapt_moment(
                midnight[placed] + datetime.timedelta(seconds=28_800 + int(random_() * 50_400))
            )
            row[i_number] = f"B{serial:010d}"
            row[i_kind], row[i_channel], row[i_status], row[i_unit] = kind, channel, status, unit
            row[i_total] = total
            row[i_refunded] = total if status == "refunded" else 0
            row[i_at], row[i_on] = moment, adapted_days[placed]
            row[i_paid] = None if status == "cancelled" else moment
            if status == "completed":
                row[i_completed] = adapted_days[min(last, d + delay) if channel == "platform" else d]
            if channel == "platform":
                row[i_platform] = PLATFORMS[serial % len(PLATFORMS)]
                row[i_external] = f"P{serial:012d}"
                row[i_payment] = "online"
            else:
                row[i_platform] = row[i_external] = ""
                row[i_payment] = "online" if random_() < 0.4 else "cod"
            rows.append(row)
        for unit in units:
            prefecture = path_of[unit][:4]
            by_prefecture[prefecture] = by_prefecture.get(prefecture, 0) + 1
        return rows

    began = time.perf_counter()
    pending: list[list] = []
    serial = 0
    report_every = max(chunk, n // 10)
    reported = 0
    with connection.cursor() as cursor:
        for d, count in enumerate(orders_per_day(n)):
            pending += rows_of_day(d, count, serial)
            serial += count
            if len(pending) >= chunk or d == last:
                with transaction.atomic():
                    cursor.executemany(sql, pending)
                pending = []
                if serial - reported >= report_every and serial < n:
                    reported = serial
                    elapsed = time.perf_counter() - began
                    print(f"    {serial:>10,} orders, {serial / elapsed:,.0f}/s so far", flush=True)
    return time.perf_counter() - began, by_prefecture


FROM_TABLE = re.compile(r'FROM "?(\w+)"?')


def timed(
    call, runs: int, fresh_connection: bool, by_table: dict[str, list[float]] | None = None
) -> list[float]:
    """Milliseconds of each of `runs` calls; with `by_table`, also each call's milliseconds in the queries on
    each table (by the table its SQL reads first)."""
    from django.db import connection

    spent: dict[str, float] = {}

    def clock_query(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            found = FROM_TABLE.search(sql)
            table = found.group(1) if found else "?"
            spent[table] = spent.get(table, 0.0) + (time.perf_counter() - began) * 1000

    times = []
    for _ in range(runs):
        if fresh_connection:
            connection.close()
            connection.ensure_connection()
        spent.clear()
        with connection.execute_wrapper(clock_query) if by_table is not None else nullcontext():
            began = time.perf_counter()
            call()
            times.append((time.perf_counter() - began) * 1000)
        if by_table is not None:
            for table, ms in spent.items():
                by_table.setdefault(table, []).append(ms)
    return times


def orders_scan_sales(path: str, start: datetime.date, end: datetime.date) -> int:
    """The online sales of a unit and period summed from the orders themselves."""
    from django.db.models import F, Sum

    from villagelink.core.paths import subtree_q
    from villagelink.orders.facts import COUNTED, COUNTED_ON
    from villagelink.orders.models import Kind, Order

    return (
        Order.objects.filter(COUNTED, subtree_q("unit__path", path), kind=Kind.SALE)
        .annotate(counted_on=COUNTED_ON)
        .filter(counted_on__gte=start, counted_on__lte=end)
        .aggregate(amount=Sum(F("total_fen") - F("refunded_fen")))["amount"]
        or 0
    )


def facts_query(*, unit, start: datetime.date, end: datetime.date) -> list[dict]:
    """The one query over the daily facts that figures_for makes (monitoring.selectors._figures)."""
    from django.db.models import Sum

    from villagelink.orders.models import Fact

    return list(
        Fact.objects.filter(path__in=[unit.path], day__gte=start, day__lte=end)
        .order_by()
        .values("path", "kind")
        .annotate(
            orders=Sum("orders"),
            amount=Sum("amount_fen"),
            savings=Sum("savings_fen"),
            income=Sum("income_fen"),
        )
    )


def totals_of(rows) -> tuple[int, ...]:
    """TOTALS from (kind, orders, amount) rows."""
    found = {kind: (orders or 0, amount or 0) for kind, orders, amount in rows}
    sales, purchases = found.get("sale", (0, 0)), found.get("purchase", (0, 0))
    return sales[1], sales[0], purchases[1], purchases[0]


def orm_totals(path: str, start: datetime.date, end: datetime.date) -> tuple[int, ...]:
    """TOTALS of a unit and period by one plain ORM aggregate over the orders."""
    from django.db.models import Count, F, Sum

    from villagelink.core.paths import subtree_q
    from villagelink.orders.facts import COUNTED, COUNTED_ON
    from villagelink.orders.models import Order

    return totals_of(
        Order.objects.filter(COUNTED, subtree_q("unit__path", path))
        .annotate(counted_on=COUNTED_ON)
        .filter(counted_on__gte=start, counted_on__lte=end)
        .order_by()
        .values_list("kind")
        .annotate(orders=Count("id"), amount=Sum(F("total_fen") - F("refunded_fen")))
    )


def orders_to_arrow(chunk: int):
    """The orders' columns DuckDB needs, read from the database `chunk` rows at a time (by id), as a
    pyarrow Table."""
    import pyarrow as pa
    from django.db import connection

    from villagelink.geo.models import AdminUnit
    from villagelink.orders.models import Order

    quote = connection.ops.quote_name
    sql = (
        "SELECT o.id, u.path, o.kind, o.channel, o.status, o.placed_on, o.completed_on, o.total_fen, "  # noqa: S608 - names from the models, quoted
        f"o.refunded_fen FROM {quote(Order._meta.db_table)} o "
        f"LEFT JOIN {quote(AdminUnit._meta.db_table)} u ON u.id = o.unit_id "
        "WHERE o.id > %s ORDER BY o.id LIMIT %s"
    )
    schema = pa.schema(
        [
            ("path", pa.string()),
            ("kind", pa.string()),
            ("channel", pa.string()),
            ("status", pa.string()),
            ("placed_on", pa.date32()),
            ("completed_on", pa.date32()),
            ("total_fen", pa.int64()),
            ("refunded_fen", pa.int64()),
        ]
    )

    def dates(values) -> list:
        # Django's SQLite connection parses declared date columns; anything else may hand back text.
        return [datetime.date.fromisoformat(v) if isinstance(v, str) else v for v in values]

    batches, last = [], 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [last, chunk])
            rows = cursor.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            _ids, *columns = zip(*rows, strict=True)
            columns[4], columns[5] = dates(columns[4]), dates(columns[5])
            batches.append(
                pa.RecordBatch.from_arrays(
                    [pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
                )
            )
    return pa.Table.from_batches(batches, schema=schema)


def duckdb_sql(path: str, start: datetime.date, end: datetime.date) -> str:
    """TOTALS of a unit and period (by kind) from the registered "orders", by the counting rule of
    orders.facts; constants inlined so that DuckDB plans the prefix and date filters as such."""
    if not path.isdigit():
        raise ValueError("A path holds digits only.")
    return f"""
        SELECT kind, count(*) AS orders, sum(total_fen - refunded_fen) AS amount
        FROM orders
        WHERE path LIKE '{path}%'
          AND (status = 'completed'
               OR (channel = 'platform' AND status IN ('paid', 'shipped', 'delivered')))
          AND CASE WHEN channel = 'platform' THEN placed_on ELSE completed_on END
              BETWEEN DATE '{start.isoformat()}' AND DATE '{end.isoformat()}'
        GROUP BY kind
    """  # noqa: S608 - digits and ISO dates only


def database_size_mb(data_dir: str) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0] / 1e6
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(f.stat().st_size for f in Path(data_dir).glob("*.sqlite3*")) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=20, help="Calls timed per function, unit and period.")
    parser.add_argument("--chunk", type=int, default=50_000, help="Orders per executemany (and transaction).")
    parser.add_argument("--seed", type=int, default=20190630)
    parser.add_argument(
        "--scan-runs", type=int, default=10, help="DuckDB queries timed per unit and period (step 5)."
    )
    parser.add_argument(
        "--orm-runs", type=int, default=10, help="ORM aggregates over the orders timed per unit and period."
    )
    parser.add_argument(
        "--bare", action="store_true", help="Units only: no service network, households, shops or ledger."
    )
    parser.add_argument(
        "--reuse-connection",
        action="store_true",
        help="Time every call on the same SQLite connection (warm page cache) instead of a new one each.",
    )
    parser.add_argument("--postgres", action="store_true", help=f"PostgreSQL: {DATABASE} on 127.0.0.1.")
    parser.add_argument("--database-url", default=None, help=f"A PostgreSQL URL of the database {DATABASE}.")
    args = parser.parse_args()
    url = postgres_url(args)
    if url:
        sys.path.insert(0, str(ROOT / "bench"))
        import benchdata

        benchdata.ensure_database(url)

    with tempfile.TemporaryDirectory(prefix="vl-bench-dashboard-") as data_dir:
        django_setup(url, data_dir)
        from django.db import connection
        from django.db.models import Count
        from django.db.models.functions import Length

        from villagelink.geo.models import AdminUnit, Level
        from villagelink.monitoring.selectors import figures_for, figures_for_children, monthly_trend
        from villagelink.orders.facts import facts_rebuild
        from villagelink.orders.models import Fact

        engine = f"PostgreSQL ({DATABASE})" if connection.vendor == "postgresql" else "SQLite"
        print(f"{engine}, {args.orders:,} orders, {os.cpu_count()} CPUs", flush=True)
        began = time.perf_counter()
        set_up(bare=args.bare)
        units = AdminUnit.objects.count()
        villages = AdminUnit.objects.filter(level=Level.VILLAGE).count()
        print(
            f"set-up: {units:,} units ({villages:,} villages)"
            f"{'' if args.bare else ', demo network, households, shops and ledger'} "
            f"in {time.perf_counter() - began:.1f} s",
            flush=True,
        )

        seconds, by_prefecture = insert_orders(args.orders, args.chunk, args.seed)
        names = dict(AdminUnit.objects.filter(level=Level.PREFECTURE).values_list("path", "name_en"))
        print(
            f"inserted {args.orders:,} orders in {seconds:.1f} s: {args.orders / seconds:,.0f} orders/s "
            f"(chunks of {args.chunk:,}, one transaction each)"
        )
        shares = ", ".join(
            f"{names.get(path, path)} {count / args.orders:.0%}"
            for path, count in sorted(by_prefecture.items(), key=lambda item: -item[1])
        )
        print(f"    by prefecture: {shares}", flush=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        rss_before = maxrss_mb()
        began = time.perf_counter()
        written = facts_rebuild()
        rebuilt = time.perf_counter() - began
        rss_after = maxrss_mb()
        print(
            f"facts_rebuild(): {written:,} fact rows written in {rebuilt:.1f} s; "
            f"peak RSS {rss_before:,.0f} MB before, {rss_after:,.0f} MB after"
        )
        levels = {2: "region", 4: "prefecture", 6: "county", 9: "township", 12: "village"}
        per_level = (
            Fact.objects.annotate(width=Length("path"))
            .order_by()
            .values_list("width")
            .annotate(n=Count("id"))
        )
        print("    fact rows by level: " + ", ".join(f"{levels[w]} {n:,}" for w, n in sorted(per_level)))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"database: {database_size_mb(data_dir):,.0f} MB", flush=True)

        region = AdminUnit.objects.get(code="540000")
        prefecture = AdminUnit.objects.get(code="540200")
        county = AdminUnit.objects.get(code="540221")
        village = AdminUnit.objects.filter(level=Level.VILLAGE, path__startswith=county.path).order_by(
            "code"
        )[0]
        fresh = connection.vendor == "sqlite" and not args.reuse_connection
        functions = [
            ("figures_for", figures_for),
            ("figures_for_children", figures_for_children),
            ("monthly_trend", monthly_trend),
        ]
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"\nload average before timing: {load}"
            f"\nms per call, median / max of {args.runs}"
            f"{' (each on a new connection: cold SQLite page cache)' if fresh else ', one connection'}"
        )
        print(f"{'':<21} {'unit':<21}" + "".join(f" {label:>15}" for label, _s, _e in PERIODS))
        worst = 0.0
        units = (region, prefecture, county, village)
        # (unit, period) -> table -> each figures_for call's ms in the queries on that table
        tables: dict[tuple[int, int], dict[str, list[float]]] = {}
        # (unit, period) -> ms of each figures_for call
        figures_times: dict[tuple[int, int], list[float]] = {}
        for name, function in functions:
            for unit in units:
                cells = []
                for p, (_label, start, end) in enumerate(PERIODS):
                    by_table = tables.setdefault((unit.pk, p), {}) if function is figures_for else None
                    times = timed(
                        lambda f=function, u=unit, s=start, e=end: f(unit=u, start=s, end=e),
                        args.runs,
                        fresh,
                        by_table,
                    )
                    worst = max(worst, max(times))
                    if function is figures_for:
                        figures_times[(unit.pk, p)] = times
                    cells.append(f"{statistics.median(times):>7.1f} /{max(times):>6.1f}")
                label = f"{unit.code} {unit.level}"
                print(f"{name:<21} {label:<21}" + "".join(f" {cell:>15}" for cell in cells), flush=True)
        print("\nfigures_for, median ms in the queries on each table:")
        for unit in units:
            names = sorted({t for p in range(len(PERIODS)) for t in tables[(unit.pk, p)]})
            for table in names:
                cells = [
                    f"{statistics.median(tables[(unit.pk, p)].get(table, [0.0])):>7.1f}"
                    for p in range(len(PERIODS))
                ]
                label = f"{unit.code} {unit.level}"
                print(f"  {table:<27} {label:<21}" + "".join(f" {cell:>15}" for cell in cells))

        from_facts = figures_for(unit=region, start=FIRST_DAY, end=LAST_DAY)["online_sales"]
        scan_runs = max(3, min(args.runs, 5))
        scan_times = timed(lambda: orders_scan_sales(region.path, FIRST_DAY, LAST_DAY), scan_runs, fresh)
        from_orders = orders_scan_sales(region.path, FIRST_DAY, LAST_DAY)
        facts_times = timed(lambda: figures_for(unit=region, start=FIRST_DAY, end=LAST_DAY), args.runs, fresh)
        query_times = timed(lambda: facts_query(unit=region, start=FIRST_DAY, end=LAST_DAY), args.runs, fresh)
        print(
            f"\nregion's online sales over the whole span (¥{from_facts / 100:,.2f}):\n"
            f"    summed from the orders: median {statistics.median(scan_times):,.0f} ms, "
            f"max {max(scan_times):,.0f} ms ({scan_runs} runs)\n"
            f"    figures_for (facts):    median {statistics.median(facts_times):,.1f} ms, "
            f"max {max(facts_times):,.1f} ms (all the region's figures, not only this one)\n"
            f"    its facts query alone:  median {statistics.median(query_times):,.1f} ms, "
            f"max {max(query_times):,.1f} ms\n"
            f"    the two agree: {'yes' if from_facts == from_orders else f'NO (orders give {from_orders})'}"
        )
        agree = compare(args, units, figures_times, fresh)
        print(
            f"\ndashboard figures for any unit and period: max {worst:.1f} ms over {args.orders:,} orders "
            f"(budget {BUDGET_MS} ms)"
        )
        print(goal_line(units, figures_times, agree["duckdb_ms"]))
        connection.close()
        if from_facts != from_orders or not agree["all"]:
            sys.exit(1)


def compare(args, units, figures_times, fresh: bool) -> dict:
    """Step 5: figures_for against DuckDB and a plain ORM aggregate over the orders, per unit and period.
    Returns whether every total agreed ("all") and DuckDB's times per (unit, period) ("duckdb_ms")."""
    from villagelink.monitoring.selectors import figures_for

    try:
        import duckdb
        import pyarrow  # noqa: F401 - orders_to_arrow needs it
    except ImportError as missing:
        duckdb = None
        print(
            f"\nDuckDB left out: {missing.name} is not installed (pip install duckdb pyarrow: the dev extra)"
        )
    con = None
    if duckdb is not None:
        began = time.perf_counter()
        table = orders_to_arrow(args.chunk)
        print(
            f"\nhanding {table.num_rows:,} orders to DuckDB: {time.perf_counter() - began:.1f} s", flush=True
        )
        con = duckdb.connect(":memory:")
        con.register("orders", table)
        threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
        print(f"    DuckDB {duckdb.__version__}, {threads} threads, the orders as a registered Arrow table")

    periods = [(p, label, start, end) for p, (label, start, end) in enumerate(PERIODS) if label in COMPARED]
    duckdb_ms: dict[tuple[int, int], list[float]] = {}
    orm_ms: dict[tuple[int, int], list[float]] = {}
    all_agree = True
    print(f"\ntotals checked ({', '.join(TOTALS)}): figures_for / DuckDB / ORM over the orders")
    for unit in units:
        for p, label, start, end in periods:
            expected = tuple(figures_for(unit=unit, start=start, end=end)[name] or 0 for name in TOTALS)
            found = {"ORM": orm_totals(unit.path, start, end)}
            orm_ms[(unit.pk, p)] = timed(
                lambda u=unit, s=start, e=end: orm_totals(u.path, s, e), args.orm_runs, fresh
            )
            if con is not None:
                sql = duckdb_sql(unit.path, start, end)
                found["DuckDB"] = totals_of(con.execute(sql).fetchall())
                times = []
                for _ in range(args.scan_runs):
                    began = time.perf_counter()
                    con.execute(sql).fetchall()
                    times.append((time.perf_counter() - began) * 1000)
                duckdb_ms[(unit.pk, p)] = times
            wrong = [name for name, totals in found.items() if totals != expected]
            all_agree &= not wrong
            verdict = "agree" if not wrong else "DISAGREE: " + "; ".join(f"{n} {found[n]}" for n in wrong)
            sales, sales_n, purchases, purchases_n = expected
            print(
                f"    {unit.code + ' ' + unit.level:<21} {label:<11} sales ¥{sales / 100:>16,.2f} ({sales_n:>9,}), "
                f"purchases ¥{purchases / 100:>16,.2f} ({purchases_n:>9,}): {verdict}",
                flush=True,
            )
    if con is not None:
        con.close()

    def cell(times: list[float] | None) -> str:
        return "—" if not times else f"{statistics.median(times):>8.1f} /{max(times):>8.1f}"

    print(
        f"\nms, median / max: figures_for ({args.runs} runs), DuckDB scanning the orders ({args.scan_runs}), "
        f"ORM aggregate over the orders ({args.orm_runs})"
    )
    print(f"{'unit':<21} {'period':<11} {'figures_for':>19} {'DuckDB':>19} {'ORM':>19}")
    for unit in units:
        for p, label, _start, _end in periods:
            print(
                f"{unit.code + ' ' + unit.level:<21} {label:<11} {cell(figures_times.get((unit.pk, p))):>19} "
                f"{cell(duckdb_ms.get((unit.pk, p))):>19} {cell(orm_ms.get((unit.pk, p))):>19}"
            )
    return {"all": all_agree, "duckdb_ms": duckdb_ms if con is not None else None}


def goal_line(units, figures_times, duckdb_ms) -> str:
    """Met when every figures_for call of the compared cases is under the budget and, in each case, its median
    is below DuckDB's."""
    periods = [p for p, (label, _s, _e) in enumerate(PERIODS) if label in COMPARED]
    cases = [(unit.pk, p) for unit in units for p in periods]
    worst = max(max(figures_times[case]) for case in cases)
    goal = f"goal: every indicator query under {BUDGET_MS} ms and faster than DuckDB"
    if duckdb_ms is None:
        return f"{goal}: not assessed, DuckDB left out (worst figures_for {worst:.1f} ms)"
    slower = [
        case for case in cases if statistics.median(figures_times[case]) >= statistics.median(duckdb_ms[case])
    ]
    fastest = min(statistics.median(duckdb_ms[case]) for case in cases)
    met = worst < BUDGET_MS and not slower
    return (
        f"{goal}: {'met' if met else 'not met'} (worst figures_for {worst:.1f} ms, DuckDB {fastest:.1f} ms"
        f"{f'; slower than DuckDB in {len(slower)} of {len(cases)} cases' if slower else ''})"
    )


if __name__ == "__main__":
    main()
