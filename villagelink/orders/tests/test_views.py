"""The staff order pages: an order imported from a platform report shows the platform's own order number, and
the order search finds it by that number as well as by ours, within the searcher's area only."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from villagelink.orders.bulk import orders_insert, rows_insert
from villagelink.orders.models import IncomeShare, Order

TAOBAO_NUMBER = "3141592653589793238"
FIELDS = (
    "number", "kind", "channel", "status", "shop_id", "unit_id", "platform", "external_id", "payment_method",
    "total_fen", "refunded_fen", "placed_at", "placed_on", "paid_at", "completed_on",
)  # fmt: skip
PLACED = datetime.datetime(2019, 6, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def imported(market) -> Order:
    """A completed Taobao order of the Namling shop, as an import writes it (our number I4-3), with the income
    share it brings the shop's poor household."""
    shop = market.shop
    orders_insert(
        FIELDS,
        [
            ("I4-3", "sale", "platform", "completed", shop.pk, shop.unit_id, "taobao", TAOBAO_NUMBER, "online",
             6_800, 0, PLACED, PLACED.date(), PLACED, PLACED.date()),
        ],
    )  # fmt: skip
    order = Order.objects.get(number="I4-3")
    rows_insert(
        IncomeShare,
        ["order_id", "household_id", "amount_fen", "day"],
        [(order.pk, market.household.pk, 6_800, PLACED.date())],
    )
    return order


def numbers(response) -> list[str]:
    return [order.number for order in response.context["page"]]


def test_an_imported_orders_pages_show_the_platforms_order_number(client, imported, county_officer):
    client.force_login(county_officer)

    detail = client.get(reverse("orders:order", args=[imported.pk])).content.decode()
    listing = client.get(reverse("orders:orders"), {"status": "all"}).content.decode()
    household = client.get(reverse("registry:household_detail", args=[imported.shop.household_id]))

    assert "Taobao / Tmall order number" in detail and TAOBAO_NUMBER in detail
    assert f"Taobao / Tmall order number {TAOBAO_NUMBER}" in listing
    assert TAOBAO_NUMBER in household.content.decode()


def test_the_platforms_order_number_is_labelled_in_chinese(client, imported, county_officer):
    client.force_login(county_officer)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/orders/"})

    detail = client.get(reverse("orders:order", args=[imported.pk])).content.decode()

    assert "淘宝/天猫订单号" in detail and TAOBAO_NUMBER in detail
    assert "order number" not in detail


def test_an_order_without_a_platform_number_shows_no_label(client, market, imported, county_officer):
    Order.objects.filter(pk=imported.pk).update(platform="", external_id="")
    client.force_login(county_officer)

    detail = client.get(reverse("orders:order", args=[imported.pk])).content.decode()

    assert "order number" not in detail.lower()


@pytest.mark.parametrize("search", [TAOBAO_NUMBER, TAOBAO_NUMBER[:10], f"  {TAOBAO_NUMBER} ", "I4-3"])
def test_the_search_finds_an_imported_order_by_the_platforms_number_or_ours(
    client, imported, county_officer, search
):
    # Given an order that is completed (the list shows orders to fulfil unless told otherwise)
    client.force_login(county_officer)

    # When a county officer searches by either number
    found = client.get(reverse("orders:orders"), {"q": search})

    # Then the order is the one found
    assert numbers(found) == ["I4-3"]


def test_a_search_for_another_number_finds_nothing(client, imported, county_officer):
    client.force_login(county_officer)
    assert numbers(client.get(reverse("orders:orders"), {"q": "2718281828"})) == []
    # …and a status chosen with the search still applies
    assert numbers(client.get(reverse("orders:orders"), {"q": TAOBAO_NUMBER, "status": "open"})) == []


def test_someone_of_another_area_finds_nothing_by_the_platforms_number(
    client, imported, other_county_officer
):
    client.force_login(other_county_officer)

    assert numbers(client.get(reverse("orders:orders"), {"q": TAOBAO_NUMBER})) == []
    assert numbers(client.get(reverse("orders:orders"), {"q": TAOBAO_NUMBER, "status": "all"})) == []
    assert client.get(reverse("orders:order", args=[imported.pk])).status_code == 404
