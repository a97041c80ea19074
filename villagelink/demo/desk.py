"""The demo's desk: this month's assisted purchases and sales and parcels at the demo operator's village
point, and one order report per external platform imported for Namling County's shops — recorded through
the same services the desk and the import page use, so every channel shows in the demo."""

import csv
import datetime
import io
import random
from dataclasses import dataclass

from villagelink.accounts.models import User
from villagelink.catalog.models import Platform, Shop, ShopStatus
from villagelink.core.dates import region_today
from villagelink.core.paths import subtree_q
from villagelink.desk.models import Parcel
from villagelink.desk.services import (
    assisted_purchase_record,
    assisted_sale_record,
    parcel_log,
    parcel_pick_up,
)
from villagelink.imports.services import import_commit, import_preview, profiles_ensure
from villagelink.network.models import ServiceSite
from villagelink.orders.models import Channel, Order
from villagelink.registry.models import Household

PURCHASES = [
    ("化肥 2袋 / Fertiliser, 2 bags", "agri_inputs", 12000, 15000),
    ("青稞种子 / Barley seed", "agri_inputs", 8600, 9800),
    ("洗衣粉 / Washing powder", "daily_goods", 3990, 5500),
    ("电饭煲 / Rice cooker", "appliances", 19900, 26000),
    ("冬季外套 / Winter coat", "clothing", 15800, 22000),
    ("太阳能灯 / Solar lamp", "appliances", 8800, 12000),
    ("砖茶 / Brick tea", "food", 4500, 5200),
    ("水管 / Water pipe", "building", 6700, None),
]
SALES = [
    ("牦牛酥油 5斤 / Yak butter, 2.5 kg", "dairy", 5, 34000),
    ("风干牦牛肉 / Air-dried yak meat", "meat", 3, 29400),
    ("手工氆氇 / Pulu wool cloth", "crafts", 1, 48000),
]
# (platform, headers in that platform's own export, status words)
REPORTS = {
    Platform.TAOBAO: [
        "订单编号",
        "买家会员名",
        "总金额",
        "买家实际支付金额",
        "订单状态",
        "订单创建时间",
        "宝贝标题",
        "宝贝总数量",
        "店铺名称",
        "退款金额",
        "退款状态",
    ],
    Platform.JD: [
        "订单号",
        "商品名称",
        "订购数量",
        "应付金额",
        "订单状态",
        "下单时间",
        "店铺名称",
        "售后状态",
    ],
    Platform.PINDUODUO: [
        "订单号",
        "商品",
        "订单状态",
        "商品数量(件)",
        "用户实付金额(元)",
        "订单成交时间",
        "店铺名称",
        "售后状态",
    ],
}
# Each platform's own (order status, after-sale status) words, as its export writes them: mostly finished
# sales, one shipped, one closed, one refunded in full through the after-sale column.
STATUS_WORDS = {
    Platform.TAOBAO: [("交易成功", "")] * 6
    + [("卖家已发货，等待买家确认", ""), ("交易关闭", ""), ("交易关闭", "退款成功")],
    Platform.JD: [("完成", "")] * 6 + [("等待确认收货", ""), ("已取消", ""), ("完成", "退款成功")],
    Platform.PINDUODUO: [("已签收", "无售后或售后关闭")] * 6
    + [("已发货，待收货", "无售后或售后关闭"), ("已取消", "无售后或售后关闭"), ("已签收", "退款成功")],
}


@dataclass(frozen=True)
class DeskDemoResult:
    assisted: int
    parcels: int
    imported: int


def _desk(site: ServiceSite, operator: User, rng: random.Random) -> tuple[int, int]:
    today = region_today()
    days = [today - datetime.timedelta(days=d) for d in range(min(today.day, 6))]
    # The point's registered-poor households first: the desk helps them most.
    everyone = list(Household.objects.filter(village=site.unit).order_by("pk")[:40])
    households = sorted(everyone, key=lambda h: not h.is_poor_in(today.year))[:12]
    entries = 0
    for i, (what, category, amount, local) in enumerate(PURCHASES):
        assisted_purchase_record(
            by=operator,
            site=site,
            platform=rng.choice([Platform.TAOBAO, Platform.PINDUODUO, Platform.JD]),
            description=what,
            category=category,
            amount_fen=amount,
            service_fee_fen=rng.choice([0, 0, 200]),
            local_price_fen=local,
            household=households[i % len(households)] if households and i % 4 else None,
            day=days[i % len(days)],
        )
        entries += 1
    for i, (what, category, quantity, amount) in enumerate(SALES):
        assisted_sale_record(
            by=operator,
            site=site,
            platform=rng.choice([Platform.TAOBAO, Platform.PINDUODUO]),
            description=what,
            category=category,
            quantity=quantity,
            amount_fen=amount,
            household=households[(i * 3) % len(households)] if households else None,
            day=days[i % len(days)],
        )
        entries += 1
    parcels = 0
    for i in range(6):
        parcel = parcel_log(
            by=operator,
            site=site,
            direction="received" if i < 4 else "sent",
            carrier=rng.choice(["EMS", "中通 ZTO", "顺丰 SF"]),
            tracking_number=f"DEMO{today:%y%m%d}{i:04d}",
            household=households[i % len(households)] if households and i < 4 else None,
            day=days[-1],
            cost_fen=None if i == 5 else rng.randrange(800, 2500, 50),  # 8–25 yuan where the point knows it
        )
        if i < 2:
            parcel_pick_up(by=operator, parcel=parcel, day=today)
        parcels += 1
    return entries, parcels


def _report(platform: str, shops: list[Shop], rng: random.Random) -> bytes:
    """A small order report as the platform exports it (GB18030, as their CSV downloads usually are)."""
    headers = REPORTS[platform]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    start = region_today() - datetime.timedelta(days=25)
    for n in range(12):
        shop = shops[n % len(shops)]
        amount = rng.randint(30, 600)
        status, after_sale = rng.choice(STATUS_WORDS[platform])
        placed = start + datetime.timedelta(days=n * 2)
        number = f"{rng.randint(10**17, 10**18 - 1)}"
        values = {
            "订单编号": f'="{number}"',
            "订单号": number,
            "买家会员名": f"buyer{n}",
            "总金额": f"¥{amount + 10:,}.00",
            "买家实际支付金额": f"¥{amount:,}.00",
            "应付金额": f"{amount}.00",
            "用户实付金额(元)": f"{amount}.00",
            "订单状态": status,
            "订单创建时间": f"{placed:%Y-%m-%d} 10:{n:02d}:00",
            "下单时间": f"{placed:%Y/%m/%d} 10:{n:02d}",
            "订单成交时间": f"{placed:%Y-%m-%d} 10:{n:02d}:00",
            "宝贝标题": "牦牛肉干 250g",
            "商品名称": "青稞糌粑 1kg",
            "商品": "藏红花 5g",
            "宝贝总数量": "1",
            "订购数量": "2",
            "商品数量(件)": "1",
            "店铺名称": shop.name,
            "退款金额": f"{amount}.00" if after_sale == "退款成功" else "0",
            "退款状态": after_sale,
            "售后状态": after_sale,
        }
        writer.writerow([values[h] for h in headers])
    return out.getvalue().encode("gb18030")


def build_desk_demo(*, site: ServiceSite, operator: User, importer: User, county_path: str) -> DeskDemoResult:
    """Runs once: nothing is added when the demo's assisted orders are there already. The reports are
    imported by `importer` (the county's officer, as a county centre would)."""
    if (
        Order.objects.filter(site=site, channel=Channel.ASSISTED).exists()
        or Parcel.objects.filter(site=site).exists()
    ):
        return DeskDemoResult(assisted=0, parcels=0, imported=0)
    rng = random.Random(5)
    assisted, parcels = _desk(site, operator, rng)
    imported = 0
    profiles_ensure()
    for platform in REPORTS:
        shops = list(
            Shop.objects.filter(
                subtree_q("unit__path", county_path), platform=platform, status=ShopStatus.OPEN
            ).order_by("pk")[:4]
        )
        if not shops:
            continue
        batch = import_preview(
            by=importer,
            data=_report(platform, shops, rng),
            filename=f"{platform}-orders.csv",
            platform=platform,
            background=False,
        )
        batch = import_commit(by=importer, batch=batch, background=False)
        imported += batch.created
    return DeskDemoResult(assisted=assisted, parcels=parcels, imported=imported)
