"""The demo's storefront: a photo for every product on this storefront, and orders in every status, taken
and moved through the same services a buyer and a seller use."""

import io
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
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

# The seller's own product, first in a search.
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
    ("王芳", "13912340001", "北京市朝阳区建国路88号"),
    ("Li Wei", "13822220002", "广东省深圳市南山区科技园1栋"),
    ("张伟", "13733330003", "上海市浦东新区世纪大道100号"),
    ("Chen Jing", "13644440004", "四川省成都市武侯区人民南路4段"),
    ("刘洋", "13555550005", "浙江省杭州市西湖区文三路20号"),
]
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


def _picture(category: str, seed: int) -> bytes:
    """A plain, recognisable picture: the category's colour, a soft band and a circle (no text, no fonts)."""
    rng = random.Random(seed)
    base = COLOURS.get(category, (180, 140, 90))
    image = Image.new("RGB", (960, 720), base)
    draw = ImageDraw.Draw(image)
    for y in range(0, 720, 8):
        shade = tuple(max(0, min(255, c + (y - 360) // 12)) for c in base)
        draw.rectangle([0, y, 960, y + 8], fill=shade)
    r = rng.randint(150, 230)
    cx, cy = rng.randint(300, 660), rng.randint(260, 460)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=tuple(min(255, c + 50) for c in base))
    draw.rectangle([0, 600, 960, 720], fill=(250, 248, 242))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70, optimize=True, progressive=True)
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
    order_ship(by=by, order=order, carrier="EMS", tracking_number=f"E{rng.randint(10**10, 10**11 - 1)}CN")
    if to == "shipped":
        return
    order_deliver(by=by, order=order)
    if to == "completed":
        order_complete(by=by, order=order)
    elif to == "refunded":
        order_refund(by=by, order=order, reason="包装破损，买家退货 / Damaged, returned")


def build_storefront_demo(*, region, seller: User, buyer: User, admin: User) -> StorefrontDemoResult:
    """Photos, the seller's newest product (yak butter, first in a search), and storefront orders."""
    photos = _photos()
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
            name, phone, address = rng.choice(BUYERS)
            method = (
                "online"
                if status in {"unpaid", "paid"} or (status != "placed" and rng.random() < 0.5)
                else "cod"
            )
            result = checkout_place(
                key=f"demo-{status}-{i:03d}",
                lines=[CartLine(item.pk, rng.randint(1, 3))],
                contact=Contact(name=name, phone=phone, address=address),
                payment_method=method,
                buyer=buyer if i == 0 else None,
            )
            for order in result.orders:
                _move(order, status, by=seller if own else admin, rng=rng)
                orders += 1
    return StorefrontDemoResult(photos=photos, orders=orders)
