"""The checks on orders. Each reads the counted orders of an area and a span of months in a few grouped
queries, and returns its findings: the rule, the orders it covers and the evidence (what it measured and the
threshold it passed). Nothing here knows where the demo planted its patterns.

Thresholds are settings (`VILLAGELINK_QUALITY`, merged over `DEFAULTS`); why each default is what it is:

- outsized: an order at least 10 times the shop's median order over the year before, and at least ¥2,000,
  that is also round (a whole hundred yuan) or repeated (the same amount twice or more in the shop's month).
  Brushing pays a round sum, or repeats one; a genuine large order (a cooperative's wholesale) is rarely
  both. Shops with fewer than 10 earlier orders have no "usual" yet and are not judged.
- spike: a shop's day of sales above median + 10 × spread of its 28 days before (spread: 1.4826 × MAD, the
  robust standard deviation, but never below the window's mean or ¥100, so that a shop selling on a few days
  a month is not flagged for every sale), and at least ¥3,000. Median and MAD, not mean and standard
  deviation: one earlier spike does not hide the next. Seasons: the threshold doubles on the days around
  Losar (the Tibetan new year, when butter, meat and barley sell most), 618 and Double 11 (11.11), when real
  sales jump; a trailing window cannot know a yearly peak, and a seasonal model needs years of a shop's
  history that small shops do not have.
- same_number: one platform order number reported on two platforms (the same report imported under the
  wrong platform, or an order invented from another): the later copies are covered, the first is not.
- twin_sale: a sale recorded at a service point's desk and an order a platform reported for the same
  household's shop, on the same platform, for the same amount, within a day: the desk entry is covered.
"""

import datetime
import hashlib
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F

from villagelink.core.paths import subtree_q
from villagelink.orders.facts import COUNTED, COUNTED_ON
from villagelink.orders.models import Channel, Kind, Order

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
    "twin_days": 1,
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


@dataclass(frozen=True)
class Finding:
    rule: str
    unit_id: int
    shop_id: int | None
    month: datetime.date
    order_ids: tuple[int, ...]
    amount_fen: int
    evidence: dict = field(hash=False)

    @property
    def fingerprint(self) -> str:
        key = f"{self.rule}:" + ",".join(str(pk) for pk in sorted(self.order_ids))
        return hashlib.sha256(key.encode()).hexdigest()


def counted_orders(path: str, first: datetime.date, last: datetime.date):
    """The orders of the area (by unit path) that count on a day from `first` to `last`."""
    return (
        Order.objects.filter(subtree_q("unit__path", path), COUNTED)
        .annotate(counted_on=COUNTED_ON, amount=F("total_fen") - F("refunded_fen"))
        .filter(counted_on__gte=first, counted_on__lte=last)
    )


def is_season(day: datetime.date) -> bool:
    """Within the days when real sales peak: Losar (±3 days), 618 (±1) and Double 11 (±1)."""
    losar = LOSAR.get(day.year)
    if losar is not None and abs((day - losar).days) <= 3:
        return True
    return any(abs((day - datetime.date(day.year, m, d)).days) <= 1 for m, d in ((6, 18), (11, 11)))


def outsized(path: str, first: datetime.date, last: datetime.date, limits: dict) -> list[Finding]:
    history_from = first - datetime.timedelta(days=365)
    rows = counted_orders(path, history_from, last).filter(shop__isnull=False)
    usual: dict[int, list[int]] = defaultdict(list)
    candidates = []
    for pk, shop_id, unit_id, day, amount in rows.values_list(
        "pk", "shop_id", "unit_id", "counted_on", "amount"
    ):
        if day < first:
            usual[shop_id].append(amount)
        else:
            candidates.append((pk, shop_id, unit_id, day, amount))
    medians = {
        shop_id: statistics.median(history)
        for shop_id, history in usual.items()
        if len(history) >= limits["outsized_history"]
    }
    by_shop_month: dict[tuple, list] = defaultdict(list)
    for pk, shop_id, unit_id, day, amount in candidates:
        median = medians.get(shop_id)
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


def spike(path: str, first: datetime.date, last: datetime.date, limits: dict) -> list[Finding]:
    window = limits["spike_window_days"]
    rows = counted_orders(path, first - datetime.timedelta(days=window), last).filter(shop__isnull=False)
    daily: dict[int, dict[datetime.date, int]] = defaultdict(lambda: defaultdict(int))
    orders_of: dict[tuple[int, datetime.date], list[int]] = defaultdict(list)
    unit_of: dict[int, int] = {}
    for pk, shop_id, unit_id, day, amount in rows.values_list(
        "pk", "shop_id", "unit_id", "counted_on", "amount"
    ):
        daily[shop_id][day] += amount
        unit_of[shop_id] = unit_id
        if day >= first:
            orders_of[(shop_id, day)].append(pk)
    findings = []
    for shop_id, days in daily.items():
        for day, amount in days.items():
            if day < first or amount < limits["spike_min_fen"]:
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


def same_number(path: str, first: datetime.date, last: datetime.date, limits: dict) -> list[Finding]:
    numbers = set(
        counted_orders(path, first, last).exclude(external_id="").values_list("external_id", flat=True)
    )
    copies: dict[str, list[tuple]] = defaultdict(list)
    found = Order.objects.filter(COUNTED, external_id__in=numbers).values_list(
        "pk", "external_id", "platform", "shop_id", "unit_id", "placed_on", "total_fen", "unit__path"
    )
    for row in found.order_by("pk").iterator(chunk_size=5000) if numbers else []:
        copies[row[1]].append(row)
    findings = []
    for number, rows in copies.items():
        if len({platform for _pk, _n, platform, *_rest in rows}) < 2:
            continue
        original, *later = rows
        inside = [row for row in later if row[7].startswith(path)]
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
                        "platforms": sorted({row[2] for row in rows}),
                        "first_order": original[0],
                    },
                )
            )
    return findings


def twin_sale(path: str, first: datetime.date, last: datetime.date, limits: dict) -> list[Finding]:
    days = limits["twin_days"]
    desk = counted_orders(path, first, last).filter(
        channel=Channel.ASSISTED, kind=Kind.SALE, household__isnull=False
    )
    entries = list(desk.values_list("pk", "household_id", "platform", "amount", "counted_on", "unit_id"))
    if not entries:
        return []
    reported = (
        counted_orders(path, first - datetime.timedelta(days=days), last + datetime.timedelta(days=days))
        .filter(channel=Channel.PLATFORM, shop__household_id__in={e[1] for e in entries})
        .values_list("pk", "shop__household_id", "platform", "amount", "counted_on", "shop_id")
    )
    index: dict[tuple, list[tuple]] = defaultdict(list)
    for pk, household, platform, amount, day, shop_id in reported:
        index[(household, platform, amount)].append((pk, day, shop_id))
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


RULES = {
    Rule.OUTSIZED: outsized,
    Rule.SPIKE: spike,
    Rule.SAME_NUMBER: same_number,
    Rule.TWIN_SALE: twin_sale,
}


def findings_for(path: str, first: datetime.date, last: datetime.date) -> list[Finding]:
    limits = thresholds()
    return [finding for check in RULES.values() for finding in check(path, first, last, limits)]
