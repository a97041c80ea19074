"""A shop's shipping rules: what they charge and promise, who sets them, and what a wrong rule is told."""

import datetime

import pytest
from django.urls import reverse

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.catalog.models import Shop
from villagelink.catalog.services import CatalogError, ShippingRules, shop_set_shipping
from villagelink.catalog.shipping import TRANSIT_DAYS, shipping_for

DAY = datetime.date(2026, 12, 7)


def rules(fee=1000, province_fees=None, free_over=9900, dispatch_days=2) -> ShippingRules:
    return ShippingRules(
        fee_fen=fee, province_fees=province_fees or {}, free_over_fen=free_over, dispatch_days=dispatch_days
    )


def ruled(market, **changes) -> Shop:
    return shop_set_shipping(by=market.seller, shop=market.shop, rules=rules(**changes))


def test_the_usual_fee_a_provinces_own_and_free_from_an_amount(market):
    shop = ruled(market, province_fees={"54": 0, "65": 2500})

    assert shipping_for(shop, goods_fen=6800, province="51", day=DAY).fee_fen == 1000
    assert shipping_for(shop, goods_fen=6800, province="54", day=DAY).fee_fen == 0
    assert shipping_for(shop, goods_fen=6800, province="65", day=DAY).fee_fen == 2500
    # free from ¥99 of goods, in every province, the far ones too
    assert shipping_for(shop, goods_fen=9900, province="65", day=DAY).fee_fen == 0
    assert shipping_for(shop, goods_fen=9899, province="51", day=DAY).free_from_fen == 9900
    # nothing to say about a threshold where the goods go free anyway
    assert shipping_for(shop, goods_fen=100, province="54", day=DAY).free_from_fen is None


def test_the_window_is_the_days_to_dispatch_then_the_carriers_days_to_the_province(market):
    shop = ruled(market, dispatch_days=3)
    low, high = TRANSIT_DAYS["11"]

    to_beijing = shipping_for(shop, goods_fen=100, province="11", day=DAY)
    within_tibet = shipping_for(shop, goods_fen=100, province="54", day=DAY)
    not_said = shipping_for(shop, goods_fen=100, province="", day=DAY)

    assert to_beijing.earliest == DAY + datetime.timedelta(days=3 + low)
    assert to_beijing.latest == DAY + datetime.timedelta(days=3 + high)
    assert within_tibet.latest < to_beijing.latest
    assert not_said.latest == max(
        shipping_for(shop, goods_fen=100, province=code, day=DAY).latest for code in TRANSIT_DAYS
    )


def test_a_province_at_the_usual_fee_is_no_rule_of_its_own(market):
    shop = ruled(market, province_fees={"11": 1000, "65": 2000})
    assert Shop.objects.get(pk=shop.pk).province_fees == {"65": 2000}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"fee": -1}, "fee"),
        ({"fee": 100_001}, "fee"),
        ({"free_over": 10**9}, "free_over"),
        ({"province_fees": {"65": -5}}, "fee_65"),
        ({"province_fees": {"99": 500}}, "fee_99"),
        ({"dispatch_days": 31}, "dispatch_days"),
    ],
)
def test_a_wrong_rule_is_refused_beside_its_field_and_nothing_changes(market, changes, field):
    with pytest.raises(CatalogError) as refused:
        ruled(market, **changes)
    assert field in refused.value.field_errors
    shop = Shop.objects.get(pk=market.shop.pk)
    assert (shop.shipping_fee_fen, shop.province_fees, shop.dispatch_days) == (0, {}, 2)


def test_only_who_runs_the_shop_sets_its_rules(market, units):
    stranger = make_user("stranger", Role.SELLER, units["540221101201"])
    other_operator = make_user("far", Role.SITE_OPERATOR, units["540102101201"])
    for who in (stranger, other_operator):
        with pytest.raises(CatalogError):
            shop_set_shipping(by=who, shop=market.shop, rules=rules())
    assert Shop.objects.get(pk=market.shop.pk).shipping_fee_fen == 0


def test_the_seller_sets_the_rules_on_the_shop_page_and_a_wrong_one_keeps_what_was_typed(client, market):
    client.force_login(market.seller)
    page = client.get(reverse("catalog:shop_detail", args=[market.shop.pk]))
    assert 'data-testid="shipping-form"' in page.content.decode()
    url = reverse("catalog:shop_shipping", args=[market.shop.pk])
    form = {"fee": "10", "free_over": "99", "dispatch_days": "2", "fee_54": "0", "fee_65": "25.50"}

    wrong = client.post(url, {**form, "fee_65": "lots", "dispatch_days": "40"})
    saved = client.post(url, form)

    assert wrong.status_code == 200
    body = wrong.content.decode()
    assert 'value="lots"' in body and 'value="40"' in body and body.count('class="errorlist"') >= 2
    assert saved.status_code == 302
    shop = Shop.objects.get(pk=market.shop.pk)
    assert (shop.shipping_fee_fen, shop.free_shipping_over_fen, shop.dispatch_days) == (1000, 9900, 2)
    assert shop.province_fees == {"54": 0, "65": 2550}
    again = client.get(reverse("catalog:shop_detail", args=[market.shop.pk])).content.decode()
    assert 'name="fee_65" value="25.50"' in again


def test_another_seller_cannot_set_the_rules(client, market, units):
    client.force_login(make_user("stranger", Role.SELLER, units["540221101201"]))
    answer = client.post(
        reverse("catalog:shop_shipping", args=[market.shop.pk]), {"fee": "0", "dispatch_days": "1"}
    )
    assert answer.status_code in (403, 404)
    assert Shop.objects.get(pk=market.shop.pk).dispatch_days == 2
