"""The buyer's account: "Pay now" for an unpaid online order while it is reserved, the items in My orders, and
tracking straight from the confirmation."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.orders.models import Order, Status

from .test_views import add, checkout_form


def _unpaid_online_order(client, market):
    client.force_login(make_user("lisi", Role.BUYER))
    add(client, market.butter, 2)
    to_provider = client.post(reverse("storefront:checkout"), checkout_form(client, payment_method="online"))
    assert to_provider["Location"].startswith("/pay/simulated/")  # and the buyer leaves without paying
    return Order.objects.get(), to_provider["Location"]


def pay_now(client, order):
    return client.post(reverse("storefront:my_order_act", args=[order.pk]), {"action": "pay"})


def test_an_unpaid_online_order_is_paid_later_from_my_orders(client, market):
    order, provider_page = _unpaid_online_order(client, market)
    page = client.get(reverse("storefront:my_order", args=[order.pk])).content.decode()
    assert 'data-testid="pay-now"' in page and "Not paid yet: pay by" in page
    again = pay_now(client, order)
    assert again["Location"] == provider_page  # the same payment, not a second one
    back = client.post(again["Location"])
    client.get(client.get(back["Location"])["Location"])
    assert Order.objects.get().status == Status.PAID
    page = client.get(reverse("storefront:my_order", args=[order.pk])).content.decode()
    assert 'data-testid="pay-now"' not in page
    refused = client.get(pay_now(client, order)["Location"]).content.decode()
    assert "already paid" in refused


def test_pay_now_is_refused_once_the_reservation_has_run_out_or_for_cash_on_delivery(client, market):
    order, _page = _unpaid_online_order(client, market)
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    page = client.get(reverse("storefront:my_order", args=[order.pk])).content.decode()
    assert 'data-testid="pay-now"' not in page
    refused = client.get(pay_now(client, order)["Location"]).content.decode()
    assert "The time to pay for this order has passed" in refused
    add(client, market.barley, 1)
    client.post(reverse("storefront:checkout"), checkout_form(client))
    cash = Order.objects.exclude(pk=order.pk).get()
    assert "cash on delivery" in client.get(pay_now(client, cash)["Location"]).content.decode()
    client.force_login(make_user("someone-else", Role.BUYER))
    assert pay_now(client, order).status_code == 404


def test_my_orders_list_the_items_with_their_pictures(client, market):
    _unpaid_online_order(client, market)
    page = client.get(reverse("storefront:my_orders")).content.decode()
    assert "Yak butter" in page and "× 2" in page
    assert reverse("storefront:product", args=[market.butter.pk]) in page
    assert 'class="no-photo thumb"' in page  # the test products have no photo: the picture's place holder


def test_the_confirmation_tracks_the_order_without_typing_and_without_the_digits_in_an_address(
    client, market
):
    add(client, market.butter, 1)
    data = checkout_form(client)
    confirmation = client.get(client.post(reverse("storefront:checkout"), data)["Location"]).content.decode()
    order = Order.objects.get()
    assert (
        f'name="number" value="{order.number}"' in confirmation
        and 'name="phone_last4" value="1234"' in confirmation
    )
    assert 'method="post" action="/track/"' in confirmation
    tracked = client.post(reverse("storefront:track"), {"number": order.number, "phone_last4": "1234"})
    assert tracked.context["order"] == order


def test_the_cart_removes_a_product_with_one_button(client, market):
    add(client, market.butter, 2)
    add(client, market.barley, 1)
    cart = client.get(reverse("storefront:cart")).content.decode()
    assert f'data-testid="remove-{market.butter.pk}"' in cart and 'class="no-photo thumb"' in cart
    client.post(reverse("storefront:cart"), {"product": market.butter.pk, "quantity": 0})
    items = client.get(reverse("storefront:cart")).context["items"]
    assert [item.product.pk for item in items] == [market.barley.pk]


def test_a_wrong_phone_or_address_at_checkout_is_said_beside_its_field(client, market):
    add(client, market.butter, 1)
    page = client.post(reverse("storefront:checkout"), checkout_form(client, phone="12")).content.decode()
    field = re.search(r'<div class="field has-error">(.*?)</div>', page, re.S)
    assert field and 'name="phone"' in field[1] and "phone number of 7 to 15 digits" in field[1]
    page = client.post(reverse("storefront:checkout"), checkout_form(client, address="x")).content.decode()
    field = re.search(r'<div class="field has-error">(.*?)</div>', page, re.S)
    assert field and 'name="address"' in field[1] and "full delivery address" in field[1]
    assert Order.objects.count() == 0
