import datetime

import pytest
from django.db import IntegrityError, transaction

from villagelink.assistance.models import AssistanceEvent
from villagelink.catalog.models import Product, Shop
from villagelink.catalog.services import (
    CatalogError,
    ProductData,
    product_create,
    shop_assign_seller,
    shop_open,
    shop_seller_create,
    shop_set_status,
)
from villagelink.core.exceptions import ApplicationError
from villagelink.registry.idnumbers import check_digit
from villagelink.registry.models import OrganisationKind
from villagelink.registry.services import HouseholdData, household_register, organisation_register

OPENED = datetime.date(2017, 3, 1)


def household(by, units, serial, poor=2015, exited=None, village="540221101201"):
    first17 = f"{village[:6]}19800101{serial}"
    return household_register(
        by=by,
        village=units[village],
        id_number=first17 + check_digit(first17),
        data=HouseholdData(head_name=f"H{serial}", registered_poor_in=poor, exited_poverty_in=exited),
    )


def test_opening_a_shop_for_a_poor_household_records_the_assistance_with_it(units, point_operator):
    poor = household(point_operator, units, "001", poor=2015)
    shop = shop_open(
        by=point_operator,
        name="Yak butter",
        platform="taobao",
        external_id="tb-1",
        opened_on=OPENED,
        household=poor,
    )
    event = AssistanceEvent.objects.get()
    assert (event.household, event.kind, event.day, event.shop) == (poor, "shop_setup", OPENED, shop)
    assert shop.unit == poor.village


def test_no_assistance_for_a_household_that_is_not_poor_at_the_time(units, point_operator):
    exited = household(point_operator, units, "002", poor=2014, exited=2016)
    never = household(point_operator, units, "003", poor=None)
    shop_open(by=point_operator, name="A", platform="storefront", opened_on=OPENED, household=exited)
    shop_open(by=point_operator, name="B", platform="storefront", opened_on=OPENED, household=never)
    assert Shop.objects.count() == 2
    assert not AssistanceEvent.objects.exists()


def test_a_shop_that_cannot_be_recorded_leaves_no_assistance_and_vice_versa(units, point_operator):
    poor = household(point_operator, units, "001")
    shop_open(
        by=point_operator, name="A", platform="jd", external_id="jd-9", opened_on=OPENED, household=poor
    )
    with pytest.raises(CatalogError, match="already has this id"):
        shop_open(
            by=point_operator, name="B", platform="jd", external_id="jd-9", opened_on=OPENED, household=poor
        )
    assert Shop.objects.count() == 1 and AssistanceEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"platform": "taobao", "external_id": ""}, "id or address on Taobao"),
        ({"platform": "nowhere"}, "Choose the platform"),
        ({"name": " "}, "Give the shop a name"),
        ({"opened_on": datetime.date(2999, 1, 1)}, "in the future"),
    ],
)
def test_bad_shops_are_refused_with_a_reason(units, point_operator, kwargs, message):
    owner = household(point_operator, units, "001")
    with pytest.raises(CatalogError, match=message):
        shop_open(
            by=point_operator,
            **({"name": "S", "platform": "storefront", "opened_on": OPENED} | kwargs),
            household=owner,
        )
    assert not Shop.objects.exists() and not AssistanceEvent.objects.exists()


def test_shops_of_other_villages_are_out_of_reach(units, point_operator, county_officer):
    elsewhere = household(county_officer, units, "005", village="540221101202")
    with pytest.raises(CatalogError, match="outside your area"):
        shop_open(by=point_operator, name="S", platform="storefront", opened_on=OPENED, household=elsewhere)


def test_an_organisation_shop_belongs_to_its_unit(units, county_officer):
    cooperative = organisation_register(
        by=county_officer, kind=OrganisationKind.COOPERATIVE, name="Coop", unit=units["540221101"]
    )
    shop = shop_open(
        by=county_officer,
        name="Coop shop",
        platform="pinduoduo",
        external_id="p-1",
        opened_on=OPENED,
        organisation=cooperative,
    )
    assert shop.unit == units["540221101"] and shop.owner == cooperative
    with pytest.raises(CatalogError, match="one household, or to one cooperative"):
        shop_open(by=county_officer, name="X", platform="storefront", opened_on=OPENED)


def test_closing_a_shop_and_the_open_test(units, point_operator):
    shop = shop_open(
        by=point_operator,
        name="S",
        platform="storefront",
        opened_on=OPENED,
        household=household(point_operator, units, "001", poor=None),
    )
    shop_set_status(by=point_operator, shop=shop, status="closed", day=datetime.date(2018, 1, 1))
    shop.refresh_from_db()
    assert shop.is_open_on(datetime.date(2017, 12, 31)) and not shop.is_open_on(datetime.date(2018, 1, 1))


def test_products_have_prices_in_fen_and_stock_that_cannot_go_negative(units, point_operator):
    shop = shop_open(
        by=point_operator,
        name="S",
        platform="storefront",
        opened_on=OPENED,
        household=household(point_operator, units, "001"),
    )
    product = product_create(
        by=point_operator,
        shop=shop,
        data=ProductData(
            name_zh="牦牛肉干",
            name_en="Yak jerky",
            category="meat",
            price_fen=6800,
            unit_label="250 g",
            stock=10,
            origin_village=units["540221101201"],
            poverty_area_product=True,
        ),
    )
    assert product.price_fen == 6800
    assert AssistanceEvent.objects.filter(kind="product_listing").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(stock=-1)
    with pytest.raises(CatalogError, match="more than zero"):
        product_create(
            by=point_operator,
            shop=shop,
            data=ProductData(name_zh="x", name_en="x", category="meat", price_fen=0, unit_label="1"),
        )


def test_a_shop_goes_to_a_seller_of_the_area_or_to_a_new_seller_account(units, point_operator):
    from conftest import PASSWORD, make_user
    from villagelink.accounts.models import Role

    shop = shop_open(
        by=point_operator,
        name="Butter",
        platform="storefront",
        opened_on=OPENED,
        household=household(point_operator, units, "001"),
    )
    # a new account made for the shop
    shop_seller_create(
        by=point_operator, shop=shop, username="pasang", password=PASSWORD, first_name="Pasang"
    )
    shop.refresh_from_db()
    assert (shop.seller.username, shop.seller.role, shop.seller.scope_unit) == (
        "pasang",
        Role.SELLER,
        shop.unit,
    )
    # a seller of the same village
    neighbour = make_user("neighbour", Role.SELLER, units["540221101201"])
    shop_assign_seller(by=point_operator, shop=shop, user=neighbour)
    shop.refresh_from_db()
    assert shop.seller == neighbour


def test_a_shop_never_turns_an_account_of_another_area_or_kind_into_its_seller(
    units, point_operator, county_officer
):
    from conftest import make_user
    from villagelink.accounts.models import Role

    shop = shop_open(
        by=point_operator,
        name="Butter",
        platform="storefront",
        opened_on=OPENED,
        household=household(point_operator, units, "001"),
    )
    others = [
        make_user("lhasa-seller", Role.SELLER, units["540102101201"]),
        make_user(
            "other-village-seller", Role.SELLER, units["540221101202"]
        ),  # outside the operator's village
        make_user("a-buyer", Role.BUYER),
        make_user("another-operator", Role.SITE_OPERATOR, units["540221101201"]),
        county_officer,
        None,
    ]
    before = [(u.role, u.scope_unit_id) for u in others if u]
    answers = set()
    for user in others:
        with pytest.raises(ApplicationError) as error:
            shop_assign_seller(by=point_operator, shop=shop, user=user)
        answers.add(error.value.message)
    assert len(answers) == 1
    for user in others:
        if user:
            user.refresh_from_db()
    assert [(u.role, u.scope_unit_id) for u in others if u] == before
    shop.refresh_from_db()
    assert shop.seller is None
