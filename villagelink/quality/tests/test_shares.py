"""What a unit's figures rest on: the counted orders open flags cover (each once), the orders confirmed flags
took out, the open flags that mark a unit, and the flags filed after a month was approved."""

import datetime
import itertools

import pytest
from django.db.models import Q

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.approvals.services import approval_withdraw, month_approve
from villagelink.desk.services import assisted_purchase_record, assisted_sale_record
from villagelink.monitoring.selectors import figures_for
from villagelink.network.models import SiteKind
from villagelink.network.services import SiteData, site_open, site_operator_assign
from villagelink.orders.facts import COUNTED
from villagelink.orders.models import Order
from villagelink.orders.tests.factories import household
from villagelink.quality.models import Flag, Rule
from villagelink.quality.services import flag_confirm, flag_dismiss
from villagelink.quality.shares import (
    KEPT,
    AreaFlags,
    Part,
    flags_by_unit,
    flags_of,
    found_after_approval,
    is_marked,
)

JUNE = datetime.date(2019, 6, 1)
JUNE_END = datetime.date(2019, 6, 30)
NAMLING_VILLAGE = "540221101201"
LHASA_VILLAGE = "540102101201"
_fingerprints = itertools.count(1)


def village_points(units, admin_user) -> dict:
    """A village point with its operator in a Namling village and in a Lhasa (Chengguan) village."""
    made = {}
    for code in (NAMLING_VILLAGE, LHASA_VILLAGE):
        site = site_open(
            by=admin_user,
            kind=SiteKind.VILLAGE_POINT,
            unit=units[code],
            data=SiteData(name=f"Point {code}", opened_on=datetime.date(2016, 1, 1)),
        )
        operator = make_user(f"operator-{code}", Role.SITE_OPERATOR, units[code])
        site_operator_assign(by=admin_user, site=site, user=operator)
        operator.refresh_from_db()
        made[code] = (site, operator)
    return made


@pytest.fixture
def desk(units, admin_user):
    return village_points(units, admin_user)


def trade(desk, day: datetime.date, yuan: int, *, code=NAMLING_VILLAGE, purchase=False) -> Order:
    """A sale (or purchase) of `yuan` recorded at the village point of `code` on `day`: it counts at once."""
    site, operator = desk[code]
    if purchase:
        return assisted_purchase_record(
            by=operator, site=site, platform="jd", description="Salt", category="food", amount_fen=yuan * 100,
            day=day,
        )  # fmt: skip
    return assisted_sale_record(
        by=operator, site=site, platform="taobao", description="Butter", category="dairy", quantity=1,
        amount_fen=yuan * 100, day=day,
    )  # fmt: skip


def flag(orders: list[Order], *, month=JUNE, rule=Rule.OUTSIZED) -> Flag:
    """An open flag on `orders`, filed now, as a check would file it."""
    filed = Flag.objects.create(
        rule=rule,
        unit=orders[0].unit,
        month=month,
        amount_fen=sum(order.total_fen for order in orders),
        fingerprint=f"test-{next(_fingerprints)}",
    )
    filed.orders.set(orders)
    return filed


def test_kept_is_what_counts_but_for_an_exclusion():
    """The orders `excluded` counts are those `COUNTED` would count, were they not excluded: the two rules
    must move together."""
    assert KEPT & Q(excluded=False) == COUNTED


def test_open_flags_count_each_order_once_and_confirmed_flags_show_what_they_took_out(
    desk, county_officer, units
):
    # given June sales of ¥100, ¥200, ¥300, ¥400 and ¥500 in a Namling village, and a ¥50 purchase
    a, b, c, d, e = (
        trade(desk, JUNE.replace(day=n + 1), yuan) for n, yuan in enumerate([100, 200, 300, 400, 500])
    )
    bought = trade(desk, JUNE.replace(day=9), 50, purchase=True)
    # two open flags covering ¥100 and ¥200 (¥200 under both), an open flag on the purchase
    flag([a, b])
    flag([b])
    flag([bought])
    # a flag confirmed (¥300 taken out), a flag dismissed (¥400 counts, as before)
    flag_confirm(by=county_officer, flag=flag([c]), reason="Paid back by the seller")
    flag_dismiss(by=county_officer, flag=flag([d]), reason="A cooperative's wholesale order")
    # and open flags outside the area (Lhasa) and outside the period (a July sale)
    flag([trade(desk, JUNE.replace(day=3), 700, code=LHASA_VILLAGE)])
    flag([trade(desk, datetime.date(2019, 7, 2), 800)], month=datetime.date(2019, 7, 1))

    # when Namling's June is read
    namling = flags_of(unit=units["540221"], start=JUNE, end=JUNE_END)

    # then the figure holds e, d, b, a (c is out); ¥300 of it rests on open flags, ¥300 was taken out
    figures = figures_for(unit=units["540221"], start=JUNE, end=JUNE_END)
    assert figures["online_sales"] == (100 + 200 + 400 + 500) * 100
    assert namling.part("online_sales") == Part(open=300_00, excluded=300_00)
    assert namling.part("online_sales_orders") == Part(open=2, excluded=1)
    assert namling.part("online_purchases") == Part(open=50_00, excluded=0)
    assert namling.part("online_sales").share_of(figures["online_sales"]) == pytest.approx(300 / 1200)
    assert namling.open_flags == 3  # the three open flags of Namling's June
    assert (namling.open_fen, namling.excluded_fen) == (350_00, 300_00)
    assert e.pk  # e is flagged by nothing and is in neither part

    # the region holds Lhasa's open ¥700 too; a quarter holds July's ¥800
    region = flags_of(unit=units["540000"], start=JUNE, end=JUNE_END)
    assert region.part("online_sales").open == (300 + 700) * 100 and region.open_flags == 4
    summer = flags_of(unit=units["540221"], start=JUNE, end=datetime.date(2019, 7, 31))
    assert summer.part("online_sales").open == (300 + 800) * 100 and summer.open_flags == 4


def test_each_child_gets_its_own_part_in_the_same_queries(desk, units, django_assert_max_num_queries):
    sold = trade(desk, JUNE.replace(day=2), 100)
    flag([sold])
    flag([trade(desk, JUNE.replace(day=3), 200, code=LHASA_VILLAGE)])
    prefectures = [unit for unit in units.values() if unit.parent_id == units["540000"].pk]

    with django_assert_max_num_queries(3):  # one width: the orders, their income shares, the open flags
        by_unit = flags_by_unit(parent=units["540000"], units=prefectures, start=JUNE, end=JUNE_END)

    assert by_unit["5402"].part("online_sales").open == 100_00 and by_unit["5402"].open_flags == 1
    assert by_unit["5401"].part("online_sales").open == 200_00 and by_unit["5401"].open_flags == 1
    assert by_unit["5403"] == AreaFlags()  # nothing flagged there
    assert len(by_unit) == len(prefectures)


@pytest.mark.parametrize(
    ("open_flags", "open_fen", "trade_fen", "marked"),
    [
        (0, 0, 0, False),  # nothing open
        (1, 4_99, 100_00, False),  # 4.99 % of the trade
        (1, 5_00, 100_00, True),  # 5 %
        (9, 1_00, 1_000_00, False),  # nine small flags
        (10, 1_00, 1_000_00, True),  # ten
        (1, 1_00, 0, True),  # open flags on trade that is all there is
    ],
)
def test_a_unit_is_marked_from_five_percent_of_its_trade_or_ten_open_flags(
    open_flags, open_fen, trade_fen, marked
):
    area = AreaFlags({"online_sales": Part(open=open_fen)}, open_flags)
    assert is_marked(area, trade_fen) is marked


def test_the_thresholds_are_a_setting(settings):
    settings.VILLAGELINK_QUALITY_MARK = {"open_flags": 3}
    assert is_marked(AreaFlags({}, 3), 100_00)
    assert not is_marked(AreaFlags({"online_sales": Part(open=4_00)}, 1), 100_00)  # 5 % still holds


def test_flags_filed_after_the_month_was_approved_are_found_for_the_approving_unit(
    desk, county_officer, region_officer, units
):
    before = flag([trade(desk, JUNE.replace(day=2), 100)])
    flag_dismiss(by=county_officer, flag=before, reason="Checked with the seller")
    namling = units["540221"]
    approval = month_approve(by=county_officer, unit=namling, month=JUNE)
    # filed after the approval: two on June (one since dismissed), one on May, one in Lhasa
    late = [flag([before.orders.get()], rule=rule) for rule in (Rule.SPIKE, Rule.SAME_NUMBER)]
    flag_dismiss(by=county_officer, flag=late[1], reason="The platform's own correction")
    may = trade(desk, datetime.date(2019, 5, 20), 100)
    flag([may], month=datetime.date(2019, 5, 1))
    flag([trade(desk, JUNE.replace(day=4), 100, code=LHASA_VILLAGE)])

    found = found_after_approval(
        unit=namling, start=datetime.date(2019, 1, 1), end=datetime.date(2019, 12, 31)
    )

    assert [(f.month, f.flags, f.still_open) for f in found] == [(JUNE, 2, 1)]  # May was never approved
    assert found_after_approval(unit=units["540000"], start=JUNE, end=JUNE_END) == []  # the region has not
    approval_withdraw(by=region_officer, approval=approval, reason="Review the late flags")
    assert found_after_approval(unit=namling, start=JUNE, end=JUNE_END) == []  # no approval stands


def test_savings_and_poor_households_income_show_what_rests_on_flags(desk, county_officer, units, admin_user):
    # given a poor household's ¥600 and ¥900 sales and a ¥100 purchase (¥150 in the local shop) in June
    site, operator = desk[NAMLING_VILLAGE]
    owner = household(admin_user, units[NAMLING_VILLAGE], "701", poor=2016)
    sold = [
        assisted_sale_record(
            by=operator, site=site, platform="taobao", description="Butter", category="dairy", quantity=1,
            amount_fen=yuan * 100, day=JUNE.replace(day=n), household=owner,
        )
        for n, yuan in ((2, 600), (3, 900))
    ]  # fmt: skip
    bought = assisted_purchase_record(
        by=operator, site=site, platform="jd", description="Salt", category="food", amount_fen=100_00,
        local_price_fen=150_00, day=JUNE.replace(day=4),
    )  # fmt: skip
    # an open flag on the ¥600 sale and the purchase, a confirmed one on the ¥900 sale
    flag([sold[0], bought])
    flag_confirm(by=county_officer, flag=flag([sold[1]]), reason="Paid back by the seller")

    # when Namling's June is read
    namling = flags_of(unit=units["540221"], start=JUNE, end=JUNE_END)

    # then the household's income rests ¥600 on the open flag, ¥900 was taken out; the ¥50 saved is open
    figures = figures_for(unit=units["540221"], start=JUNE, end=JUNE_END)
    assert figures["poor_household_income"] == 600_00
    assert namling.part("poor_household_income") == Part(open=600_00, excluded=900_00)
    assert namling.part("purchase_savings") == Part(open=50_00, excluded=0)
    assert namling.part("purchase_savings").share_of(figures["purchase_savings"]) == 1.0
