"""Shipping in an order's money: the checkout charges each shop's fee for the province, the buyer pays it with the
goods, the sales figures count it, and the household's income leaves it out (it goes on to the carrier)."""

import datetime

import pytest

from villagelink.catalog.services import ShippingRules, shop_set_shipping
from villagelink.core.dates import region_today
from villagelink.orders.models import Checkout, Fact, IncomeShare, Order
from villagelink.orders.services import (
    CartLine,
    Contact,
    OrderError,
    checkout_place,
    order_complete,
    order_deliver,
    order_ship,
)
from villagelink.orders.tests.factories import CONTACT, new_key, place

TO_XINJIANG = Contact(name="Aili", phone="13999990000", address="1 Youhao Road, Urumqi", province="65")


@pytest.fixture
def ruled(market, admin_user):
    shop_set_shipping(
        by=admin_user,
        shop=market.shop,
        rules=ShippingRules(fee_fen=1000, province_fees={"65": 2500}, free_over_fen=15000, dispatch_days=2),
    )
    shop_set_shipping(
        by=admin_user,
        shop=market.other_shop,
        rules=ShippingRules(fee_fen=800, province_fees={}, free_over_fen=None, dispatch_days=0),
    )
    return market


def test_each_shops_order_carries_its_fee_and_window_and_the_payment_covers_them(ruled):
    result = checkout_place(
        key=new_key(),
        lines=[CartLine(ruled.butter.pk, 1), CartLine(ruled.other_product.pk, 1)],
        contact=TO_XINJIANG,
        payment_method="cod",
    )
    butter_order, bowl_order = sorted(result.orders, key=lambda o: o.shop_id != ruled.shop.pk)
    today = region_today()

    assert (butter_order.shipping_fee_fen, butter_order.total_fen) == (2500, 6800 + 2500)
    assert (bowl_order.shipping_fee_fen, bowl_order.total_fen) == (800, 12000 + 800)
    assert butter_order.province == "65"
    assert butter_order.arrives_from == today + datetime.timedelta(days=2 + 5)
    assert bowl_order.arrives_by == today + datetime.timedelta(days=0 + 8)
    checkout = Checkout.objects.get(pk=result.checkout.pk)
    assert checkout.total_fen == checkout.payment.amount_fen == 6800 + 2500 + 12000 + 800


def test_goods_over_the_shops_amount_ship_free(ruled):
    order = place((ruled.butter, 3)).orders[0]  # ¥204 of butter to Sichuan: over ¥150
    assert (order.shipping_fee_fen, order.total_fen) == (0, 20400)


def test_the_sales_count_the_fee_and_the_households_income_does_not(ruled):
    order = place((ruled.butter, 1)).orders[0]  # to Sichuan: the usual ¥10
    order_ship(by=ruled.seller, order=order, carrier="EMS", tracking_number="EA123456789CN")
    order_deliver(by=ruled.seller, order=order)
    order_complete(by=ruled.seller, order=order)

    assert [share.amount_fen for share in IncomeShare.objects.filter(order=order)] == [6800]
    village_sales = Fact.objects.filter(path=Order.objects.get(pk=order.pk).unit.path, kind="sale")
    assert sum(fact.amount_fen for fact in village_sales) == 7800
    assert sum(fact.income_fen for fact in village_sales) == 6800


def test_a_province_that_is_not_one_is_refused_and_nothing_is_written(ruled):
    with pytest.raises(OrderError) as refused:
        checkout_place(
            key=new_key(),
            lines=[CartLine(ruled.butter.pk, 1)],
            contact=Contact(name=CONTACT.name, phone=CONTACT.phone, address=CONTACT.address, province="99"),
            payment_method="cod",
        )
    assert refused.value.field == "province"
    assert not Order.objects.exists()


def test_a_rule_changed_later_leaves_placed_orders_as_they_were(ruled, admin_user):
    order = place((ruled.butter, 1)).orders[0]
    shop_set_shipping(
        by=admin_user,
        shop=ruled.shop,
        rules=ShippingRules(fee_fen=3000, province_fees={}, free_over_fen=None, dispatch_days=9),
    )
    kept = Order.objects.get(pk=order.pk)
    assert (kept.shipping_fee_fen, kept.total_fen, kept.arrives_by) == (
        1000,
        7800,
        order.arrives_by,
    )
