"""Finding and comparing on the storefront: filters, sorting and sales counts in shareable addresses, a wrong
filter said beside its field, the shop's own page; and the sold counts the order services keep."""

import datetime
import re

import pytest
from django.urls import reverse

from villagelink.catalog.models import Product
from villagelink.network.models import SiteKind
from villagelink.network.services import SiteData, site_open
from villagelink.orders.services import order_cancel, order_complete, order_deliver, order_refund, order_ship
from villagelink.orders.sold import sold_counted, sold_recount
from villagelink.orders.tests.factories import place
from villagelink.registry.models import Household

from .test_views import add, names


@pytest.fixture
def shelves(market):
    """Barley (¥25, grain) is the best-seller; butter (¥68, dairy); the bowl (¥120, Lhasa) is not marked."""
    Product.objects.filter(pk=market.barley.pk).update(category="grain")
    Product.objects.filter(pk=market.other_product.pk).update(poverty_area_product=False, category="crafts")
    place((market.barley, 3))
    place((market.butter, 1))
    return market


def listed(client, **query) -> list[str]:
    response = client.get(reverse("storefront:search"), query)
    assert response.status_code == 200
    return names(response)


def test_filters_narrow_the_products_and_the_sort_orders_them(client, shelves):
    assert listed(client, sort="price_low") == ["Highland barley", "Yak butter", "Wooden bowl"]
    assert listed(client, sort="price_high") == ["Wooden bowl", "Yak butter", "Highland barley"]
    assert (
        listed(client)
        == listed(client, sort="best_selling")
        == ["Highland barley", "Yak butter", "Wooden bowl"]
    )
    assert listed(client, min_price="30", sort="price_low") == ["Yak butter", "Wooden bowl"]
    assert listed(client, min_price="30", max_price="100") == ["Yak butter"]
    assert listed(client, max_price="25") == ["Highland barley"]  # the bounds are included
    assert listed(client, prefecture="5401") == ["Wooden bowl"]
    assert listed(client, prefecture="5402", sort="price_high") == ["Yak butter", "Highland barley"]
    assert listed(client, mark="on") == ["Highland barley", "Yak butter"]
    assert listed(client, category="grain") == ["Highland barley"]
    assert listed(client, q="yak butter", category="grain") == []
    # the best match: a name holding the whole query first, however the others sell
    assert listed(client, q="Yak") == ["Yak butter"]


def test_the_cards_show_how_many_sold_and_the_page_how_many_found(client, shelves):
    page = client.get(reverse("storefront:search"), {"sort": "best_selling"}).content.decode()
    assert re.search(r'data-testid="sold">3 sold<', page) and re.search(r'data-testid="sold">1 sold<', page)
    assert "3 products" in page
    assert "2 products" in client.get(reverse("storefront:search"), {"mark": "on"}).content.decode()


def test_a_wrong_filter_is_said_beside_its_field_keeps_what_was_typed_and_the_others_apply(client, shelves):
    response = client.get(
        reverse("storefront:search"), {"min_price": "50", "max_price": "10", "sort": "price_low"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The highest price is below the lowest: give a highest price of at least 50" in page
    assert 'name="max_price" value="10"' in page and 'name="min_price" value="50"' in page
    assert names(response) == ["Yak butter", "Wooden bowl"]  # the lowest price and the sort still apply
    assert '<details class="listing-filters" open' in page  # the error is not folded away
    wrong = client.get(
        reverse("storefront:search"), {"min_price": "cheap", "sort": "cheapest", "prefecture": "99"}
    )
    page = wrong.content.decode()
    assert "Enter a number." in page and page.count("Select a valid choice.") == 2
    assert names(wrong) == ["Highland barley", "Yak butter", "Wooden bowl"]


def test_the_pages_of_results_keep_the_filters(client, shelves, monkeypatch):
    monkeypatch.setattr("villagelink.storefront.views.PAGE_SIZE", 1)
    first = client.get(reverse("storefront:search"), {"sort": "price_low", "mark": "on"}).content.decode()
    following = re.search(r'href="(\?[^"]*page=2[^"]*)"', first)
    assert following and "sort=price_low" in following[1] and "mark=on" in following[1]
    second = client.get(reverse("storefront:search") + following[1].replace("&amp;", "&"))
    assert names(second) == ["Yak butter"]


def test_a_category_or_prefecture_page_starts_the_filters_where_its_address_says(client, shelves):
    page = client.get(reverse("storefront:category", args=["grain"]), {"sort": "price_high"})
    assert names(page) == ["Highland barley"]
    assert '<option value="grain" selected>' in page.content.decode()
    shigatse = client.get(reverse("storefront:region", args=["540200"]), {"sort": "price_low"})
    assert names(shigatse) == ["Highland barley", "Yak butter"]
    assert '<option value="5402" selected>' in shigatse.content.decode()
    namling = client.get(
        reverse("storefront:region", args=["540221"]), {"sort": "price_high", "max_price": "50"}
    )
    assert names(namling) == ["Highland barley"]  # a county: kept by the address, filtered further


def test_sold_counts_follow_every_status_and_agree_with_a_recount(shelves, admin_user):
    market = shelves
    assert (
        market.barley.__class__.objects.get(pk=market.barley.pk).sold,
        sold_counted()[market.barley.pk],
    ) == (3, 3)
    cancelled = place((market.butter, 2), (market.barley, 1)).orders[0]
    order_cancel(by=admin_user, order=cancelled, reason="changed my mind")
    returned = place((market.barley, 4)).orders[0]
    order_ship(by=admin_user, order=returned, carrier="EMS", tracking_number="EA123456789CN")
    order_deliver(by=admin_user, order=returned)
    order_refund(by=admin_user, order=returned, reason="arrived broken")
    kept = place((market.butter, 5)).orders[0]
    order_ship(by=admin_user, order=kept, carrier="EMS", tracking_number="EA123456780CN")
    order_deliver(by=admin_user, order=kept)
    order_complete(by=admin_user, order=kept)
    sold = dict(Product.objects.values_list("pk", "sold"))
    assert (sold[market.barley.pk], sold[market.butter.pk], sold[market.other_product.pk]) == (3, 6, 0)
    assert {pk: n for pk, n in sold.items() if n} == sold_counted()
    Product.objects.update(sold=0)  # as after a bulk write past the services
    assert sold_recount() == 2 and dict(Product.objects.values_list("pk", "sold")) == sold


def test_the_shop_page_shows_its_place_its_point_its_story_with_consent_and_its_products(
    client, shelves, admin_user
):
    market = shelves
    site_open(
        by=admin_user, kind=SiteKind.VILLAGE_POINT, unit=market.shop.unit,
        data=SiteData(name="Namling village point", opened_on=datetime.date(2016, 1, 1)),
    )  # fmt: skip
    Household.objects.filter(pk=market.household.pk).update(story="We keep 30 yaks.", story_consent=False)
    product_page = client.get(reverse("storefront:product", args=[market.butter.pk])).content.decode()
    shop_url = reverse("storefront:shop", args=[market.shop.pk])
    assert f'href="{shop_url}"' in product_page
    page = client.get(shop_url).content.decode()
    assert "Namling butter" in page and "Namling village point" in page and "4 units" in page
    assert "Shigatse" in page and "30 yaks" not in page
    assert names(client.get(shop_url)) == ["Highland barley", "Yak butter"]  # its own, best-selling first
    Household.objects.filter(pk=market.household.pk).update(story_consent=True)
    add(client, market.barley)  # a visitor with a session: the page as it is now, not a kept copy
    assert "30 yaks" in client.get(shop_url).content.decode()


def test_a_closed_or_elsewhere_shop_has_no_page(client, shelves, admin_user):
    from villagelink.catalog.models import Shop
    from villagelink.catalog.services import shop_set_status

    shop_set_status(by=admin_user, shop=shelves.other_shop, status="closed", day=datetime.date(2019, 1, 1))
    assert client.get(reverse("storefront:shop", args=[shelves.other_shop.pk])).status_code == 404
    Shop.objects.filter(pk=shelves.shop.pk).update(platform="taobao")
    assert client.get(reverse("storefront:shop", args=[shelves.shop.pk])).status_code == 404
    assert client.get(reverse("storefront:shop", args=[999_999])).status_code == 404
