from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from villagelink.assistance.models import AssistanceEvent
from villagelink.registry.idnumbers import check_digit
from villagelink.registry.services import HouseholdData, household_register


def api_as(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


def poor_household(by, units, village="540221101201"):
    first17 = f"{village[:6]}19800101123"
    return household_register(
        by=by,
        village=units[village],
        id_number=first17 + check_digit(first17),
        data=HouseholdData(head_name="Tashi", registered_poor_in=2015),
    )


def test_shop_product_and_assistance_through_the_api(units, point_operator):
    household = poor_household(point_operator, units)
    api = api_as(point_operator)
    shop = api.post(
        "/api/v1/shops/",
        {
            "name": "Yak butter",
            "household": household.pk,
            "platform": "storefront",
            "opened_on": "2017-03-01",
        },
        format="json",
    )
    assert shop.status_code == 201, shop.json()
    assert shop.json()["unit"] == "540221101201"
    product = api.post(
        "/api/v1/products/",
        {
            "shop": shop.json()["id"],
            "name_zh": "酥油",
            "name_en": "Butter",
            "category": "dairy",
            "price": "¥68.5",
            "unit_label": "500 g",
            "stock": 5,
        },
        format="json",
    )
    assert product.status_code == 201, product.json()
    assert product.json()["price"] == "68.50"
    bad_price = api.post(
        "/api/v1/products/",
        {
            "shop": shop.json()["id"],
            "name_zh": "x",
            "name_en": "x",
            "category": "dairy",
            "price": "lots",
            "unit_label": "1",
        },
        format="json",
    )
    assert bad_price.status_code == 400 and "price" in bad_price.json()
    events = api.get("/api/v1/assistance-events/").json()
    assert sorted(e["kind"] for e in events["results"]) == ["product_listing", "shop_setup"]


def test_assistance_events_are_created_listed_reversed_never_changed(units, point_operator):
    household = poor_household(point_operator, units)
    api = api_as(point_operator)
    created = api.post(
        "/api/v1/assistance-events/",
        {"household": household.pk, "kind": "logistics", "day": "2018-04-01", "amount": "12.00"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    event_id = created.json()["id"]
    assert api.put(f"/api/v1/assistance-events/{event_id}/", {"note": "x"}, format="json").status_code == 405
    assert (
        api.patch(f"/api/v1/assistance-events/{event_id}/", {"note": "x"}, format="json").status_code == 405
    )
    assert api.delete(f"/api/v1/assistance-events/{event_id}/").status_code == 405
    reversal = api.post(f"/api/v1/assistance-events/{event_id}/reverse/", {"reason": "typo"}, format="json")
    assert reversal.status_code == 201 and reversal.json()["sign"] == -1
    again = api.post(f"/api/v1/assistance-events/{event_id}/reverse/", {"reason": "typo"}, format="json")
    assert again.status_code == 409
    assert sum(e.sign for e in AssistanceEvent.objects.all()) == 0


def test_objects_of_another_county_read_as_unknown(units, point_operator, other_county_officer):
    theirs = poor_household(other_county_officer, units, village="540102101201")
    api = api_as(point_operator)
    response = api.post(
        "/api/v1/shops/",
        {"name": "X", "household": theirs.pk, "platform": "storefront", "opened_on": "2017-03-01"},
        format="json",
    )
    assert response.status_code == 400 and "household" in response.json()
    response = api.post(
        "/api/v1/assistance-events/",
        {"household": theirs.pk, "kind": "other", "day": "2018-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "household" in response.json()
