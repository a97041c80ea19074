"""The demo's storefront: a photo for every product on this storefront, and orders in every status, taken
and moved through the same services a buyer and a seller use."""

import io
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Mod
from django.utils import timezone
from PIL import Image, ImageDraw

from villagelink.accounts.models import User
from villagelink.catalog.models import Category, Platform, Product, ProductPhoto, Shop, ShopStatus
from villagelink.catalog.services import ProductData, product_create
from villagelink.core.paths import subtree_q
from villagelink.orders.models import Channel, Order
from villagelink.orders.payments import GATEWAYS
from villagelink.orders.services import (
    CartLine,
    Contact,
    checkout_place,
    order_cancel,
    order_complete,
    order_deliver,
    order_refund,
    order_ship,
    payment_notification_receive,
)

# The seller's own product, the newest: first in a search sorted by newest.
BUTTER_ZH, BUTTER_BO = "纳木林牦牛酥油", "རྣམ་གླིང་གི་འབྲི་མར།"
# A colour per category for the generated pictures.
COLOURS = {
    Category.MEAT: (142, 58, 40),
    Category.DAIRY: (236, 205, 120),
    Category.GRAIN: (196, 160, 90),
    Category.HERBS: (120, 60, 90),
    Category.TEA: (150, 100, 50),
    Category.CRAFTS: (60, 90, 150),
    Category.OTHER: (210, 150, 40),
}
BUYERS = [
    ("王芳", "13912340001", "11", "北京市朝阳区建国路88号"),
    ("Li Wei", "13822220002", "44", "广东省深圳市南山区科技园1栋"),
    ("张伟", "13733330003", "31", "上海市浦东新区世纪大道100号"),
    ("Chen Jing", "13644440004", "51", "四川省成都市武侯区人民南路4段"),
    ("刘洋", "13555550005", "33", "浙江省杭州市西湖区文三路20号"),
    ("次仁", "13989000006", "54", "西藏拉萨市城关区北京中路15号"),
]
# What the storefront's shops charge to send an order: most as many highland shops do (¥10, free from ¥99,
# nothing within the region, more to the far provinces), every third one always free; the seller's own shop
# as the first kind.
USUAL_SHIPPING = {
    "shipping_fee_fen": 1000,
    "free_shipping_over_fen": 9900,
    "province_fees": {"54": 0, "15": 2000, "23": 2000, "46": 2000, "65": 2500},
    "dispatch_days": 2,
}
FREE_SHIPPING = {
    "shipping_fee_fen": 0,
    "free_shipping_over_fen": None,
    "province_fees": {},
    "dispatch_days": 3,
}
# How many orders end in each state: every status a buyer or seller meets.
PLAN = [
    ("placed", 3),
    ("unpaid", 2),
    ("paid", 3),
    ("shipped", 4),
    ("delivered", 3),
    ("completed", 8),
    ("cancelled", 2),
    ("refunded", 2),
]


@dataclass(frozen=True)
class StorefrontDemoResult:
    photos: int
    orders: int


def _shade(colour: tuple[int, int, int], by: int) -> tuple[int, int, int]:
    return tuple(max(0, min(255, c + by)) for c in colour)  # type: ignore[return-value]


def _meat(draw: ImageDraw.ImageDraw, rng: random.Random, base) -> None:
    """Strips of wind-dried meat on a board."""
    draw.rounded_rectangle([260, 1000, 1660, 1240], radius=60, fill=(150, 105, 60))
    for i in range(rng.randint(5, 7)):
        x = 330 + i * 190 + rng.randint(-20, 20)
        top = rng.randint(330, 470)
        draw.rounded_rectangle([x, top, x + 150, 1080], radius=50, fill=_shade(base, rng.randint(-30, 10)))
        for y in range(top + 80, 1040, 130):
            draw.line([x + 30, y, x + 120, y + 30], fill=_shade(base, 60), width=14)


def _dairy(draw: ImageDraw.ImageDraw, rng: random.Random, base) -> None:
    """A block of butter on a wooden plate, a slice cut from it."""
    draw.ellipse([300, 880, 1620, 1260], fill=(150, 105, 60))
    draw.rounded_rectangle([560, 520, 1260, 1040], radius=70, fill=base)
    draw.polygon([(560, 600), (700, 470), (1400, 470), (1260, 600)], fill=_shade(base, 25))
    draw.polygon([(1260, 600), (1400, 470), (1400, 920), (1260, 1040)], fill=_shade(base, -25))
    x = 1330 + rng.randint(-20, 20)
    draw.rounded_rectangle([x, 820, x + 200, 1080], radius=30, fill=_shade(base, 10))


def _grain(draw: ImageDraw.ImageDraw, rng: random.Random, base) -> None:
    """A bowl heaped with grain."""
    draw.pieslice([420, 520, 1500, 1320], 0, 180, fill=(120, 70, 40))
    draw.ellipse([420, 760, 1500, 1080], fill=_shade(base, 10))
    for _n in range(260):
        x, y = rng.randint(480, 1440), rng.randint(560, 980)
        if ((x - 960) / 520) ** 2 + ((y - 920) / 360) ** 2 < 1:
            draw.ellipse([x, y, x + 34, y + 20], fill=_shade(base, rng.randint(-40, 30)))


def _herbs(draw: ImageDraw.ImageDraw, rng: random.Random, base) -> None:
    """A sprig of leaves and a few red threads."""
    draw.line([700, 1250, 1200, 380], fill=(70, 110, 50), width=22)
    for i in range(7):
        t = i / 7
        x, y = 700 + 500 * t, 1250 - 870 * t
        left = x + 20 if i % 2 else x - 300
        green = (80 + rng.randint(0, 40), 140, 60)
        draw.ellipse([left, y - 70, left + 280, y + 70], fill=green)
    for _n in range(9):
        x = rng.randint(1250, 1650)
        draw.line([x, 1150, x + rng.randint(-80, 80), 900], fill=base, width=12)


def _tea(draw: ImageDraw.ImageDraw, rng: random.Random, base) -> None:
    """A steaming cup."""
    draw.ellipse([480, 1080, 1440, 1260], fill=(230, 225, 215))
    draw.polygon([(620, 640), (1300, 640), (1220, 1140), (700, 1140)], fill=(245, 240, 230))
    draw.ellipse([620, 580, 1300, 700], fill=_shade(base, 10))
    draw.arc([1240, 720, 1480, 980], 270, 90, fill=(245, 240, 230), width=40)
    for i in range(3):
        x = 760 + i * 180 + rng.randint(-20, 20)
        draw.arc([x, 260, x + 120, 560], 100, 260, fill=(250, 250, 250), width=18)


def _crafts(draw: ImageDraw.ImageDraw, rng: random.Random, base) -> None:
    """A length of striped wool cloth (pulu), hung over a rod."""
    draw.line([380, 300, 1540, 300], fill=(110, 70, 40), width=36)
    colours = [base, (200, 40, 40), (240, 190, 60), (40, 120, 80), (250, 245, 235), (40, 60, 140)]
    rng.shuffle(colours)
    y = 320
    while y < 1300:
        height = rng.randint(40, 110)
        draw.rectangle([480, y, 1440, y + height], fill=colours[(y // 7) % len(colours)])
        y += height
    for x in range(500, 1440, 60):
        draw.line([x, 1300, x, 1360], fill=(240, 230, 210), width=10)


def _other(draw: ImageDraw.ImageDraw, rng: random.Random, base) -> None:
    """A jar of honey."""
    draw.rounded_rectangle([700, 560, 1220, 1260], radius=110, fill=base)
    draw.rounded_rectangle([760, 620, 860, 1180], radius=40, fill=_shade(base, 50))
    draw.rounded_rectangle([740, 430, 1180, 580], radius=30, fill=(150, 90, 50))
    draw.rectangle([780, 820, 1140, 1000], fill=(250, 245, 230))


DRAWINGS = {
    Category.MEAT: _meat,
    Category.DAIRY: _dairy,
    Category.GRAIN: _grain,
    Category.HERBS: _herbs,
    Category.TEA: _tea,
    Category.CRAFTS: _crafts,
    Category.OTHER: _other,
}


def _picture(category: str, seed: int) -> bytes:
    """A drawn picture of the category's goods (dried meat, butter, a bowl of grain, a sprig of herbs, a cup,
    striped cloth, a jar), clearly an illustration, varied per product; no text, no fonts. Drawn at twice the
    size and scaled down, for smooth edges."""
    rng = random.Random(seed)
    base = COLOURS.get(category, (180, 140, 90))
    image = Image.new("RGB", (1920, 1440))
    draw = ImageDraw.Draw(image)
    light = _shade(base, 90)
    for y in range(0, 1440, 16):  # a soft light from above, over the whole picture
        draw.rectangle([0, y, 1920, y + 16], fill=_shade(light, 20 - y // 40))
    DRAWINGS.get(Category(category) if category in Category.values else Category.OTHER, _other)(
        draw, rng, base
    )
    out = io.BytesIO()
    image.resize((960, 720), Image.Resampling.LANCZOS).save(
        out, format="JPEG", quality=70, optimize=True, progressive=True
    )
    return out.getvalue()


def _photos() -> int:
    """One picture per (product name, category), shared by the products of that name."""
    products = list(
        Product.objects.filter(shop__platform=Platform.STOREFRONT, photos__isnull=True).only(
            "pk", "name_en", "category"
        )
    )
    folder = Path(settings.MEDIA_ROOT) / "products" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[tuple[str, str], str] = {}
    photos = []
    for product in products:
        key = (product.name_en, product.category)
        if key not in files:
            name = f"products/demo/{len(files):02d}.jpg"
            (Path(settings.MEDIA_ROOT) / name).write_bytes(_picture(product.category, len(files)))
            files[key] = name
        photos.append(ProductPhoto(product=product, image=files[key], width=960, height=720, position=0))
    ProductPhoto.objects.bulk_create(photos, batch_size=1000)
    return len(photos)


def _move(order: Order, to: str, *, by: User, rng: random.Random) -> None:
    if to in {"unpaid", "placed"}:
        return
    if to == "cancelled":
        order_cancel(by=by, order=order, reason="买家要求取消 / The buyer asked to cancel")
        return
    if order.payment_method == "online":
        body, signature = GATEWAYS["simulated"].pay(ref=order.checkout.payment.provider_ref)
        payment_notification_receive(provider="simulated", body=body, signature=signature)
    if to == "paid":
        return
    if to == "refunded" and order.payment_method == "online":
        order_cancel(by=by, order=order, reason="缺货 / Out of stock")
        return
    order_ship(by=by, order=order, carrier="EMS", tracking_number=f"EA{rng.randint(10**8, 10**9 - 1)}CN")
    if to == "shipped":
        return
    order_deliver(by=by, order=order)
    if to == "completed":
        order_complete(by=by, order=order)
    elif to == "refunded":
        order_refund(by=by, order=order, reason="包装破损，买家退货 / Damaged, returned")


def build_storefront_demo(*, region, seller: User, buyer: User, admin: User) -> StorefrontDemoResult:
    """Photos, the seller's newest product (yak butter, first in a search by newest), and storefront orders."""
    photos = _photos()
    shops = Shop.objects.filter(subtree_q("unit__path", region.path), platform=Platform.STOREFRONT)
    shops.update(**USUAL_SHIPPING)
    shops.alias(third=Mod("pk", 3)).filter(third=0).exclude(seller=seller).update(**FREE_SHIPPING)
    if Order.objects.filter(channel=Channel.STOREFRONT).exists():
        # a demo built before the products had Tibetan names: the seller's butter gets its own
        Product.objects.filter(shop__seller=seller, name_zh=BUTTER_ZH, name_bo="").update(
            name_bo=BUTTER_BO, updated_at=timezone.now()
        )
        return StorefrontDemoResult(photos=photos, orders=0)
    rng = random.Random(4)
    shop = Shop.objects.get(seller=seller)
    with transaction.atomic():
        butter = product_create(
            by=admin,
            shop=shop,
            data=ProductData(
                name_zh=BUTTER_ZH,
                name_en="Namling yak butter",
                name_bo=BUTTER_BO,
                category=Category.DAIRY,
                price_fen=7800,
                unit_label="500 g",
                stock=500,
                origin_village=shop.unit,
                poverty_area_product=True,
                description_zh="高原牧场的新鲜牦牛酥油，手工打制。",
                description_en="Fresh yak butter from the highland pastures, churned by hand.",
                description_bo="མཐོ་སྒང་འབྲོག་ས་ནས་ཐོན་པའི་འབྲི་མར་གསར་པ། ལག་པས་བསྲུབས་པ།",
            ),
        )
        ProductPhoto.objects.create(
            product=butter,
            image=ProductPhoto.objects.filter(product__category="dairy").first().image.name,
            width=960,
            height=720,
        )
    others = list(
        Product.objects.filter(
            subtree_q("shop__unit__path", region.path),
            shop__platform=Platform.STOREFRONT,
            shop__status=ShopStatus.OPEN,
            is_listed=True,
            stock__gte=10,
        )
        .exclude(shop=shop)
        .order_by("pk")[:40]
    )
    orders = 0
    for status, count in PLAN:
        for i in range(count):
            own = i % 2 == 0
            item = butter if own else rng.choice(others)
            name, phone, province, address = rng.choice(BUYERS)
            method = (
                "online"
                if status in {"unpaid", "paid"} or (status != "placed" and rng.random() < 0.5)
                else "cod"
            )
            result = checkout_place(
                key=f"demo-{status}-{i:03d}",
                lines=[CartLine(item.pk, rng.randint(1, 3))],
                contact=Contact(name=name, phone=phone, address=address, province=province),
                payment_method=method,
                buyer=buyer if i == 0 else None,
            )
            for order in result.orders:
                _move(order, status, by=seller if own else admin, rng=rng)
                orders += 1
    return StorefrontDemoResult(photos=photos, orders=orders)
