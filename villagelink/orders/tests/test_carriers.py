"""Carriers from a list, each tracking number checked against its carrier's form."""

import pytest
from django.urls import reverse

from villagelink.orders.carriers import Carrier, tracking_clean
from villagelink.orders.models import Order, Status
from villagelink.orders.tests.factories import place


@pytest.mark.parametrize(
    ("carrier", "number", "stored"),
    [
        ("EMS", "EA123456789CN", "EA123456789CN"),
        ("EMS", "1234567890123", "1234567890123"),
        ("China Post", "rr 123 456 789 cn", "RR123456789CN"),
        ("SF Express", "SF1234567890123", "SF1234567890123"),
        ("SF Express", "123456789012", "123456789012"),
        ("JD Logistics", "JDVA12345678901", "JDVA12345678901"),
        ("ZTO", "75312345678901", "75312345678901"),
        ("YTO", "YT1234567890123", "YT1234567890123"),
        ("Yunda", "4312345678901", "4312345678901"),
        ("Other", "abc-123456", "ABC-123456"),
        ("Deppon", "dp 1", "DP1"),  # an older record's free text: not checked
    ],
)
def test_each_carriers_numbers_are_recognised(carrier, number, stored):
    assert tracking_clean(carrier, number) == stored


@pytest.mark.parametrize(
    ("carrier", "number"),
    [
        ("EMS", "EA9"),
        ("SF Express", "SF12345"),
        ("JD Logistics", "1234567890"),
        ("YTO", "YT12"),
        ("Yunda", "12345"),
        ("Other", "x"),
    ],
)
def test_a_number_of_another_form_is_refused(carrier, number):
    with pytest.raises(ValueError):
        tracking_clean(carrier, number)


def test_the_ship_form_offers_the_list_and_says_a_wrong_number_beside_its_field(client, market):
    order = place((market.butter, 1)).orders[0]
    client.force_login(market.seller)
    page = client.get(reverse("orders:order", args=[order.pk])).content.decode()
    for carrier in Carrier:
        assert f'<option value="{carrier.value}"' in page
    refused = client.post(
        reverse("orders:ship", args=[order.pk]), {"carrier": "SF Express", "tracking_number": "EA123"}
    )
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "That is not a tracking number of SF Express: theirs look like SF1234567890123." in body
    assert 'value="EA123"' in body  # as typed
    assert Order.objects.get(pk=order.pk).status == Status.PLACED
    client.post(
        reverse("orders:ship", args=[order.pk]),
        {"carrier": "SF Express", "tracking_number": "SF1234567890123"},
    )
    shipped = Order.objects.get(pk=order.pk)
    assert (shipped.status, shipped.carrier, shipped.carrier_label) == (
        Status.SHIPPED,
        "SF Express",
        "SF Express",
    )
