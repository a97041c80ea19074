import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import override_settings

from villagelink.core.exceptions import ApplicationError
from villagelink.core.notes import note_text
from villagelink.imports import staging
from villagelink.imports.models import BatchStatus, ImportBatch
from villagelink.imports.services import import_commit, import_preview
from villagelink.orders.models import Order, OrderEvent, OrderLine

TAOBAO = (
    "订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,宝贝标题,宝贝总数量,店铺名称,退款金额,备注\n"
    '="345678901234567890",buyer1,"¥1,234.50",交易成功,2019-06-01 12:30:00,牦牛酥油 500g,2,纳木林酥油店,0,\n'
    "\n"
    "'345678901234567891,buyer2,￥68.00,买家已付款,2019/6/2 8:05,青稞,1,纳木林酥油店,,extra\n"
    "345678901234567892,buyer3,99.9,交易关闭,20190603,酥油茶,1,纳木林酥油店,,\n"
    "345678901234567893,buyer4,50,交易成功,2019-06-04,藏香,1,纳木林酥油店,20.00,\n"
    "合计,,1452.40,,,,,,,\n"
)


def preview(user, text, filename="report.csv", encoding="utf-8", **kwargs):
    data = text.encode(encoding) if isinstance(text, str) else text
    return import_preview(by=user, data=data, filename=filename, **kwargs)


def test_a_taobao_report_previews_then_commits_its_orders(county_officer, shops):
    batch = preview(county_officer, TAOBAO)
    assert batch.platform == "taobao"
    assert (batch.created, batch.updated, batch.unchanged, batch.rejected) == (4, 0, 0, 0)
    assert batch.status == BatchStatus.PREVIEWED
    assert not Order.objects.exists()

    import_commit(by=county_officer, batch=batch)

    orders = {o.external_id: o for o in Order.objects.filter(platform="taobao")}
    assert len(orders) == 4
    first = orders["345678901234567890"]
    assert (first.total_fen, first.status, first.refunded_fen, first.kind, first.channel) == (
        123450, "completed", 0, "sale", "platform",
    )  # fmt: skip
    assert first.shop == shops["taobao"] and first.unit == shops["taobao"].unit
    assert first.placed_on == datetime.date(2019, 6, 1) and first.completed_on == datetime.date(2019, 6, 1)
    region = ZoneInfo("Asia/Shanghai")
    assert first.placed_at == first.paid_at == datetime.datetime(2019, 6, 1, 12, 30, tzinfo=region)
    assert (
        Order.objects.filter(placed_at__lt=datetime.datetime(2019, 6, 1, 4, 31, tzinfo=datetime.UTC)).count()
        == 1
    )
    assert not first.holds_stock
    assert orders["345678901234567891"].status == "paid"
    assert orders["345678901234567891"].placed_on == datetime.date(2019, 6, 2)
    assert orders["345678901234567892"].status == "cancelled"
    assert orders["345678901234567893"].refunded_fen == 2000
    assert orders["345678901234567893"].amount_fen == 3000
    line = OrderLine.objects.get(order=first)
    assert (line.description, line.quantity, line.unit_price_fen, line.amount_fen) == (
        "牦牛酥油 500g",
        2,
        61725,
        123450,
    )
    assert OrderEvent.objects.filter(order__platform="taobao").count() == 4
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED and batch.created == 4


def test_the_same_report_again_changes_nothing(county_officer, shops):
    import_commit(by=county_officer, batch=preview(county_officer, TAOBAO))
    before = list(Order.objects.values_list("pk", "status", "total_fen", "refunded_fen").order_by("pk"))

    again = preview(county_officer, TAOBAO)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    import_commit(by=county_officer, batch=again)

    assert (
        list(Order.objects.values_list("pk", "status", "total_fen", "refunded_fen").order_by("pk")) == before
    )
    assert OrderEvent.objects.count() == 4


def test_a_later_report_with_a_refund_updates_the_order(county_officer, shops):
    import_commit(by=county_officer, batch=preview(county_officer, TAOBAO))
    later = TAOBAO.replace(  # Taobao closes a trade refunded in full after payment
        "买家已付款,2019/6/2 8:05,青稞,1,纳木林酥油店,,", "交易关闭,2019/6/2 8:05,青稞,1,纳木林酥油店,68.00,"
    ).replace("藏香,1,纳木林酥油店,20.00", "藏香,1,纳木林酥油店,30.00")

    batch = preview(county_officer, later)
    assert (batch.created, batch.updated, batch.unchanged) == (0, 2, 2)
    import_commit(by=county_officer, batch=batch)

    assert Order.objects.count() == 4
    refunded = Order.objects.get(external_id="345678901234567891")
    assert (refunded.status, refunded.refunded_fen) == ("refunded", 6800)
    assert Order.objects.get(external_id="345678901234567893").refunded_fen == 3000
    assert OrderEvent.objects.filter(order=refunded, status="refunded").exists()


JD = (
    "订单号\t商品名称\t订购数量\t应付金额\t订单状态\t下单时间\t店铺名称\n"
    "80001\t青稞饼\t3\t36.00\t完成\t2019-07-01 09:00:00\tjd-2002\n"
    "80002\t青稞饼\t1\t12.00\t等待出库\t2019-07-02 10:00:00\t纳木林青稞\n"
)
PINDUODUO = (
    "商品,订单号,订单状态,用户实付金额（元）,商品数量(件),订单成交时间,店铺名称\n"
    '虫草,220701-1,已签收,"1,000.00",1,2019-08-01 10:00,纳木林特产\n'
    "虫草,220701-2,已退款,500.00,1,2019-08-01 11:00,纳木林特产\n"
)
GENERIC = (
    "order_id,shop,amount,status,placed_at,title,quantity,refund,colour\n"
    "G-1,Namling goods,10.00,completed,2019-09-01 10:00:00,Butter,1,,red\n"
    "G-2,gen-4004,20.00,paid,2019-09-02,Barley,2,,blue\n"
    "Total,,30.00,,,,,,\n"
)


@pytest.mark.parametrize(
    ("text", "platform", "external_id", "total", "status"),
    [
        (JD, "jd", "80001", 3600, "completed"),
        (PINDUODUO, "pinduoduo", "220701-1", 100000, "completed"),
        (GENERIC, "other", "G-2", 2000, "paid"),
    ],
)
def test_each_platform_layout_is_recognised(
    county_officer, shops, text, platform, external_id, total, status
):
    batch = preview(county_officer, text)
    assert batch.platform == platform and batch.rejected == 0 and batch.created == 2
    import_commit(by=county_officer, batch=batch)
    order = Order.objects.get(platform=platform, external_id=external_id)
    assert (order.total_fen, order.status, order.shop) == (total, status, shops[platform])


# What each hand-made report above must import to: (order number, total, refunded, status, day placed).
EXPECTED = {
    "taobao": (
        TAOBAO,
        [
            ("345678901234567890", 123450, 0, "completed", datetime.date(2019, 6, 1)),
            ("345678901234567891", 6800, 0, "paid", datetime.date(2019, 6, 2)),
            ("345678901234567892", 9990, 0, "cancelled", datetime.date(2019, 6, 3)),
            ("345678901234567893", 5000, 2000, "completed", datetime.date(2019, 6, 4)),
        ],
    ),
    "jd": (
        JD,
        [
            ("80001", 3600, 0, "completed", datetime.date(2019, 7, 1)),
            ("80002", 1200, 0, "paid", datetime.date(2019, 7, 2)),
        ],
    ),
    "pinduoduo": (
        PINDUODUO,
        [
            ("220701-1", 100000, 0, "completed", datetime.date(2019, 8, 1)),
            ("220701-2", 50000, 50000, "refunded", datetime.date(2019, 8, 1)),
        ],
    ),
    "other": (
        GENERIC,
        [
            ("G-1", 1000, 0, "completed", datetime.date(2019, 9, 1)),
            ("G-2", 2000, 0, "paid", datetime.date(2019, 9, 2)),
        ],
    ),
}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
@pytest.mark.parametrize("platform", sorted(EXPECTED))
def test_each_messy_report_in_each_encoding_imports_to_the_expected_orders(
    county_officer, shops, platform, encoding
):
    """Quoted ="…" and '-prefixed order numbers, ¥/￥ and thousands separators, several date formats, full-width
    brackets in a header, tabs for commas, blank lines, totals rows and extra columns; recognised from the
    headers; in UTF-8 with and without BOM, GBK and GB18030."""
    text, expected = EXPECTED[platform]
    if encoding == "gbk":
        text = text.replace("¥", "￥")  # GBK has only the full-width yuan sign
    batch = preview(county_officer, text, encoding=encoding)
    assert (batch.platform, batch.created, batch.rejected) == (platform, len(expected), 0)
    import_commit(by=county_officer, batch=batch)
    orders = Order.objects.filter(platform=platform).order_by("external_id")
    assert [(o.external_id, o.total_fen, o.refunded_fen, o.status, o.placed_on) for o in orders] == expected
    assert {o.shop_id for o in orders} == {shops[platform].pk}


def test_a_pinduoduo_refund_is_recorded_in_full(county_officer, shops):
    import_commit(by=county_officer, batch=preview(county_officer, PINDUODUO))
    order = Order.objects.get(external_id="220701-2")
    assert (order.status, order.refunded_fen) == ("refunded", 50000)


def test_an_xlsx_report_with_date_cells_and_serial_numbers(county_officer, shops):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["订单编号", "买家实际支付金额", "订单状态", "订单创建时间", "宝贝标题", "店铺名称"])
    naive = datetime.datetime(2019, 6, 1, 12, 30)  # noqa: DTZ001 - Excel cells hold no time zone
    sheet.append(["3001", 12.5, "交易成功", naive, "酥油", "纳木林酥油店"])
    sheet.append([3002.0, "¥8.00", "已发货", 43617.5, "青稞", "tb-1001"])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["总计", 20.5, None, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    batch = preview(county_officer, buffer.getvalue(), filename="report.xlsx")
    assert (batch.created, batch.rejected) == (2, 0)
    import_commit(by=county_officer, batch=batch)
    assert Order.objects.get(external_id="3001").total_fen == 1250
    serial = Order.objects.get(external_id="3002")
    assert serial.placed_on == datetime.date(2019, 6, 1) and serial.status == "shipped"


def test_bad_rows_are_rejected_with_their_row_numbers(county_officer, shops):
    text = (
        "订单编号,买家实际支付金额,订单状态,订单创建时间,店铺名称\n"
        "1,abc,交易成功,2019-06-01,纳木林酥油店\n"
        "2,10,交易成功,yesterday,纳木林酥油店\n"
        ",10,交易成功,2019-06-01,纳木林酥油店\n"
        "4,10,莫名其妙,2019-06-01,纳木林酥油店\n"
        "5,10,交易成功,2019-06-01,No such shop\n"
        "6,10,交易成功,2019-06-01,拉萨手工艺\n"
        "7,10,交易成功,2019-06-01,纳木林酥油店\n"
        "7,10,交易成功,2019-06-01,纳木林酥油店\n"
    )
    batch = preview(county_officer, text)
    reasons = {row: note_text(r) for row, r in batch.rejections.values_list("row", "reason")}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 9]
    assert "amount" in reasons[2] and "date" in reasons[3] and "order number is missing" in reasons[4]
    assert "unknown" in reasons[5]
    # an unknown shop and another county's read alike: nothing tells that the other county's shop exists
    assert "cannot be matched" in reasons[6] and "in your area" in reasons[6]
    assert reasons[7] == reasons[6].replace("No such shop", "拉萨手工艺")
    assert "row 8" in reasons[9]
    assert (batch.created, batch.rejected) == (1, 7)


def test_an_officer_of_another_county_cannot_match_namling_shops(other_county_officer, shops):
    batch = preview(other_county_officer, TAOBAO)
    assert (batch.created, batch.rejected) == (0, 4)
    reasons = list(map(note_text, batch.rejections.values_list("reason", flat=True)))
    assert all("cannot be matched" in r and "in your area" in r for r in reasons)
    assert not any("outside" in r or "another shop" in r for r in reasons)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"PK\x03\x04garbage", "report.xlsx", "Excel workbook"),
        (b"\xff\xfe\x00\x01\x02\xff\xfe\xfd", "report.csv", "UTF-8"),
        (b"name,price\nbutter,10\n", "report.csv", "order number or the amount"),
        (b"", "report.csv", "empty"),
    ],
)
def test_an_unreadable_file_writes_nothing(county_officer, shops, data, filename, message):
    with pytest.raises(ApplicationError, match=message):
        import_preview(by=county_officer, data=data, filename=filename)
    assert not ImportBatch.objects.exists() and not Order.objects.exists()


def test_over_limit_files_say_the_limit(county_officer, shops, settings):
    settings.VILLAGELINK_IMPORT_MAX_ROWS = 2
    with pytest.raises(ApplicationError, match="more than 2 rows"):
        preview(county_officer, TAOBAO)
    settings.VILLAGELINK_IMPORT_MAX_BYTES = 100
    with pytest.raises(ApplicationError, match="larger than"):
        preview(county_officer, TAOBAO)
    assert not ImportBatch.objects.exists() and not Order.objects.exists()


def test_a_zip_bomb_is_refused_before_unpacking(county_officer, shops, settings):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 5_000_000)
    settings.VILLAGELINK_IMPORT_MAX_UNCOMPRESSED_BYTES = 1_000_000
    with pytest.raises(ApplicationError, match="unpacks to more than"):
        preview(county_officer, buffer.getvalue(), filename="bomb.xlsx")


def test_sellers_cannot_import(market, shops):
    with pytest.raises(ApplicationError):
        preview(market.seller, TAOBAO)


def test_a_batch_is_committed_once(county_officer, shops):
    batch = preview(county_officer, TAOBAO)
    import_commit(by=county_officer, batch=batch)
    with pytest.raises(ApplicationError, match="only a checked import"):
        import_commit(by=county_officer, batch=batch)


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    VILLAGELINK_IMPORT_BACKGROUND_ROWS=3,
)
def test_large_files_run_in_the_background(county_officer, shops):
    batch = preview(county_officer, TAOBAO)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEWED and batch.created == 4 and batch.rows_done == 4
    import_commit(by=county_officer, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED and Order.objects.count() == 4


def test_a_duplicate_order_number_is_found_across_chunks(county_officer, shops, monkeypatch):
    """The order numbers already seen are kept in a temporary table, looked up a chunk at a time."""
    from villagelink.imports import scanning

    monkeypatch.setattr(scanning, "CHUNK", 2)
    text = (
        "订单编号,买家实际支付金额,订单状态,订单创建时间,店铺名称\n"
        "11,10,交易成功,2019-06-01,纳木林酥油店\n"
        "12,10,交易成功,2019-06-01,No such shop\n"
        "13,10,交易成功,2019-06-01,纳木林酥油店\n"
        "11,10,交易成功,2019-06-01,纳木林酥油店\n"
        "12,10,交易成功,2019-06-01,纳木林酥油店\n"
        "13,10,交易成功,2019-06-01,纳木林酥油店\n"
        "14,10,交易成功,2019-06-01,纳木林酥油店\n"
        "14,10,交易成功,2019-06-01,纳木林酥油店\n"
    )
    batch = preview(county_officer, text)
    reasons = {row: note_text(r) for row, r in batch.rejections.values_list("row", "reason")}
    assert sorted(reasons) == [3, 5, 7, 9]
    assert "cannot be matched" in reasons[3]
    assert "row 2" in reasons[5] and "row 4" in reasons[7] and "row 8" in reasons[9]
    assert (batch.created, batch.rejected) == (4, 4)  # 12 is accepted on row 6: row 3 was rejected
    import_commit(by=county_officer, batch=batch)
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["11", "12", "13", "14"]


def test_an_open_file_is_imported_as_its_bytes(county_officer, shops, tmp_path):
    path = tmp_path / "report.csv"
    path.write_text(TAOBAO, encoding="gb18030")
    with path.open("rb") as file:
        file.read(10)  # wherever the caller left it, the file is read from its start
        batch = import_preview(by=county_officer, data=file, filename="report.csv")
    assert (batch.created, batch.updated, batch.unchanged, batch.rejected) == (4, 0, 0, 0)
    import_commit(by=county_officer, batch=batch)
    assert Order.objects.filter(platform="taobao").count() == 4


def test_imported_completed_sales_are_income_as_the_order_services_count_it(
    county_officer, admin_user, units
):
    """A cooperative's shop: its completed sales are shared among its poor members (not the one registered
    poor only later), the remainder's fen going to the first; exactly what `income_recompute` makes of them."""
    from villagelink.catalog.services import shop_open
    from villagelink.orders.models import IncomeShare
    from villagelink.orders.services import income_recompute
    from villagelink.orders.tests.factories import household
    from villagelink.registry.models import LinkKind, OrganisationKind
    from villagelink.registry.services import organisation_link, organisation_register

    village = units["540221101201"]
    cooperative = organisation_register(
        by=admin_user, kind=OrganisationKind.COOPERATIVE, name="Namling butter co-op", unit=village
    )
    for serial, poor in [("401", 2016), ("402", None), ("403", 2017), ("404", 2020)]:
        member = household(admin_user, village, serial, poor=poor)
        organisation_link(by=admin_user, organisation=cooperative, household=member, kind=LinkKind.MEMBER)
    shop_open(
        by=admin_user,
        name="Co-op goods",
        platform="other",
        opened_on=datetime.date(2016, 1, 1),
        organisation=cooperative,
        external_id="coop-1",
    )
    report = (
        "order_id,amount,status,placed_at,completed_at,shop,refund\n"
        "9001,100.01,completed,2019-06-01,2019-06-03,Co-op goods,\n"
        "9002,50.00,completed,2016-06-01,2016-06-02,Co-op goods,10.00\n"
        "9003,70.00,paid,2019-06-01,,Co-op goods,\n"
        "9004,30.00,refunded,2019-06-01,,Co-op goods,30.00\n"
    )
    import_commit(by=county_officer, batch=preview(county_officer, report, platform="other"))

    def shares():
        return sorted(
            IncomeShare.objects.values_list("order__external_id", "household__head_name", "amount_fen", "day")
        )

    imported = shares()
    assert imported == [
        ("9001", "Head 401", 5001, datetime.date(2019, 6, 3)),
        ("9001", "Head 403", 5000, datetime.date(2019, 6, 3)),
        ("9002", "Head 401", 4000, datetime.date(2016, 6, 2)),
    ]
    income_recompute(list(Order.objects.values_list("pk", flat=True)))
    assert shares() == imported


def test_the_progress_of_a_batch_run_by_another_process_is_seen_here(county_officer, shops):
    """The worker is another process: what it counts must reach the web process's progress bar."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    from villagelink.imports.progress import _progress_key, progress_of

    batch = ImportBatch.objects.create(
        uploaded_by=county_officer, file_name="big.csv", status=BatchStatus.RUNNING, rows_total=50_000
    )
    assert progress_of(batch) == 0
    worker = (
        "import django; django.setup()\n"
        "from django.core.cache import caches\n"
        f"caches['shared'].set({_progress_key(batch.pk)!r}, 12000, 60)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env["VILLAGELINK_DATA_DIR"] = str(settings.DATA_DIR)
    subprocess.run([sys.executable, "-c", worker], env=env, check=True, cwd=settings.BASE_DIR)
    assert progress_of(batch) == 12000


def test_checked_imports_left_uncommitted_expire_and_let_go_of_their_files(county_officer, shops, settings):
    import os
    import time as clock
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    old, recent = preview(county_officer, TAOBAO, filename="old.csv"), preview(county_officer, TAOBAO)
    stuck = ImportBatch.objects.create(
        uploaded_by=county_officer, file_name="stuck.csv", file_path="stuck.csv"
    )
    folder = settings.MEDIA_ROOT / "imports"
    (folder / "stuck.csv").write_text("x")
    orphan, fresh_orphan = folder / "orphan.csv", folder / "fresh-orphan.csv"
    orphan.write_text("x")
    fresh_orphan.write_text("x")
    two_days_ago = clock.time() - 2 * 86400
    os.utime(orphan, (two_days_ago, two_days_ago))
    eight_days_ago = timezone.now() - datetime.timedelta(days=8)
    ImportBatch.objects.filter(pk__in=[old.pk, stuck.pk]).update(created_at=eight_days_ago)
    old_file = folder / ImportBatch.objects.get(pk=old.pk).file_path
    assert old_file.exists()

    out = StringIO()
    call_command("discard_stale_imports", stdout=out)

    assert "expired: 1; unfinished runs failed: 1; files removed: 1." in out.getvalue()
    old.refresh_from_db(), recent.refresh_from_db(), stuck.refresh_from_db()
    assert (old.status, old.file_path) == (BatchStatus.EXPIRED, "") and not old_file.exists()
    assert stuck.status == BatchStatus.FAILED and "did not finish" in stuck.error
    assert not (folder / "stuck.csv").exists() and not orphan.exists() and fresh_orphan.exists()
    assert recent.status == BatchStatus.PREVIEWED and (folder / recent.file_path).exists()
    assert not staging.exists(old.pk) and staging.exists(recent.pk)  # the checked rows go with the file
    with pytest.raises(ApplicationError, match="only a checked import can be committed"):
        import_commit(by=county_officer, batch=old)
    import_commit(by=county_officer, batch=recent)
    assert Order.objects.count() == 4 and not staging.exists(recent.pk)


def test_discarding_needs_a_whole_number_of_days():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="1 or more"):
        call_command("discard_stale_imports", days=0)


def test_looking_up_a_reports_orders_can_use_the_index(county_officer, shops):
    """A report's orders are looked up a chunk (thousands of numbers) at a time: by an index, never by reading
    every order (the unique index on platform and order number is partial: the query must repeat its
    condition for SQLite and PostgreSQL to use it)."""
    from django.test.utils import CaptureQueriesContext

    from villagelink.imports.writing import _orders_where

    numbers = [str(n) for n in range(3000)]  # as many as a chunk; PostgreSQL proves small IN lists itself
    with CaptureQueriesContext(connection) as queries:
        _orders_where("external_id", numbers, ["id"], platform="taobao")
        _orders_where("number", ["I1-2"], ["id"])
    for query in queries.captured_queries:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                plan = " ".join(str(step[-1]) for step in cursor.fetchall())
                assert "USING" in plan and "INDEX" in plan and not plan.startswith("SCAN"), plan[:300]
            else:  # the planner may prefer a scan of a tiny table: ask whether it can do without one
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("EXPLAIN " + query["sql"])
                plan = " ".join(row[0] for row in cursor.fetchall())
                assert "Index" in plan and "Seq Scan" not in plan, plan[:300]


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    VILLAGELINK_IMPORT_BACKGROUND_ROWS=3,
)
def test_a_background_run_that_breaks_does_not_stay_running(county_officer, shops, monkeypatch, settings):
    from villagelink.imports import services

    real_scan, real_commit = services._scan, services.staged_commit

    def broken(batch, by):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "_scan", broken)
    batch = preview(county_officer, TAOBAO)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and "unexpected error" in batch.error
    assert not list((settings.MEDIA_ROOT / "imports").iterdir())  # its file is gone

    monkeypatch.setattr(services, "_scan", real_scan)
    batch = preview(county_officer, TAOBAO)
    monkeypatch.setattr(services, "staged_commit", broken)
    import_commit(by=county_officer, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEWED and "unexpected error" in batch.error
    assert not Order.objects.exists()
    monkeypatch.setattr(services, "staged_commit", real_commit)
    import_commit(by=county_officer, batch=batch)  # and it can be committed once the fault is gone
    assert Order.objects.count() == 4


def test_a_batch_whose_uploader_is_gone_fails(county_officer, shops):
    from villagelink.imports.services import batch_run

    batch = ImportBatch.objects.create(uploaded_by=None, file_name="orphan.csv", status=BatchStatus.RUNNING)
    batch_run(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and "no longer has an account" in batch.error


def test_titles_with_tabs_newlines_and_backslashes_are_kept_as_written(county_officer, shops):
    """Rows go into the database in bulk (COPY on PostgreSQL): what a report writes comes back unchanged."""
    title = 'Butter\t"gift"\nbox \\ 2 kg \\N'
    report = f'order_id,shop,amount,status,placed_at,title\nT-1,Namling goods,10.00,completed,2019-09-01,"{title.replace(chr(34), chr(34) * 2)}"\n'
    import_commit(by=county_officer, batch=preview(county_officer, report, platform="other"))
    assert OrderLine.objects.get(order__external_id="T-1").description == title
