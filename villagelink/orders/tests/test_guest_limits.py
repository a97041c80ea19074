"""Nobody can hoard a shop's stock without an account: a guest order takes at most a share of a product's
stock, a client and a phone place only a few guest checkouts, and a guest's cash-on-delivery order gives its
stock back unless the seller ships it in time."""

import datetime
from dataclasses import replace

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.catalog.models import Product
from villagelink.core.notes import note_text
from villagelink.orders.models import Order, Status
from villagelink.orders.services import CartLine, OrderError, checkout_place, order_ship, orders_expire
from villagelink.orders.tests.factories import CONTACT, new_key, place

LIMITS = override_settings(
    VILLAGELINK_GUEST_STOCK_SHARE_PERCENT=50,
    VILLAGELINK_GUEST_CHECKOUTS_PER_CLIENT_HOUR=5,
    VILLAGELINK_GUEST_CHECKOUTS_PER_PHONE_DAY=3,
)


def stock(product) -> int:
    return Product.objects.get(pk=product.pk).stock


def guest(product, quantity, *, client="203.0.113.7", phone="13800138000"):
    return checkout_place(
        key=new_key(),
        lines=[CartLine(product.pk, quantity)],
        contact=replace(CONTACT, phone=phone),
        payment_method="cod",
        client=client,
    )


@LIMITS
def test_one_guest_order_cannot_take_more_than_half_the_stock(market):
    with pytest.raises(OrderError, match="at most 10 of"):
        guest(market.butter, 15)
    assert stock(market.butter) == 20 and not Order.objects.exists()
    guest(market.butter, 10)
    assert stock(market.butter) == 10
    buyer = make_user("buyer-hoard", Role.BUYER)  # an account may take all that is left
    place((market.butter, 10), buyer=buyer)
    assert stock(market.butter) == 0


@LIMITS
def test_a_client_places_only_a_few_guest_checkouts_an_hour(market):
    phones = (f"1390000{n:04d}" for n in range(100))
    for _ in range(5):
        guest(market.barley, 1, phone=next(phones))
    with pytest.raises(OrderError, match="Too many orders without an account") as refused:
        guest(market.barley, 1, phone=next(phones))
    assert refused.value.status == 429
    assert Order.objects.count() == 5
    guest(market.barley, 1, client="198.51.100.9", phone=next(phones))  # another client is not held up


@LIMITS
def test_a_phone_number_places_only_a_few_guest_checkouts_a_day(market):
    for n in range(3):
        guest(market.barley, 1, client=f"198.51.100.{n}")
    with pytest.raises(OrderError, match="Too many orders without an account"):
        guest(market.barley, 1, client="198.51.100.77")


@LIMITS
def test_thirty_anonymous_api_orders_in_a_row_are_stopped(market):
    api = APIClient(REMOTE_ADDR="203.0.113.50")
    answers = [
        api.post(
            "/api/v1/storefront/orders/",
            {
                "lines": [{"product": market.barley.pk, "quantity": 1}],
                "name": "Li Si",
                "phone": f"1370000{n:04d}",
                "province": "61",
                "address": "8 Jiefang Road, Xi'an",
                "payment_method": "cod",
            },
            format="json",
            headers={"Idempotency-Key": new_key()},
        ).status_code
        for n in range(30)
    ]
    assert answers[:5] == [201] * 5 and set(answers[5:]) == {429}


def test_a_guests_cash_on_delivery_order_gives_its_stock_back_unless_the_seller_ships_it(market):
    lapsing = place((market.butter, 2)).orders[0]
    shipped = place((market.butter, 3)).orders[0]
    buyer = make_user("buyer-cod", Role.BUYER)
    own = place((market.butter, 4), buyer=buyer).orders[0]
    order_ship(by=market.seller, order=shipped, carrier="EMS", tracking_number="EA123456789CN")
    assert stock(market.butter) == 11

    assert orders_expire(now=timezone.now() + datetime.timedelta(hours=71)) == 0
    assert orders_expire(now=timezone.now() + datetime.timedelta(hours=73)) == 1

    lapsing.refresh_from_db()
    assert lapsing.status == Status.CANCELLED and "Not shipped by the seller in time" in note_text(
        lapsing.cancel_reason
    )
    assert lapsing.events.filter(status=Status.CANCELLED).exists()  # shown to the buyer on tracking
    assert Order.objects.get(pk=shipped.pk).status == Status.SHIPPED
    assert Order.objects.get(pk=own.pk).status == Status.PLACED
    assert stock(market.butter) == 13
