"""The checks on orders. Each reads the counted orders of an area and a span of months in a few grouped
queries, and returns its findings: the rule, the orders it covers and the evidence (what it measured and the
threshold it passed). Nothing here knows where the demo planted its patterns.

Thresholds are settings (`VILLAGELINK_QUALITY`, merged over `DEFAULTS`); why each default is what it is:

- outsized: an order at least 10 times the shop's median order over the year before its month, and at least ¥2,000,
  that is also round (a whole hundred yuan) or repeated (the same amount twice or more in the shop's month).
  Brushing pays a round sum, or repeats one; a genuine large order (a cooperative's wholesale) is rarely
  both. Shops with fewer than 10 earlier orders have no "usual" yet and are not judged.
- spike: a shop's day of sales above median + 10 × spread of its 28 days before (spread: 1.4826 × MAD, the
  robust standard deviation, but never below the window's mean or ¥100, so that a shop selling on a few days
  a month is not flagged for every sale), and at least ¥3,000, in 3 orders or more: one large order is a
  wholesale buyer (or the outsized rule's business), brushing is many orders in a day. On the demo's
  orders a single order made four in five of the spikes found without that floor. Median and MAD, not mean and standard
  deviation: one earlier spike does not hide the next. Seasons: the threshold doubles on the days around
  Losar (the Tibetan new year, when butter, meat and barley sell most), 618 and Double 11 (11.11), when real
  sales jump; a trailing window cannot know a yearly peak, and a seasonal model needs years of a shop's
  history that small shops do not have.
- same_number: one platform order number reported on two platforms (the same report imported under the
  wrong platform, or an order invented from another): the later copies are covered, the first is not.
- twin_sale: a sale recorded at a service point's desk and an order a platform reported for the same
  household's shop, on the same platform, for the same amount, within a day: the desk entry is covered.
- repeat_buyer: one buyer (the keyed hash of their platform account or phone, never the plain value) with
  5 or more orders at one shop within 7 days. A household may buy butter or barley every week, rarely five
  times in a week from the same shop; brushing rings place many orders from each of a few accounts.
- price_mismatch: an order line that names a product of the shop (by link or by its Chinese name) paid at
  3 times its list price or more, or at a third or less, by ¥200 or more. Prices change, and a platform's
  discount can halve one, but not by a factor of three; a sale of ¥2,000 for one ¥50 jar of butter is money
  moved, not sold.
- late_refund: orders counted in a month and refunded or cancelled after that month's figures were due (the
  10th of the next month, when monthly reports are collected) or after an approval of the month: 3 or more
  of them at one shop, covering at least 10 % of its sales of the month. One late refund is a customer's
  return; many, landing after the figure was reported, is a month inflated and unwound.
- monthly_jump: a unit's monthly online sales grown against the same month a year before 5 times more than
  its siblings' together (or than nothing at all, when they shrank): a programme that grows fivefold in a
  year is growth, not a jump; one township growing fivefold faster than the rest of its county is news; up by at least ¥200,000 (what fifty of the
  region's shops sell in an average month, ¥3,900 each over 2015–2019), from at least ¥10,000 (from nothing,
  a new shop's first year is growth, not a jump). The same month a year before, not the month before,
  because the year has seasons. A unit whose rise lies mostly (half or more) in a child already flagged is
  not flagged again. The flag covers no orders of its own: the reviewer looks at the unit's shops.
"""

import bisect
import datetime
import statistics
from collections import Counter, defaultdict

from django.conf import settings
from django.db.models import Case, Count, F, Q, Sum, When

from villagelink.approvals.models import Approval
from villagelink.catalog.models import Product, Shop
from villagelink.core.dates import region_day
from villagelink.core.paths import subtree_q
from villagelink.geo.models import LEVEL_PATH_WIDTH, AdminUnit
from villagelink.orders.facts import COUNTED, COUNTED_ON, counted_between
from villagelink.orders.models import Channel, Kind, MonthlyFact, Order, OrderEvent, OrderLine, Status

from .area import Area, Finding, rows
from .models import Rule

DEFAULTS = {
    "outsized_factor": 10,
    "outsized_min_fen": 2_000_00,
    "outsized_history": 10,
    "spike_factor": 10,
    "spike_window_days": 28,
    "spike_min_fen": 3_000_00,
    "spike_floor_fen": 100_00,
    "spike_min_active_days": 5,
    "spike_season_factor": 2,
    "spike_min_orders": 3,
    "twin_days": 1,
    "repeat_orders": 5,
    "repeat_days": 7,
    "price_factor": 3,
    "price_min_fen": 200_00,
    "late_due_day": 10,
    "late_min_orders": 3,
    "late_min_share": 0.10,
    "jump_factor": 5,
    "jump_min_fen": 200_000_00,
    "jump_base_fen": 10_000_00,
}
# The first day of the Tibetan year (Losar) by Gregorian year, as the TAR's calendar gives it.
LOSAR = {
    2014: datetime.date(2014, 3, 2),
    2015: datetime.date(2015, 2, 19),
    2016: datetime.date(2016, 2, 9),
    2017: datetime.date(2017, 2, 27),
    2018: datetime.date(2018, 2, 16),
    2019: datetime.date(2019, 2, 5),
    2020: datetime.date(2020, 2, 24),
    2021: datetime.date(2021, 2, 12),
    2022: datetime.date(2022, 3, 3),
    2023: datetime.date(2023, 2, 21),
    2024: datetime.date(2024, 2, 10),
    2025: datetime.date(2025, 2, 28),
    2026: datetime.date(2026, 2, 18),
}


def thresholds() -> dict:
    return {**DEFAULTS, **getattr(settings, "VILLAGELINK_QUALITY", {})}


def is_season(day: datetime.date) -> bool:
    """Within the days when real sales peak: Losar (±3 days), 618 (±1) and Double 11 (±1)."""
    losar = LOSAR.get(day.year)
    if losar is not None and abs((day - losar).days) <= 3:
        return True
    return any(abs((day - datetime.date(day.year, m, d)).days) <= 1 for m, d in ((6, 18), (11, 11)))


def outsized(area: Area, limits: dict) -> list[Finding]:
    by_shop: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))  # days and amounts, by day
    candidates = []
    for pk, shop_id, unit_id, day, amount, *_rest in area.shop_orders:
        days, amounts = by_shop[shop_id]
        days.append(day)
        amounts.append(amount)
        if area.inside(day):
            candidates.append((pk, shop_id, unit_id, day, amount))
    medians: dict[tuple[int, datetime.date], float | None] = {}  # a shop's usual over the year before a month

    def median_before(shop_id: int, month: datetime.date) -> float | None:
        if (shop_id, month) not in medians:
            days, amounts = by_shop[shop_id]
            start = bisect.bisect_left(days, month - datetime.timedelta(days=365))
            end = bisect.bisect_left(days, month)
            enough = end - start >= limits["outsized_history"]
            medians[(shop_id, month)] = statistics.median(amounts[start:end]) if enough else None
        return medians[(shop_id, month)]

    by_shop_month: dict[tuple, list] = defaultdict(list)
    for pk, shop_id, unit_id, day, amount in candidates:
        median = median_before(shop_id, day.replace(day=1))
        if median is None:
            continue
        if amount >= max(limits["outsized_factor"] * median, limits["outsized_min_fen"]):
            by_shop_month[(shop_id, unit_id, day.replace(day=1))].append((pk, amount, median))
    findings = []
    for (shop_id, unit_id, month), found in by_shop_month.items():
        repeated = {a for a in {a for _pk, a, _m in found} if sum(1 for _p, b, _m in found if b == a) >= 2}
        covered = [(pk, amount) for pk, amount, _m in found if amount % 100_00 == 0 or amount in repeated]
        if covered:
            findings.append(
                Finding(
                    Rule.OUTSIZED,
                    unit_id,
                    shop_id,
                    month,
                    tuple(pk for pk, _a in covered),
                    sum(a for _pk, a in covered),
                    {
                        "median_fen": int(found[0][2]),
                        "factor": limits["outsized_factor"],
                        "threshold_fen": int(
                            max(limits["outsized_factor"] * found[0][2], limits["outsized_min_fen"])
                        ),
                        "amounts_fen": sorted(a for _pk, a in covered),
                    },
                )
            )
    return findings


def spike(area: Area, limits: dict) -> list[Finding]:
    window = limits["spike_window_days"]
    since = area.first - datetime.timedelta(days=window)
    daily: dict[int, dict[datetime.date, int]] = defaultdict(lambda: defaultdict(int))
    orders_of: dict[tuple[int, datetime.date], list[int]] = defaultdict(list)
    unit_of: dict[int, int] = {}
    for pk, shop_id, unit_id, day, amount, *_rest in area.shop_orders:
        if day < since or day > area.last:
            continue
        daily[shop_id][day] += amount
        unit_of[shop_id] = unit_id
        if day >= area.first:
            orders_of[(shop_id, day)].append(pk)
    findings = []
    for shop_id, days in daily.items():
        for day, amount in days.items():
            if day < area.first or amount < limits["spike_min_fen"]:
                continue
            if len(orders_of[(shop_id, day)]) < limits["spike_min_orders"]:
                continue
            before = [days.get(day - datetime.timedelta(days=n), 0) for n in range(1, window + 1)]
            if sum(1 for value in before if value) < limits["spike_min_active_days"]:
                continue
            median = statistics.median(before)
            mad = statistics.median(abs(value - median) for value in before)
            spread = max(1.4826 * mad, statistics.mean(before), limits["spike_floor_fen"])
            factor = limits["spike_factor"] * (limits["spike_season_factor"] if is_season(day) else 1)
            threshold = median + factor * spread
            if amount > threshold:
                findings.append(
                    Finding(
                        Rule.SPIKE,
                        unit_of[shop_id],
                        shop_id,
                        day.replace(day=1),
                        tuple(orders_of[(shop_id, day)]),
                        amount,
                        {
                            "day": day.isoformat(),
                            "median_fen": int(median),
                            "spread_fen": int(spread),
                            "threshold_fen": int(threshold),
                            "season": is_season(day),
                        },
                    )
                )
    return findings


def same_number(area: Area, limits: dict) -> list[Finding]:
    # The numbers that counted orders carry on two platforms or more, found by the database in one grouped
    # pass over the orders with a number (a million numbers never travel to Python and back); then their
    # copies, kept where one of them counts in the area and span.
    twice = (
        Order.objects.filter(COUNTED)
        .exclude(external_id="")
        .order_by()
        .values("external_id")
        .annotate(platforms=Count("platform", distinct=True))
        .filter(platforms__gte=2)
        .values("external_id")
    )
    copies: dict[str, list[tuple]] = defaultdict(list)
    found = (
        Order.objects.filter(COUNTED, external_id__in=twice)
        .annotate(counted_on=COUNTED_ON)
        .values_list(
            "pk",
            "external_id",
            "platform",
            "shop_id",
            "unit_id",
            "placed_on",
            "total_fen",
            "unit__path",
            "counted_on",
        )
    )
    for row in found.order_by("pk").iterator(chunk_size=5000):
        copies[row[1]].append(row)
    copies = {
        number: found
        for number, found in copies.items()
        if any(row[7].startswith(area.path) and area.inside(row[8]) for row in found)
    }
    findings = []
    for number, numbered in copies.items():
        if len({platform for _pk, _n, platform, *_rest in numbered}) < 2:
            continue
        original, *later = numbered
        inside = [row for row in later if row[7].startswith(area.path)]
        if inside:
            findings.append(
                Finding(
                    Rule.SAME_NUMBER,
                    inside[0][4],
                    inside[0][3],
                    inside[0][5].replace(day=1),
                    tuple(row[0] for row in inside),
                    sum(row[6] for row in inside),
                    {
                        "number": number,
                        "platforms": sorted({row[2] for row in numbered}),
                        "first_order": original[0],
                    },
                )
            )
    return findings


def twin_sale(area: Area, limits: dict) -> list[Finding]:
    days = limits["twin_days"]
    entries = [
        (pk, household, platform, amount, day, unit_id)
        for pk, _shop, unit_id, day, amount, channel, kind, platform, household, _buyer in area.orders
        if channel == Channel.ASSISTED and kind == Kind.SALE and household is not None and area.inside(day)
    ]
    if not entries:
        return []
    households = {entry[1] for entry in entries}
    household_of = dict(
        Shop.objects.filter(household_id__in=households).order_by().values_list("pk", "household_id")
    )
    since, until = area.first - datetime.timedelta(days=days), area.last + datetime.timedelta(days=days)
    index: dict[tuple, list[tuple]] = defaultdict(list)
    for pk, shop_id, _unit, day, amount, channel, _kind, platform, _household, _buyer in area.shop_orders:
        if channel == Channel.PLATFORM and shop_id in household_of and since <= day <= until:
            index[(household_of[shop_id], platform, amount)].append((pk, day, shop_id))
    findings = []
    for pk, household, platform, amount, day, unit_id in entries:
        for other, other_day, shop_id in index.get((household, platform, amount), []):
            if abs((other_day - day).days) <= days:
                findings.append(
                    Finding(
                        Rule.TWIN_SALE,
                        unit_id,
                        shop_id,
                        day.replace(day=1),
                        (pk,),
                        amount,
                        {
                            "reported_order": other,
                            "reported_on": other_day.isoformat(),
                            "day": day.isoformat(),
                        },
                    )
                )
                break
    return findings


def repeat_buyer(area: Area, limits: dict) -> list[Finding]:
    days, least = limits["repeat_days"], limits["repeat_orders"]
    since = area.first - datetime.timedelta(days=days - 1)
    orders = [row for row in area.shop_orders if row[9] and since <= row[3] <= area.last]
    # Only the buyers with enough orders at one shop in the whole span can pass.
    frequent = {pair for pair, n in Counter((row[1], row[9]) for row in orders).items() if n >= least}
    by_buyer: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    for pk, shop_id, unit_id, day, amount, _channel, _kind, _platform, _household, key in orders:
        if (shop_id, key) in frequent:
            by_buyer[(shop_id, key)].append((day, pk, amount, unit_id))
    findings = []
    for (shop_id, _key), orders in by_buyer.items():
        orders.sort()
        covered: set[int] = set()
        start = 0
        for end in range(len(orders)):
            while (orders[end][0] - orders[start][0]).days >= days:
                start += 1
            if end - start + 1 >= least:
                covered.update(range(start, end + 1))
        inside = [orders[i] for i in sorted(covered) if orders[i][0] >= area.first]
        for month in sorted({order[0].replace(day=1) for order in inside}):
            found = [order for order in inside if order[0].replace(day=1) == month]
            findings.append(
                Finding(
                    Rule.REPEAT_BUYER,
                    found[0][3],
                    shop_id,
                    month,
                    tuple(order[1] for order in found),
                    sum(order[2] for order in found),
                    {
                        "orders": len(found),
                        "window_days": days,
                        "least": least,
                        "first_day": found[0][0].isoformat(),
                        "last_day": found[-1][0].isoformat(),
                    },
                )
            )
    return findings


def price_mismatch(area: Area, limits: dict) -> list[Finding]:
    factor, least = limits["price_factor"], limits["price_min_fen"]
    sales = Q(order__kind=Kind.SALE, order__shop__isnull=False) & counted_between(
        area.first, area.last, via="order__"
    )
    lines = rows(
        OrderLine.objects.filter(area.within("order__unit__path"), sales)
        .order_by()
        .values_list(
            "order_id",
            "order__shop_id",
            "order__unit_id",
            "order__placed_on",
            "product_id",
            "description",
            "quantity",
            "amount_fen",
        ),
        day=3,
        shared=(1, 2, 4, 5, 6),
    )
    if not lines:
        return []
    shops = {line[1] for line in lines}
    listed = Product.objects.filter(shop_id__in=shops).values_list("pk", "shop_id", "name_zh", "price_fen")
    price_of = {pk: price for pk, _shop, _name, price in listed}
    by_name = {(shop, name.strip()): price for _pk, shop, name, price in listed}
    findings = []
    for order_id, shop_id, unit_id, day, product_id, description, quantity, amount in lines:
        price = price_of.get(product_id) if product_id else by_name.get((shop_id, description.strip()))
        if not price:
            continue
        expected = price * quantity
        if (amount >= factor * expected or amount * factor <= expected) and abs(amount - expected) >= least:
            findings.append(
                Finding(
                    Rule.PRICE_MISMATCH,
                    unit_id,
                    shop_id,
                    day.replace(day=1),
                    (order_id,),
                    amount,
                    {
                        "item": description,
                        "quantity": quantity,
                        "price_fen": price,
                        "expected_fen": expected,
                        "paid_fen": amount,
                    },
                )
            )
    return findings


def late_refund(area: Area, limits: dict) -> list[Finding]:
    """Reads every order of the area counted in the months (by the day it counted, refunded or not)."""
    first_month = area.first.replace(day=1)
    gone = [Status.REFUNDED, Status.CANCELLED]
    # The month's sales as the shop reported them: what counts now, and what was refunded late (refunds
    # before the figures were due, or at an unknown time, never were in them).
    gross: dict[tuple, int] = defaultdict(int)
    unit_of: dict[int, int] = {}
    for _pk, shop_id, unit_id, day, amount, *_rest in area.shop_orders:
        if first_month <= day <= area.last:
            gross[(shop_id, day.replace(day=1))] += amount
            unit_of[shop_id] = unit_id
    approved: dict[tuple[str, datetime.date], datetime.datetime] = {}
    approvals_of_months = Approval.objects.filter(month__gte=first_month, month__lte=area.last)
    for unit_path, month, at in approvals_of_months.values_list("unit__path", "month", "approved_at"):
        if area.path.startswith(unit_path) or unit_path.startswith(area.path):
            approved[(unit_path, month)] = min(at, approved.get((unit_path, month), at))
    # The orders gone (refunded or cancelled) that once counted: a platform's order counted on the day it was
    # placed, any other on the day it completed.
    gone_orders = Q(order__status__in=gone, order__shop__isnull=False, order__excluded=False) & (
        Q(order__channel=Channel.PLATFORM, order__placed_on__gte=first_month, order__placed_on__lte=area.last)
        | (
            ~Q(order__channel=Channel.PLATFORM)
            & Q(order__completed_on__gte=first_month, order__completed_on__lte=area.last)
        )
    )
    events = (
        OrderEvent.objects.filter(area.within("order__unit__path"), gone_orders, status__in=gone)
        .annotate(
            counted_on=Case(
                When(order__channel=Channel.PLATFORM, then=F("order__placed_on")),
                default=F("order__completed_on"),
            )
        )
        .values_list(
            "order_id",
            "order__shop_id",
            "order__unit_id",
            "order__unit__path",
            "order__total_fen",
            "counted_on",
            "at",
        )
        .order_by("order_id", "at")
    )
    late: dict[tuple, dict[int, int]] = defaultdict(dict)
    for order_id, shop_id, unit_id, unit_path, total, day, at in events:
        unit_of[shop_id] = unit_id
        if order_id in late[(shop_id, day.replace(day=1))]:
            continue
        month = day.replace(day=1)
        due = (month + datetime.timedelta(days=32)).replace(day=limits["late_due_day"])
        approvals = [
            moment
            for (approved_path, m), moment in approved.items()
            if m == month and unit_path.startswith(approved_path)
        ]
        if region_day(at) > due or any(at > moment for moment in approvals):
            late[(shop_id, month)][order_id] = total
    findings = []
    for (shop_id, month), found in late.items():
        amount = sum(found.values())
        whole = gross[(shop_id, month)] + amount
        share = amount / whole if whole else 0
        if len(found) >= limits["late_min_orders"] and share >= limits["late_min_share"]:
            findings.append(
                Finding(
                    Rule.LATE_REFUND,
                    unit_of[shop_id],
                    shop_id,
                    month,
                    tuple(sorted(found)),
                    amount,
                    {
                        "orders": len(found),
                        "due": (month + datetime.timedelta(days=32))
                        .replace(day=limits["late_due_day"])
                        .isoformat(),
                        "share": f"{share:.0%}",
                    },
                )
            )
    return findings


def monthly_jump(area: Area, limits: dict) -> list[Finding]:
    path = area.path
    months = []
    month = area.first.replace(day=1)
    while month <= area.last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    earlier = [m.replace(year=m.year - 1) for m in months]
    widths = sorted(LEVEL_PATH_WIDTH.values())

    def parent(unit_path: str) -> str | None:
        shorter = [width for width in widths if width < len(unit_path)]
        return unit_path[: shorter[-1]] if shorter else None

    sums: dict[tuple[str, datetime.date], int] = defaultdict(int)
    around = subtree_q("path", path) | Q(path=parent(path) or path)
    facts = (
        MonthlyFact.objects.filter(around, kind=Kind.SALE, month__in=months + earlier)
        .values_list("path", "month")
        .annotate(amount=Sum("amount_fen"))
    )
    for unit_path, m, amount in facts:
        sums[(unit_path, m)] += amount
    units = {
        u.path: u for u in AdminUnit.objects.filter(subtree_q("path", path), path__in={p for p, _m in sums})
    }
    findings = []
    for month in months:
        before_month = month.replace(year=month.year - 1)
        jumps = {}
        for unit_path in units:
            above = parent(unit_path)
            if above is None:
                continue
            now, before = sums.get((unit_path, month), 0), sums.get((unit_path, before_month), 0)
            above_now, above_before = sums.get((above, month), 0), sums.get((above, before_month), 0)
            others_now, others_before = above_now - now, above_before - before  # its siblings together
            if before < limits["jump_base_fen"] or others_before <= 0:
                continue
            growth, usual = now / before, max(others_now / others_before, 1.0)
            if growth >= limits["jump_factor"] * usual and now - before >= limits["jump_min_fen"]:
                jumps[unit_path] = (now, before, growth, usual)
        flagged: dict[str, int] = {}
        for unit_path in sorted(jumps, key=len, reverse=True):  # the deepest first
            now, before, growth, usual = jumps[unit_path]
            rise = now - before
            within = sum(r for p, r in flagged.items() if p.startswith(unit_path) and p != unit_path)
            if within * 2 >= rise:
                continue
            flagged[unit_path] = rise
            findings.append(
                Finding(
                    Rule.MONTHLY_JUMP,
                    units[unit_path].pk,
                    None,
                    month,
                    (),
                    rise,
                    {
                        "month_fen": now,
                        "year_before_fen": before,
                        "growth": f"×{growth:.1f}",
                        "usual_growth": f"×{usual:.1f}",
                    },
                )
            )
    return findings


RULES = {
    Rule.OUTSIZED: outsized,
    Rule.SPIKE: spike,
    Rule.SAME_NUMBER: same_number,
    Rule.TWIN_SALE: twin_sale,
    Rule.REPEAT_BUYER: repeat_buyer,
    Rule.PRICE_MISMATCH: price_mismatch,
    Rule.LATE_REFUND: late_refund,
    Rule.MONTHLY_JUMP: monthly_jump,
}


def findings_for(path: str, first: datetime.date, last: datetime.date) -> list[Finding]:
    limits = thresholds()
    area = Area(path, first, last, limits)
    return [finding for check in RULES.values() for finding in check(area, limits)]
