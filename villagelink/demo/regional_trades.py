"""The region's online trade over the demo period, drawn (not yet written: see `regional_writer`).

- sales of the region's shops: storefront orders of the shops on this storefront, platform orders of the
  shops on Taobao, JD and Pinduoduo, and lots of produce the village points sell for villagers (for the
  WeChat or Douyin shop of a household of the village, for a household, or for the village as a whole); a few
  items for a person, and now and then a wholesale lot;
- assisted purchases at the village points: goods brought into the village, from washing powder to roofing
  steel, for one household or for several at once, often with the local shop's price (the saving) and
  sometimes a service fee.

Trade follows the seasons (the weeks before Losar, the harvest in September and October, the online shopping
days of 18 June and 11 November), grows year over year, and is larger in Lhasa and Shigatse than in Ngari;
every order belongs to a shop or a village point that was open on its day. A small share is refunded or
cancelled. Trades are drawn until those that count reach the amounts asked for.

From the 1st of January of the year its county is designated a demonstration county, a shop or point trades
`1 + effect` times as much as it would have (`DESIGNATION_EFFECT`, the designation's effect; the totals stay
the published ones, so the others trade a little less). The evaluation (`monitoring.evaluation`) estimates it
from the figures alone; its tests draw the trade with an effect and with none.
"""

import bisect
import datetime
import itertools
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from villagelink.catalog.models import Platform, Product, Shop
from villagelink.core.paths import subtree_q
from villagelink.demo.catalog import PRODUCTS as FARM_PRODUCTS
from villagelink.geo.models import AdminUnit
from villagelink.network.models import Designation, ServiceSite, SiteKind, SiteOperator
from villagelink.orders.models import Channel, Kind, PaymentMethod, PurchaseCategory, Status
from villagelink.registry.models import Household

START, END = datetime.date(2015, 1, 1), datetime.date(2019, 6, 30)
SALES_TARGET_FEN = 260_500_000_00  # "more than 260 million yuan", with room for the last order drawn
PURCHASES_TARGET_FEN = 290_000_000_00

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
# The designation's effect: from the year a county is designated, its shops and points trade 30 % more than they
# would have. An illustrative figure for the demo, not a published one.
DESIGNATION_EFFECT = 0.3
# (refunded, cancelled) shares of the orders of each channel.
UNDONE = {STOREFRONT: (0.02, 0.012), PLATFORM: (0.018, 0.01), ASSISTED: (0.012, 0.0)}
# When people shop online (hour of the day, local time) and when a village point's desk is busy; cumulative.
ONLINE_HOURS = list(
    itertools.accumulate([1, 1, 0, 0, 0, 0, 1, 2, 4, 6, 7, 7, 8, 6, 6, 6, 6, 6, 7, 9, 11, 12, 10, 5])
)
DESK_HOURS = list(itertools.accumulate([0] * 9 + [6, 8, 8, 5, 4, 7, 8, 8, 6, 3] + [0] * 5))

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


@dataclass(frozen=True)
class Drawn:
    """The trades drawn, in no particular order, and the period's days they fall on."""

    trades: list["Trade"]
    days: list[datetime.date]  # the period's days, which `Trade.day` indexes


def draw_trades(
    *,
    rng: random.Random,
    region: AdminUnit,
    sales_fen: int,
    purchases_fen: int,
    effect: float = DESIGNATION_EFFECT,
) -> Drawn:
    """Draws the region's trades until the sales and the purchases that count reach `sales_fen` and
    `purchases_fen` (split between the channels by `SALES_SPLIT`), shops and points of designated counties
    trading `1 + effect` times as much from their designation year."""
    lifts = _lifts(region, 1 + effect)
    shops = _load_shops(region, lifts)
    points = _load_points(region, shops, lifts)
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
                * sales_days.mass(s.first, s.last, s.lift)
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
                * days.mass(p.first, p.last, p.lift)
                for p in points
            ],
        )

    trades: list[Trade] = []
    split = {channel: round(sales_fen * share) for channel, share in SALES_SPLIT.items()}
    split[ASSISTED] = sales_fen - split[STOREFRONT] - split[PLATFORM]
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
            purchases_fen,
            lambda: _assisted_purchase(rng, purchase_points.draw(rng), purchases_days),
            trades,
        )
    return Drawn(trades=trades, days=sales_days.days)


@dataclass(slots=True)
class _Shop:
    pk: int
    unit_id: int
    platform: str
    household_id: int | None
    organisation_id: int | None
    first: int  # indexes of its first and last open day in the period
    last: int
    lift: "_Lift | None" = None
    products: list[tuple] = field(default_factory=list)  # (pk, name_zh, name_en, category, price_fen, unit)


@dataclass(slots=True)
class _Point:
    pk: int
    unit_id: int
    first: int
    last: int
    lift: "_Lift | None" = None
    households: list[int] = field(default_factory=list)
    shops: list[_Shop] = field(default_factory=list)  # WeChat and Douyin shops of the village's households


@dataclass(slots=True)
class Trade:
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


@dataclass(frozen=True, slots=True)
class _Lift:
    """From the day of index `start` on, trade is `factor` times what it would have been."""

    start: int
    factor: float


class _Days:
    """The period's days, each with a weight (season and growth), for drawing a day within an interval (lifted
    from a day on by a `_Lift`, if given)."""

    def __init__(self, weight: Callable[[datetime.date], float]):
        self.days = [START + datetime.timedelta(days=i) for i in range((END - START).days + 1)]
        self.cumulative = [0.0, *itertools.accumulate(weight(day) for day in self.days)]

    def _parts(self, first: int, last: int, lift: _Lift) -> tuple[int, float, float]:
        split = max(first, lift.start)
        return split, self.mass(first, split - 1), lift.factor * self.mass(split, last)

    def mass(self, first: int, last: int, lift: _Lift | None = None) -> float:
        if lift is None or lift.start > last:
            return self.cumulative[last + 1] - self.cumulative[first]
        _split, before, after = self._parts(first, last, lift)
        return before + after

    def draw(self, rng: random.Random, first: int, last: int, lift: _Lift | None = None) -> int:
        if lift is not None and lift.start <= last:
            split, before, after = self._parts(first, last, lift)
            if rng.random() * (before + after) < before:
                return self.draw(rng, first, split - 1)
            first = split
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


def _product_sale(rng: random.Random, shop: _Shop, days: _Days, channel: str) -> Trade:
    """An order of one of the shop's products: a few for a person, or now and then a wholesale lot (more
    often for a cooperative's or an enterprise's shop, and larger on a platform)."""
    day = days.draw(rng, shop.first, shop.last, shop.lift)
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
    return Trade(
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


def _assisted_sale(rng: random.Random, point: _Point, days: _Days) -> Trade:
    """A lot of a village's produce sold online by the point's operator: through the WeChat or Douyin shop of
    a household of the village, for a household, or for the village as a whole."""
    day = days.draw(rng, point.first, point.last, point.lift)
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
    return Trade(
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


def _assisted_purchase(rng: random.Random, point: _Point, days: _Days) -> Trade:
    """Goods an operator buys online for a household of the village, for several at once, or for the
    village."""
    day = days.draw(rng, point.first, point.last, point.lift)
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
    return Trade(
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


def _draw(target_fen: int, make: Callable[[], Trade], into: list[Trade]) -> None:
    """Draws trades until those that count reach `target_fen` (overshooting by less than one order)."""
    counted = 0
    while counted < target_fen:
        trade = make()
        into.append(trade)
        if trade.status == COMPLETED:
            counted += trade.total_fen


def _lifts(region: AdminUnit, factor: float) -> dict[str, _Lift]:
    """By county path, the lift of trade from the county's designation year (none when `factor` is 1)."""
    if factor == 1:
        return {}
    return {
        path: _Lift(start=max(0, (datetime.date(year, 1, 1) - START).days), factor=factor)
        for path, year in Designation.objects.filter(subtree_q("county__path", region.path)).values_list(
            "county__path", "year"
        )
        if datetime.date(year, 1, 1) <= END
    }


def _load_shops(region: AdminUnit, lifts: dict[str, _Lift]) -> list[_Shop]:
    shops: dict[int, _Shop] = {}
    for pk, unit_id, path, platform, household, organisation, opened, closed in (
        Shop.objects.filter(subtree_q("unit__path", region.path))
        .order_by("pk")
        .values_list(
            "pk",
            "unit_id",
            "unit__path",
            "platform",
            "household_id",
            "organisation_id",
            "opened_on",
            "closed_on",
        )
    ):
        interval = _interval(opened, closed)
        if interval:
            shops[pk] = _Shop(pk, unit_id, platform, household, organisation, *interval, lifts.get(path[:6]))
    for row in (
        Product.objects.filter(subtree_q("shop__unit__path", region.path))
        .order_by("pk")
        .values_list("shop_id", "pk", "name_zh", "name_en", "category", "price_fen", "unit_label")
    ):
        if row[0] in shops:
            shops[row[0]].products.append(row[1:])
    return [shop for shop in shops.values() if shop.products]


def _load_points(region: AdminUnit, shops: list[_Shop], lifts: dict[str, _Lift]) -> list[_Point]:
    """The region's village points, but for those with an operator account (the desk demo's)."""
    points: dict[int, _Point] = {}
    for pk, unit_id, path, opened, closed in (
        ServiceSite.objects.filter(subtree_q("unit__path", region.path), kind=SiteKind.VILLAGE_POINT)
        .exclude(pk__in=SiteOperator.objects.values("site_id"))
        .order_by("pk")
        .values_list("pk", "unit_id", "unit__path", "opened_on", "closed_on")
    ):
        interval = _interval(opened, closed)
        if interval:
            points[pk] = _Point(pk, unit_id, *interval, lifts.get(path[:6]))
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
