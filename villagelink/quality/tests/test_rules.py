"""The rules on buyers, prices, refunds and units' months: each flags what it must and leaves the rest."""

import datetime
import itertools

import pytest
from django.urls import reverse

from villagelink.approvals.models import Approval
from villagelink.approvals.services import approval_withdraw, month_approve
from villagelink.catalog.services import shop_open
from villagelink.core.crypto import buyer_key
from villagelink.orders.bulk import orders_insert
from villagelink.orders.facts import facts_add_orders
from villagelink.orders.models import Channel, Kind, Order, OrderEvent, OrderLine, Status
from villagelink.orders.tests.factories import household, product
from villagelink.quality.models import Flag, Rule
from villagelink.quality.rules import findings_for
from villagelink.quality.services import QualityError, flag_confirm, quality_check

from .test_quality import JUNE, YUAN, add_orders

JUNE_END = datetime.date(2019, 6, 30)
_numbers = itertools.count(1)


def found(rule, path="540221", first=JUNE, last=JUNE_END):
    return [f for f in findings_for(path, first, last) if f.rule == rule]


def orders_of(shop, rows) -> list[int]:
    """Platform orders of `shop`: each (day, yuan, buyer account, status)."""
    fields = [
        "number", "kind", "channel", "status", "shop_id", "unit_id", "platform", "external_id", "total_fen",
        "refunded_fen", "placed_at", "placed_on", "completed_on", "paid_at", "payment_method", "buyer_key",
    ]  # fmt: skip
    values = []
    for day, amount, account, status in rows:
        at = datetime.datetime(day.year, day.month, day.day, 4, tzinfo=datetime.UTC)
        refunded = amount * YUAN if status == Status.REFUNDED else 0
        values.append(
            (
                f"R{next(_numbers):09d}", Kind.SALE, Channel.PLATFORM, status, shop.pk, shop.unit_id, "taobao",
                f"RB{next(_numbers):08d}", amount * YUAN, refunded, at, day, None, at, "online", buyer_key(account),
            )
        )  # fmt: skip
    orders_insert(fields, values)
    ids = list(Order.objects.order_by("-pk").values_list("pk", flat=True)[: len(values)])
    facts_add_orders(ids)
    return sorted(ids)


def test_one_buyer_ordering_again_and_again_within_a_week_is_flagged(shop):
    days = [JUNE.replace(day=d) for d in (3, 4, 4, 6, 9)]  # five in seven days
    ring = orders_of(shop, [(day, 98, "tb_buyer_01", Status.PAID) for day in days])
    weekly = orders_of(
        shop, [(JUNE.replace(day=d), 98, "138 0013 8000", Status.PAID) for d in (1, 9, 17, 25)]
    )
    four = orders_of(shop, [(JUNE.replace(day=d), 98, "tb_buyer_02", Status.PAID) for d in (10, 11, 12, 13)])
    (flag,) = found(Rule.REPEAT_BUYER)
    assert sorted(flag.order_ids) == ring and flag.shop_id == shop.pk
    assert flag.evidence["orders"] == 5 and flag.evidence["first_day"] == "2019-06-03"
    assert not set(flag.order_ids) & set(weekly + four)


def test_the_buyer_is_compared_as_a_keyed_hash_however_the_report_spaced_it(shop):
    orders_of(shop, [(JUNE.replace(day=d), 98, account, Status.PAID) for d, account in zip(
        (3, 4, 5, 6, 7), ("138 0013 8000", "13800138000", "138-0013-8000", " 13800138000", "138 00138000"),
        strict=True,
    )])  # fmt: skip
    assert len(found(Rule.REPEAT_BUYER)) == 1
    assert "13800138000" not in "".join(Order.objects.values_list("buyer_key", flat=True))


@pytest.fixture
def butter(shop, admin_user):
    return product(admin_user, shop, "Yak butter", "酥油", 50 * YUAN, 100)


def with_line(order_id, item, quantity, product_id=None):
    order = Order.objects.get(pk=order_id)
    OrderLine.objects.create(
        order=order, product_id=product_id, description=item, quantity=quantity,
        unit_price_fen=order.total_fen // quantity, amount_fen=order.total_fen,
    )  # fmt: skip


def test_an_amount_that_does_not_fit_quantity_and_price_is_flagged(shop, butter):
    (moved,) = orders_of(shop, [(JUNE.replace(day=5), 2000, "a", Status.PAID)])
    with_line(moved, "酥油", 1)  # matched by the product's Chinese name
    (linked,) = orders_of(shop, [(JUNE.replace(day=6), 10, "b", Status.PAID)])
    with_line(linked, "Yak butter 500 g", 5, product_id=butter.pk)  # 5 × ¥50 paid ¥10
    fair = orders_of(
        shop, [(JUNE.replace(day=7), 150, "c", Status.PAID), (JUNE.replace(day=8), 30, "d", Status.PAID)]
    )
    with_line(fair[0], "酥油", 3)
    with_line(fair[1], "酥油", 1)  # a discount, not a third
    flags = found(Rule.PRICE_MISMATCH)
    assert sorted(f.order_ids[0] for f in flags) == [moved, linked]
    by_order = {f.order_ids[0]: f for f in flags}
    assert by_order[moved].evidence["expected_fen"] == 50 * YUAN
    assert by_order[linked].evidence["paid_fen"] == 10 * YUAN


def refund(order_ids, at: datetime.datetime) -> None:
    Order.objects.filter(pk__in=order_ids).update(status=Status.REFUNDED)
    for pk in order_ids:
        total = Order.objects.get(pk=pk).total_fen
        Order.objects.filter(pk=pk).update(refunded_fen=total)
        OrderEvent.objects.create(order_id=pk, status=Status.REFUNDED, at=at)


def test_orders_refunded_after_the_months_figures_were_due_are_flagged(shop):
    month = orders_of(shop, [(JUNE.replace(day=d), 100, f"b{d}", Status.PAID) for d in range(1, 11)])
    refund(month[:4], datetime.datetime(2019, 7, 15, 3, tzinfo=datetime.UTC))  # after 10 July
    (flag,) = found(Rule.LATE_REFUND)
    assert sorted(flag.order_ids) == month[:4] and flag.evidence["due"] == "2019-07-10"


def test_refunds_within_the_month_or_before_the_due_day_are_returns_not_flags(shop):
    month = orders_of(shop, [(JUNE.replace(day=d), 100, f"b{d}", Status.PAID) for d in range(1, 11)])
    refund(month[:4], datetime.datetime(2019, 7, 3, 3, tzinfo=datetime.UTC))
    refund(month[4:6], datetime.datetime(2019, 7, 20, 3, tzinfo=datetime.UTC))  # late, but only two
    assert found(Rule.LATE_REFUND) == []


def test_refunds_after_an_approval_of_the_month_are_flagged_even_before_the_due_day(
    shop, county_officer, units
):
    month = orders_of(shop, [(JUNE.replace(day=d), 100, f"b{d}", Status.PAID) for d in range(1, 11)])
    approval = month_approve(by=county_officer, unit=units["540221"], month=JUNE)
    Approval.objects.filter(pk=approval.pk).update(
        approved_at=datetime.datetime(2019, 7, 2, tzinfo=datetime.UTC)
    )
    approval_withdraw(by=county_officer, approval=approval, reason="A late report")
    refund(
        month[:3], datetime.datetime(2019, 7, 5, 3, tzinfo=datetime.UTC)
    )  # before the 10th, after approval
    (flag,) = found(Rule.LATE_REFUND)
    assert sorted(flag.order_ids) == month[:3]


@pytest.fixture
def shops(units, admin_user):
    """A shop in each of the two villages of Namling's township."""
    made = []
    for village, number in (("540221101201", "401"), ("540221101202", "402")):
        owner = household(admin_user, units[village], number)
        made.append(
            shop_open(
                by=admin_user,
                name=f"Shop {number}",
                platform="taobao",
                external_id=f"tb-{number}",
                opened_on=datetime.date(2017, 1, 1),
                household=owner,
            )
        )
    return made


def test_a_village_growing_far_faster_than_the_one_beside_it_is_flagged_once(shops, units, county_officer):
    jumping, steady = shops
    year_before = JUNE.replace(year=2018)
    add_orders(jumping, [(year_before.replace(day=d), 1000) for d in range(1, 21)])  # ¥20,000
    add_orders(jumping, [(JUNE.replace(day=d), 10000) for d in range(1, 26)])  # ¥250,000: ×12.5
    add_orders(steady, [(year_before.replace(day=d), 1000) for d in range(1, 21)])
    add_orders(steady, [(JUNE.replace(day=d), 1100) for d in range(1, 21)])  # ×1.1
    flags = found(Rule.MONTHLY_JUMP)
    assert [(units_by_pk(units)[f.unit_id], f.order_ids) for f in flags] == [("540221101201", ())]
    assert flags[0].evidence["growth"] == "×12.5" and flags[0].amount_fen == 230_000 * YUAN
    # filed once for the unit and month, and confirming it is refused: it covers no orders of its own
    assert quality_check(path="540221", first=JUNE, last=JUNE_END).by_rule.get(Rule.MONTHLY_JUMP) == 1
    assert quality_check(path="540221", first=JUNE, last=JUNE_END).new == 0
    with pytest.raises(QualityError, match="no orders"):
        flag_confirm(by=county_officer, flag=Flag.objects.get(rule=Rule.MONTHLY_JUMP), reason="Brushing")


def test_growth_shared_by_every_unit_is_not_a_jump(shops):
    for shop_ in shops:
        add_orders(shop_, [(JUNE.replace(year=2018, day=d), 1000) for d in range(1, 21)])
        add_orders(shop_, [(JUNE.replace(day=d), 10000) for d in range(1, 26)])
    assert found(Rule.MONTHLY_JUMP) == []


def units_by_pk(units):
    return {unit.pk: code for code, unit in units.items()}


def test_a_jumps_page_offers_no_confirmation_and_points_to_the_units_flags(client, shops, county_officer):
    jumping, steady = shops
    for shop_, now in ((jumping, 10000), (steady, 1100)):
        add_orders(shop_, [(JUNE.replace(year=2018, day=d), 1000) for d in range(1, 21)])
        add_orders(shop_, [(JUNE.replace(day=d), now) for d in range(1, 26)])
    quality_check(path="540221", first=JUNE, last=JUNE_END)
    flag = Flag.objects.get(rule=Rule.MONTHLY_JUMP)
    client.force_login(county_officer)
    page = client.get(reverse("quality:flag", args=[flag.pk])).content.decode()
    assert 'data-testid="no-orders"' in page and 'data-testid="confirm"' not in page
    assert 'data-testid="dismiss"' in page and "×12.5" in page
