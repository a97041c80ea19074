"""The buyer sees each shop's fee and delivery window in the cart and at checkout, for the province they name,
and pays what they saw."""

import pytest
from django.urls import reverse

from villagelink.catalog.services import ShippingRules, shop_set_shipping
from villagelink.orders.models import Order
from villagelink.storefront.tests.test_views import add, checkout_form


@pytest.fixture
def ruled(market, admin_user):
    shop_set_shipping(
        by=admin_user,
        shop=market.shop,
        rules=ShippingRules(fee_fen=1000, province_fees={"54": 0}, free_over_fen=15000, dispatch_days=2),
    )
    return market


def shipping_line(page: str, shop) -> str:
    start = page.index(f'data-testid="shipping-{shop.pk}"')
    return page[start : page.index("</p>", start)]


def test_the_cart_shows_each_shops_fee_and_window_and_the_total_with_them(client, ruled):
    add(client, ruled.butter)
    add(client, ruled.other_product)  # a shop with no rules: free shipping

    usual = client.get(reverse("storefront:cart"))
    client.post(reverse("storefront:deliver_to"), {"province": "54", "back": "cart"})
    to_tibet = client.get(reverse("storefront:cart"))

    page = usual.content.decode()
    assert "Shipping ¥10.00" in shipping_line(page, ruled.shop)
    assert "¥82.00 more from this shop" in shipping_line(page, ruled.shop)
    assert "Free shipping" in shipping_line(page, ruled.other_shop)
    assert "Arrives" in shipping_line(page, ruled.other_shop)
    assert usual.context["total_fen"] == 6800 + 1000 + 12000
    assert "Free shipping" in shipping_line(to_tibet.content.decode(), ruled.shop)
    assert to_tibet.context["total_fen"] == 6800 + 12000


def test_choosing_the_province_at_checkout_brings_its_fees_with_htmx(client, ruled):
    add(client, ruled.butter)
    answer = client.post(
        reverse("storefront:deliver_to"),
        {"province": "54"},
        headers={"HX-Request": "true", "HX-Target": "order-summary"},
    )
    body = answer.content.decode()
    assert answer.status_code == 200 and body.startswith('<section class="panel" id="order-summary"')
    assert "Free shipping" in body and "Tibet" in body and "¥68.00" in body


def test_the_carts_own_form_sent_by_a_boosted_page_comes_back_to_the_cart(client, ruled):
    add(client, ruled.butter)
    answer = client.post(
        reverse("storefront:deliver_to"), {"province": "54", "back": "cart"}, headers={"HX-Request": "true"}
    )
    assert answer.status_code == 302 and answer["Location"] == reverse("storefront:cart")


def test_a_wrong_province_is_told_and_the_cart_keeps_the_last_good_one(client, ruled):
    add(client, ruled.butter)
    client.post(reverse("storefront:deliver_to"), {"province": "54", "back": "cart"})
    answer = client.post(reverse("storefront:deliver_to"), {"province": "99", "back": "cart"}, follow=True)
    assert "Choose the province the order goes to." in answer.content.decode()
    assert answer.context["total_fen"] == 6800


def test_the_checkout_asks_for_the_province_beside_its_field_and_charges_what_it_showed(client, ruled):
    add(client, ruled.butter)
    refused = client.post(reverse("storefront:checkout"), checkout_form(client, province=""))
    form = refused.context["form"]
    assert form.errors["province"] == ["Choose the province the order goes to."]
    assert "8 Jiefang Road" in refused.content.decode()  # what was typed stays
    assert not Order.objects.exists()

    shown = client.get(reverse("storefront:checkout")).context["total_fen"]
    client.post(reverse("storefront:checkout"), checkout_form(client, province="61"))
    order = Order.objects.get()
    assert order.total_fen == 6800 + 1000 == shown  # Shaanxi pays the usual fee the page showed
    assert order.province == "61" and order.arrives_by is not None
    confirmation = client.get(reverse("storefront:confirmation", args=[order.checkout.key])).content.decode()
    assert "Shipping ¥10.00" in confirmation and "Arrives" in confirmation
