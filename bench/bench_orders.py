"""How many cash-on-delivery checkouts concurrent buyers place per second, and whether stock is ever oversold.

    .venv/bin/python bench/bench_orders.py [--database-url URL] [--buyers 8] [--seconds 10] [--processes 1]

Against PostgreSQL (default: the database vl_bench_orders on 127.0.0.1, created when missing, migrated and
emptied on every run), builds a market through the services: a few storefront shops with ~50 products of
ample stock and a few "hot" products of 5 units. Then `--buyers` threads, each with its own connection,
call orders.services.checkout_place for `--seconds`, each checkout with a fresh idempotency key and a random
cart of 1–3 lines. `--hot-buyers` of them put a hot product in every cart (the others in one cart out of
ten); a restocker adds 5 units to each hot product every `--restock-every` seconds, so that buyers race for
the last units all through the run, not only in its first milliseconds. The buyer threads run in one process
(a child of this one); `--processes N` spreads them over N processes, to tell Python's GIL apart from the
cost of a checkout itself.

Prints the orders placed (one per shop in a checkout) and per second, the refusals for lack of stock, and
the stock check made from the database afterwards: for each product, the units taken out of stock (initial
stock + restocked − current stock) must equal the units on order lines of orders that hold stock
(holds_stock=True), and no stock is below 0. Oversold units must be 0. Goal: at least 200 orders/s.
"""

import argparse
import multiprocessing
import os
import queue
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import benchdata

AMPLE_STOCK = 1_000_000
HOT_STOCK = 5
RESTOCK = 5


class Clock:
    """The run's start, shared by every buyer thread in every process: the last one ready starts it."""

    def __init__(self, parties: int, seconds: float):
        self.seconds = seconds
        self.began = multiprocessing.Value("d", 0.0, lock=False)
        self.barrier = multiprocessing.Barrier(parties, action=self._go)

    def _go(self) -> None:
        self.began.value = time.monotonic()  # one clock for every process (CLOCK_MONOTONIC)

    def wait(self) -> None:
        self.barrier.wait()

    @property
    def deadline(self) -> float:
        return self.began.value + self.seconds

    def running(self) -> bool:
        return time.monotonic() < self.deadline


@dataclass
class Tally:
    checkouts: int = 0
    orders: int = 0
    refused: int = 0  # not enough stock
    errors: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)


def buyer(number: int, hot: bool, ample: list[int], hot_ids: list[int], clock: Clock, tally: Tally) -> None:
    """Places checkouts until the time is up. A hot buyer puts a hot product in every cart, the others in one
    cart out of ten."""
    from django.db import DatabaseError, connections

    from villagelink.core.exceptions import ErrorCode
    from villagelink.orders.services import CartLine, Contact, OrderError, checkout_place

    rng = random.Random(number)
    contact = Contact(name=f"Buyer {number}", phone=f"1380013{number:04d}", address="1 Renmin Road, Chengdu")
    try:
        clock.wait()
        placed = 0
        while clock.running():
            products = rng.sample(ample, rng.randint(0, 2) if hot else rng.randint(1, 3))
            lines = [CartLine(pk, rng.randint(1, 3)) for pk in products]
            if hot or rng.random() < 0.1:
                lines.append(CartLine(rng.choice(hot_ids), rng.randint(1, 2)))
            placed += 1
            began = time.monotonic()
            try:
                result = checkout_place(
                    key=f"bench-{number}-{placed:08d}", lines=lines, contact=contact, payment_method="cod"
                )
            except OrderError as error:
                if error.code == ErrorCode.CONFLICT:
                    tally.refused += 1
                else:
                    tally.errors[error.message] += 1
            except DatabaseError as error:
                tally.errors[f"{type(error).__name__}: {error}".splitlines()[0]] += 1
            else:
                tally.latencies.append(time.monotonic() - began)
                tally.checkouts += 1
                tally.orders += len(result.orders)
    finally:
        connections.close_all()  # this thread's connections


def restocker(hot_ids: list[int], every: float, clock: Clock, restocked: Counter) -> None:
    """A seller adding stock to the hot products (one row per statement: no lock is held across rows)."""
    from django.db import connections
    from django.db.models import F

    from villagelink.catalog.models import Product

    try:
        clock.wait()
        while time.monotonic() + every < clock.deadline:
            time.sleep(every)
            for pk in hot_ids:
                Product.objects.filter(pk=pk).update(stock=F("stock") + RESTOCK)
                restocked[pk] += RESTOCK
    finally:
        connections.close_all()


def buyers_process(numbers: list[int], hot_buyers: int, ample, hot_ids, clock: Clock, results) -> None:
    """Runs some of the buyer threads in a process of their own; sends back their tallies and end time."""
    tallies = [Tally() for _ in numbers]
    threads = [
        threading.Thread(target=buyer, args=(n, n < hot_buyers, ample, hot_ids, clock, tally))
        for n, tally in zip(numbers, tallies, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((tallies, time.monotonic()))


def build_market(*, shops: int, products: int, hot: int) -> tuple[dict[int, int], list[int], list[int]]:
    """Returns each product's initial stock, the ample products' ids and the hot products' ids."""
    admin = benchdata.administrator()
    villages = benchdata.load_units(counties=4, villages_per_county=2)
    opened = benchdata.open_shops(by=admin, villages=villages, shops=shops)
    ample = [
        benchdata.add_product(by=admin, shop=opened[i % shops], number=i, stock=AMPLE_STOCK).pk
        for i in range(products)
    ]
    hot_ids = [
        benchdata.add_product(by=admin, shop=opened[i % shops], number=products + i, stock=HOT_STOCK).pk
        for i in range(hot)
    ]
    initial = {pk: AMPLE_STOCK for pk in ample} | {pk: HOT_STOCK for pk in hot_ids}
    return initial, ample, hot_ids


def stock_check(initial: dict[int, int], restocked: Counter) -> tuple[int, int, int, int]:
    """(oversold units, units gone from stock without an order, products below 0, units on order)."""
    from django.db.models import Sum

    from villagelink.catalog.models import Product
    from villagelink.orders.models import OrderLine

    held = dict(
        OrderLine.objects.filter(order__holds_stock=True)
        .values_list("product_id")
        .annotate(units=Sum("quantity"))
        .values_list("product_id", "units")
    )
    oversold = vanished = negative = 0
    for pk, stock in Product.objects.values_list("pk", "stock"):
        taken = initial[pk] + restocked[pk] - stock
        oversold += max(0, held.get(pk, 0) - taken)
        vanished += max(0, taken - held.get(pk, 0))
        negative += stock < 0
    return oversold, vanished, negative, sum(held.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None, help="Default: vl_bench_orders on 127.0.0.1:5432.")
    parser.add_argument("--buyers", type=int, default=8, help="Buyer threads, each with its own connection.")
    parser.add_argument("--hot-buyers", type=int, default=2, help="Buyers who want a hot product every time.")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="Spread the buyer threads over this many processes (default: one per CPU, as app servers run "
        "one worker process per core; 1 puts all buyers behind one interpreter lock).",
    )
    parser.add_argument("--shops", type=int, default=5)
    parser.add_argument("--products", type=int, default=50, help="Products with ample stock.")
    parser.add_argument("--hot-products", type=int, default=3, help=f"Products with {HOT_STOCK} units.")
    parser.add_argument(
        "--restock-every", type=float, default=1.0, help=f"Seconds between restocks of {RESTOCK}; 0: never."
    )
    args = parser.parse_args()
    url = benchdata.database_url(args.database_url, "vl_bench_orders")
    benchdata.ensure_database(url)
    with tempfile.TemporaryDirectory() as data_dir:
        benchdata.django_setup(url=url, data_dir=data_dir)
        from django.db import connections

        from villagelink.orders.models import Checkout, Order

        began = time.perf_counter()
        benchdata.fresh_database()
        initial, ample, hot_ids = build_market(
            shops=args.shops, products=args.products, hot=args.hot_products
        )
        print(
            f"set-up: {args.shops} shops, {len(ample)} products with ample stock, {len(hot_ids)} with "
            f"{HOT_STOCK} units, in {time.perf_counter() - began:.1f} s"
        )
        connections.close_all()  # no connection may cross the fork

        load_before = os.getloadavg()[0]
        restock = args.restock_every > 0
        clock = Clock(args.buyers + restock, args.seconds)
        results = multiprocessing.Queue()
        processes = [
            multiprocessing.Process(
                target=buyers_process,
                args=(numbers, args.hot_buyers, ample, hot_ids, clock, results),
            )
            for numbers in (list(range(args.buyers))[i :: args.processes] for i in range(args.processes))
        ]
        for process in processes:
            process.start()
        restocked: Counter = Counter()
        if restock:
            restocker(hot_ids, args.restock_every, clock, restocked)
        try:
            returned = [results.get(timeout=args.seconds + 120) for _ in processes]
        except queue.Empty:
            raise SystemExit("A buyers' process did not report back; see its traceback above.") from None
        for process in processes:
            process.join()
        elapsed = max(ended for _, ended in returned) - clock.began.value
        tallies = [tally for batch, _ in returned for tally in batch]

        checkouts = sum(t.checkouts for t in tallies)
        orders = sum(t.orders for t in tallies)
        refused = sum(t.refused for t in tallies)
        errors = sum((t.errors for t in tallies), Counter())
        latencies = [x for t in tallies for x in t.latencies]
        oversold, vanished, negative, on_order = stock_check(initial, restocked)
        in_db = Order.objects.count()
        empty_checkouts = Checkout.objects.filter(orders__isnull=True).count()
        hot_on_sale = sum(initial[pk] + restocked[pk] for pk in hot_ids)
        connections.close_all()

    percentiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    p50, p99 = percentiles[49] * 1000, percentiles[98] * 1000
    print(
        f"buyers: {args.buyers} threads in {args.processes} process(es), {min(args.hot_buyers, args.buyers)} "
        f"of them after the hot products; ran {elapsed:.1f} s on {os.cpu_count()} CPUs "
        f"(load average {load_before:.2f} before the run)"
    )
    print(
        f"checkouts placed:              {checkouts:>7}  {checkouts / elapsed:6.0f}/s  (p50 {p50:.0f} ms, p99 {p99:.0f} ms)"
    )
    print(f"orders placed (one per shop):  {orders:>7}  {orders / elapsed:6.0f}/s  ({in_db} in the database)")
    print(f"refused for lack of stock:     {refused:>7}  (the hot products had {hot_on_sale} units in all)")
    print(f"other errors:                  {sum(errors.values()):>7}")
    for message, count in errors.most_common(5):
        print(f"    {count} × {message}")
    print(f"units on orders holding stock: {on_order:>7}")
    print(f"oversold units:                {oversold:>7}  (must be 0)")
    print(f"units gone without an order:   {vanished:>7}  (must be 0)")
    print(f"products with stock below 0:   {negative:>7}  (must be 0)")
    print(f"checkouts left without orders: {empty_checkouts:>7}  (must be 0)")
    print(f"goal ≥ 200 orders/s: {'met' if orders / elapsed >= 200 else 'NOT met'}")
    if oversold or vanished or negative or empty_checkouts:
        sys.exit(1)


if __name__ == "__main__":
    multiprocessing.set_start_method("fork")  # the buyers' processes inherit the set-up Django
    main()
