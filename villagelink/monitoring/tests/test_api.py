import datetime

import pytest
from django.urls import reverse

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.desk.services import assisted_purchase_record
from villagelink.monitoring.indicators import INDICATORS, Measure
from villagelink.orders.tests.factories import household

from .conftest import LHASA_VILLAGE, NAMLING_VILLAGES

URL = "/api/v1/kpis/"


@pytest.fixture
def trade(points, units, admin_user):
    poor = household(admin_user, units[NAMLING_VILLAGES[0]], "901", poor=2016)  # so there is assistance too
    for code, amount, for_household in [(NAMLING_VILLAGES[0], 99_999_999, poor), (LHASA_VILLAGE, 1, None)]:
        site, operator = points[code]
        assisted_purchase_record(
            by=operator, site=site, platform="jd", description="Tractor parts", category="agri_inputs",
            amount_fen=amount, day=datetime.date(2019, 6, 1), household=for_household,
        )  # fmt: skip


def test_the_region_gets_every_indicator_with_money_as_yuan_strings(client, region_officer, trade):
    client.force_login(region_officer)
    response = client.get(URL, {"unit": "540000", "start": "2019-01-01", "end": "2019-06-30"})
    assert response.status_code == 200
    body = response.json()
    assert body["unit"] == {"code": "540000", "name": "Tibet Autonomous Region", "level": "region"}
    assert (body["start"], body["end"]) == ("2019-01-01", "2019-06-30")
    assert body["online_purchases"] == "1000000.00" and body["online_purchases_orders"] == 2
    assert body["village_points"] == 3 and body["village_coverage"] is not None
    counts = [i.name for i in INDICATORS if i.measure == Measure.COUNT]
    assert all(type(body[name]) is int for name in counts), {name: body[name] for name in counts}
    assert body["assistance_events"] == 1 and body["households_assisted"] == 1

    children = client.get(
        reverse("kpi-children"), {"unit": "540000", "start": "2019-01-01", "end": "2019-06-30"}
    )
    by_code = {child["unit"]["code"]: child for child in children.json()}
    assert by_code["540200"]["online_purchases"] == "999999.99"
    assert by_code["540100"]["online_purchases"] == "0.01"
    assert len(by_code) == 7


def test_a_county_officer_gets_only_namling(client, county_officer, trade):
    client.force_login(county_officer)
    assert client.get(URL, {"unit": "540221"}).status_code == 200
    for code in ("540000", "540200", "540102", LHASA_VILLAGE):
        assert client.get(URL, {"unit": code}).status_code == 404
        assert client.get(reverse("kpi-children"), {"unit": code}).status_code == 404
        assert client.get(reverse("kpi-trade"), {"unit": code}).status_code == 404
    children = client.get(
        reverse("kpi-children"), {"unit": "540221", "start": "2019-01-01", "end": "2019-12-31"}
    )
    assert [c["unit"]["code"] for c in children.json()] == ["540221101"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"unit": "54"}, "unit"),
        ({"unit": "540000", "start": "June"}, "is not a date"),
        ({"unit": "540000", "start": "2019-07-01", "end": "2019-06-30"}, "starts after it ends"),
    ],
)
def test_bad_queries_say_what_to_fix(client, region_officer, query, message):
    client.force_login(region_officer)
    response = client.get(URL, query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_sellers_buyers_and_strangers_get_nothing(client, units):
    assert client.get(URL, {"unit": "540000"}).status_code == 401
    for role in (Role.SELLER, Role.BUYER):
        user = make_user(f"someone-{role}", role, units["540221101201"] if role == Role.SELLER else None)
        client.force_login(user)
        assert client.get(URL, {"unit": "540221101201"}).status_code == 404
        assert client.get(reverse("kpi-trade"), {"unit": "540221101201"}).status_code == 404


def test_the_trade_by_channel_and_category_adds_up_to_the_indicators(client, region_officer, trade):
    client.force_login(region_officer)
    query = {"unit": "540000", "start": "2019-01-01", "end": "2019-06-30"}
    body = client.get(reverse("kpi-trade"), query).json()
    assert body["unit"]["code"] == "540000" and (body["start"], body["end"]) == ("2019-01-01", "2019-06-30")
    channels = {row["channel"]: row for row in body["channels"]}
    assert list(channels) == ["storefront", "platform", "assisted"]
    assert channels["assisted"] == {
        "channel": "assisted",
        "label": "Assisted at a service point",
        "online_sales": "0.00",
        "online_sales_orders": 0,
        "online_purchases": "1000000.00",
        "online_purchases_orders": 2,
    }
    categories = {row["category"]: row for row in body["purchase_categories"]}
    assert categories["agri_inputs"]["online_purchases"] == "1000000.00"
    assert categories[""]["online_purchases_orders"] == 0 and len(categories) == 8
    totals = client.get(URL, query).json()
    assert (
        sum(row["online_purchases_orders"] for row in body["channels"]) == totals["online_purchases_orders"]
    )
