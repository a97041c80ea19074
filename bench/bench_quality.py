"""How long the data-quality checks take over a million orders, rule by rule, and what memory they need.

    .venv/bin/python bench/bench_quality.py [--orders 1000000] [--database sqlite|postgres]
                                            [--database-url postgres://127.0.0.1:5432/vl_bench_quality]
                                            [--data-dir DIR [--reuse]] [--profile RULE|slowest|none]
                                            [--no-tracemalloc]

Goal (issue 18): checking 1,000,000 imported orders takes under 30 s on this 2-core machine.

A first child process builds the data (in a fresh temporary data folder with a new SQLite file, or in the
PostgreSQL database vl_bench_quality on 127.0.0.1, created when missing, migrated and emptied):

1. the Tibet reference units and the demo's synthetic townships and villages, then the demo's service
   network, households, cooperatives and shops with their products (the demo's own builders, as
   `villagelink demo` runs them; not the assistance ledger, which no rule reads): about 1,230 open shops on this storefront, Taobao, JD, Pinduoduo, WeChat and
   Douyin, 380 village points, 18,000 households;
2. the demo's planted brushing patterns (`demo.brushing`: two of each kind, in May and October 2018), which
   the checks must find (the orders below go to the shops and points of other villages);
3. N orders in all (with the planted ones) from 2018-01-01 to 2019-06-30, written with the one bulk writer of
   orders (`orders.bulk`: COPY on PostgreSQL, executemany on SQLite) in chunks of --chunk, one transaction
   each: three in four reported by the platforms whose reports are imported (Taobao, JD, Pinduoduo: an order
   number, a buyer's keyed hash from a pool of --buyers accounts, a line naming one of the shop's products
   at its price, now and then a wholesale lot at a discount; mostly completed, some paid or shipped, refunded
   or closed), the rest storefront sales, and sales and purchases recorded at the village points' desks;
   each with its line and its event (a refund's event a few days after the order, one in ten weeks later);
   shops weighted by a lognormal activity and Lhasa and Shigatse trading more, days by a growth of 40 % a
   year with the Losar, 618 and Double 11 peaks; no income shares (no rule reads them);
4. the daily and monthly facts rebuilt from the orders (`orders.facts.facts_rebuild`; the monthly jump rule
   reads the monthly facts).

A second, fresh child process then checks (its peak resident set is the checks' alone):

- `quality.services.quality_check(path="54", first=2018-01-01, last=2019-06-30)`: every rule over the whole
  region and span, and the flags filed — the figure the goal is about;
- the area's orders read once (`quality.area.Area`: every rule shares them), then each rule of
  `quality.rules.RULES` on them (seconds, findings, orders covered), then again under
  tracemalloc for the peak of Python's own allocations per rule (the database driver's and SQLite's memory
  is not in it; --no-tracemalloc skips this pass, which runs several times slower);
- cProfile of one rule (--profile: the slowest by default), its top functions by own and by cumulative time.

Prints the orders checked (counted in the span) and in the database, seconds (total and per rule), peak
memory (ru_maxrss of the check process before and after, and each rule's tracemalloc peak), the flags found
per rule, whether each planted pattern was found, and the goal line. (The orders start on 2018-01-01: a month
of 2018 has no year before it but the planted orders', so the monthly jump planted in May 2018 may go
unfound — its village's siblings seem to grow from almost nothing, which raises the bar; a rule that fails
with an error is reported, and quality_check timed again without it.) --data-dir DIR --reuse checks a database
built before (SQLite: DIR holds it; PostgreSQL: the database as it is) without building it again.
"""

import argparse
import bisect
import datetime
import itertools
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
DATABASE = "vl_bench_quality"
REGION = "54"
FIRST, LAST = datetime.date(2018, 1, 1), datetime.date(2019, 6, 30)
GOAL_SECONDS = 30
NUMBER_PREFIX = "B"  # no other order number starts so (regional "R", planted "DQ"/"DH", imported "I", …)
REPORTING = ("taobao", "jd", "pinduoduo")  # the platforms whose reports are imported
# (what, share of the orders)
MIX = [("platform", 0.75), ("storefront", 0.10), ("assisted_sale", 0.08), ("assisted_purchase", 0.07)]
PREFECTURE_WEIGHT = {"5401": 3.0, "5402": 2.0}
LOSAR = {2018: datetime.date(2018, 2, 16), 2019: datetime.date(2019, 2, 5)}
PURCHASES = [  # (description, category, price range in yuan)
    ("洗衣粉 / Washing powder", "daily_goods", (20, 60)),
    ("大米 / Rice, 25 kg", "food", (90, 160)),
    ("化肥 / Fertiliser, 50 kg", "agri_inputs", (120, 220)),
    ("羽绒服 / Down jacket", "clothing", (150, 600)),
    ("电视机 / Television", "appliances", (1200, 3800)),
    ("水泥 / Cement, 50 kg", "building_materials", (28, 45)),
]
FARM = [("青稞 / Highland barley", "grain", (6, 12)), ("酥油 / Butter", "dairy", (50, 90))]


# ------------------------------------------------------------------------------------------------ set-up


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


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def build_demo() -> None:
    from importlib import resources

    from django.core.management import call_command

    from villagelink.core.paths import subtree_q
    from villagelink.demo.catalog import build_catalog_demo
    from villagelink.demo.network import build_network_demo
    from villagelink.demo.registry import build_registry_demo
    from villagelink.demo.synthetic import synthetic_unit_rows
    from villagelink.geo.models import AdminUnit, Level
    from villagelink.geo.services import units_import, units_import_csv

    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0, allow_cascade=True)
    data = resources.files("villagelink.geo").joinpath("fixtures/tibet_admin_units.csv").read_bytes()
    units_import_csv(data=data)
    counties = list(AdminUnit.objects.filter(subtree_q("path", REGION), level=Level.COUNTY))
    units_import(rows=synthetic_unit_rows(counties), synthetic=True)
    region = AdminUnit.objects.get(path=REGION)
    build_network_demo(region=region)
    build_registry_demo(region=region)
    build_catalog_demo(region=region)


class _Weighted:
    """Items drawn with probability proportional to their weights."""

    def __init__(self, items: list, weights: list[float]):
        self.items = items
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random):
        index = bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        return self.items[min(index, len(self.items) - 1)]


def _day_weight(day: datetime.date) -> float:
    weight = 1.0 + 2.0 * max(0.0, 1 - abs((day - LOSAR.get(day.year, LOSAR[2019])).days + 12) / 20)
    if (day.month, day.day) in {(11, 10), (11, 11), (11, 12)}:
        weight += 1.5
    if (day.month, day.day) in {(6, 17), (6, 18), (6, 19)}:
        weight += 0.6
    return weight * 1.4 ** ((day - FIRST).days / 365.25)


class _Days:
    """The span's days with their weights, for drawing a day within an interval of them."""

    def __init__(self):
        self.days = [FIRST + datetime.timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
        self.cumulative = [0.0, *itertools.accumulate(_day_weight(day) for day in self.days)]

    def index(self, day: datetime.date) -> int:
        return (day - FIRST).days

    def mass(self, first: int, last: int) -> float:
        return self.cumulative[last + 1] - self.cumulative[first]

    def draw(self, rng: random.Random, first: int, last: int) -> int:
        low = self.cumulative[first]
        point = low + rng.random() * (self.cumulative[last + 1] - low)
        return min(last, max(first, bisect.bisect_right(self.cumulative, point, first + 1, last + 1) - 1))


def _open_interval(
    days: _Days, opened: datetime.date, closed: datetime.date | None
) -> tuple[int, int] | None:
    first = max(0, days.index(opened))
    last = len(days.days) - 1 if closed is None else min(len(days.days) - 1, days.index(closed) - 1)
    return (first, last) if first <= last else None


def _sellers(rng: random.Random, days: _Days):
    """The shops (by channel) and village points that trade, with their open days and weights; none in the
    villages of the planted patterns, whose shops keep the planted orders and their history alone (as in the
    demo, where the checks must find them)."""
    from django.db.models import Q

    from villagelink.catalog.models import Product, Shop
    from villagelink.demo.brushing import HISTORY, PREFIX
    from villagelink.network.models import ServiceSite
    from villagelink.orders.models import Order
    from villagelink.registry.models import Household

    planted = set(
        Order.objects.filter(Q(number__startswith=PREFIX) | Q(number__startswith=HISTORY)).values_list(
            "unit_id", flat=True
        )
    )

    products: dict[int, list[tuple[int, str, int, str]]] = {}
    for shop_id, pk, name_zh, price, category in Product.objects.order_by("pk").values_list(
        "shop_id", "pk", "name_zh", "price_fen", "category"
    ):
        products.setdefault(shop_id, []).append((pk, name_zh, price, category))
    shops: dict[str, list[tuple]] = {"platform": [], "storefront": []}
    weights: dict[str, list[float]] = {"platform": [], "storefront": []}
    for pk, unit_id, path, platform, household, opened, closed in Shop.objects.order_by("pk").values_list(
        "pk", "unit_id", "unit__path", "platform", "household_id", "opened_on", "closed_on"
    ):
        interval = _open_interval(days, opened, closed)
        channel = "platform" if platform in REPORTING else "storefront" if platform == "storefront" else None
        if channel is None or interval is None or pk not in products or unit_id in planted:
            continue
        shops[channel].append((pk, unit_id, platform, household, interval, products[pk]))
        weights[channel].append(
            rng.lognormvariate(0, 0.9) * PREFECTURE_WEIGHT.get(path[:4], 1.0) * days.mass(*interval)
        )
    households: dict[int, list[int]] = {}
    for pk, village in Household.objects.order_by("pk").values_list("pk", "village_id"):
        households.setdefault(village, []).append(pk)
    points, point_weights = [], []
    for pk, unit_id, path, opened, closed in (
        ServiceSite.objects.filter(Q(kind="village_point"))
        .order_by("pk")
        .values_list("pk", "unit_id", "unit__path", "opened_on", "closed_on")
    ):
        interval = _open_interval(days, opened, closed)
        if interval is not None and unit_id not in planted:
            points.append((pk, unit_id, interval, households.get(unit_id, [])))
            point_weights.append(rng.lognormvariate(0, 0.4) * PREFECTURE_WEIGHT.get(path[:4], 1.0))
    return (
        {channel: _Weighted(shops[channel], weights[channel]) for channel in shops},
        _Weighted(points, point_weights),
    )


ORDER_FIELDS = (
    "number", "kind", "channel", "status", "shop_id", "unit_id", "site_id", "platform", "external_id", "category",
    "household_id", "service_fee_fen", "local_price_fen", "payment_method", "total_fen", "refunded_fen",
    "placed_at", "placed_on", "paid_at", "completed_on", "buyer_key", "cancel_reason",
)  # fmt: skip


def _status(rng: random.Random, what: str) -> str:
    roll = rng.random()
    shares: tuple[tuple[str, float], ...]
    if what == "platform":
        shares = (("completed", 0.80), ("paid", 0.06), ("shipped", 0.05), ("refunded", 0.05))
    elif what == "storefront":
        shares = (("completed", 0.90), ("refunded", 0.06))
    else:  # a desk entry is recorded done; now and then reversed as a mistake
        shares = (("completed", 0.98),)
    for status, share in shares:
        if roll < share:
            return status
        roll -= share
    return "cancelled" if what in ("platform", "storefront") else "reversed"


def write_orders(n: int, chunk: int, seed: int, buyers: int) -> dict:
    """Writes `n` orders (see the module's text); returns their counts by channel and status."""
    from django.db import connection, transaction

    from villagelink.core.crypto import keyed_hash
    from villagelink.core.dates import region_zone
    from villagelink.orders.bulk import orders_insert, rows_insert
    from villagelink.orders.models import Order, OrderEvent, OrderLine

    rng = random.Random(seed)
    days = _Days()
    shops, points = _sellers(rng, days)
    mix = _Weighted([what for what, _share in MIX], [share for _what, share in MIX])
    pool = [keyed_hash(f"buyer:bench_buyer_{i}") for i in range(buyers)]
    zone = region_zone()
    midnight = [
        datetime.datetime.combine(day, datetime.time(), tzinfo=zone).astimezone(datetime.UTC)
        for day in days.days
    ]
    external = itertools.count(10**17)
    counts: dict[str, int] = {}
    quote = connection.ops.quote_name
    serial = 0
    while serial < n:
        size = min(chunk, n - serial)
        rows, lines, events = [], [], []
        for _ in range(size):
            serial += 1
            what = mix.draw(rng)
            status = _status(rng, what)
            counts[f"{what} {status}"] = counts.get(f"{what} {status}", 0) + 1
            shop_id = site_id = household = local = product_id = None
            platform = external_id = category = key = reason = ""
            fee, kind, payment = 0, "sale", "online"
            if what in ("platform", "storefront"):
                shop_id, unit_id, platform, household, interval, offered = shops[what].draw(rng)
                household = None  # a shop's sale names no household: its shop does
                day = days.draw(rng, *interval)
                product_id, description, price, category = offered[int(rng.random() * len(offered))]
                if rng.random() < (0.08 if what == "platform" else 0.03):  # a wholesale lot, at a discount
                    quantity = rng.randint(10, 60)
                    unit_price = max(100, int(round(price * rng.uniform(0.72, 0.92), -1)))
                else:
                    quantity, unit_price = rng.choice((1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6)), price
                if what == "platform":
                    channel, product_id = "platform", None  # a report names the item, not our product
                    external_id = f"{next(external)}"
                else:
                    channel = "storefront"
                    payment = "cod" if rng.random() < 0.4 else "online"
                key = pool[int(rng.random() * len(pool))]
            else:
                site_id, unit_id, interval, households = points.draw(rng)
                day = days.draw(rng, *interval)
                channel = "assisted"
                household = households[int(rng.random() * len(households))] if households else None
                if what == "assisted_sale":
                    description, category, (low, high) = FARM[int(rng.random() * len(FARM))]
                    platform = rng.choice(("taobao", "pinduoduo", "wechat"))
                else:
                    kind = "purchase"
                    description, category, (low, high) = PURCHASES[int(rng.random() * len(PURCHASES))]
                    platform = rng.choice(("taobao", "pinduoduo", "jd"))
                unit_price = rng.randint(low, high) * 100
                quantity = max(1, int(rng.lognormvariate(1.0, 0.8)))
                if kind == "purchase" and rng.random() < 0.75:
                    local = int(unit_price * quantity * rng.uniform(1.05, 1.35))
                fee = 200 if rng.random() < 0.2 else 0
            total = unit_price * quantity
            at = midnight[day] + datetime.timedelta(seconds=int(rng.random() * 86400))
            placed_on = days.days[day]
            unpaid = status == "cancelled"
            completed_on = None
            if status == "completed":
                completed_on = placed_on + datetime.timedelta(
                    days=0 if channel == "assisted" else rng.randint(2, 9)
                )
            if status in ("refunded", "cancelled", "reversed"):
                reason = "买家退货 / Returned by the buyer"
            number = f"{NUMBER_PREFIX}{serial:09d}"
            rows.append(
                (
                    number, kind, channel, status, shop_id, unit_id, site_id, platform, external_id, category,
                    household, fee, local, payment, total, total if status == "refunded" else 0, at, placed_on,
                    None if unpaid else at + datetime.timedelta(seconds=60), completed_on, key, reason,
                )
            )  # fmt: skip
            lines.append((product_id, description, quantity, unit_price, total))
            if status in ("refunded", "cancelled"):
                late = rng.random() < 0.1
                delay = rng.uniform(30, 70) if late else rng.uniform(0.2, 9)
                events.append((status, at + datetime.timedelta(days=delay)))
            else:
                events.append((status, at))
        with transaction.atomic():
            orders_insert(ORDER_FIELDS, rows)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {quote('id')} FROM {quote(Order._meta.db_table)} "  # noqa: S608 - names quoted
                    f"WHERE {quote('number')} >= %s AND {quote('number')} <= %s ORDER BY {quote('number')}",
                    [rows[0][0], rows[-1][0]],
                )
                ids = [pk for (pk,) in cursor.fetchall()]
            assert len(ids) == len(rows)
            rows_insert(
                OrderLine,
                ["order_id", "product_id", "description", "quantity", "unit_price_fen", "amount_fen"],
                [(pk, *line) for pk, line in zip(ids, lines, strict=True)],
            )
            rows_insert(
                OrderEvent,
                ["order_id", "status", "at", "by_id", "note"],
                [(pk, status, at, None, "") for pk, (status, at) in zip(ids, events, strict=True)],
            )
        print(f"  {serial:,} orders written", file=sys.stderr, flush=True)
    return counts


def child_build(args) -> dict:
    django_setup(args.url, args.data_dir)
    from django.db import connection

    from villagelink.demo.brushing import plant_brushing
    from villagelink.orders.facts import facts_rebuild

    began = time.perf_counter()
    build_demo()
    demo_s = time.perf_counter() - began
    began = time.perf_counter()
    planted = plant_brushing(region_path=REGION, avoid_village="-")
    counts = write_orders(max(0, args.orders - planted), args.chunk, args.seed, args.buyers)
    orders_s = time.perf_counter() - began
    began = time.perf_counter()
    facts = facts_rebuild()
    facts_s = time.perf_counter() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "demo_s": demo_s,
        "planted": planted,
        "orders_s": orders_s,
        "facts": facts,
        "facts_s": facts_s,
        "counts": counts,
    }


# ------------------------------------------------------------------------------------------------ the check


def child_check(args) -> dict:
    django_setup(args.url, args.data_dir)
    import cProfile
    import io
    import pstats
    import tracemalloc

    from django.db import connection

    from villagelink.demo.brushing import PATTERNS, planted_q
    from villagelink.orders.models import Order
    from villagelink.quality.area import Area, counted_orders
    from villagelink.quality.models import Flag
    from villagelink.quality.rules import RULES, thresholds
    from villagelink.quality.services import quality_check

    ALL_RULES: dict = dict(RULES)
    Flag.objects.all().delete()  # a reused database: every finding is new again
    checked = counted_orders(REGION, FIRST, LAST).count()
    imported = counted_orders(REGION, FIRST, LAST).filter(channel="platform").count()
    stored = Order.objects.count()
    rss_before = maxrss_mb()

    limits = thresholds()
    rules: dict[str, dict] = {}
    found_orders: dict[str, set[int]] = {}
    failed: dict = {}  # rule: its error (it stops quality_check: the run goes on without it)
    outcome: dict = {}
    for attempt in range(len(RULES)):
        began = time.perf_counter()
        try:
            result = quality_check(path=REGION, first=FIRST, last=LAST)
        except Exception as error:  # a rule failed: find which, then check again without it
            outcome.setdefault("errors", []).append(
                f"{type(error).__name__}: {error} after {time.perf_counter() - began:.1f} s"
            )
            for rule, check in list(RULES.items()):
                try:
                    check(Area(REGION, FIRST, LAST, limits), limits)
                except Exception as rule_error:
                    failed[rule] = f"{type(rule_error).__name__}: {rule_error}"
                    del RULES[rule]  # in this process only
                    break
            else:
                raise
            continue
        outcome.update(
            total_s=time.perf_counter() - began, found=result.found, new=result.new, attempt=attempt
        )
        break
    rss_after_check = maxrss_mb()
    # The area's orders, read once and shared by the rules (timed apart), then each rule on them.
    area = Area(REGION, FIRST, LAST, limits)
    began = time.perf_counter()
    shared = len(area.shop_orders)
    rules["(orders read once)"] = {"seconds": time.perf_counter() - began, "findings": 0, "orders": shared}
    for rule, check in {**RULES, **{rule: ALL_RULES[rule] for rule in failed}}.items():
        began = time.perf_counter()
        try:
            findings = check(area, limits)
        except Exception as error:
            rules[rule] = {
                "seconds": time.perf_counter() - began,
                "error": f"{type(error).__name__}: {error}",
            }
            found_orders[rule] = set()
            continue
        seconds = time.perf_counter() - began
        covered = {pk for finding in findings for pk in finding.order_ids}
        found_orders[rule] = covered
        rules[rule] = {"seconds": seconds, "findings": len(findings), "orders": len(covered)}
    rss_after_rules = maxrss_mb()

    if not args.no_tracemalloc:
        tracemalloc.start()
        began = time.perf_counter()
        area = Area(REGION, FIRST, LAST, limits)
        len(area.shop_orders)
        rules["(orders read once)"]["traced_s"] = time.perf_counter() - began
        rules["(orders read once)"]["peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        for rule, check in RULES.items():
            tracemalloc.start()
            began = time.perf_counter()
            check(area, limits)
            rules[rule]["traced_s"] = time.perf_counter() - began
            rules[rule]["peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()

    # The planted patterns (orders numbered DQ…): are they found by their rule? (A jump covers no orders: its
    # flag is the unit's month; found when the rule flags the planted shop's village in that month.)
    planted = {}
    for kind, rule in PATTERNS.items():
        ids = set(Order.objects.filter(planted_q(kind)).values_list("pk", flat=True))
        if rule == "monthly_jump":
            units = set(Order.objects.filter(planted_q(kind)).values_list("unit_id", flat=True))
            flagged = set(Flag.objects.filter(rule=rule).values_list("unit_id", flat=True))
            planted[kind] = f"{len(units & flagged)}/{len(units)} villages"
        else:
            planted[kind] = f"{len(ids & found_orders[rule])}/{len(ids)} orders"

    profile = ""
    target = args.profile
    if target == "slowest":
        target = max(RULES, key=lambda r: rules[r]["seconds"])
    if target and target != "none":
        profiler = cProfile.Profile()
        profiler.enable()
        ALL_RULES[target](Area(REGION, FIRST, LAST, limits), limits)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        out.write(f"cProfile of the rule {target}, by own time:\n")
        stats.sort_stats("tottime").print_stats(18)
        out.write(f"cProfile of the rule {target}, by cumulative time:\n")
        stats.sort_stats("cumulative").print_stats(25)
        profile = out.getvalue()
    return {
        "vendor": connection.vendor,
        "checked": checked,
        "imported": imported,
        "stored": stored,
        **outcome,
        "failed": failed,
        "rules": rules,
        "rss_before_mb": rss_before,
        "rss_after_check_mb": rss_after_check,
        "rss_after_rules_mb": rss_after_rules,
        "planted": planted,
        "profile": profile,
    }


# ------------------------------------------------------------------------------------------------ driver


def run_child(phase: str, args, data_dir: str, url: str | None) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        phase,
        "--data-dir",
        data_dir,
        "--orders",
        str(args.orders),
    ]
    command += ["--chunk", str(args.chunk), "--seed", str(args.seed), "--buyers", str(args.buyers)]
    command += ["--profile", args.profile] + (["--no-tracemalloc"] if args.no_tracemalloc else [])
    command += ["--database-url", url] if url else []
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"The {phase} child failed (exit {done.returncode}); see above.")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url", default="", help=f"PostgreSQL: the database {DATABASE} (emptied)")
    parser.add_argument("--data-dir", default="", help="the data folder (kept); a temporary one by default")
    parser.add_argument("--reuse", action="store_true", help="check the data built before, without building")
    parser.add_argument("--chunk", type=int, default=50_000, help="orders written per transaction")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--buyers", type=int, default=200_000, help="buyer accounts on the platforms")
    parser.add_argument("--profile", default="slowest", help="a rule to profile, slowest (default) or none")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the per-rule memory pass")
    parser.add_argument("--child", choices=["build", "check"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.url = args.database_url or None
    if args.child:
        run = child_build if args.child == "build" else child_check
        print(json.dumps(run(args)))
        return

    url = None
    if args.database == "postgres" or args.database_url:
        import benchdata

        url = args.database_url or f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
        benchdata.ensure_database(url)
    if args.reuse and not args.data_dir:
        raise SystemExit("--reuse needs the --data-dir of the run that built the data")
    temporary = None if args.data_dir else tempfile.TemporaryDirectory(prefix="vl-bench-quality-")
    data_dir = args.data_dir or (temporary.name if temporary else "")
    try:
        if not args.reuse:
            built = run_child("build", args, data_dir, url)
            print(
                f"built: demo network, households and shops in {built['demo_s']:.0f} s; "
                f"{built['planted']} planted and {args.orders - built['planted']:,} more orders in "
                f"{built['orders_s']:.0f} s; {built['facts']:,} fact rows rebuilt in {built['facts_s']:.0f} s",
                flush=True,
            )
            print("  " + ", ".join(f"{k}: {v:,}" for k, v in sorted(built["counts"].items())), flush=True)
        report(run_child("check", args, data_dir, url), args)
    finally:
        if temporary is not None:
            temporary.cleanup()


def report(checked: dict, args) -> None:
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[checked["vendor"]]
    print(
        f"\n{name}: {checked['stored']:,} orders stored; {checked['checked']:,} counted in "
        f"{FIRST}–{LAST} over region {REGION} are checked ({checked['imported']:,} of them imported)"
    )
    for error in checked.get("errors", []):
        print(f"quality_check FAILED: {error}")
    for rule, error in checked["failed"].items():
        print(f"  the rule {rule} fails ({error}): quality_check timed again without it")
    print(
        f"quality_check ({'every rule' if not checked['failed'] else 'the other rules'}, flags filed): "
        f"{checked['total_s']:.1f} s, {checked['found']} findings, "
        f"{checked['new']} flags; peak RSS {checked['rss_before_mb']:.0f} MB before → "
        f"{checked['rss_after_check_mb']:.0f} MB after"
    )
    traced = not args.no_tracemalloc
    print(
        f"\n{'rule':<19} {'seconds':>8} {'share':>6} {'findings':>9} {'orders':>7}"
        + (f" {'py peak MB':>11} {'traced s':>9}" if traced else "")
    )
    rules = checked["rules"]
    whole = sum(r["seconds"] for r in rules.values())
    for rule, r in sorted(rules.items(), key=lambda item: -item[1]["seconds"]):
        if "error" in r:
            print(f"{rule:<19} {r['seconds']:>8.2f} {r['seconds'] / whole:>6.0%} FAILED: {r['error'][:80]}")
            continue
        line = f"{rule:<19} {r['seconds']:>8.2f} {r['seconds'] / whole:>6.0%} {r['findings']:>9} {r['orders']:>7}"
        if traced:
            line += f" {r['peak_mb']:>11.1f} {r['traced_s']:>9.1f}"
        print(line)
    print(
        f"{'all rules':<19} {whole:>8.2f}; peak RSS after the rules: {checked['rss_after_rules_mb']:.0f} MB"
    )
    print("\nplanted patterns found: " + ", ".join(f"{k} {v}" for k, v in checked["planted"].items()))
    if checked["profile"]:
        print("\n" + checked["profile"])
    verdict = "met" if checked["total_s"] < GOAL_SECONDS and not checked["failed"] else "NOT met"
    print(
        f"goal: checking {checked['checked']:,} orders in under {GOAL_SECONDS} s: {verdict} "
        f"({checked['total_s']:.1f} s)"
    )


if __name__ == "__main__":
    main()
