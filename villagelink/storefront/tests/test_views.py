import hashlib
import re
import time

import pytest
from django.urls import reverse
from django.utils import translation

from conftest import PASSWORD, make_user
from villagelink.accounts.models import Role, User
from villagelink.catalog.models import Product
from villagelink.orders.models import Order, Status
from villagelink.registry.models import Household


def names(response) -> list[str]:
    """The product names on a listing page, in order."""
    return re.findall(r'class="card-name">([^<]*)<', response.content.decode())


@pytest.mark.parametrize("query", ["butter", "酥油", "Yak BUTTER", "highlands butter"])
def test_search_finds_products_in_chinese_and_english(client, market, query):
    response = client.get(reverse("storefront:search"), {"q": query})
    assert response.status_code == 200
    assert names(response) == ["Yak butter"]


def test_search_shows_only_what_is_on_sale(client, market):
    Product.objects.filter(pk=market.butter.pk).update(is_listed=False)
    assert names(client.get(reverse("storefront:search"), {"q": "butter"})) == []


def test_home_category_and_region_pages(client, market):
    home = client.get(reverse("storefront:home"))
    assert home.status_code == 200
    assert dict((c[0], c[2]) for c in home.context["categories"])["dairy"] == 3
    lhasa = client.get(reverse("storefront:region", args=["540100"]))
    assert names(lhasa) == ["Wooden bowl"]
    shigatse = client.get(reverse("storefront:region", args=["540200"]))
    assert sorted(names(shigatse)) == ["Highland barley", "Yak butter"]
    assert names(client.get(reverse("storefront:category", args=["dairy"]))) != []
    assert client.get(reverse("storefront:category", args=["nonsense"])).status_code == 404


def test_the_product_page_tells_where_it_comes_from_and_the_story_only_with_consent(client, market):
    add(client, market.barley)  # a visitor with a session sees the page as it is now, never a kept copy
    Household.objects.filter(pk=market.household.pk).update(story="We keep 30 yaks.", story_consent=False)
    page = client.get(reverse("storefront:product", args=[market.butter.pk])).content.decode()
    assert "Namling" in page and "Poverty-area product" in page and "68.00" in page
    assert "30 yaks" not in page and "Head 101" not in page
    Household.objects.filter(pk=market.household.pk).update(story_consent=True)
    assert "30 yaks" in client.get(reverse("storefront:product", args=[market.butter.pk])).content.decode()


def add(client, product, quantity=1):
    return client.post(
        reverse("storefront:cart"), {"product": product.pk, "quantity": quantity, "action": "add"}
    )


def checkout_form(client, **extra):
    page = client.get(reverse("storefront:checkout"))
    data = {
        "key": page.context["form"].initial["key"],
        "name": "Li Si",
        "phone": "139 0000 1234",
        "province": "61",
        "address": "8 Jiefang Road, Xi'an",
        "note": "",
        "payment_method": "cod",
    }
    return {**data, **extra}


def test_cart_and_cash_on_delivery_checkout(client, market):
    add(client, market.butter, 2)
    add(client, market.other_product)
    cart = client.get(reverse("storefront:cart"))
    assert cart.context["total_fen"] == 2 * 6800 + 12000
    data = checkout_form(client)
    response = client.post(reverse("storefront:checkout"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("storefront:confirmation", args=[data["key"]])
    confirmation = client.get(response["Location"])
    assert len(confirmation.context["orders"]) == 2
    assert Order.objects.count() == 2 and client.get(reverse("storefront:cart")).context["items"] == []
    # The same form submitted again (a double click, a second tab) shows the first result.
    again = client.post(reverse("storefront:checkout"), data)
    assert again["Location"] == response["Location"] and Order.objects.count() == 2
    # Nobody else may open the confirmation.
    client.logout()
    assert client.get(response["Location"]).status_code == 404


def test_bad_checkout_input_says_what_to_fix_and_writes_nothing(client, market):
    add(client, market.butter, 1)
    response = client.post(reverse("storefront:checkout"), checkout_form(client, phone="call me"))
    assert response.status_code == 200
    assert "phone number of 7 to 15 digits" in response.content.decode()
    Product.objects.filter(pk=market.butter.pk).update(stock=0)
    response = client.post(reverse("storefront:checkout"), checkout_form(client))
    assert "Only 0 of" in response.content.decode()
    assert Order.objects.count() == 0


def test_online_checkout_goes_through_the_providers_page(client, market):
    add(client, market.butter, 1)
    data = checkout_form(client, payment_method="online")
    to_provider = client.post(reverse("storefront:checkout"), data)
    assert to_provider["Location"].startswith("/pay/simulated/")
    back = client.post(to_provider["Location"])
    assert back["Location"].endswith(reverse("storefront:pay_return", args=[data["key"]]))
    confirmation = client.get(client.get(back["Location"])["Location"])
    assert confirmation.context["payment"].status == "succeeded"
    assert Order.objects.get().status == Status.PAID


def test_tracking_by_number_and_phone_digits(client, market):
    add(client, market.butter, 1)
    client.post(reverse("storefront:checkout"), checkout_form(client))
    order = Order.objects.get()
    wrong = client.post(reverse("storefront:track"), {"number": order.number, "phone_last4": "0000"})
    assert wrong.context["order"] is None and "No order has this number" in wrong.content.decode()
    right = client.post(reverse("storefront:track"), {"number": order.number, "phone_last4": "1234"})
    assert right.context["order"] == order
    assert [s[0] for s in right.context["steps"] if s[2]] == ["placed"]


def test_a_buyer_signs_up_and_finds_the_order_under_my_orders(client, market):
    response = client.post(
        reverse("storefront:signup"),
        {"username": "lisi", "first_name": "Li Si", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(username="lisi").role == Role.BUYER
    add(client, market.butter, 1)
    client.post(reverse("storefront:checkout"), checkout_form(client))
    mine = client.get(reverse("storefront:my_orders"))
    [order] = list(mine.context["page"])
    assert client.get(reverse("storefront:my_order", args=[order.pk])).status_code == 200
    other = make_user("other-buyer", Role.BUYER)
    client.force_login(other)
    assert client.get(reverse("storefront:my_order", args=[order.pk])).status_code == 404


def test_the_seller_fulfils_from_the_order_pages(client, market):
    add(client, market.butter, 1)
    client.post(reverse("storefront:checkout"), checkout_form(client))
    order = Order.objects.get()
    client.force_login(market.seller)
    listing = client.get(reverse("orders:orders"))
    assert [o.pk for o in listing.context["page"]] == [order.pk]
    detail = client.get(reverse("orders:order", args=[order.pk])).content.decode()
    assert "8 Jiefang Road" in detail  # the seller needs the address to ship
    response = client.post(
        reverse("orders:ship", args=[order.pk]), {"carrier": "EMS", "tracking_number": "ea 123456789 cn"}
    )
    assert response.status_code == 302
    assert Order.objects.get().status == Status.SHIPPED
    assert Order.objects.get().tracking_number == "EA123456789CN"
    incomplete = client.post(reverse("orders:ship", args=[order.pk]), {"carrier": "EMS"})
    assert incomplete.status_code == 400


def test_another_seller_sees_nothing_of_the_order(client, market):
    add(client, market.butter, 1)
    client.post(reverse("storefront:checkout"), checkout_form(client))
    order = Order.objects.get()
    client.force_login(make_user("stranger", Role.SELLER))
    assert list(client.get(reverse("orders:orders")).context["page"]) == []
    assert client.get(reverse("orders:order", args=[order.pk])).status_code == 404
    assert client.post(reverse("orders:cancel", args=[order.pk]), {"reason": "x"}).status_code == 404


def test_the_product_page_shows_live_stock_and_a_fresh_description_after_an_edit(client, market, admin_user):
    from villagelink.catalog.services import ProductData, product_update

    add(client, market.barley)  # a visitor with a session sees the page as it is now, never a kept copy
    url = reverse("storefront:product", args=[market.butter.pk])
    assert "highlands" in client.get(url).content.decode()
    Product.objects.filter(pk=market.butter.pk).update(stock=3)  # a checkout elsewhere
    assert "Only 3 left" in client.get(url).content.decode()
    product_update(
        by=admin_user,
        product=market.butter,
        data=ProductData(
            name_zh="牦牛酥油",
            name_en="Yak butter",
            category="dairy",
            price_fen=6800,
            unit_label="500 g",
            stock=3,
            description_en="Churned this morning.",
        ),
    )
    page = client.get(url).content.decode()
    assert "Churned this morning." in page and "highlands" not in page


def test_listings_are_served_from_the_cache_for_a_short_while(client, market, django_assert_max_num_queries):
    url = reverse("storefront:search")
    first = client.get(url, {"q": "butter"})
    with django_assert_max_num_queries(0):
        again = client.get(url, {"q": "butter"})
    assert names(again) == names(first) == ["Yak butter"]


def csrf_token_in(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


def test_first_visits_get_a_kept_page_with_their_own_csrf_token(market, django_assert_max_num_queries):
    from django.test import Client

    url = reverse("storefront:product", args=[market.butter.pk])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    one = first.get(url)
    with django_assert_max_num_queries(0):
        two = second.get(url)
    assert "Yak butter" in two.content.decode() and "csrf-token-placeholder" not in two.content.decode()
    assert csrf_token_in(one) != csrf_token_in(two)
    # Each visitor's token works with their own cookie, and not with the other's.
    form = {"product": market.butter.pk, "quantity": 1, "action": "add"}
    assert (
        second.post(
            reverse("storefront:cart"), {**form, "csrfmiddlewaretoken": csrf_token_in(two)}
        ).status_code
        == 302
    )
    stranger = Client(enforce_csrf_checks=True)
    stranger.get(reverse("storefront:home"))
    denied = stranger.post(reverse("storefront:cart"), {**form, "csrfmiddlewaretoken": "x" * 64})
    assert denied.status_code == 403
    # With a session (something in the cart), the visitor gets the page as it is now.
    Product.objects.filter(pk=market.butter.pk).update(stock=2)
    assert "Only 2 left" in second.get(url).content.decode()
    assert "Only 2 left" not in first.get(url).content.decode()  # a first visit may lag up to 30 s


def test_a_kept_page_is_served_from_the_process_copy_and_never_outlives_the_shared_one(market, monkeypatch):
    from django.core.cache import caches
    from django.test import Client

    clock = [time.time()]  # the caches' clock, moved by the test: a slow machine takes no time here
    monkeypatch.setattr(time, "time", lambda: clock[0])
    url = reverse("storefront:product", args=[market.butter.pk])
    Client().get(url)
    plain_key = f"storefront:page:v2:en:{hashlib.sha256(url.encode()).hexdigest()}"
    kept = caches["pages"].get(plain_key)
    assert kept is not None and caches["local"].get(plain_key) == kept
    # Another process (an empty local copy) takes the shared page and keeps it only for the time it has left.
    caches["local"].clear()
    caches["pages"].set(plain_key, (b"shared copy", kept[1], clock[0] + 0.2), 30)
    assert Client().get(url).content == b"shared copy"
    caches["pages"].delete(plain_key)
    assert Client().get(url).content == b"shared copy"  # from this process's copy
    clock[0] += 0.3
    assert b"Yak butter" in Client().get(url).content  # rendered again once the shared copy's time is up


def test_a_buyer_confirms_receipt_or_cancels_from_my_orders(client, market):
    from villagelink.orders.services import order_deliver, order_ship

    client.force_login(make_user("lisi", Role.BUYER))
    add(client, market.butter, 1)
    client.post(reverse("storefront:checkout"), checkout_form(client))
    add(client, market.barley, 1)
    client.post(reverse("storefront:checkout"), checkout_form(client))
    first, second = Order.objects.order_by("pk")

    def act(order, action):
        return client.post(reverse("storefront:my_order_act", args=[order.pk]), {"action": action})

    act(second, "cancel")
    assert Order.objects.get(pk=second.pk).status == Status.CANCELLED
    assert Product.objects.get(pk=market.barley.pk).stock == 50
    act(first, "complete")  # not delivered yet: refused with a message
    assert Order.objects.get(pk=first.pk).status == Status.PLACED
    order_ship(by=market.seller, order=first, carrier="EMS", tracking_number="EA123456789CN")
    order_deliver(by=market.seller, order=first)
    act(first, "complete")
    assert Order.objects.get(pk=first.pk).status == Status.COMPLETED
    client.force_login(make_user("other-buyer-2", Role.BUYER))
    assert act(first, "cancel").status_code == 404


@pytest.mark.parametrize("product", ["99999999999999999999999", str(2**63), "-1", "1e9"])
def test_an_oversized_product_number_in_the_cart_is_refused_and_breaks_nothing(client, market, product):
    refused = client.post(reverse("storefront:cart"), {"product": product, "quantity": 1, "action": "remove"})
    assert refused.status_code == 302
    add(client, market.butter)
    assert client.get(reverse("storefront:cart")).status_code == 200
    assert client.get(reverse("storefront:checkout")).status_code == 200


def test_a_session_already_holding_an_oversized_product_number_still_works(client, market):
    add(client, market.butter)
    session = client.session
    session["cart"] = {**session["cart"], "99999999999999999999999": 1, "12": 10**30}
    session.save()
    page = client.get(reverse("storefront:cart"))
    assert page.status_code == 200 and [i.product.pk for i in page.context["items"]] == [market.butter.pk]
    assert client.get(reverse("storefront:checkout")).status_code == 200


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("https://evil.example/phish", "/"),
        ("//evil.example/phish", "/"),
        ("javascript:alert(1)", "/"),
        ("/checkout/", "/checkout/"),
    ],
)
def test_signing_up_follows_next_only_within_this_site(client, market, next_url, lands_on):
    response = client.post(
        reverse("storefront:signup"),
        {
            "username": "lisi",
            "first_name": "Li Si",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": next_url,
        },
    )
    assert response.status_code == 302 and response["Location"] == lands_on


def test_a_tibetan_name_is_found_and_shown_in_tibetan(client, market):
    Product.objects.filter(pk=market.butter.pk).update(name_bo="འབྲི་མར།")
    add(client, market.barley)  # a visitor with a session sees the page as it is now, never a kept copy
    client.cookies["django_language"] = "bo"
    try:
        found = client.get(reverse("storefront:search"), {"q": "འབྲི་མར"})
        assert names(found) == ["འབྲི་མར།"]
        page = client.get(reverse("storefront:product", args=[market.butter.pk])).content.decode()
        assert "<h1>འབྲི་མར།</h1>" in page
        client.cookies["django_language"] = "en"
        english = client.get(reverse("storefront:product", args=[market.butter.pk])).content.decode()
        assert "<h1>Yak butter</h1>" in english and "འབྲི་མར" not in english
    finally:
        translation.deactivate()


def test_a_product_without_a_tibetan_name_reads_in_chinese_for_tibetan_readers(client, market):
    add(client, market.barley)
    client.cookies["django_language"] = "bo"
    try:
        page = client.get(reverse("storefront:product", args=[market.butter.pk])).content.decode()
        assert "<h1>牦牛酥油</h1>" in page
    finally:
        translation.deactivate()
