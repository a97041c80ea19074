import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.assistance.models import AssistanceEvent
from villagelink.catalog.models import Product, Shop
from villagelink.catalog.services import ProductData, product_create, shop_open
from villagelink.core.dates import region_today
from villagelink.registry.idnumbers import check_digit
from villagelink.registry.models import OrganisationKind
from villagelink.registry.services import HouseholdData, household_register, organisation_register

OPENED = datetime.date(2017, 3, 1)
VILLAGE, OTHER_VILLAGE = "540221101201", "540221101202"


def household(by, units, serial, village=VILLAGE, poor=2015):
    first17 = f"{village[:6]}19800101{serial}"
    return household_register(
        by=by,
        village=units[village],
        id_number=first17 + check_digit(first17),
        data=HouseholdData(head_name=f"Head {serial}", registered_poor_in=poor),
    )


def shop(by, owner, name="Yak butter", platform="storefront", **extra):
    return shop_open(by=by, name=name, platform=platform, opened_on=OPENED, household=owner, **extra)


def product(by, of, name="Yak butter", price_fen=6800, origin=None):
    data = ProductData(
        name_zh=name,
        name_en=name,
        category="dairy",
        price_fen=price_fen,
        unit_label="500 g",
        origin_village=origin,
    )
    return product_create(by=by, shop=of, data=data)


def shop_names(response):
    return [s.name for s in response.context["page"]]


@pytest.fixture
def owner(units, point_operator):
    return household(point_operator, units, "001")


def test_the_shop_list_takes_a_fixed_number_of_queries(client, units, point_operator, owner):
    for i in range(3):
        product(point_operator, shop(point_operator, owner, name=f"Shop {i:02d}"))
    client.force_login(point_operator)
    with CaptureQueriesContext(connection) as few:
        client.get("/catalog/shops/")
    for i in range(3, 20):
        product(point_operator, shop(point_operator, owner, name=f"Shop {i:02d}"))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/catalog/shops/")
    assert len(response.context["page"]) == 20
    assert len(many) == len(few)
    assert "Head 001" in response.content.decode()  # the owner, without a query per row


def test_the_shop_list_filters_by_platform_status_and_name(client, units, point_operator, owner):
    shop(point_operator, owner, name="Butter on Taobao", platform="taobao", external_id="tb-1")
    shop(point_operator, owner, name="Barley here")
    client.force_login(point_operator)
    assert shop_names(client.get("/catalog/shops/")) == ["Barley here", "Butter on Taobao"]
    assert shop_names(client.get("/catalog/shops/", {"platform": "taobao"})) == ["Butter on Taobao"]
    assert shop_names(client.get("/catalog/shops/", {"q": "barley"})) == ["Barley here"]
    assert shop_names(client.get("/catalog/shops/", {"status": "closed"})) == []
    # an unknown filter value is ignored rather than an error
    assert len(shop_names(client.get("/catalog/shops/", {"platform": "nowhere"}))) == 2


def test_the_shop_page_lists_its_products_in_yuan_with_a_fixed_number_of_queries(
    client, units, point_operator, owner
):
    butter = shop(point_operator, owner)
    for i in range(3):
        product(point_operator, butter, name=f"Product {i:02d}", price_fen=6800 + i, origin=units[VILLAGE])
    client.force_login(point_operator)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/catalog/shops/{butter.pk}/")
    for i in range(3, 20):
        product(point_operator, butter, name=f"Product {i:02d}", price_fen=6800 + i, origin=units[VILLAGE])
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/catalog/shops/{butter.pk}/")
    assert len(many) == len(few)
    page = response.content.decode()
    assert "¥68.00" in page and "¥68.19" in page and "Head 001" in page and "Namling Village 1" in page


def test_opening_a_shop_through_the_form_records_the_assistance_too(client, units, point_operator, owner):
    client.force_login(point_operator)
    prefilled = client.get(f"/catalog/shops/new/?household={owner.pk}")
    assert prefilled.context["form"]["household"].value() == owner.pk
    form = {
        "name": "Tsampa",
        "household": owner.pk,
        "platform": "pinduoduo",
        "external_id": "pdd-77",
        "opened_on": "2018-04-02",
    }
    response = client.post("/catalog/shops/new/", form)
    opened = Shop.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/catalog/shops/{opened.pk}/"
    assert (opened.name, opened.household, opened.platform, opened.unit.code) == (
        "Tsampa",
        owner,
        "pinduoduo",
        VILLAGE,
    )
    assert AssistanceEvent.objects.get().kind == "shop_setup"


def test_opening_a_shop_for_an_organisation(client, units, county_officer):
    cooperative = organisation_register(
        by=county_officer, kind=OrganisationKind.COOPERATIVE, name="Butter co-op", unit=units[VILLAGE]
    )
    client.force_login(county_officer)
    form = {"name": "Co-op shop", "organisation": cooperative.pk, "platform": "storefront"}
    response = client.post("/catalog/shops/new/", form | {"opened_on": "2018-04-02"})
    assert response.status_code == 302
    assert Shop.objects.get().organisation == cooperative


def test_the_open_form_shows_what_is_wrong_and_writes_nothing(
    client, units, point_operator, county_officer, owner
):
    elsewhere = household(county_officer, units, "002", village=OTHER_VILLAGE)
    cooperative = organisation_register(
        by=county_officer, kind=OrganisationKind.COOPERATIVE, name="Co-op", unit=units[VILLAGE]
    )
    client.force_login(point_operator)
    form = {"name": "Tsampa", "household": owner.pk, "platform": "storefront", "opened_on": "2018-04-02"}

    def problems(**changes):
        return client.post("/catalog/shops/new/", form | changes).content.decode()

    assert "A shop belongs to one household, or to one cooperative or enterprise." in problems(
        organisation=cooperative.pk
    )
    assert "Give the shop&#x27;s id or address on Taobao / Tmall." in problems(platform="taobao")
    assert "The opening date is in the future." in problems(opened_on="2999-01-01")
    assert "No such household in your area." in problems(household=elsewhere.pk)
    assert "No such service site in your area." in problems(site=99999)
    assert not Shop.objects.exists() and not AssistanceEvent.objects.exists()


def test_adding_and_editing_a_product_with_prices_in_yuan(client, units, point_operator, owner):
    butter = shop(point_operator, owner)
    client.force_login(point_operator)
    form = {
        "name_zh": "牦牛酥油",
        "name_en": "Yak butter",
        "category": "dairy",
        "price": "68.00",
        "unit_label": "500 g",
        "stock": 12,
        "origin_village": units[VILLAGE].pk,
        "is_listed": "on",
    }
    response = client.post(f"/catalog/shops/{butter.pk}/products/new/", form)
    assert response.status_code == 302 and response["Location"] == f"/catalog/shops/{butter.pk}/"
    added = Product.objects.get()
    assert (added.price_fen, added.stock, added.origin_village.code, added.is_listed) == (
        6800,
        12,
        VILLAGE,
        True,
    )

    edit = client.get(f"/catalog/products/{added.pk}/edit/")
    assert edit.context["form"]["price"].value() == "68.00"
    assert "stock" not in edit.context["form"].fields  # the stock moves only with a recorded change
    response = client.post(f"/catalog/products/{added.pk}/edit/", form | {"price": "¥1,234.5", "stock": 0})
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.price_fen, added.stock) == (123450, 12)


def test_the_product_form_shows_what_is_wrong_and_writes_nothing(client, units, county_officer, owner):
    butter = shop(county_officer, owner)
    client.force_login(county_officer)
    form = {"name_zh": "酥油", "name_en": "Butter", "category": "dairy", "price": "45", "unit_label": "500 g"}
    form["stock"] = 1

    def problems(**changes):
        return client.post(f"/catalog/shops/{butter.pk}/products/new/", form | changes).content.decode()

    assert "The price must be more than zero." in problems(price="0")
    assert "is not an amount in yuan, such as 12.50." in problems(price="forty")
    assert "Choose a village of your area." in problems(origin_village=units["540221101"].pk)  # a township
    assert "Choose a village of your area." in problems(origin_village=units["540102101201"].pk)
    for oversized in (10**20, 2**62, 1_000_001):  # refused beside the field, never a 500 or a stored 2^62
        assert "less than or equal to 1000000" in problems(stock=str(oversized))
    assert not Product.objects.exists()


def test_the_status_buttons_change_the_shop_by_post_only(client, units, point_operator, owner):
    butter = shop(point_operator, owner)
    client.force_login(point_operator)
    page = client.get(f"/catalog/shops/{butter.pk}/").content.decode()
    assert 'value="suspended"' in page and 'value="closed"' in page and 'value="open"' not in page
    assert client.get(f"/catalog/shops/{butter.pk}/status/").status_code == 405
    response = client.post(f"/catalog/shops/{butter.pk}/status/", {"status": "closed"})
    assert response.status_code == 302
    butter.refresh_from_db()
    assert (butter.status, butter.closed_on) == ("closed", region_today())
    refused = client.post(f"/catalog/shops/{butter.pk}/status/", {"status": "gone"})
    assert "Select a valid choice" in refused.content.decode()
    butter.refresh_from_db()
    assert butter.status == "closed"


def test_an_operator_gets_404_for_the_shops_and_products_of_another_village(
    client, units, county_officer, point_operator
):
    elsewhere = shop(county_officer, household(county_officer, units, "009", village=OTHER_VILLAGE))
    item = product(county_officer, elsewhere)
    client.force_login(point_operator)
    assert client.get(f"/catalog/shops/{elsewhere.pk}/").status_code == 404
    assert client.post(f"/catalog/shops/{elsewhere.pk}/status/", {"status": "closed"}).status_code == 404
    assert client.get(f"/catalog/shops/{elsewhere.pk}/products/new/").status_code == 404
    assert client.get(f"/catalog/products/{item.pk}/edit/").status_code == 404
    assert client.post(f"/catalog/products/{item.pk}/edit/", {"price": "1"}).status_code == 404
    assert shop_names(client.get("/catalog/shops/")) == []
    elsewhere.refresh_from_db()
    assert elsewhere.status == "open"


def test_only_people_who_work_in_the_registry_open_shops(client, units, point_operator, owner):
    butter = shop(point_operator, owner)
    seller = make_user("seller", Role.SELLER, units[VILLAGE])
    client.force_login(seller)
    assert client.get("/catalog/shops/new/").status_code == 403
    assert client.get(f"/catalog/shops/{butter.pk}/").status_code == 404  # no area, so nothing to reach
    assert shop_names(client.get("/catalog/shops/")) == []
    client.force_login(point_operator)
    page = client.get("/catalog/shops/").content.decode()
    assert "/catalog/shops/new/" in page


def test_a_shop_is_named_in_the_readers_language_and_found_by_any_of_its_names(
    client, units, point_operator, owner
):
    client.force_login(point_operator)
    form = {
        "name": "次仁的小店",
        "name_bo": "ཚེ་རིང་ཚོང་ཁང་།",
        "name_en": "Tsering's shop",
        "household": owner.pk,
        "platform": "storefront",
        "opened_on": "2018-04-02",
    }
    client.post("/catalog/shops/new/", form)
    shop = Shop.objects.get()
    pages = {}
    for language in ("bo", "zh-hans", "en", "fr"):
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
        pages[language] = client.get(f"/catalog/shops/{shop.pk}/").content.decode()
    assert "ཚེ་རིང་ཚོང་ཁང་།" in pages["bo"] and "次仁的小店" not in pages["bo"].split("<h1>")[1][:200]
    assert "次仁的小店" in pages["zh-hans"].split("<h1>")[1][:200]
    assert (
        "Tsering&#x27;s shop" in pages["en"] and "Tsering&#x27;s shop" in pages["fr"]
    )  # French: the English name
    for search in ("ཚེ་རིང་", "次仁", "tsering"):
        listing = client.get("/catalog/shops/", {"q": search}).content.decode()
        assert f"/catalog/shops/{shop.pk}/" in listing, search
    assert f"/catalog/shops/{shop.pk}/" not in client.get("/catalog/shops/", {"q": "བཀྲ་ཤིས"}).content.decode()
    # a shop without a Tibetan name reads under the name it is registered under
    Shop.objects.filter(pk=shop.pk).update(name_bo="")
    client.post("/i18n/setlang/", {"language": "bo", "next": "/"})
    assert "次仁的小店" in client.get(f"/catalog/shops/{shop.pk}/").content.decode()
