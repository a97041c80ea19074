"""Brushing (刷单) and numbers that cannot be right, planted in the regional demo for the data-quality checks
(`villagelink.quality.rules`) to find. Written before the region's trade, which then makes up the rest of the
published figures (`regional.build_regional_orders` counts what is there already), so the figures hold.

Every planted order's number starts with `PREFIX`, and the pattern it belongs to is `PATTERNS[kind]`: the tests
find them by that, the checks never read it. Each kind is planted twice, at two shops and months of 2018,
and some come with an ordinary history of the shop (numbers starting `HISTORY`), which must not be flagged:

- outsized: three orders of ¥2,480–¥3,000 (one round, two the same) at a shop selling ¥80–¥120 an order;
- spike: twelve orders of ¥600 on one ordinary day at the same kind of shop;
- same_number: a Taobao order's number reported again as a JD order of the same shop;
- twin_sale: a household's sale recorded at its village point's desk the day after its shop's platform
  reported the same amount;
- repeat_buyer: one buyer account ordering six times from a shop in five days;
- price_mismatch: one jar of the shop's own product paid at twenty times its price;
- late_refund: four of a shop's ten orders of ¥800 in a month refunded on the 20th of the next month;
- monthly_jump: a village selling ¥20,000 in a month and ¥800,000 in the same month a year later, while the
  village beside it sells the same both years.
"""

import datetime
import itertools
from collections.abc import Iterator

from django.db.models import Q

from villagelink.catalog.models import Platform, Product, Shop
from villagelink.core.crypto import buyer_key
from villagelink.orders.bulk import orders_insert
from villagelink.orders.facts import facts_add_orders
from villagelink.orders.models import Channel, Kind, Order, OrderEvent, OrderLine, Status
from villagelink.quality.models import Rule

PREFIX = "DQ"
HISTORY = "DH"
YUAN = 100
PATTERNS = {
    "outsized": Rule.OUTSIZED,
    "spike": Rule.SPIKE,
    "same_number": Rule.SAME_NUMBER,
    "twin_sale": Rule.TWIN_SALE,
    "repeat_buyer": Rule.REPEAT_BUYER,
    "price_mismatch": Rule.PRICE_MISMATCH,
    "late_refund": Rule.LATE_REFUND,
    "monthly_jump": Rule.MONTHLY_JUMP,
}
REPORTING = [Platform.TAOBAO, Platform.JD, Platform.PINDUODUO]  # the platforms whose reports are imported
MONTHS = (datetime.date(2018, 5, 1), datetime.date(2018, 10, 1))
FIELDS = [
    "number", "kind", "channel", "status", "shop_id", "unit_id", "platform", "external_id", "total_fen",
    "refunded_fen", "household_id", "placed_at", "placed_on", "paid_at", "completed_on", "payment_method",
    "buyer_key",
]  # fmt: skip


def planted_q(kind: str | None = None) -> Q:
    """The planted orders of one kind (their numbers are `DQ<kind's index>…`), or all of them."""
    if kind is None:
        return Q(number__startswith=PREFIX)
    return Q(number__startswith=f"{PREFIX}{list(PATTERNS).index(kind)}")


class _Planter:
    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.counter = itertools.count(1)
        self.lines: list[tuple[str, str, int, int]] = []  # (order number, item, quantity, product id)
        self.refunds: list[tuple[str, datetime.datetime]] = []

    def order(
        self,
        kind: str | None,
        shop: Shop,
        day: datetime.date,
        yuan: float,
        *,
        channel: str = Channel.PLATFORM,
        platform: str = "",
        external_id: str = "",
        buyer: str = "",
        refunded: bool = False,
    ) -> str:
        n = next(self.counter)
        number = f"{PREFIX}{list(PATTERNS).index(kind)}{n:08d}" if kind else f"{HISTORY}{n:09d}"
        at = datetime.datetime(day.year, day.month, day.day, 4, n % 60, tzinfo=datetime.UTC)
        platform = platform or shop.platform
        on_platform = channel == Channel.PLATFORM
        amount = round(yuan * YUAN)
        self.rows.append(
            (
                number, Kind.SALE, channel, Status.REFUNDED if refunded else Status.COMPLETED,
                shop.pk if on_platform else None, shop.unit_id, platform,
                (external_id or f"{platform[:2].upper()}{day:%y%m%d}{n:07d}") if on_platform else "",
                amount, amount if refunded else 0, None if on_platform else shop.household_id, at, day, at,
                None if refunded else day, "online", buyer_key(buyer) if buyer else "",
            )
        )  # fmt: skip
        return number

    def history(self, shop: Shop, last: datetime.date, days: int, scale: float = 1) -> None:
        """A shop selling ¥80–¥120 (times `scale`) on two days in three: its usual."""
        for n in range(days):
            if n % 3 != 1:
                self.order(None, shop, last - datetime.timedelta(days=n), scale * (80 + (n * 7) % 41))

    def write(self) -> int:
        orders_insert(FIELDS, self.rows)
        ids = dict(Order.objects.filter(number__in=[row[0] for row in self.rows]).values_list("number", "pk"))
        OrderLine.objects.bulk_create(
            OrderLine(
                order_id=ids[number], product_id=product, description=item, quantity=quantity,
                unit_price_fen=total // quantity, amount_fen=total,
            )
            for number, item, quantity, product in self.lines
            for total in [next(row[8] for row in self.rows if row[0] == number)]
        )  # fmt: skip
        OrderEvent.objects.bulk_create(
            OrderEvent(order_id=ids[number], status=Status.REFUNDED, at=at) for number, at in self.refunds
        )
        facts_add_orders(ids.values())
        return len(ids)


def _shops(region_path: str, avoid_village: str) -> Iterator[Shop]:
    """Open shops of households on the platforms that send reports, with products, in a stable order."""
    with_products = Product.objects.values("shop_id")
    return iter(
        Shop.objects.filter(
            unit__path__startswith=region_path,
            platform__in=REPORTING,
            household__isnull=False,
            opened_on__lte=datetime.date(2017, 1, 1),
            pk__in=with_products,
        )
        .exclude(unit__path=avoid_village)
        .select_related("unit")
        .order_by("pk")
    )


def _beside(next_shop, used_units: set[int]) -> tuple[Shop, Shop]:
    """A shop alone in its village, and a shop in another village of the same township."""
    while True:
        jumping = next_shop(alone=True)
        beside = (
            Shop.objects.filter(
                unit__parent_id=jumping.unit.parent_id, household__isnull=False, platform__in=REPORTING
            )
            .exclude(unit_id__in=used_units)
            .order_by("pk")
            .first()
        )
        if beside is not None:
            used_units.add(beside.unit_id)
            return jumping, beside


def plant_brushing(*, region_path: str, avoid_village: str) -> int:
    """Writes the patterns once (nothing when they are there); returns the orders written."""
    if Order.objects.filter(planted_q()).exists():
        return 0
    shops = _shops(region_path, avoid_village)
    used_units: set[int] = set()

    def next_shop(*, alone: bool = False) -> Shop:
        """The next shop, in a village no other planted shop is in when `alone`."""
        for shop in shops:
            if not alone or shop.unit_id not in used_units:
                used_units.add(shop.unit_id)
                return shop
        raise LookupError("The demo has too few shops to plant the data-quality patterns.")

    p = _Planter()
    for i, month in enumerate(MONTHS):
        shop = next_shop()  # outsized
        p.history(shop, month - datetime.timedelta(days=1), 150)
        for day, yuan in ((5, 3000), (9, 2480), (12, 2480)):
            p.order("outsized", shop, month.replace(day=day), yuan)

        shop = next_shop()  # spike
        p.history(shop, month.replace(day=19), 60)
        for _n in range(12):
            p.order("spike", shop, month.replace(day=20), 600)

        shop = next_shop()  # same_number
        number = f"{shop.platform[:2].upper()}DQ{month:%y%m}{i:04d}"
        p.order(None, shop, month.replace(day=3), 150, external_id=number)
        other = Platform.JD if shop.platform != Platform.JD else Platform.TAOBAO
        p.order("same_number", shop, month.replace(day=3), 150, platform=other, external_id=number)

        shop = next_shop()  # twin_sale
        p.order(None, shop, month.replace(day=10), 260)
        p.order("twin_sale", shop, month.replace(day=11), 260, channel=Channel.ASSISTED)

        shop = next_shop()  # repeat_buyer
        for day in (3, 4, 4, 6, 7, 7):
            p.order("repeat_buyer", shop, month.replace(day=day), 98, buyer=f"demo_ring_{i}")

        shop = next_shop()  # price_mismatch
        product = shop.products.order_by("pk").first()
        assert product is not None  # the shops were chosen with products
        yuan = max(20 * product.price_fen, product.price_fen + 1000 * YUAN) / YUAN
        number = p.order("price_mismatch", shop, month.replace(day=15), yuan)
        p.lines.append((number, product.name_zh, 1, product.pk))

        shop = next_shop()  # late_refund
        late = datetime.datetime(
            month.year + month.month // 12, month.month % 12 + 1, 20, 3, tzinfo=datetime.UTC
        )
        for day in range(1, 11):
            refunded = day <= 4
            kind = "late_refund" if refunded else None
            number = p.order(kind, shop, month.replace(day=day), 800, refunded=refunded)
            if refunded:
                p.refunds.append((number, late))

        jumping, beside = _beside(next_shop, used_units)  # monthly_jump
        year_before = month.replace(year=month.year - 1)
        for day in range(1, 21):
            p.order(None, jumping, year_before.replace(day=day), 1000)
            p.order(None, beside, year_before.replace(day=day), 1500)
            p.order(None, beside, month.replace(day=day), 1600)
        for day in range(1, 26):
            p.order("monthly_jump", jumping, month.replace(day=day), 32000 + 37 * day)
    return p.write()
