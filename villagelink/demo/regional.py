"""The region's online trade over the demo period (2015-01-01 to 2019-06-30), generated in bulk.

The published figures for the period are online sales of more than 260 million yuan and online purchases of
290 million yuan. The demo holds them as about 92,000 orders, written with raw multi-row INSERTs (COPY on
PostgreSQL); the ORM would take minutes. Each order costs about 100 µs on a 2-core machine (a dozen indexes,
six checks, a line, an event and some four daily-fact rows), so the orders are of realistic but not small
sizes, and the step takes about 12 s on SQLite:

- sales of the region's shops: storefront orders of the shops on this storefront, platform orders of the
  shops on Taobao, JD and Pinduoduo (each with its platform's order number), and lots of produce the village
  points sell for villagers (for the WeChat or Douyin shop of a household of the village, for a household, or
  for the village as a whole); a few items for a person, and now and then a wholesale lot;
- assisted purchases at the village points: goods brought into the village, from washing powder to roofing
  steel, for one household or for several at once, often with the local shop's price (the saving) and
  sometimes a service fee.

Trade follows the seasons (the weeks before Losar, the harvest in September and October, the online shopping
days of 18 June and 11 November), grows year over year, and is larger in Lhasa and Shigatse than in Ngari;
every order belongs to a shop or a village point that was open on its day. A small share is refunded or
cancelled. Completed sales for registered-poor households (the shop's, or the one named on an assisted sale,
or those linked to the shop's cooperative or enterprise) are their income, as `orders.services` records it,
and the daily facts behind the indicators take in every order, as `orders.facts` measures them.

The builder measures what already counts in the period and draws orders until the region's counted sales and
purchases reach their targets. Order numbers are "R" and nine digits, which no other order number can be.
The demo operator's village point is left to the desk demo, which records its trades through the services;
the assistance ledger is left alone (its figure is fixed by `assistance.demo`).
"""

import bisect
import datetime
import itertools
import math
import random
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, Q, Sum

from villagelink.catalog.models import Platform, Product, Shop
from villagelink.core.crypto import encrypt
from villagelink.core.dates import region_zone
from villagelink.core.paths import subtree_q
from villagelink.demo.catalog import PRODUCTS as FARM_PRODUCTS
from villagelink.geo.models import AdminUnit
from villagelink.network.models import ServiceSite, SiteKind, SiteOperator
from villagelink.orders.facts import COUNTED, COUNTED_ON, facts_apply, measure
from villagelink.orders.models import (
    Channel,
    IncomeShare,
    Kind,
    Order,
    OrderEvent,
    OrderLine,
    PaymentMethod,
    PurchaseCategory,
    Status,
)
from villagelink.orders.services import income_split
from villagelink.registry.models import Household, OrganisationLink

START, END = datetime.date(2015, 1, 1), datetime.date(2019, 6, 30)
SALES_TARGET_FEN = 260_500_000_00  # "more than 260 million yuan", with room for the last order drawn
PURCHASES_TARGET_FEN = 290_000_000_00
PREFIX = "R"
NUMBER_DIGITS = 9

# Plain strings (the choices' members are str subclasses, which the database drivers adapt slowly).
SALE, PURCHASE = Kind.SALE.value, Kind.PURCHASE.value
STOREFRONT, PLATFORM, ASSISTED = Channel.STOREFRONT.value, Channel.PLATFORM.value, Channel.ASSISTED.value
COMPLETED, REFUNDED, CANCELLED = Status.COMPLETED.value, Status.REFUNDED.value, Status.CANCELLED.value
ONLINE, CASH_ON_DELIVERY = PaymentMethod.ONLINE.value, PaymentMethod.CASH_ON_DELIVERY.value
TAOBAO, JD, PINDUODUO = Platform.TAOBAO.value, Platform.JD.value, Platform.PINDUODUO.value
WECHAT, DOUYIN = Platform.WECHAT.value, Platform.DOUYIN.value

# Which part of the sales money goes through each channel.
SALES_SPLIT = {STOREFRONT: 0.05, PLATFORM: 0.54, ASSISTED: 0.41}
# Shops on these platforms sell through the platform channel (their order reports can be imported); the
# WeChat and Douyin shops of households sell with the help of their village point.
PLATFORM_CHANNEL_PLATFORMS = (TAOBAO, JD, PINDUODUO)
ASSISTED_SHOP_PLATFORMS = (WECHAT, DOUYIN)
# How much a shop or village of each prefecture trades, relative to the others (Lhasa and Shigatse most,
# Ngari least); units elsewhere count 1.
PREFECTURE_WEIGHT = {
    "5401": 3.2,  # Lhasa
    "5402": 1.4,  # Shigatse
    "5403": 0.8,  # Chamdo
    "5404": 1.2,  # Nyingchi
    "5405": 1.0,  # Shannan
    "5406": 0.7,  # Nagqu
    "5425": 0.45,  # Ngari
}
# Losar, the Tibetan New Year: people buy and give in the weeks before it.
LOSAR = {
    2015: datetime.date(2015, 2, 19),
    2016: datetime.date(2016, 2, 9),
    2017: datetime.date(2017, 2, 27),
    2018: datetime.date(2018, 2, 16),
    2019: datetime.date(2019, 2, 5),
}
GROWTH_PER_YEAR = 1.35
# (refunded, cancelled) shares of the orders of each channel.
UNDONE = {STOREFRONT: (0.02, 0.012), PLATFORM: (0.018, 0.01), ASSISTED: (0.012, 0.0)}
# When people shop online (hour of the day, local time) and when a village point's desk is busy; cumulative.
ONLINE_HOURS = list(
    itertools.accumulate([1, 1, 0, 0, 0, 0, 1, 2, 4, 6, 7, 7, 8, 6, 6, 6, 6, 6, 7, 9, 11, 12, 10, 5])
)
DESK_HOURS = list(itertools.accumulate([0] * 9 + [6, 8, 8, 5, 4, 7, 8, 8, 6, 3] + [0] * 5))
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

# What villages buy online: (description, unit price in yuan, quantity for one household), by category.
PURCHASE_ITEMS: dict[str, list[tuple[str, tuple[int, int], tuple[int, int]]]] = {
    PurchaseCategory.DAILY_GOODS.value: [
        ("洗衣粉 / Washing powder", (15, 45), (1, 12)),
        ("卫生纸 / Toilet paper", (25, 60), (1, 10)),
        ("洗发水 / Shampoo", (20, 80), (1, 6)),
        ("保温瓶 / Thermos flask", (35, 120), (1, 6)),
        ("不锈钢锅 / Steel cooking pots", (60, 260), (1, 4)),
        ("被褥 / Quilts and bedding", (150, 600), (1, 5)),
    ],
    PurchaseCategory.FOOD.value: [
        ("大米 25公斤 / Rice, 25 kg", (90, 160), (1, 8)),
        ("面粉 25公斤 / Wheat flour, 25 kg", (80, 140), (1, 8)),
        ("食用油 5升 / Cooking oil, 5 L", (55, 95), (1, 8)),
        ("砖茶 / Brick tea", (30, 90), (2, 24)),
        ("白糖 / Sugar, 1 kg", (8, 15), (5, 40)),
        ("方便面 整箱 / Instant noodles, a case", (45, 80), (1, 12)),
    ],
    PurchaseCategory.CLOTHING.value: [
        ("冬季外套 / Winter coat", (150, 650), (1, 4)),
        ("藏装 / Tibetan robe (chuba)", (300, 1800), (1, 3)),
        ("棉鞋 / Winter boots", (80, 320), (1, 6)),
        ("校服 / School uniforms", (90, 220), (1, 8)),
        ("羊毛毯 / Wool blankets", (120, 480), (1, 5)),
    ],
    PurchaseCategory.AGRICULTURAL_INPUTS.value: [
        ("化肥 50公斤 / Fertiliser, 50 kg bags", (110, 210), (2, 40)),
        ("青稞种子 / Highland barley seed, kg", (5, 9), (50, 800)),
        ("牛羊饲料 40公斤 / Livestock feed, 40 kg bags", (90, 170), (3, 60)),
        ("农用地膜 / Mulch film, rolls", (80, 220), (2, 30)),
        ("兽药 / Veterinary medicines", (30, 300), (1, 20)),
        ("小型农机配件 / Small farm machine parts", (200, 3500), (1, 3)),
    ],
    PurchaseCategory.APPLIANCES.value: [
        ("电饭煲 / Rice cooker", (150, 450), (1, 2)),
        ("冰箱 / Refrigerator", (1400, 3800), (1, 1)),
        ("洗衣机 / Washing machine", (900, 2800), (1, 1)),
        ("电视机 / Television", (1500, 4800), (1, 1)),
        ("太阳能热水器 / Solar water heater", (1800, 5200), (1, 1)),
        ("手机 / Mobile phone", (600, 3500), (1, 2)),
        ("太阳能发电套装 / Solar power kit", (1200, 6500), (1, 1)),
        ("电动酥油茶机 / Electric butter-tea churn", (200, 700), (1, 2)),
    ],
    PurchaseCategory.BUILDING_MATERIALS.value: [
        ("水泥 50公斤 / Cement, 50 kg bags", (28, 45), (20, 400)),
        ("钢筋 / Reinforcing steel, tonnes", (3800, 5200), (1, 6)),
        ("彩钢板 / Steel roofing sheets, m²", (28, 65), (30, 400)),
        ("塑钢门窗 / PVC windows and doors", (450, 1800), (2, 12)),
        ("地板砖 / Floor tiles, m²", (35, 110), (20, 200)),
        ("水管 / Water pipe, m", (8, 30), (20, 300)),
    ],
    PurchaseCategory.OTHER.value: [
        ("书包文具 / School bags and stationery", (40, 200), (1, 8)),
        ("摩托车配件 / Motorbike parts", (80, 1500), (1, 3)),
        ("常用药品 / Household medicines", (20, 300), (1, 5)),
        ("摩托车 / Motorbike", (4500, 9800), (1, 1)),
    ],
}
# How many purchases of each category (relative), and how that changes over the year (by month).
PURCHASE_WEIGHT = {
    PurchaseCategory.DAILY_GOODS.value: 22,
    PurchaseCategory.FOOD.value: 12,
    PurchaseCategory.CLOTHING.value: 10,
    PurchaseCategory.AGRICULTURAL_INPUTS.value: 15,
    PurchaseCategory.APPLIANCES.value: 22,
    PurchaseCategory.BUILDING_MATERIALS.value: 16,
    PurchaseCategory.OTHER.value: 3,
}
PURCHASE_MONTHS = {
    PurchaseCategory.AGRICULTURAL_INPUTS.value: [0.4, 0.8, 2.6, 2.6, 1.6, 0.8, 0.6, 0.6, 0.8, 0.7, 0.4, 0.3],
    PurchaseCategory.BUILDING_MATERIALS.value: [0.3, 0.3, 0.8, 1.1, 1.8, 1.9, 1.9, 1.8, 1.5, 1.1, 0.5, 0.3],
    PurchaseCategory.CLOTHING.value: [1.6, 1.4, 0.8, 0.7, 0.6, 0.5, 0.5, 0.6, 0.9, 1.5, 1.9, 1.9],
    PurchaseCategory.APPLIANCES.value: [1.3, 1.4, 0.9, 0.8, 0.8, 1.0, 0.8, 0.8, 0.9, 1.0, 1.7, 1.0],
}
# An operator often orders for several households of the village at once.
GROUP_PURCHASE_SHARE, GROUP_HOUSEHOLDS = 0.4, (2, 12)
LARGEST_PURCHASE_FEN = 150_000_00
# The categories' cumulative weights in each month (1-12).
_CATEGORIES = list(PURCHASE_WEIGHT)
_CATEGORY_WEIGHTS = {
    month: list(
        itertools.accumulate(
            PURCHASE_WEIGHT[c] * PURCHASE_MONTHS.get(c, [1.0] * 12)[month - 1] for c in _CATEGORIES
        )
    )
    for month in range(1, 13)
}
# The order fields written, in the order of the rows; the last ones always take the values in ORDER_DEFAULTS.
ORDER_COLUMNS = (
    "number", "kind", "channel", "status", "shop_id", "unit_id", "site_id", "platform", "external_id", "category",
    "household_id", "service_fee_fen", "local_price_fen", "payment_method", "total_fen", "refunded_fen",
    "buyer_name", "phone_encrypted", "phone_last4", "address_encrypted", "placed_at", "placed_on", "paid_at",
    "carrier", "tracking_number", "cancel_reason", "completed_on",
    "checkout_id", "organisation_id", "buyer_id", "note", "expires_at", "holds_stock", "handed_over_at_id",
)  # fmt: skip
ORDER_DEFAULTS = (None, None, None, "", None, False, None)


@dataclass(frozen=True)
class RegionalOrders:
    """What was written (none when the region's orders were there already), and the region's counted online
    sales and purchases over the period afterwards, every order included."""

    storefront_sales: int
    platform_sales: int
    assisted_sales: int
    assisted_purchases: int
    refunded: int
    cancelled: int
    income_shares: int
    facts: int
    sales_fen: int
    purchases_fen: int
    seconds: float

    @property
    def orders(self) -> int:
        return self.storefront_sales + self.platform_sales + self.assisted_sales + self.assisted_purchases


@dataclass(slots=True)
class _Shop:
    pk: int
    unit_id: int
    platform: str
    household_id: int | None
    organisation_id: int | None
    first: int  # indexes of its first and last open day in the period
    last: int
    products: list[tuple] = field(default_factory=list)  # (pk, name_zh, name_en, category, price_fen, unit)


@dataclass(slots=True)
class _Point:
    pk: int
    unit_id: int
    first: int
    last: int
    households: list[int] = field(default_factory=list)
    shops: list[_Shop] = field(default_factory=list)  # WeChat and Douyin shops of the village's households


@dataclass(slots=True)
class _Trade:
    day: int
    second: int
    kind: str
    channel: str
    status: str
    unit_id: int
    total_fen: int
    description: str
    quantity: int
    unit_price_fen: int
    category: str
    platform: str = ""
    shop: _Shop | None = None
    site_id: int | None = None
    household_id: int | None = None
    product_id: int | None = None
    service_fee_fen: int = 0
    local_price_fen: int | None = None
    payment_method: str = ONLINE


class _Days:
    """The period's days, each with a weight (season and growth), for drawing a day within an interval."""

    def __init__(self, weight: Callable[[datetime.date], float]):
        self.days = [START + datetime.timedelta(days=i) for i in range((END - START).days + 1)]
        self.cumulative = [0.0, *itertools.accumulate(weight(day) for day in self.days)]

    def mass(self, first: int, last: int) -> float:
        return self.cumulative[last + 1] - self.cumulative[first]

    def draw(self, rng: random.Random, first: int, last: int) -> int:
        low = self.cumulative[first]
        point = low + rng.random() * (self.cumulative[last + 1] - low)
        return min(last, bisect.bisect_right(self.cumulative, point, first + 1, last + 1) - 1)


def _bump(day: datetime.date, centre: datetime.date, width: float) -> float:
    return math.exp(-(((day - centre).days / width) ** 2))


def _season(day: datetime.date, *, losar: float, harvest: float, shopping: float) -> float:
    weight = 1.0
    for year in (day.year, day.year + 1):  # the run-up to Losar may start in the January before it
        new_year = LOSAR.get(year, datetime.date(year, 2, 10))
        weight += losar * _bump(day, new_year - datetime.timedelta(days=12), 16)
    weight += harvest * _bump(day, datetime.date(day.year, 9, 30), 24)
    weight += shopping * _bump(day, datetime.date(day.year, 11, 11), 2.5)  # Singles' Day
    weight += 0.4 * shopping * _bump(day, datetime.date(day.year, 6, 18), 2.5)  # JD's 618 sale
    return weight * GROWTH_PER_YEAR ** ((day - START).days / 365.25)


def _sales_weight(day: datetime.date) -> float:
    return _season(day, losar=2.0, harvest=0.9, shopping=1.5)


def _purchases_weight(day: datetime.date) -> float:
    return _season(day, losar=1.8, harvest=0.2, shopping=2.5)


def _interval(opened: datetime.date, closed: datetime.date | None) -> tuple[int, int] | None:
    """The indexes of the first and last days of the period on which something opened on `opened` and closed
    on `closed` was open (the closing day excluded, as `core.periods.open_on_q` has it)."""
    first = max(0, (opened - START).days)
    last = (END - START).days if closed is None else min((END - START).days, (closed - START).days - 1)
    return (first, last) if first <= last else None


class _Picker:
    """Draws items with probability proportional to their weights."""

    def __init__(self, items: list, weights: Iterable[float]):
        self.items = items
        self.cumulative = list(itertools.accumulate(weights))

    def __bool__(self) -> bool:
        return bool(self.items) and self.cumulative[-1] > 0

    def draw(self, rng: random.Random):
        index = bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        return self.items[min(index, len(self.items) - 1)]


def _prefecture(path: str) -> float:
    return PREFECTURE_WEIGHT.get(path[:4], 1.0)


def _second(rng: random.Random, hours: list[int]) -> int:
    """A moment of the day (in seconds) in an hour drawn by the cumulative weights `hours`."""
    hour = bisect.bisect_right(hours, rng.random() * hours[-1])
    return hour * 3600 + int(rng.random() * 3600)


def _status(rng: random.Random, channel: str) -> str:
    refunded, cancelled = UNDONE[channel]
    r = rng.random()
    return REFUNDED if r < refunded else CANCELLED if r < refunded + cancelled else COMPLETED


def _lognormal(rng: random.Random, median: float, sigma: float, low: float, high: float) -> float:
    return min(high, max(low, median * rng.lognormvariate(0, sigma)))


def _product_sale(rng: random.Random, shop: _Shop, days: _Days, channel: str) -> _Trade:
    """An order of one of the shop's products: a few for a person, or now and then a wholesale lot (more
    often for a cooperative's or an enterprise's shop, and larger on a platform)."""
    day = days.draw(rng, shop.first, shop.last)
    pk, name_zh, name_en, category, price, unit_label = rng.choice(shop.products)
    description = f"{name_zh} / {name_en}, {unit_label}"
    if channel == PLATFORM:
        wholesale = 0.55 if shop.organisation_id else 0.3
    else:
        wholesale = 0.3 if shop.organisation_id else 0.15
    if rng.random() < wholesale:
        if channel == PLATFORM:
            amount, discount = _lognormal(rng, 15_000, 0.8, 2_000, 150_000), rng.uniform(0.72, 0.9)
        else:
            amount, discount = _lognormal(rng, 3_500, 0.7, 800, 30_000), rng.uniform(0.85, 0.95)
        description = f"{description} (批发 / wholesale)"
        unit_price = max(100, int(round(price * discount, -1)))
        quantity = max(10, round(amount * 100 / unit_price))
    else:
        unit_price = price
        quantity = rng.choice((1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 10))
    return _Trade(
        day=day,
        second=_second(rng, ONLINE_HOURS),
        kind=SALE,
        channel=channel,
        status=_status(rng, channel),
        unit_id=shop.unit_id,
        total_fen=unit_price * quantity,
        description=description[:200],
        quantity=quantity,
        unit_price_fen=unit_price,
        category=category,
        platform=shop.platform,
        shop=shop,
        product_id=pk if channel == STOREFRONT else None,
        payment_method=CASH_ON_DELIVERY if channel == STOREFRONT and rng.random() < 0.4 else ONLINE,
    )


def _assisted_sale(rng: random.Random, point: _Point, days: _Days) -> _Trade:
    """A lot of a village's produce sold online by the point's operator: through the WeChat or Douyin shop of
    a household of the village, for a household, or for the village as a whole."""
    day = days.draw(rng, point.first, point.last)
    open_shops = [s for s in point.shops if s.first <= day <= s.last]
    shop = rng.choice(open_shops) if open_shops and rng.random() < 0.6 else None
    zh, en, category, (low, high), unit_label = rng.choice(FARM_PRODUCTS)
    unit_price = rng.randint(low, high) * 100
    harvest = days.days[day].month in (9, 10)
    amount = _lognormal(rng, 4_500 if harvest else 3_000, 1.0, 30, 60_000)
    quantity = max(1, round(amount * 100 / unit_price))
    if shop is not None:
        platform, household = shop.platform, shop.household_id
    else:
        platform = rng.choice((TAOBAO, TAOBAO, PINDUODUO, PINDUODUO, WECHAT))
        household = rng.choice(point.households) if point.households and rng.random() < 0.7 else None
    return _Trade(
        day=day,
        second=_second(rng, DESK_HOURS),
        kind=SALE,
        channel=ASSISTED,
        status=_status(rng, ASSISTED),
        unit_id=point.unit_id,
        total_fen=unit_price * quantity,
        description=f"{zh} / {en}, {unit_label}",
        quantity=quantity,
        unit_price_fen=unit_price,
        category=category,
        platform=platform,
        shop=shop,
        site_id=point.pk,
        household_id=household,
        service_fee_fen=rng.choice((100, 200, 500, 1000)) if rng.random() < 0.2 else 0,
    )


def _assisted_purchase(rng: random.Random, point: _Point, days: _Days) -> _Trade:
    """Goods an operator buys online for a household of the village, for several at once, or for the
    village."""
    day = days.draw(rng, point.first, point.last)
    weights = _CATEGORY_WEIGHTS[days.days[day].month]
    category = _CATEGORIES[bisect.bisect_right(weights, rng.random() * weights[-1])]
    description, (low, high), (fewest, most) = rng.choice(PURCHASE_ITEMS[category])
    unit_price = rng.randint(low, high) * 100 + rng.choice((0, 0, 0, 50, 80, 90))
    quantity = fewest + int((most - fewest + 1) * rng.random() ** 2)
    household, households = None, 1
    if rng.random() < GROUP_PURCHASE_SHARE:  # as many households as the largest order allows
        households = min(rng.randint(*GROUP_HOUSEHOLDS), LARGEST_PURCHASE_FEN // (unit_price * quantity))
    if households > 1:
        quantity *= households
        description = f"{description} ({households}户 / for {households} households)"
    elif point.households and rng.random() < 0.8:
        household = rng.choice(point.households)
    total = unit_price * quantity
    local = int(round(total * rng.uniform(1.05, 1.35), -2)) if rng.random() < 0.75 else None
    return _Trade(
        day=day,
        second=_second(rng, DESK_HOURS),
        kind=PURCHASE,
        channel=ASSISTED,
        status=_status(rng, ASSISTED),
        unit_id=point.unit_id,
        total_fen=total,
        description=description,
        quantity=quantity,
        unit_price_fen=unit_price,
        category=category,
        platform=rng.choices((TAOBAO, PINDUODUO, JD), weights=(45, 35, 20))[0],
        site_id=point.pk,
        household_id=household,
        service_fee_fen=min(5000, max(200, int(round(total * 0.01, -2)))) if rng.random() < 0.3 else 0,
        local_price_fen=local,
    )


def _draw(target_fen: int, make: Callable[[], _Trade], into: list[_Trade]) -> None:
    """Draws trades until those that count reach `target_fen` (overshooting by less than one order)."""
    counted = 0
    while counted < target_fen:
        trade = make()
        into.append(trade)
        if trade.status == COMPLETED:
            counted += trade.total_fen


def counted_fen(
    *, region: AdminUnit, kind: str, start: datetime.date = START, end: datetime.date = END
) -> int:
    """The region's counted online sales or purchases (`kind`) from `start` to `end`, in fen, straight from
    the orders, by the rule the indicators use (`orders.facts.COUNTED` on `COUNTED_ON`)."""
    return (
        Order.objects.filter(subtree_q("unit__path", region.path), COUNTED, kind=kind)
        .annotate(counted_on=COUNTED_ON)
        .filter(counted_on__gte=start, counted_on__lte=end)
        .aggregate(amount=Sum(F("total_fen") - F("refunded_fen")))["amount"]
        or 0
    )


def regional_orders_q() -> Q:
    """The orders this builder writes (by their numbers)."""
    return Q(number__gte=PREFIX, number__lt=chr(ord(PREFIX) + 1))


def _load_shops(region: AdminUnit) -> list[_Shop]:
    shops: dict[int, _Shop] = {}
    for pk, unit_id, platform, household, organisation, opened, closed in (
        Shop.objects.filter(subtree_q("unit__path", region.path))
        .order_by("pk")
        .values_list("pk", "unit_id", "platform", "household_id", "organisation_id", "opened_on", "closed_on")
    ):
        interval = _interval(opened, closed)
        if interval:
            shops[pk] = _Shop(pk, unit_id, platform, household, organisation, *interval)
    for row in (
        Product.objects.filter(subtree_q("shop__unit__path", region.path))
        .order_by("pk")
        .values_list("shop_id", "pk", "name_zh", "name_en", "category", "price_fen", "unit_label")
    ):
        if row[0] in shops:
            shops[row[0]].products.append(row[1:])
    return [shop for shop in shops.values() if shop.products]


def _load_points(region: AdminUnit, shops: list[_Shop]) -> list[_Point]:
    """The region's village points, but for those with an operator account (the desk demo's)."""
    points: dict[int, _Point] = {}
    for pk, unit_id, opened, closed in (
        ServiceSite.objects.filter(subtree_q("unit__path", region.path), kind=SiteKind.VILLAGE_POINT)
        .exclude(pk__in=SiteOperator.objects.values("site_id"))
        .order_by("pk")
        .values_list("pk", "unit_id", "opened_on", "closed_on")
    ):
        interval = _interval(opened, closed)
        if interval:
            points[pk] = _Point(pk, unit_id, *interval)
    by_village: dict[int, list[_Point]] = {}
    for point in points.values():
        by_village.setdefault(point.unit_id, []).append(point)
    for pk, village in (
        Household.objects.filter(subtree_q("village__path", region.path))
        .order_by("pk")
        .values_list("pk", "village_id")
    ):
        for point in by_village.get(village, []):
            point.households.append(pk)
    for shop in shops:
        if shop.platform in ASSISTED_SHOP_PLATFORMS and shop.household_id:
            for point in by_village.get(shop.unit_id, []):
                point.shops.append(shop)
    return list(points.values())


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


@transaction.atomic
def build_regional_orders(*, region: AdminUnit, seed: int = 2019, scale: float = 1.0) -> RegionalOrders:
    """Writes the region's online trade for the demo period, once: nothing is added when the orders are
    there already. `scale` scales the targets (tests use a small one)."""
    began = time.perf_counter()
    if Order.objects.filter(regional_orders_q()).exists():
        return RegionalOrders(
            *[0] * 8,
            sales_fen=counted_fen(region=region, kind=SALE),
            purchases_fen=counted_fen(region=region, kind=PURCHASE),
            seconds=time.perf_counter() - began,
        )
    rng = random.Random(seed)
    sales_before = counted_fen(region=region, kind=SALE)
    purchases_before = counted_fen(region=region, kind=PURCHASE)
    sales_target = round(SALES_TARGET_FEN * scale) - sales_before
    purchases_target = round(PURCHASES_TARGET_FEN * scale) - purchases_before

    shops = _load_shops(region)
    points = _load_points(region, shops)
    paths = dict(AdminUnit.objects.filter(subtree_q("path", region.path)).values_list("pk", "path"))
    sales_days, purchases_days = _Days(_sales_weight), _Days(_purchases_weight)

    def shop_picker(platforms) -> _Picker:
        chosen = [shop for shop in shops if shop.platform in platforms]
        return _Picker(
            chosen,
            [
                rng.lognormvariate(0, 0.7)
                * (2.5 if s.organisation_id else 1.0)
                * _prefecture(paths[s.unit_id])
                * sales_days.mass(s.first, s.last)
                for s in chosen
            ],
        )

    def point_picker(days: _Days) -> _Picker:
        return _Picker(
            points,
            [
                (len(p.households) + 5)
                * rng.lognormvariate(0, 0.4)
                * _prefecture(paths[p.unit_id])
                * days.mass(p.first, p.last)
                for p in points
            ],
        )

    trades: list[_Trade] = []
    split = {channel: round(sales_target * share) for channel, share in SALES_SPLIT.items()}
    split[ASSISTED] = sales_target - split[STOREFRONT] - split[PLATFORM]
    for channel, platforms in (
        (STOREFRONT, {Platform.STOREFRONT.value}),
        (PLATFORM, PLATFORM_CHANNEL_PLATFORMS),
    ):
        picker = shop_picker(platforms)
        if picker:
            _draw(
                split[channel],
                lambda picker=picker, channel=channel: _product_sale(
                    rng, picker.draw(rng), sales_days, channel
                ),
                trades,
            )
    sale_points, purchase_points = point_picker(sales_days), point_picker(purchases_days)
    if sale_points:
        _draw(split[ASSISTED], lambda: _assisted_sale(rng, sale_points.draw(rng), sales_days), trades)
    if purchase_points:
        _draw(
            purchases_target,
            lambda: _assisted_purchase(rng, purchase_points.draw(rng), purchases_days),
            trades,
        )
    with _roomy_page_cache():
        written = _Writer(rng, sales_days.days, paths, region).write(trades)
    counted = {SALE: 0, PURCHASE: 0}  # all of them are in the region and the period
    for trade in trades:
        if trade.status == COMPLETED:
            counted[trade.kind] += trade.total_fen
    return RegionalOrders(
        **written,
        sales_fen=sales_before + counted[SALE],
        purchases_fen=purchases_before + counted[PURCHASE],
        seconds=time.perf_counter() - began,
    )


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
    """Numbers the trades in time order and writes them with raw multi-row INSERTs: the orders, a line and an
    event each, the income shares of poor households, and the daily facts."""

    def __init__(
        self, rng: random.Random, days: list[datetime.date], paths: dict[int, str], region: AdminUnit
    ):
        self.rng = rng
        self.days = days
        self.paths = paths
        self.region = region
        self.homes: dict[int, str] = {}  # the village (path) of each household with income
        zone = region_zone()
        # Each local day's start as naive UTC; a moment is that plus seconds, adapted as the backend wants.
        self.midnight = [
            datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
            .astimezone(datetime.UTC)
            .replace(tzinfo=None)
            for day in days
        ]
        self.on = [connection.ops.adapt_datefield_value(day) for day in days]
        sample = datetime.datetime(2017, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
        if connection.ops.adapt_datetimefield_value(sample) == str(sample.replace(tzinfo=None)):
            # SQLite: naive UTC as text
            self.moment: Callable[[datetime.datetime], object] = str
        else:
            self.moment = lambda value: connection.ops.adapt_datetimefield_value(
                value.replace(tzinfo=datetime.UTC)
            )

    @staticmethod
    def _max_params() -> int:
        if connection.vendor == "sqlite":  # Django assumes 999; the library says how many it allows
            import sqlite3

            connection.ensure_connection()
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        return connection.features.max_query_params or 65_535

    def insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        """Multi-row INSERTs (one statement per thousand rows or so); on PostgreSQL, COPY, which the driver
        feeds in C where it would compose the INSERTs' parameters one by one."""
        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in columns)
        if connection.vendor == "postgresql":
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        head = f"INSERT INTO {quote(table)} ({names}) VALUES "  # noqa: S608
        one = f"({', '.join(['%s'] * len(columns))})"
        size = max(1, min(1000, self._max_params() // len(columns)))
        with connection.cursor() as cursor:
            for start in range(0, len(rows), size):
                chunk = rows[start : start + size]
                cursor.execute(head + ", ".join([one] * len(chunk)), list(itertools.chain(*chunk)))

    def write(self, trades: list[_Trade]) -> dict:
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
        self.insert(
            OrderLine._meta.db_table,
            ["order_id", "product_id", "description", "quantity", "unit_price_fen", "amount_fen"],
            [
                (pk, t.product_id, t.description, t.quantity, t.unit_price_fen, t.total_fen)
                for pk, t in zip(ids, trades, strict=True)
            ],
        )
        self.insert(
            OrderEvent._meta.db_table,
            ["order_id", "status", "at", "by_id", "note"],
            [(pk, t.status, at, None, "") for pk, t, at in zip(ids, trades, placed, strict=True)],
        )
        shares = self._income_shares(trades)
        self.insert(
            IncomeShare._meta.db_table,
            ["order_id", "household_id", "amount_fen", "day"],
            [(ids[i], household, amount, self.on[trades[i].day]) for i, household, amount in shares],
        )
        facts = self._facts()
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

    def _orders(self, trades: list[_Trade]) -> list:
        """Inserts the orders; returns each one's placing moment, adapted."""
        rng = self.rng
        buyers = []  # a few dozen storefront buyers, encrypted once
        for i in range(48):
            phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
            address = BUYER_ADDRESSES[rng.randrange(len(BUYER_ADDRESSES))]
            buyers.append((BUYER_NAMES[i % len(BUYER_NAMES)], encrypt(phone), phone[-4:], encrypt(address)))
        used: dict[str, set[str]] = {}
        fields = {f.attname: f.column for f in Order._meta.concrete_fields if not f.primary_key}
        assert set(fields) == set(ORDER_COLUMNS), (
            f"Order's fields changed; the regional demo writes {sorted(set(fields) ^ set(ORDER_COLUMNS))}"
        )
        rows, placed = [], []
        midnight, on, days, moment = self.midnight, self.on, self.days, self.moment
        for n, t in enumerate(trades, start=1):
            at = midnight[t.day] + datetime.timedelta(seconds=t.second)
            placed_at = moment(at)
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
                    on[t.day],
                    None if unpaid else moment(at + datetime.timedelta(seconds=20 + int(rng.random() * 900))),
                    carrier,
                    tracking,
                    reason,
                    on[t.day] if t.status == COMPLETED else None,
                    *ORDER_DEFAULTS,
                )
            )
            placed.append(placed_at)
        self.insert(Order._meta.db_table, [fields[name] for name in ORDER_COLUMNS], rows)
        return placed

    def _income_shares(self, trades: list[_Trade]) -> list[tuple[int, int, int]]:
        """`orders.services._record_income` in bulk: a completed sale is income of the poor household it was
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
