"""Confirming a flag changes every figure that counted its orders — sales and their number, the poor
households' income (and per poor household), the help the desk's sale was (and the poor households assisted) —
at every level from the village to the region, over a month (monthly facts), over a few days (daily facts) and
over a year, in the monthly trend; nothing else moves, and `rebuild-facts --verify` agrees. The orders come in
as they do in the field: a platform's report imported, a sale at a point's desk."""

import datetime
import io

import pytest
from django.core.management import call_command

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.assistance.models import AssistanceEvent
from villagelink.catalog.services import shop_open
from villagelink.desk.services import assisted_sale_record
from villagelink.imports.services import import_commit, import_preview
from villagelink.monitoring.indicators import INDICATORS
from villagelink.monitoring.selectors import figures_for, monthly_trend
from villagelink.network.models import SiteKind
from villagelink.network.services import SiteData, site_open, site_operator_assign
from villagelink.orders.facts import facts_rebuild, facts_verify
from villagelink.orders.models import Order
from villagelink.orders.tests.factories import household
from villagelink.quality.models import Flag, Rule
from villagelink.quality.services import flag_confirm, quality_check

VILLAGE = "540221101201"
LEVELS = (VILLAGE, VILLAGE[:9], VILLAGE[:6], "540200", "540000")  # village, township, county, …, region
JUNE = (datetime.date(2019, 6, 1), datetime.date(2019, 6, 30))
DAYS = (datetime.date(2019, 6, 5), datetime.date(2019, 6, 11))  # inside the month: the daily facts
YEAR = (datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))
SPANS = (JUNE, DAYS, YEAR)
OUTSIZED_FEN, TWIN_FEN = 3000_00, 260_00
# What the flagged orders counted: two sales of the poor household's shop, all of them its income, and the
# desk's brokered sale its one act of assistance (reversed in the ledger).
MOVED = {
    "online_sales": -(OUTSIZED_FEN + TWIN_FEN),
    "online_sales_orders": -2,
    "farm_product_sales": -(OUTSIZED_FEN + TWIN_FEN),  # butter, from the report's title and the desk
    "poor_household_income": -(OUTSIZED_FEN + TWIN_FEN),
    "assistance_events": -1,
    "households_assisted": -1,
    # the household is the one poor household everywhere: it is no longer assisted, and its income is the
    # income per poor household
    "poor_households_assisted": -1,
    "poor_households_assisted_share": -1.0,
    "income_per_poor_household": -(OUTSIZED_FEN + TWIN_FEN),
}
HEADER = "订单编号,买家实际支付金额,订单状态,订单创建时间,宝贝标题,宝贝总数量,店铺名称,退款金额\n"


def _report() -> str:
    """A poor household's Taobao shop: ¥80–¥120 on two days in three from February to June 2019, a round
    ¥3,000 order on 5 June (outsized), and ¥260 on 10 June that the village point also recorded."""
    rows, day, n = [], datetime.date(2019, 2, 1), 0
    while day <= JUNE[1]:
        if n % 3 != 1:
            rows.append((f"H{n}", 8000 + (n * 700) % 4100, day))
        day, n = day + datetime.timedelta(days=1), n + 1
    rows += [("BIG", OUTSIZED_FEN, datetime.date(2019, 6, 5)), ("TWIN", TWIN_FEN, datetime.date(2019, 6, 10))]
    return HEADER + "".join(
        f"{number},{fen // 100}.{fen % 100:02d},交易成功,{day} 10:00:00,酥油,1,纳木林酥油店,0\n"
        for number, fen, day in rows
    )


@pytest.fixture
def flagged(settings, tmp_path, units, admin_user, county_officer):
    """The report imported, the desk sale recorded, the checks run on June: the two flags to confirm."""
    settings.MEDIA_ROOT = tmp_path
    owner = household(admin_user, units[VILLAGE], "501", poor=2016)
    shop_open(
        by=admin_user, name="纳木林酥油店", platform="taobao", opened_on=datetime.date(2018, 1, 1),
        household=owner, external_id="tb-501",
    )  # fmt: skip
    batch = import_preview(by=county_officer, data=_report().encode(), filename="r.csv", background=False)
    import_commit(by=county_officer, batch=batch, background=False)
    site = site_open(
        by=admin_user,
        kind=SiteKind.VILLAGE_POINT,
        unit=units[VILLAGE],
        data=SiteData(name="Point", opened_on=datetime.date(2016, 1, 1)),
    )
    operator = make_user("operator-501", Role.SITE_OPERATOR, units[VILLAGE])
    site_operator_assign(by=admin_user, site=site, user=operator)
    operator.refresh_from_db()
    desk = assisted_sale_record(
        by=operator, site=site, platform="taobao", description="Butter", category="dairy", quantity=1,
        amount_fen=TWIN_FEN, household=owner, day=datetime.date(2019, 6, 11),
    )  # fmt: skip
    quality_check(path=VILLAGE[:6], first=JUNE[0], last=JUNE[1])
    outsized = Flag.objects.get(rule=Rule.OUTSIZED)
    twin = Flag.objects.get(rule=Rule.TWIN_SALE)
    big = Order.objects.get(platform="taobao", external_id="BIG")
    assert list(outsized.orders.values_list("pk", flat=True)) == [big.pk]
    assert list(twin.orders.values_list("pk", flat=True)) == [desk.pk]
    return outsized, twin


def _figures(units) -> dict:
    return {
        (code, span): figures_for(unit=units[code], start=span[0], end=span[1])
        for code in LEVELS
        for span in SPANS
    }


def test_confirming_flags_changes_every_figure_that_counted_their_orders(flagged, units, county_officer):
    before = _figures(units)
    trend_before = monthly_trend(unit=units["540000"], start=YEAR[0], end=YEAR[1])

    for flag in flagged:
        flag_confirm(by=county_officer, flag=flag, reason="Paid back by the owner's cousin the next day")

    after = _figures(units)
    for key, figures in after.items():
        assert {name: figures[name] - before[key][name] for name in MOVED} == MOVED, key
        unmoved = [i.name for i in INDICATORS if i.name not in MOVED]
        assert {name: figures[name] for name in unmoved} == {name: before[key][name] for name in unmoved}
    trend = monthly_trend(unit=units["540000"], start=YEAR[0], end=YEAR[1])
    for month, old in zip(trend, trend_before, strict=True):
        moved = MOVED["online_sales"] if month.start == JUNE[0] else 0
        assert (month.sales_fen, month.purchases_fen) == (old.sales_fen + moved, old.purchases_fen)
    # The brokered sale's act of assistance has its reversal entry, which says why.
    (reversal,) = AssistanceEvent.objects.filter(sign=-1)
    assert reversal.order == flagged[1].orders.get() and "Paid back by the owner's cousin" in reversal.note
    # The stored facts are what the records give, and what a rebuild from nothing gives.
    assert facts_verify()[0] == 0
    call_command("rebuild_facts", "--verify", stdout=io.StringIO())  # raises on a difference
    facts_rebuild()
    assert _figures(units) == after
