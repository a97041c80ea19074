"""The orders and storefront API: a buyer places and tracks orders anonymously, the shop fulfils them, and
nobody outside the shop's area finds them."""

import datetime
import io

import pytest
from django.core.cache import cache
from PIL import Image
from rest_framework.test import APIClient

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.catalog.models import Product
from villagelink.catalog.services import product_add_photo
from villagelink.network.models import SiteKind
from villagelink.network.services import SiteData, site_open
from villagelink.orders.models import Checkout, IncomeShare, Order, OrderLine, Status
from villagelink.orders.tests.factories import new_key, place

PLACE = "/api/v1/storefront/orders/"
TRACK = "/api/v1/storefront/orders/track/"
PRODUCTS = "/api/v1/storefront/products/"
ORDERS = "/api/v1/orders/"


@pytest.fixture(autouse=True)
def _no_tracking_counters():
    """order_track counts wrong tries in the cache, which outlives each test's database."""
    cache.clear()
    yield
    cache.clear()


def api_as(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def stock(product) -> int:
    return Product.objects.get(pk=product.pk).stock


def body(*products_and_quantities, method: str = "cod", **overrides) -> dict:
    return {
        "lines": [{"product": p.pk, "quantity": q} for p, q in products_and_quantities],
        "name": "Zhang San",
        "phone": "138 0013 8000",
        "province": "51",
        "address": "1 Renmin Road, Chengdu",
        "note": "Leave it at the gate",
        "payment_method": method,
        **overrides,
    }


def post_order(api: APIClient, data: dict, key: str | None):
    headers = {} if key is None else {"Idempotency-Key": key}
    return api.post(PLACE, data, format="json", headers=headers)


# Placing ----------------------------------------------------------------------------------------------------


def test_an_anonymous_buyer_places_once_however_often_the_key_is_sent(market):
    key = new_key()
    first = post_order(api_as(), body((market.butter, 2), (market.other_product, 1)), key)
    assert first.status_code == 201, first.json()
    data = first.json()
    assert sorted((o["shop"], o["total"], o["status"]) for o in data["orders"]) == [
        ("Lhasa crafts", "120.00", "placed"),
        ("Namling butter", "136.00", "placed"),
    ]
    assert data["total"] == "256.00" and data["payment_method"] == "cod" and data["pay_url"] == ""
    butter_order = next(o for o in data["orders"] if o["shop"] == "Namling butter")
    assert butter_order["lines"] == [
        {
            "product": market.butter.pk,
            "description": "牦牛酥油",
            "quantity": 2,
            "unit_price": "68.00",
            "amount": "136.00",
        }
    ]
    assert "13800138000" not in first.content.decode() and "Renmin" not in first.content.decode()

    again = post_order(api_as(), body((market.butter, 5)), key)  # a retry, even with another cart

    assert again.status_code == 200
    assert again.json() == data
    assert Order.objects.count() == 2 and Checkout.objects.get().buyer is None
    assert (stock(market.butter), stock(market.other_product)) == (18, 4)


def test_a_signed_in_buyer_is_the_orders_buyer_and_paying_online_gives_a_pay_url(market):
    buyer = make_user("buyer", Role.BUYER)
    response = post_order(api_as(buyer), body((market.barley, 3), method="online"), new_key())
    assert response.status_code == 201, response.json()
    order = Order.objects.get()
    assert order.buyer == buyer and order.payment_method == "online" and order.expires_at is not None
    assert response.json()["pay_url"].startswith("http://testserver/pay/simulated/")
    # the same key from someone else is their own checkout, never this one
    other = post_order(api_as(), body((market.barley, 3)), Checkout.objects.get().key)
    assert other.status_code == 201 and other.json()["orders"][0]["number"] != order.number


def test_a_guests_key_sent_by_another_guest_shows_nothing_of_the_first(market):
    key = new_key()
    first = APIClient(REMOTE_ADDR="198.51.100.1")
    second = APIClient(REMOTE_ADDR="198.51.100.2")
    mine = post_order(first, body((market.butter, 1)), key)
    theirs = post_order(second, body((market.barley, 2)), key)
    assert mine.status_code == theirs.status_code == 201
    assert theirs.json()["orders"][0]["number"] != mine.json()["orders"][0]["number"]
    assert "Butter" not in str(theirs.json()) and theirs.json()["total"] != mine.json()["total"]
    assert post_order(first, body((market.barley, 9)), key).json() == mine.json()  # still idempotent
    assert Checkout.objects.filter(key=key).count() == 2


@pytest.mark.parametrize(
    ("change", "key", "status", "field_or_message"),
    [
        ({}, None, 400, "Idempotency-Key"),
        ({}, "short", 400, "Idempotency-Key"),
        ({"lines": []}, "k", 400, "lines"),
        ({"lines": [{"product": 1, "quantity": 0}]}, "k", 400, "lines"),
        ({"lines": [{"product": 1, "quantity": 1, "price": "0.01"}]}, "k", 400, "lines"),
        ({"phone": "call me"}, "k", 400, "phone number of 7 to 15 digits"),
        ({"address": "here"}, "k", 400, "full delivery address"),
        ({"payment_method": "barter"}, "k", 400, "payment_method"),
        ({"province": "99"}, "k", 400, "province"),
        ({"province": None}, "k", 400, "province"),
        ({"lines": [{"product": 999_999, "quantity": 1}]}, "k", 400, "no longer sold"),
        ({"butter": 21}, "k", 409, "Only 20 of"),
        ({"butter": 60, "repeat": True}, "k", 400, "between 1 and 99"),
        ({"discount": "10.00"}, "k", 400, "discount"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_written(
    market, change, key, status, field_or_message
):
    data = body((market.butter, 1))
    if "butter" in change:
        quantity = change.pop("butter")
        repeat = change.pop("repeat", False)
        line = {"product": market.butter.pk, "quantity": quantity}
        change = {"lines": [line, line] if repeat else [line]}
    data.update(change)
    key = new_key() if key == "k" else key

    response = post_order(api_as(), data, key)

    assert response.status_code == status, response.content
    assert field_or_message in response.content.decode()
    assert Order.objects.count() == 0 and Checkout.objects.count() == 0 and OrderLine.objects.count() == 0
    assert stock(market.butter) == 20


# Tracking ---------------------------------------------------------------------------------------------------


def test_tracking_needs_the_number_and_the_phones_last_4_digits(market):
    order = place((market.butter, 1)).orders[0]
    api = api_as()

    found = api.post(TRACK, {"number": order.number, "phone_last4": "8000"}, format="json")
    wrong = api.post(TRACK, {"number": order.number, "phone_last4": "8001"}, format="json")

    assert found.status_code == 200, found.json()
    data = found.json()
    assert (data["number"], data["status"], data["total"], data["shop"]) == (
        order.number,
        "placed",
        "68.00",
        "Namling butter",
    )
    assert [step["status"] for step in data["steps"]] == ["placed"]
    assert [line["quantity"] for line in data["lines"]] == [1]
    assert "Zhang" not in found.content.decode() and "Renmin" not in found.content.decode()
    assert wrong.status_code == 404 and wrong.json()["code"] == "not_found"


def test_tracking_shows_the_carrier_and_refuses_guessing(market, admin_user):
    from villagelink.orders.services import order_ship

    order = place((market.butter, 1)).orders[0]
    order_ship(by=market.seller, order=order, carrier="EMS", tracking_number="EM123456789CN")
    api = api_as()
    data = api.post(TRACK, {"number": order.number, "phone_last4": "8000"}, format="json").json()
    assert (data["status"], data["carrier"], data["tracking_number"]) == ("shipped", "EMS", "EM123456789CN")
    assert [(s["status"], s["note"]) for s in data["steps"]] == [
        ("placed", ""),
        ("shipped", "EMS EM123456789CN"),
    ]

    answers = [
        api.post(TRACK, {"number": order.number, "phone_last4": f"{n:04d}"}, format="json").status_code
        for n in range(10)
    ]
    refused = api.post(TRACK, {"number": order.number, "phone_last4": "8000"}, format="json")

    assert answers == [404] * 10
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_attempts"
    assert refused["Retry-After"] == "3600"


# Fulfilling -------------------------------------------------------------------------------------------------


def test_a_seller_sees_their_shops_orders_with_the_delivery_address(market):
    mine = place((market.butter, 1)).orders[0]
    place((market.other_product, 1))  # another shop's
    api = api_as(market.seller)

    listed = api.get(ORDERS)
    detail = api.get(f"{ORDERS}{mine.pk}/")

    assert listed.status_code == 200
    assert [o["number"] for o in listed.json()["results"]] == [mine.number]
    assert "delivery" not in listed.json()["results"][0]
    assert detail.status_code == 200
    assert detail.json()["delivery"] == {
        "name": "Zhang San",
        "phone": "13800138000",
        "province": "51",
        "address": "1 Renmin Road, Chengdu",
        "note": "",
    }
    assert detail.json()["shop"] == {"id": market.shop.pk, "name": "Namling butter"}
    assert detail.json()["unit"] == "540221101201"


def test_the_status_filter(market):
    placed = place((market.butter, 1)).orders[0]
    done = place((market.barley, 1)).orders[0]
    from villagelink.orders.services import order_cancel

    order_cancel(by=market.seller, order=done, reason="Out of barley")
    api = api_as(market.seller)

    def numbers(status):
        return [o["number"] for o in api.get(ORDERS, {"status": status}).json()["results"]]

    assert numbers("open") == [placed.number]
    assert numbers("cancelled") == [done.number]
    assert sorted(o["number"] for o in api.get(ORDERS).json()["results"]) == sorted(
        [placed.number, done.number]
    )
    assert api.get(ORDERS, {"status": "lost"}).status_code == 400


def test_nobody_else_finds_a_shops_order(market, units, other_county_officer, county_officer):
    order = place((market.butter, 1)).orders[0]
    other_seller = make_user("crafts", Role.SELLER)
    market.other_shop.seller = other_seller
    market.other_shop.save(update_fields=["seller"])
    lhasa_point = make_user("lhasa-point", Role.SITE_OPERATOR, units["540102101201"])

    assert api_as().get(ORDERS).status_code == 401
    assert api_as().get(f"{ORDERS}{order.pk}/").status_code == 401
    for outsider in (other_seller, other_county_officer, lhasa_point):
        api = api_as(outsider)
        assert api.get(ORDERS).json()["results"] == []
        assert api.get(f"{ORDERS}{order.pk}/").status_code == 404
        assert api.post(f"{ORDERS}{order.pk}/deliver/").status_code == 404
        assert api.post(f"{ORDERS}{order.pk}/cancel/", {"reason": "x"}, format="json").status_code == 404
    # the county's officer sees the order, but neither where it goes nor how to move it
    officer = api_as(county_officer)
    assert officer.get(f"{ORDERS}{order.pk}/").json()["delivery"] is None
    refused = officer.post(
        f"{ORDERS}{order.pk}/ship/", {"carrier": "EMS", "tracking_number": "1"}, format="json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert Order.objects.get().status == Status.PLACED


def test_the_seller_ships_delivers_and_completes_through_the_api(market):
    order = place((market.butter, 2)).orders[0]
    api = api_as(market.seller)
    url = f"{ORDERS}{order.pk}"

    incomplete = api.post(f"{url}/ship/", {"carrier": "EMS"}, format="json")
    wrong = api.post(f"{url}/ship/", {"carrier": "EMS", "tracking_number": "EM1"}, format="json")
    shipped = api.post(f"{url}/ship/", {"carrier": "EMS", "tracking_number": "EM123456789CN"}, format="json")
    delivered = api.post(f"{url}/deliver/")
    completed = api.post(f"{url}/complete/")
    again = api.post(f"{url}/complete/")

    assert incomplete.status_code == 400 and "tracking number" in incomplete.json()["detail"]
    assert wrong.status_code == 400 and "EA123456789CN" in wrong.json()["detail"]  # the form EMS prints
    assert shipped.status_code == 200, shipped.json()
    assert (shipped.json()["status"], shipped.json()["carrier"], shipped.json()["tracking_number"]) == (
        "shipped",
        "EMS",
        "EM123456789CN",
    )
    assert delivered.json()["status"] == "delivered" and delivered.json()["paid_at"] is not None
    assert completed.json()["status"] == "completed"
    assert completed.json()["delivery"] is None  # no longer open: the address is no longer shown
    assert [s["status"] for s in completed.json()["steps"]] == ["placed", "shipped", "delivered", "completed"]
    assert again.status_code == 409 and "cannot become completed" in again.json()["detail"]
    assert IncomeShare.objects.get().amount_fen == 2 * 6800


def test_a_village_point_operator_hands_the_parcel_over_at_a_point_of_the_area(market, units, admin_user):
    order = place((market.butter, 1)).orders[0]
    point = site_open(
        by=admin_user,
        kind=SiteKind.VILLAGE_POINT,
        unit=units["540221101201"],
        data=SiteData(name="Namling point", opened_on=datetime.date(2017, 1, 1)),
    )
    elsewhere = site_open(
        by=admin_user,
        kind=SiteKind.VILLAGE_POINT,
        unit=units["540102101201"],
        data=SiteData(name="Lhasa point", opened_on=datetime.date(2017, 1, 1)),
    )
    operator = make_user("namling-point", Role.SITE_OPERATOR, units["540221101201"])
    api = api_as(operator)

    refused = api.post(f"{ORDERS}{order.pk}/ship/", {"site": elsewhere.pk}, format="json")
    shipped = api.post(f"{ORDERS}{order.pk}/ship/", {"site": point.pk}, format="json")

    assert refused.status_code == 400 and "Lhasa" not in refused.content.decode()
    assert shipped.status_code == 200, shipped.json()
    assert shipped.json()["handed_over_at"] == {"id": point.pk, "name": "Namling point"}
    assert shipped.json()["steps"][-1]["status"] == "shipped"


def test_cancelling_puts_the_stock_back_and_needs_a_reason(market):
    order = place((market.butter, 3)).orders[0]
    api = api_as(market.seller)

    silent = api.post(f"{ORDERS}{order.pk}/cancel/", {}, format="json")
    cancelled = api.post(f"{ORDERS}{order.pk}/cancel/", {"reason": "Out of butter"}, format="json")
    refund = api.post(f"{ORDERS}{order.pk}/refund/", {"reason": "again"}, format="json")

    assert silent.status_code == 400 and "Say why" in silent.json()["detail"]
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == ("cancelled", "Out of butter")
    assert stock(market.butter) == 20
    assert refund.status_code == 409


# The catalogue ----------------------------------------------------------------------------------------------


def test_the_catalogue_is_public_and_searchable(market, django_assert_num_queries):
    api = api_as()
    with django_assert_num_queries(4):  # count, page, photos, counties: however many products
        everything = api.get(PRODUCTS)
    assert everything.status_code == 200
    assert everything.json()["count"] == 3

    def names(**params):
        return sorted(p["name_en"] for p in api.get(PRODUCTS, params).json()["results"])

    assert names(q="butter yak") == ["Yak butter"]
    assert names(q="青稞") == ["Highland barley"]
    assert names(region="540102") == ["Wooden bowl"]
    assert names(category="crafts") == []
    assert api.get(PRODUCTS, {"region": "540221101201"}).status_code == 400  # a village is no region
    assert api.get(PRODUCTS, {"category": "gold"}).status_code == 400


def test_a_product_shows_its_price_origin_and_photos_never_its_household(
    market, admin_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    picture = io.BytesIO()
    Image.new("RGB", (400, 300), (90, 60, 20)).save(picture, format="JPEG")
    photo = product_add_photo(by=admin_user, product=market.butter, data=picture.getvalue())

    response = api_as().get(f"{PRODUCTS}{market.butter.pk}/")

    assert response.status_code == 200
    data = response.json()
    assert (data["price"], data["stock"], data["in_stock"], data["shop"]) == (
        "68.00",
        20,
        True,
        "Namling butter",
    )
    assert data["origin"]["village"]["code"] == "540221101201"
    assert data["origin"]["county"]["code"] == "540221"
    assert data["photos"] == [f"http://testserver/media/photos/{photo.pk}/w640/"]
    listed = api_as().get(PRODUCTS, {"q": "Yak"}).json()["results"][0]
    assert listed["origin"] == data["origin"] and listed["photos"] == data["photos"]
    for shown in (response.content.decode(), str(listed)):
        assert market.household.head_name not in shown and market.household.full_id_number() not in shown


def test_unlisted_products_and_other_ids_are_not_found(market, admin_user):
    from villagelink.catalog.models import Product

    Product.objects.filter(pk=market.barley.pk).update(is_listed=False)
    api = api_as()
    assert api.get(f"{PRODUCTS}{market.barley.pk}/").status_code == 404
    assert api.get(f"{PRODUCTS}{10**30}/").status_code == 404
    assert api.get(f"{PRODUCTS}abc/").status_code == 404
    assert api_as(market.seller).get(f"{ORDERS}{10**30}/").status_code == 404
