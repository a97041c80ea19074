"""How fast a large platform order report is imported, against a raw write of the rows it produces, and
whether the import's memory stays flat as the file grows.

    .venv/bin/python bench/bench_import.py [--rows 1000000] [--steps 250000,500000,1000000] [--shops 5]
                                           [--preload 5000000] [--verify] [--statements]
                                           [--database-url postgres://postgres@127.0.0.1:5432/vl_bench_import]

For each step size N, in a fresh temporary data directory (the project's settings, with VILLAGELINK_DATA_DIR
pointing there and DATABASE_URL unset, so a new SQLite file; or the PostgreSQL database of --database-url,
emptied): a child process migrates, loads the Tibet reference units with a township and a village under
Namling, an administrator and `--shops` households with a shop each on the generic platform ("other"), all
through the services, and streams a generic CSV of N orders to disk (the generic profile's English headers:
order_id, amount, status, placed_at, completed_at, title, quantity, shop, refund). It then copies the database
as it stands (SQLite: the file; PostgreSQL: a database `<name>_raw` made with it as template).

A second, fresh child process imports the file as the upload page and `villagelink import-orders --commit`
do, bypassing the background task: import_preview (the file handed over open, as an upload is) then
import_commit. Its peak memory is the growth of its peak resident set (ru_maxrss) over the import, measured in
that process alone.

A third child reads back the orders, order lines and order events the import wrote (not timed) and writes them
into the copy, timed: PostgreSQL's COPY, or SQLite's executemany in one transaction with the project's pragmas
— the same rows into the same tables with the same indexes and constraints, without checks, income shares or
facts: the baseline (issue 14). It writes them twice, into two copies: with the database's foreign-key checks
(raw, the ratio's baseline) and without them (raw₀: PostgreSQL's key triggers off for the transaction, as the
import's commit turns them off when it may, holding the rows its keys refer to; SQLite's foreign_keys off).

The file-size, row and cell limits of an import (VILLAGELINK_IMPORT_MAX_BYTES, _MAX_ROWS, _MAX_CELLS) are lifted
for the run: a million generic rows is about 90 MB, beyond the 20 MB a real upload may be.

`--preload N` records N orders (cancelled, on the same shops) before each import: the rate against a full
table. On PostgreSQL each timed write (the import, each raw write) begins after a CHECKPOINT: the
preparation's writes, and PostgreSQL 15's WAL-logged copies of the database, are flushed before it rather than
during it (with 5,000,000 orders, gigabytes that recorded orders would have had flushed long before). `--verify` compares the facts with the records after each import, untimed (`rebuild-facts --verify`).
`--statements` times each SQL statement of the import and prints, per step, where the check's and the commit's
time went: the statements that took longest (their first words), and what was spent outside them (Python, and
the transaction's COMMIT, where PostgreSQL runs the deferred foreign-key checks).

Prints per step: rows, import rows/s (preview + commit, and each on its own), raw rows/s, their ratio (goal
≥ ½), the same against raw₀, and the import's peak memory growth. Flat memory: the peak growth barely moves
as N quadruples.
"""

import argparse
import csv
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["order_id", "amount", "status", "placed_at", "completed_at", "title", "quantity", "shop", "refund"]
STATUSES = ["completed"] * 6 + ["paid", "shipped", "cancelled", "refunded"]
TITLES = ["Yak butter 500 g", "Highland barley flour", "牦牛肉干", "Brick tea", "藏香", "Wooden bowl"]


def django_setup(data_dir: str, database_url: str = "") -> None:
    """The project's settings on a SQLite file in `data_dir` (as benchdata.django_setup, without a URL), or on
    the PostgreSQL database of `database_url`."""
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)  # the progress counter stays in this process
    os.environ["VILLAGELINK_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    settings.VILLAGELINK_IMPORT_MAX_BYTES = 1 << 40
    settings.VILLAGELINK_IMPORT_MAX_ROWS = 1 << 40
    settings.VILLAGELINK_IMPORT_MAX_CELLS = 1 << 40


def shop_name(i: int) -> str:
    return f"Bench generic shop {i}"


def set_up(shops: int) -> None:
    from importlib import resources

    import benchdata
    from django.core.management import call_command

    from villagelink.catalog.services import shop_open
    from villagelink.geo.models import AdminUnit
    from villagelink.geo.services import UnitRow, units_import, units_import_csv
    from villagelink.orders.tests.factories import household

    call_command("migrate", interactive=False, verbosity=0)
    data = resources.files("villagelink.geo").joinpath("fixtures/tibet_admin_units.csv").read_bytes()
    units_import_csv(data=data)
    county = "540221"  # Namling
    units_import(
        rows=[
            UnitRow(0, f"{county}101", county, "township", "扎西岗乡", "Tashigang Township"),
            UnitRow(0, f"{county}101201", f"{county}101", "village", "扎西岗1村", "Tashigang Village 1"),
        ]
    )
    village = AdminUnit.objects.get(code=f"{county}101201")
    admin = benchdata.administrator()
    for i in range(shops):
        shop_open(
            by=admin,
            name=shop_name(i),
            platform="other",
            opened_on=benchdata.OPENED,
            household=household(admin, village, f"{i:03d}"),
            external_id=f"gen-{i}",
        )


def write_csv(path: Path, rows: int, shops: int) -> None:
    """N generic rows, streamed to disk; order numbers are unique, one row in 7 has no completion date."""
    rng = random.Random(rows)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for i in range(rows):
            status = STATUSES[i % len(STATUSES)]
            fen = rng.randrange(100, 200_000)
            day = 1 + i % 28
            placed = f"2019-{1 + i % 12:02d}-{day:02d} {i % 24:02d}:{i % 60:02d}:00"
            completed = f"2019-{1 + i % 12:02d}-{day:02d} 23:00:00" if status == "completed" and i % 7 else ""
            refund = f"{fen // 200}.{fen % 100:02d}" if status == "refunded" else ""
            writer.writerow(
                [
                    f"{7_000_000_000_000 + i}",
                    f"{fen // 100}.{fen % 100:02d}",
                    status,
                    placed,
                    completed,
                    TITLES[i % len(TITLES)],
                    1 + i % 3,
                    shop_name(i % shops),
                    refund,
                ]
            )


RAW_TABLES = ("orders_order", "orders_orderline", "orders_orderevent")  # what the import writes per row


def raw_copy_prepare(data_dir: str, database_url: str) -> None:
    """Two copies of the prepared database, before the import: the raw writes go into the same tables, with the
    same indexes and constraints (SQLite: the file copied; PostgreSQL: a database made from it as template),
    one with the foreign keys checked, one without."""
    from django.db import connection

    if database_url:
        import psycopg
        from psycopg import sql

        connection.close()
        name, *copies = _database_names(database_url)
        with psycopg.connect(_url_of(database_url, "postgres"), autocommit=True) as admin:
            for raw in copies:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(raw)))
                admin.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(raw), sql.Identifier(name)
                    )
                )
            # The copies are written through the WAL (PostgreSQL 15's CREATE DATABASE): flushed here, their
            # checkpoints would run during the timed import, and a preloaded database's are gigabytes.
            admin.execute("CHECKPOINT")
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    for copy in RAW_FILES:
        shutil.copyfile(Path(data_dir) / "villagelink.sqlite3", Path(data_dir) / copy)


RAW_FILES = ("raw.sqlite3", "raw_unkeyed.sqlite3")  # written with the foreign keys checked, and without


def _database_names(database_url: str) -> tuple[str, str, str]:
    """The database's name, and its copies' for the raw writes with the foreign keys checked and without."""
    name = urlsplit(database_url).path.lstrip("/")
    return name, f"{name}_raw", f"{name}_raw_unkeyed"


def _url_of(database_url: str, name: str) -> str:
    return urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))


def _written_by_import(table: str) -> str:
    """The rows of `table` the import wrote (not the preloaded orders, numbered P…)."""
    where = " WHERE number LIKE 'I%'" if table == "orders_order" else ""
    return f"SELECT * FROM {table}{where}"  # noqa: S608 - our names


def child_raw(data_dir: str, database_url: str) -> dict:
    """Seconds to write the orders, lines and events the import wrote, read back from its database (not timed),
    into the copies of the database as it was before the import: PostgreSQL's COPY, or SQLite's executemany in
    one transaction, with the project's pragmas. No checks, no income shares, no facts: the floor. Twice: with
    the database's foreign-key checks (`raw_s`), and without them (`raw_unkeyed_s`: PostgreSQL's key triggers
    off for the transaction, as the import's commit writes its rows; SQLite's `foreign_keys` off)."""
    if database_url:
        import psycopg

        name, *copies = _database_names(database_url)
        with psycopg.connect(_url_of(database_url, name)) as source:
            data = {}
            for table in RAW_TABLES:
                buffer = bytearray()
                with source.cursor().copy(f"COPY ({_written_by_import(table)}) TO STDOUT") as copy:
                    for block in copy:
                        buffer += block
                data[table] = bytes(buffer)
        seconds = []
        for raw, keyed in zip(copies, (True, False), strict=True):
            with psycopg.connect(_url_of(database_url, raw)) as target:
                # As before the import: the earlier writes flushed, not in the time of this one.
                target.execute("CHECKPOINT")
                target.commit()
                began = time.perf_counter()
                with target.transaction(), target.cursor() as cursor:
                    if not keyed:
                        cursor.execute("SET LOCAL session_replication_role = replica")
                    for table in RAW_TABLES:
                        with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                            copy.write(data[table])
                seconds.append(time.perf_counter() - began)
            with psycopg.connect(_url_of(database_url, "postgres"), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{raw}"')
        return {"raw_s": seconds[0], "raw_unkeyed_s": seconds[1]}
    source = sqlite3.connect(Path(data_dir) / "villagelink.sqlite3")
    data = {}
    for table in RAW_TABLES:
        cursor = source.execute(f"{_written_by_import(table)} ORDER BY id")
        data[table] = ([d[0] for d in cursor.description], cursor.fetchall())
    source.close()
    seconds = []
    for raw, keyed in zip(RAW_FILES, (True, False), strict=True):
        target = sqlite3.connect(Path(data_dir) / raw, isolation_level=None)
        target.execute("PRAGMA journal_mode=WAL")
        target.execute("PRAGMA synchronous=NORMAL")
        target.execute(f"PRAGMA foreign_keys={'ON' if keyed else 'OFF'}")
        began = time.perf_counter()
        target.execute("BEGIN IMMEDIATE")
        for table, (columns, rows) in data.items():
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" * len(columns))
            target.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608 - our names
        target.execute("COMMIT")
        seconds.append(time.perf_counter() - began)
        target.close()
    return {"raw_s": seconds[0], "raw_unkeyed_s": seconds[1]}


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def preload(orders: int) -> None:
    """`orders` orders already recorded before the import (cancelled, so they count in no figure and the facts
    stay true without a rebuild), on the same shops and platform, written with the bulk writer a chunk at a
    time: the import's lookups and joins then work against a table of that size."""
    import datetime

    from django.db import transaction

    from villagelink.catalog.models import Shop
    from villagelink.orders.bulk import orders_insert
    from villagelink.orders.models import Channel, Kind, PaymentMethod, Status

    shops = list(Shop.objects.filter(platform="other").values_list("pk", "unit_id"))
    fields = ("number", "kind", "channel", "status", "shop_id", "unit_id", "platform", "external_id",
              "payment_method", "total_fen", "refunded_fen", "placed_at", "placed_on", "paid_at", "completed_on")  # fmt: skip
    placed = datetime.datetime(2018, 6, 1, 12, tzinfo=datetime.UTC)
    for start in range(0, orders, 100_000):
        rows = []
        for i in range(start, min(start + 100_000, orders)):
            shop, unit = shops[i % len(shops)]
            moment = placed + datetime.timedelta(minutes=i % 500_000)
            rows.append((f"P{i}", Kind.SALE, Channel.PLATFORM, Status.CANCELLED, shop, unit, "other", f"P{i}",
                         PaymentMethod.ONLINE, 1000, 0, moment, moment.date(), None, None))  # fmt: skip
        with transaction.atomic():
            orders_insert(fields, rows)


def child_prepare(data_dir: str, rows: int, shops: int, database_url: str, preloaded: int = 0) -> dict:
    django_setup(data_dir, database_url)
    if database_url:
        import benchdata

        from villagelink.imports.services import profiles_ensure

        benchdata.fresh_database()
        profiles_ensure()  # flush empties what the data migration wrote
    began = time.perf_counter()
    set_up(shops)
    preload(preloaded)
    if database_url:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would have, long before an import
    csv_path = Path(data_dir) / "report.csv"
    write_csv(csv_path, rows, shops)
    prepared = time.perf_counter() - began
    raw_copy_prepare(data_dir, database_url)
    return {"prepare_s": prepared, "bytes": csv_path.stat().st_size}


class StatementTimer:
    """Seconds per SQL statement (grouped by its first words) of the phase under way, for `--statements`."""

    def __init__(self) -> None:
        self.phase = "preview"
        self.seconds: dict[str, dict[str, float]] = {"preview": {}, "commit": {}}

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            words = " ".join(str(sql).split())[:72]
            taken = self.seconds[self.phase]
            taken[words] = taken.get(words, 0.0) + time.perf_counter() - began


def child_import(
    data_dir: str, whole: bool, database_url: str, verify: bool = False, statements: bool = False
) -> dict:
    django_setup(data_dir, database_url)
    from contextlib import ExitStack

    from django.db import connection

    from villagelink.accounts.models import User
    from villagelink.imports.models import BatchStatus
    from villagelink.imports.services import import_commit, import_preview
    from villagelink.orders.models import Order

    admin = User.objects.get(username="bench-admin")
    csv_path = Path(data_dir) / "report.csv"
    timer = StatementTimer()
    before = maxrss_mb()
    with ExitStack() as stack:
        if statements:
            stack.enter_context(connection.execute_wrapper(timer))
        began = time.perf_counter()
        with csv_path.open("rb") as upload:
            batch = import_preview(
                by=admin,
                data=upload.read() if whole else upload,
                filename=csv_path.name,
                platform="other",
                background=False,
            )
        previewed = time.perf_counter()
        timer.phase = "commit"
        batch = import_commit(by=admin, batch=batch, background=False)
        committed = time.perf_counter()
    peak = maxrss_mb()
    assert batch.status == BatchStatus.COMMITTED, batch.status
    orders = Order.objects.count()
    differences = -1
    if verify:  # as `villagelink rebuild-facts --verify`, not timed
        from villagelink.orders.facts import facts_verify

        differences = facts_verify()[0]
    connection.close()
    return {
        "preview_s": previewed - began,
        "commit_s": committed - previewed,
        "created": batch.created,
        "rejected": batch.rejected,
        "orders": orders,
        "differences": differences,
        "rss_before_mb": before,
        "rss_peak_mb": peak,
        "statements": timer.seconds,
    }


def print_statements(imported: dict) -> None:
    """Where each phase's time went (`--statements`): its longest statements, then the rest."""
    for phase in ("preview", "commit"):
        whole = imported[f"{phase}_s"]
        taken = sorted(imported["statements"][phase].items(), key=lambda item: -item[1])
        print(f"    {phase}: {whole:.1f} s, of which")
        for words, seconds in taken[:8]:
            print(f"      {seconds:>7.2f} s {seconds / whole:>5.0%}  {words}")
        inside = sum(seconds for _words, seconds in taken)
        rest = whole - inside
        print(
            f"      {rest:>7.2f} s {rest / whole:>5.0%}  outside statements (Python; COMMIT and its key checks)"
        )


def run_child(*arguments: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, *arguments], cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"The child {' '.join(arguments)} failed (exit {done.returncode}); see above.")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="The largest file (default steps: ¼, ½, all)."
    )
    parser.add_argument(
        "--steps", default=None, help="Comma-separated row counts, e.g. 250000,500000,1000000."
    )
    parser.add_argument("--shops", type=int, default=5)
    parser.add_argument(
        "--whole",
        action="store_true",
        help="Hand the file to import_preview as bytes read whole (as the API's base64 upload does).",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="Import into this PostgreSQL database (created if missing, emptied; its name must hold "
        "“bench”) instead of a new SQLite file; the raw write then goes into <name>_raw.",
    )
    parser.add_argument(
        "--preload", type=int, default=0, help="Orders already recorded before each import (e.g. 5000000)."
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="After each import, compare the facts with the records (untimed).",
    )
    parser.add_argument(
        "--statements",
        action="store_true",
        help="Time each SQL statement of the import and print where the time went.",
    )
    parser.add_argument("--child", choices=["prepare", "import", "raw"], help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "prepare":
        print(
            json.dumps(child_prepare(args.data_dir, args.rows, args.shops, args.database_url, args.preload))
        )
        return
    if args.child == "import":
        imported = child_import(args.data_dir, args.whole, args.database_url, args.verify, args.statements)
        print(json.dumps(imported))
        return
    if args.child == "raw":
        print(json.dumps(child_raw(args.data_dir, args.database_url)))
        return

    steps = (
        [int(s) for s in args.steps.split(",")] if args.steps else [args.rows // 4, args.rows // 2, args.rows]
    )
    if args.database_url:
        import benchdata

        benchdata.ensure_database(args.database_url)
    print(
        f"{'PostgreSQL' if args.database_url else 'SQLite'}, generic CSV, {args.shops} shops; "
        "import = import_preview + import_commit "
        f"({'bytes read whole' if args.whole else 'file handed over open'}); raw = the same orders, lines and events written "
        f"{'with COPY' if args.database_url else 'with one executemany transaction'} into the same tables; "
        f"{args.preload} orders recorded before"
    )
    header = (
        f"{'rows':>9} {'MB':>6} {'import/s':>9} {'preview/s':>10} {'commit/s':>9} {'raw/s':>9} "
        f"{'ratio':>6} {'raw₀/s':>9} {'ratio₀':>6} {'peak Δ MB':>10} {'rss MB':>7}"
    )
    print(header)
    for rows in steps:
        with tempfile.TemporaryDirectory(prefix="vl-bench-import-") as data_dir:
            common = ["--rows", str(rows), "--shops", str(args.shops), "--data-dir", data_dir]
            common += ["--database-url", args.database_url]
            prepared = run_child("--child", "prepare", *common, "--preload", str(args.preload))
            flags = [
                *(["--whole"] if args.whole else []),
                *(["--verify"] if args.verify else []),
                *(["--statements"] if args.statements else []),
            ]
            imported = run_child("--child", "import", *common, *flags)
            raw = run_child("--child", "raw", *common)
        if imported["created"] != rows or imported["orders"] != rows + args.preload or imported["rejected"]:
            raise SystemExit(f"{rows} rows: the import created {imported['created']}, rejected "
                             f"{imported['rejected']}, left {imported['orders']} orders")  # fmt: skip
        seconds = imported["preview_s"] + imported["commit_s"]
        ratio = (rows / seconds) / (rows / raw["raw_s"])
        print(
            f"{rows:>9} {prepared['bytes'] / 1e6:>6.1f} {rows / seconds:>9.0f} "
            f"{rows / imported['preview_s']:>10.0f} {rows / imported['commit_s']:>9.0f} "
            f"{rows / raw['raw_s']:>9.0f} {ratio:>6.3f} "
            f"{rows / raw['raw_unkeyed_s']:>9.0f} {raw['raw_unkeyed_s'] / seconds:>6.3f} "
            f"{imported['rss_peak_mb'] - imported['rss_before_mb']:>10.1f} {imported['rss_peak_mb']:>7.0f}"
            + (f"  facts: {imported['differences']} differences" if args.verify else ""),
            flush=True,
        )
        if args.statements:
            print_statements(imported)
    print(
        "goal: ratio ≥ 0.5 (import at least half as fast as the raw write); peak Δ flat across sizes. "
        "raw: with the database's foreign-key checks; raw₀: without them"
    )


if __name__ == "__main__":
    main()
