"""The region's drawn trades written as orders, with the one bulk writer of orders (`orders.bulk`: COPY on
PostgreSQL, executemany on SQLite): numbered in time order ("R" and nine digits, which no other order number
can be), a line and an event each, the income shares of poor households, and the daily facts.

Completed sales for registered-poor households (the shop's, or the one named on an assisted sale, or those
linked to the shop's cooperative or enterprise) are their income, as `orders.services.income` records it, and
the daily facts behind the indicators take in every order, as `orders.facts` measures them.
"""

import datetime
import random
from contextlib import contextmanager

from django.db import connection
from django.db.models import Q

from villagelink.core.crypto import encrypt
from villagelink.core.dates import region_zone
from villagelink.core.paths import subtree_q
from villagelink.geo.models import AdminUnit
from villagelink.orders.bulk import orders_insert, rows_insert
from villagelink.orders.facts import facts_apply, measure
from villagelink.orders.models import IncomeShare, Order, OrderEvent, OrderLine
from villagelink.orders.services import income_split
from villagelink.orders.sold import sold_recount
from villagelink.registry.models import Household, OrganisationLink

from .regional_trades import (
    ASSISTED,
    CANCELLED,
    COMPLETED,
    JD,
    PINDUODUO,
    PLATFORM,
    PURCHASE,
    REFUNDED,
    SALE,
    STOREFRONT,
    Trade,
)

PREFIX = "R"
NUMBER_DIGITS = 9

CARRIERS = ["EMS", "中国邮政 China Post", "顺丰 SF", "中通 ZTO", "圆通 YTO"]
BUYER_NAMES = ["王芳", "李伟", "张伟", "刘洋", "陈静", "杨敏", "赵磊", "黄丽", "周杰", "吴婷", "徐强", "孙悦"]
BUYER_ADDRESSES = [
    "北京市朝阳区建国路88号",
    "上海市浦东新区世纪大道100号",
    "广东省深圳市南山区科技园1栋",
    "四川省成都市武侯区人民南路4段",
    "浙江省杭州市西湖区文三路20号",
    "江苏省南京市鼓楼区中山路18号",
    "湖北省武汉市洪山区珞喻路129号",
    "陕西省西安市雁塔区小寨东路5号",
    "西藏自治区拉萨市城关区北京中路45号",
    "青海省西宁市城西区五四大街12号",
]

# The order fields written, in the order of the rows; the others are blank (`orders.bulk.ORDER_DEFAULTS`).
ORDER_FIELDS = (
    "number", "kind", "channel", "status", "shop_id", "unit_id", "site_id", "platform", "external_id", "category",
    "household_id", "service_fee_fen", "local_price_fen", "payment_method", "total_fen", "refunded_fen",
    "buyer_name", "phone_encrypted", "phone_last4", "address_encrypted", "placed_at", "placed_on", "paid_at",
    "carrier", "tracking_number", "cancel_reason", "completed_on",
)  # fmt: skip


def regional_orders_q() -> Q:
    """The orders this builder writes (by their numbers)."""
    return Q(number__gte=PREFIX, number__lt=chr(ord(PREFIX) + 1))


def trades_write(
    *, rng: random.Random, trades: list[Trade], days: list[datetime.date], region: AdminUnit
) -> dict:
    """Writes the trades; returns what was written (the counts of `regional.RegionalOrders`)."""
    with _roomy_page_cache():
        return _Writer(rng, days, region).write(trades)


@contextmanager
def _roomy_page_cache():
    """SQLite keeps 2 MB of pages by default; the bulk INSERTs update a dozen indexes at random places and run
    a third faster with room for them (up to 256 MB, for this connection, while they run)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _is_poor(years: tuple[int | None, int | None] | None, year: int) -> bool:
    """`registry.Household.is_poor_in`, on its (registered, exited) years."""
    if years is None or years[0] is None:
        return False
    registered, exited = years
    return registered <= year and (exited is None or exited > year)


def _external_id(rng: random.Random, platform: str, day: datetime.date, used: set[str]) -> str:
    """An order number as the platform writes it (never the 18 digits of the desk demo's reports)."""
    while True:
        if platform == JD:
            number = str(rng.randrange(10**10, 10**11))
        elif platform == PINDUODUO:
            number = f"{day:%y%m%d}-{rng.randrange(10**14, 10**15)}"
        else:
            number = str(rng.randrange(10**18, 10**19))
        if number not in used:
            used.add(number)
            return number


class _Writer:
    """Numbers the trades in time order and writes them with the bulk writer of orders: the orders, a line and
    an event each, the income shares of poor households, and the daily facts."""

    def __init__(self, rng: random.Random, days: list[datetime.date], region: AdminUnit):
        self.rng = rng
        self.days = days
        self.region = region
        self.homes: dict[int, str] = {}  # the village (path) of each household with income
        zone = region_zone()
        # Each local day's start (in UTC); a moment is that plus seconds.
        self.midnight = [
            datetime.datetime.combine(day, datetime.time(), tzinfo=zone).astimezone(datetime.UTC)
            for day in days
        ]

    def write(self, trades: list[Trade]) -> dict:
        trades.sort(key=lambda t: (t.day, t.second))
        placed = self._orders(trades)
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('id')} FROM {quote(Order._meta.db_table)} "  # noqa: S608 - names quoted
                f"WHERE {quote('number')} >= %s AND {quote('number')} < %s ORDER BY {quote('number')}",
                [PREFIX, chr(ord(PREFIX) + 1)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        assert len(ids) == len(trades)
        rows_insert(
            OrderLine,
            ["order_id", "product_id", "description", "quantity", "unit_price_fen", "amount_fen"],
            [
                (pk, t.product_id, t.description, t.quantity, t.unit_price_fen, t.total_fen)
                for pk, t in zip(ids, trades, strict=True)
            ],
        )
        rows_insert(
            OrderEvent,
            ["order_id", "status", "at", "by_id", "note"],
            [(pk, t.status, at, None, "") for pk, t, at in zip(ids, trades, placed, strict=True)],
        )
        shares = self._income_shares(trades)
        rows_insert(
            IncomeShare,
            ["order_id", "household_id", "amount_fen", "day"],
            [(ids[i], household, amount, self.days[trades[i].day]) for i, household, amount in shares],
        )
        facts = self._facts()
        sold_recount({t.product_id for t in trades if t.product_id is not None})  # written past the services
        counts = dict.fromkeys(
            ((SALE, STOREFRONT), (SALE, PLATFORM), (SALE, ASSISTED), (PURCHASE, ASSISTED)), 0
        )
        for t in trades:
            counts[(t.kind, t.channel)] += 1
        return {
            "storefront_sales": counts[(SALE, STOREFRONT)],
            "platform_sales": counts[(SALE, PLATFORM)],
            "assisted_sales": counts[(SALE, ASSISTED)],
            "assisted_purchases": counts[(PURCHASE, ASSISTED)],
            "refunded": sum(t.status == REFUNDED for t in trades),
            "cancelled": sum(t.status == CANCELLED for t in trades),
            "income_shares": len(shares),
            "facts": facts,
        }

    def _orders(self, trades: list[Trade]) -> list:
        """Inserts the orders; returns each one's placing moment."""
        rng = self.rng
        buyers = []  # a few dozen storefront buyers, encrypted once
        for i in range(48):
            phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
            address = BUYER_ADDRESSES[rng.randrange(len(BUYER_ADDRESSES))]
            buyers.append((BUYER_NAMES[i % len(BUYER_NAMES)], encrypt(phone), phone[-4:], encrypt(address)))
        used: dict[str, set[str]] = {}
        rows, placed = [], []
        midnight, days = self.midnight, self.days
        for n, t in enumerate(trades, start=1):
            at = midnight[t.day] + datetime.timedelta(seconds=t.second)
            placed_at = at
            unpaid = t.status == CANCELLED
            name = phone = last4 = address = carrier = tracking = reason = external = ""
            if t.channel == STOREFRONT:
                name, phone, last4, address = buyers[int(rng.random() * len(buyers))]
                if not unpaid:
                    carrier, tracking = rng.choice(CARRIERS), str(rng.randrange(10**11, 10**12))
            elif t.channel == PLATFORM:
                external = _external_id(rng, t.platform, days[t.day], used.setdefault(t.platform, set()))
            if t.status == REFUNDED:
                reason = "买家退货 / Returned by the buyer"
            elif unpaid:
                reason = "未付款，订单关闭 / Not paid; closed"
            rows.append(
                (
                    f"{PREFIX}{n:0{NUMBER_DIGITS}d}",
                    t.kind,
                    t.channel,
                    t.status,
                    t.shop.pk if t.shop else None,
                    t.unit_id,
                    t.site_id,
                    t.platform,
                    external,
                    t.category,
                    t.household_id,
                    t.service_fee_fen,
                    t.local_price_fen,
                    t.payment_method,
                    t.total_fen,
                    t.total_fen if t.status == REFUNDED else 0,
                    name,
                    phone,
                    last4,
                    address,
                    placed_at,
                    days[t.day],
                    None if unpaid else at + datetime.timedelta(seconds=20 + int(rng.random() * 900)),
                    carrier,
                    tracking,
                    reason,
                    days[t.day] if t.status == COMPLETED else None,
                )
            )
            placed.append(placed_at)
        orders_insert(ORDER_FIELDS, rows)
        return placed

    def _income_shares(self, trades: list[Trade]) -> list[tuple[int, int, int]]:
        """`orders.services.income._record_income` in bulk: a completed sale is income of the poor household it was
        made for (the one named on the order, else the shop's), or an equal share of it for each poor
        household linked to the shop's organisation (the remainder going to the first ones, by id).
        Returns (index of the trade, household, amount)."""
        poverty: dict[int, tuple[int, int | None]] = {}  # the region's households ever registered as poor
        for pk, registered, exited, path in Household.objects.filter(
            subtree_q("village__path", self.region.path), registered_poor_in__isnull=False
        ).values_list("pk", "registered_poor_in", "exited_poverty_in", "village__path"):
            poverty[pk] = (registered, exited)
            self.homes[pk] = path
        organisations = {t.shop.organisation_id for t in trades if t.shop and t.shop.organisation_id}
        linked: dict[int, list[tuple[int, tuple]]] = {}
        for organisation, household, registered, exited, path in (
            OrganisationLink.objects.filter(organisation_id__in=list(organisations))
            .order_by("organisation_id", "household_id")
            .values_list(
                "organisation_id",
                "household_id",
                "household__registered_poor_in",
                "household__exited_poverty_in",
                "household__village__path",
            )
        ):
            linked.setdefault(organisation, []).append((household, (registered, exited)))
            self.homes[household] = path
        shares = []
        for i, t in enumerate(trades):
            if t.kind != SALE or t.status != COMPLETED or t.total_fen <= 0:
                continue
            year = self.days[t.day].year
            household = t.household_id or (t.shop.household_id if t.shop else None)
            if household is not None:
                poor = [household] if _is_poor(poverty.get(household), year) else []
            elif t.shop and t.shop.organisation_id:
                poor = [h for h, years in linked.get(t.shop.organisation_id, []) if _is_poor(years, year)]
            else:
                poor = []
            if poor:
                shares.extend((i, h, amount) for h, amount in income_split(t.total_fen, poor))
        return shares

    @staticmethod
    def _facts() -> int:
        """Adds the new orders (and their income shares) to the daily facts, measured as every order is
        (`orders.facts.measure`); refused, as every change is, where a month's figures stand approved.
        Returns the number of fact rows touched."""
        ours = {"number__gte": PREFIX, "number__lt": chr(ord(PREFIX) + 1)}
        measures = measure(
            Order.objects.filter(**ours),
            IncomeShare.objects.filter(**{f"order__{name}": value for name, value in ours.items()}),
        )
        facts_apply(measures)
        return len(measures)
