"""One dashboard feeds the page, the printable report, the workbook and the KPI API; the queries each of them
makes do not grow with the number of children."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import NAMLING, make_user
from villagelink.accounts.models import Role
from villagelink.catalog.services import shop_open
from villagelink.core.periods import period_parse
from villagelink.desk.services import assisted_sale_record
from villagelink.geo.models import AdminUnit
from villagelink.geo.services import UnitRow, units_import
from villagelink.monitoring.selectors import (
    dashboard_for,
    figures_at_itself,
    figures_for,
    figures_for_children,
    monthly_trend,
    trade_by_channel,
)
from villagelink.network.models import SiteKind
from villagelink.network.services import SiteData, designation_record, site_open, site_operator_assign
from villagelink.orders.tests.factories import household
from villagelink.quality.tests.test_shares import flag

OPENED = datetime.date(2018, 1, 1)
SOLD = datetime.date(2019, 3, 15)


def _townships_with_trade(admin_user, numbers: range, *, flagged: bool = False) -> None:
    """Namling townships 1xx (one village each, `numbers` giving xx): each with a station, a village point and
    its operator, a poor household with a shop (assistance) and a sale made for it at the point (`flagged`:
    under an open data-quality flag)."""
    rows = []
    for n in numbers:
        township = f"{NAMLING}{100 + n}"
        rows += [
            UnitRow(0, township, NAMLING, "township", f"乡{n}", f"Township {n}"),
            UnitRow(0, f"{township}201", township, "village", f"村{n}", f"Village {n}"),
        ]
    units_import(rows=rows)
    for n in numbers:
        township = AdminUnit.objects.get(code=f"{NAMLING}{100 + n}")
        village = AdminUnit.objects.get(code=f"{township.code}201")
        data = SiteData(name=f"Station {n}", opened_on=OPENED)
        site_open(by=admin_user, kind=SiteKind.TOWNSHIP_STATION, unit=township, data=data)
        point = site_open(
            by=admin_user,
            kind=SiteKind.VILLAGE_POINT,
            unit=village,
            data=SiteData(name=f"Point {n}", opened_on=OPENED),
        )
        operator = make_user(f"operator-{n}", Role.SITE_OPERATOR, village)
        site_operator_assign(by=admin_user, site=point, user=operator)
        operator.refresh_from_db()
        poor = household(admin_user, village, f"{500 + n}", poor=2016)
        shop_open(by=admin_user, name=f"Shop {n}", platform="storefront", opened_on=OPENED, household=poor)
        sale = assisted_sale_record(
            by=operator, site=point, platform="taobao", description="Butter", category="dairy", quantity=1,
            amount_fen=10_000 + n, household=poor, day=SOLD,
        )  # fmt: skip
        if flagged:
            flag([sale], month=SOLD.replace(day=1))


def _answers(period: str) -> dict[str, str]:
    page = reverse("monitoring:dashboard", args=[NAMLING])
    period_ = period_parse(period)
    api = f"?unit={NAMLING}&start={period_.start.isoformat()}&end={period_.end.isoformat()}"
    return {
        "page": f"{page}?period={period}",
        "report": reverse("monitoring:report", args=[NAMLING]) + f"?period={period}",
        "workbook": reverse("monitoring:workbook", args=[NAMLING]) + f"?period={period}",
        "kpis": reverse("kpi-list") + api,
        "kpis for the children": reverse("kpi-children") + api,
        "trade": reverse("kpi-trade") + api,
    }


def _queries(client, period: str) -> dict[str, int]:
    counts = {}
    for name, url in _answers(period).items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, name
        counts[name] = len(queries)
    return counts


@pytest.mark.parametrize("period", ["2019-03", "2019-02-10..2019-04-20"])
def test_the_queries_of_every_answer_do_not_grow_with_the_number_of_children(
    client, county_officer, admin_user, period
):
    """Given Namling with two townships, then with twenty more (each with a station, a point, a shop, help
    and trade, and an open flag on it), the page, the report, the workbook and the KPI API make as many
    queries as before."""
    designation_record(by=admin_user, county=AdminUnit.objects.get(code=NAMLING), year=2016)
    _townships_with_trade(admin_user, range(2, 3))
    client.force_login(county_officer)
    _queries(client, period)  # once, so that what a first request loads (sessions, content types) is loaded
    small = _queries(client, period)

    _townships_with_trade(admin_user, range(3, 23), flagged=True)
    large = _queries(client, period)

    page = client.get(_answers(period)["page"]).content.decode()
    assert page.count("<tr data-code=") == 22
    assert 'data-testid="value-online_shops">21<' in page  # the twenty-one shops made here
    assert page.count('data-testid="marked-') == 20  # each sale of the twenty is all its township's trade
    assert large == small


def test_the_dashboard_holds_the_figures_of_each_selector(county_officer, admin_user):
    _townships_with_trade(admin_user, range(2, 5))
    namling = AdminUnit.objects.get(code=NAMLING)
    period = period_parse("2019-Q1")
    start, end = period.start, period.end

    dashboard = dashboard_for(user=county_officer, unit=namling, period=period)

    assert dashboard.values == figures_for(unit=namling, start=start, end=end)
    assert dashboard.values["online_sales"] == 30_009
    assert dashboard.children == figures_for_children(unit=namling, start=start, end=end)
    assert [child.unit.code for child in dashboard.children] == [
        f"{NAMLING}{n}" for n in (101, 102, 103, 104)
    ]
    assert dashboard.own == figures_at_itself(dashboard.values, dashboard.children)
    assert dashboard.months == monthly_trend(unit=namling, start=start, end=end)
    assert dashboard.channels == trade_by_channel(unit=namling, start=start, end=end)
    assert dashboard.approval is None  # a quarter is not approved; months are
    assert [unit.code for unit in dashboard.ancestors] == []  # the officer's own county is the top


def test_the_approval_of_a_month_stands_on_the_dashboard_of_a_unit_that_approves(region_officer, units):
    shigatse = units["540200"]

    dashboard = dashboard_for(user=region_officer, unit=shigatse, period=period_parse("2019-03"))

    assert dashboard.approval is not None and dashboard.approval.standing is None
    assert dashboard.approval.can_approve and dashboard.approval.ended
    assert [unit.code for unit in dashboard.approval.missing] == list(
        shigatse.children.order_by("code").values_list("code", flat=True)
    )
    assert [unit.code for unit in dashboard.ancestors] == ["540000"]
    village = dashboard_for(
        user=region_officer, unit=units[f"{NAMLING}101201"], period=period_parse("2019-03")
    )
    assert village.approval is None and village.children == []


def test_farm_products_are_sales_of_meat_dairy_grain_herbs_and_tea_however_they_were_recorded(
    settings, tmp_path, points, market, units, admin_user
):
    """At the desk by the category chosen, on the storefront by the largest line's product, in a platform's
    report by the goods its title names; handicrafts and goods of no known category are not farm products."""
    from villagelink.imports.services import import_commit, import_preview
    from villagelink.orders.models import Order
    from villagelink.orders.services import order_complete, order_deliver, order_ship
    from villagelink.orders.tests.factories import place

    from .conftest import NAMLING_VILLAGES

    settings.MEDIA_ROOT = tmp_path
    site, operator = points[NAMLING_VILLAGES[0]]
    for category, fen in (("dairy", 10_000), ("crafts", 20_000), ("herbs", 40_000)):
        assisted_sale_record(
            by=operator, site=site, platform="taobao", description="Goods", category=category, quantity=1,
            amount_fen=fen, day=SOLD,
        )  # fmt: skip
    (storefront,) = place((market.barley, 2)).orders
    assert storefront.category == "dairy"  # the test market files all its products under dairy
    order_ship(by=market.seller, order=storefront, carrier="EMS", tracking_number="EA123456789CN")
    order_deliver(by=market.seller, order=storefront)
    order_complete(by=market.seller, order=storefront)
    owner = household(admin_user, units[NAMLING_VILLAGES[0]], "801")
    shop_open(
        by=admin_user, name="纳木林土特产", platform="taobao", opened_on=OPENED, household=owner,
        external_id="tb-801",
    )  # fmt: skip
    report = (
        "订单编号,买家实际支付金额,订单状态,订单创建时间,宝贝标题,宝贝总数量,店铺名称,退款金额\n"
        "801,100.00,交易成功,2019-03-15 10:00:00,牦牛酥油茶 礼盒,1,纳木林土特产,0\n"
        "802,300.00,交易成功,2019-03-15 11:00:00,手工唐卡挂饰,1,纳木林土特产,0\n"
        "803,500.00,交易成功,2019-03-15 12:00:00,林芝蜂蜜,1,纳木林土特产,0\n"
    )
    batch = import_preview(by=admin_user, data=report.encode(), filename="r.csv", background=False)
    import_commit(by=admin_user, batch=batch, background=False)
    assert dict(Order.objects.filter(platform="taobao", external_id__startswith="80").values_list(
        "external_id", "category"
    )) == {"801": "tea", "802": "crafts", "803": ""}  # fmt: skip
    county = figures_for(
        unit=units[NAMLING], start=datetime.date(2019, 1, 1), end=datetime.date(2026, 12, 31)
    )
    farm = 10_000 + 40_000 + storefront.total_fen + 100_00
    assert county["farm_product_sales"] == farm
    assert county["online_sales"] == farm + 20_000 + 300_00 + 500_00
