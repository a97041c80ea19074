"""One hand-made export per platform, laid out and worded as the seller back-office writes it (several
statuses, an after-sale refund, a discount, a cancelled order without dates), in UTF-8 and in GBK: what the
county's figures count from it is what the buyers paid after discounts and refunds."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import F, Sum
from django.urls import reverse

from villagelink.core.dates import region_zone
from villagelink.core.notes import note_text
from villagelink.imports.services import import_commit, import_preview
from villagelink.orders.facts import COUNTED
from villagelink.orders.models import Order

# 总金额 is before the discount, 买家实际支付金额 after it.
TAOBAO = (
    "订单编号,买家会员名,总金额,买家实际支付金额,订单状态,订单创建时间,订单付款时间,确认收货时间,宝贝标题,"
    "宝贝总数量,店铺名称,退款金额,退款状态\n"
    "T1,buyer1,120.00,100.00,交易成功,2019-06-01 10:00:00,2019-06-01 10:01:00,2019-06-05 09:00:00,酥油,2,"
    "纳木林酥油店,0.00,没有申请退款\n"
    "T2,buyer2,68.00,68.00,买家已付款，等待卖家发货,2019-06-02 11:00:00,2019-06-02 11:02:00,,青稞,1,"
    "纳木林酥油店,0.00,\n"
    "T3,buyer3,50.00,50.00,卖家已发货，等待买家确认,2019-06-03 12:00:00,2019-06-03 12:01:00,,藏香,1,"
    "纳木林酥油店,0.00,买家已经申请退款，等待卖家同意\n"
    "T4,buyer4,200.00,200.00,交易成功,2019-06-04 13:00:00,2019-06-04 13:01:00,2019-06-09 10:00:00,虫草,1,"
    "纳木林酥油店,50.00,退款成功\n"
    "T5,buyer5,80.00,80.00,交易关闭,2019-06-05 14:00:00,2019-06-05 14:01:00,,牦牛肉干,1,"
    "纳木林酥油店,80.00,退款成功\n"
    "T6,buyer6,30.00,30.00,交易关闭,,,,酥油茶,1,纳木林酥油店,0.00,\n"
    "T7,buyer7,15.00,15.00,等待买家付款,2019-06-07 15:00:00,,,奶渣,1,纳木林酥油店,0.00,\n"
)
# 订单金额 before the discount, 应付金额 after it.
JD = (
    "订单号\t商品名称\t订购数量\t订单金额\t应付金额\t订单状态\t下单时间\t订单完成时间\t店铺名称\t售后状态\t"
    "退款金额\n"
    "J1\t青稞饼\t3\t100.00\t90.00\t完成\t2019-07-01 09:00:00\t2019-07-04 09:00:00\t纳木林青稞\t\t0\n"
    "J2\t青稞饼\t1\t45.00\t45.00\t等待出库\t2019-07-02 10:00:00\t\t纳木林青稞\t\t0\n"
    "J3\t青稞面\t1\t30.00\t30.00\t等待确认收货\t2019-07-03 10:00:00\t\t纳木林青稞\t审核中\t0\n"
    "J4\t青稞酒\t1\t60.00\t60.00\t完成\t2019-07-04 10:00:00\t2019-07-06 10:00:00\t纳木林青稞\t退款成功\t60.00\n"
    "J5\t青稞饼\t1\t25.00\t25.00\t(删除)锁定\t\t\t纳木林青稞\t\t0\n"
    "J6\t青稞饼\t1\t12.00\t12.00\t已取消\t\t\t纳木林青稞\t\t0\n"
)
# 商品总价 before the shop's discount, 用户实付金额 after it; a refund shows only in 售后状态.
PINDUODUO = (
    "商品,订单号,订单状态,商品总价(元),店铺优惠折扣(元),用户实付金额(元),商品数量(件),支付时间,订单成交时间,"
    "确认收货时间,店铺名称,售后状态\n"
    "松茸,P1,已签收,60.00,10.00,50.00,1,2019-08-01 10:00:00,2019-08-01 10:05:00,2019-08-04 10:00:00,纳木林特产,"
    "无售后或售后关闭\n"
    "松茸,P2,待发货,32.00,0.00,32.00,1,2019-08-02 10:00:00,2019-08-02 10:05:00,,纳木林特产,无售后或售后关闭\n"
    "虫草,P3,已发货，待收货,100.00,0.00,100.00,1,2019-08-03 10:00:00,2019-08-03 10:05:00,,纳木林特产,"
    "售后处理中\n"
    '虫草,P4,已签收,"1,000.00",0.00,"1,000.00",1,2019-08-04 10:00:00,2019-08-04 10:05:00,2019-08-06 10:00:00,'
    "纳木林特产,退款成功\n"
    "松茸,P5,已取消,20.00,0.00,20.00,1,,,,纳木林特产,无售后或售后关闭\n"
    "松茸,P6,未发货，退款成功,40.00,0.00,40.00,1,2019-08-06 10:00:00,2019-08-06 10:05:00,,纳木林特产,退款成功\n"
)

# Per report: each order as (number, status, total, refunded, day placed or None for "the day of the import"),
# and what the county's figures count as sales (fen).
EXPECTED = {
    "taobao": (
        TAOBAO,
        [
            ("T1", "completed", 10000, 0, datetime.date(2019, 6, 1)),
            ("T2", "paid", 6800, 0, datetime.date(2019, 6, 2)),
            ("T3", "shipped", 5000, 0, datetime.date(2019, 6, 3)),
            ("T4", "completed", 20000, 5000, datetime.date(2019, 6, 4)),
            ("T5", "refunded", 8000, 8000, datetime.date(2019, 6, 5)),
            ("T6", "cancelled", 3000, 0, None),
            ("T7", "placed", 1500, 0, datetime.date(2019, 6, 7)),
        ],
        10000 + 6800 + 5000 + 15000,
    ),
    "jd": (
        JD,
        [
            ("J1", "completed", 9000, 0, datetime.date(2019, 7, 1)),
            ("J2", "paid", 4500, 0, datetime.date(2019, 7, 2)),
            ("J3", "shipped", 3000, 0, datetime.date(2019, 7, 3)),
            ("J4", "refunded", 6000, 6000, datetime.date(2019, 7, 4)),
            ("J5", "cancelled", 2500, 0, None),
            ("J6", "cancelled", 1200, 0, None),
        ],
        9000 + 4500 + 3000,
    ),
    "pinduoduo": (
        PINDUODUO,
        [
            ("P1", "completed", 5000, 0, datetime.date(2019, 8, 1)),
            ("P2", "paid", 3200, 0, datetime.date(2019, 8, 2)),
            ("P3", "shipped", 10000, 0, datetime.date(2019, 8, 3)),
            ("P4", "refunded", 100000, 100000, datetime.date(2019, 8, 4)),
            ("P5", "cancelled", 2000, 0, None),
            ("P6", "refunded", 4000, 4000, datetime.date(2019, 8, 6)),
        ],
        18200,  # the 182 yuan the buyers paid and kept paid
    ),
}


def counted_fen(platform: str) -> int:
    orders = Order.objects.filter(COUNTED, platform=platform)
    return orders.aggregate(fen=Sum(F("total_fen") - F("refunded_fen")))["fen"] or 0


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
@pytest.mark.parametrize("platform", sorted(EXPECTED))
def test_a_platform_export_counts_what_the_buyers_paid(county_officer, shops, platform, encoding):
    text, expected, counted = EXPECTED[platform]
    batch = import_preview(by=county_officer, data=text.encode(encoding), filename="export.csv")
    assert (batch.platform, batch.created, batch.rejected) == (platform, len(expected), 0)

    import_commit(by=county_officer, batch=batch)

    orders = Order.objects.filter(platform=platform).order_by("external_id")
    today = batch.created_at.astimezone(region_zone()).date()
    assert [(o.external_id, o.status, o.total_fen, o.refunded_fen, o.placed_on) for o in orders] == [
        (number, status, total, refunded, day or today) for number, status, total, refunded, day in expected
    ]
    assert {o.shop_id for o in orders} == {shops[platform].pk}
    assert counted_fen(platform) == counted

    again = import_preview(by=county_officer, data=text.encode(encoding), filename="export.csv")
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, len(expected), 0)


def test_an_unknown_after_sale_status_is_refused_naming_it(county_officer, shops):
    text = PINDUODUO.replace("售后处理中", "售后飞走了")
    batch = import_preview(by=county_officer, data=text.encode(), filename="export.csv")
    assert batch.rejected == 1
    (reason,) = map(note_text, batch.rejections.values_list("reason", flat=True))
    assert "售后飞走了" in reason and "Pinduoduo" in reason


# The same shop's report exported a week later: T2 shipped, T3 received, T7 closed unpaid.
TAOBAO_LATER = (
    TAOBAO.replace(
        "T2,buyer2,68.00,68.00,买家已付款，等待卖家发货,", "T2,buyer2,68.00,68.00,卖家已发货，等待买家确认,"
    )
    .replace(
        "T3,buyer3,50.00,50.00,卖家已发货，等待买家确认,2019-06-03 12:00:00,2019-06-03 12:01:00,,",
        "T3,buyer3,50.00,50.00,交易成功,2019-06-03 12:00:00,2019-06-03 12:01:00,2019-06-08 12:00:00,",
    )
    .replace("T7,buyer7,15.00,15.00,等待买家付款,", "T7,buyer7,15.00,15.00,交易关闭,")
)
LATER_STATES = [
    ("T1", "completed", 0),
    ("T2", "shipped", 0),
    ("T3", "completed", 0),
    ("T4", "completed", 5000),
    ("T5", "refunded", 8000),
    ("T6", "cancelled", 0),
    ("T7", "cancelled", 0),
]


def states() -> list[tuple[str, str, int]]:
    return list(Order.objects.order_by("external_id").values_list("external_id", "status", "refunded_fen"))


def commit(user, text: str):
    batch = import_preview(by=user, data=text.encode(), filename="export.csv")
    import_commit(by=user, batch=batch)
    batch.refresh_from_db()
    return batch


def test_an_older_report_after_a_newer_one_leaves_the_newer_state(county_officer, shops):
    commit(county_officer, TAOBAO_LATER)
    assert states() == LATER_STATES
    counted = counted_fen("taobao")

    older = import_preview(by=county_officer, data=TAOBAO.encode(), filename="export.csv")

    assert (older.created, older.updated, older.unchanged, older.older, older.rejected) == (0, 0, 4, 3, 0)
    assert list(older.older_rows.values_list("row", "external_id")) == [(3, "T2"), (4, "T3"), (8, "T7")]
    import_commit(by=county_officer, batch=older)
    assert states() == LATER_STATES
    assert counted_fen("taobao") == counted


def test_a_newer_report_after_an_older_one_moves_the_orders_on(county_officer, shops):
    commit(county_officer, TAOBAO)

    newer = commit(county_officer, TAOBAO_LATER)

    assert (newer.created, newer.updated, newer.unchanged, newer.older) == (0, 3, 4, 0)
    assert states() == LATER_STATES
    again = commit(county_officer, TAOBAO_LATER)
    assert (again.updated, again.unchanged, again.older) == (0, 7, 0)


def test_a_smaller_refund_than_recorded_is_older(county_officer, shops):
    commit(county_officer, TAOBAO)
    before = states()

    older = commit(
        county_officer, TAOBAO.replace("纳木林酥油店,50.00,退款成功", "纳木林酥油店,20.00,退款成功")
    )

    assert (older.updated, older.older) == (0, 1)
    assert states() == before


def test_rows_older_than_recorded_are_shown_on_the_page_in_the_api_and_the_cli(
    client, county_officer, shops, tmp_path
):
    commit(county_officer, TAOBAO_LATER)
    older = import_preview(by=county_officer, data=TAOBAO.encode(), filename="export.csv")
    client.force_login(county_officer)

    page = client.get(reverse("imports:batch", args=[older.pk])).content.decode()
    assert 'data-testid="older">3<' in page and 'data-testid="older-rows"' in page and ">T7<" in page
    assert client.get(reverse("importbatch-detail", args=[older.pk])).json()["older"] == 3

    path = tmp_path / "export.csv"
    path.write_bytes(TAOBAO.encode("gbk"))
    out = io.StringIO()
    call_command("import_orders", str(path), "--as", "namling", stdout=out)
    assert "row 8: order T7 is older than what is recorded; left as it is" in out.getvalue()
    assert "0 updated, 4 unchanged, 3 older than what is recorded, 0 rejected" in out.getvalue()


def test_an_order_first_seen_unpaid_is_paid_when_a_later_report_says_so(county_officer, shops):
    commit(county_officer, TAOBAO)
    assert Order.objects.get(external_id="T7").paid_at is None

    commit(county_officer, TAOBAO.replace("等待买家付款,", "买家已付款，等待卖家发货,"))

    paid = Order.objects.get(external_id="T7")
    assert paid.status == "paid" and paid.paid_at == paid.placed_at
    assert Order.objects.get(external_id="T6").paid_at is None  # still closed unpaid
