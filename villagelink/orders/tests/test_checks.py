"""`check --deploy` refuses the simulated payment provider unless it is named as a trial, and the simulated
provider serves nothing where it is not allowed."""

import pytest
from django.core.checks import Error, Warning
from django.test import override_settings

from villagelink.orders.checks import online_payment_is_real
from villagelink.orders.payments import PaymentError, gateway_for, online_provider


@pytest.mark.parametrize(
    ("provider", "allowed", "expected"),
    [
        ("simulated", False, [(Error, "villagelink.E003")]),
        ("simulated", True, [(Warning, "villagelink.W003")]),
        ("off", False, []),
        ("wechat-typo", False, [(Error, "villagelink.E002")]),
        ("cod", False, [(Error, "villagelink.E002")]),
    ],
)
def test_the_deploy_check_names_what_online_payment_would_be(provider, allowed, expected):
    with override_settings(
        VILLAGELINK_ONLINE_PAYMENT_PROVIDER=provider, VILLAGELINK_ALLOW_SIMULATED_PAYMENTS=allowed
    ):
        found = [(type(message), message.id) for message in online_payment_is_real()]
    assert found == expected


@override_settings(
    VILLAGELINK_ONLINE_PAYMENT_PROVIDER="simulated", VILLAGELINK_ALLOW_SIMULATED_PAYMENTS=False
)
def test_a_simulated_provider_that_is_not_allowed_is_no_provider_at_all():
    assert online_provider() is None
    with pytest.raises(PaymentError, match="no payment provider"):
        gateway_for("simulated")
    assert gateway_for("cod").code == "cod"


@override_settings(VILLAGELINK_ONLINE_PAYMENT_PROVIDER="off")
def test_online_payment_switched_off_names_no_provider():
    assert online_provider() is None


@override_settings(VILLAGELINK_ONLINE_PAYMENT_PROVIDER="off")
def test_with_online_payment_off_checkout_offers_cash_on_delivery_only(client, market):
    from villagelink.orders.models import Order
    from villagelink.storefront.forms import CheckoutForm

    assert [value for value, _label in CheckoutForm().fields["payment_method"].choices] == ["cod"]
    client.post("/cart/", {"product": market.butter.pk, "quantity": 1, "action": "add"})
    page = client.get("/checkout/")
    refused = client.post(
        "/checkout/",
        {
            "key": page.context["form"].initial["key"],
            "name": "Li Si",
            "phone": "13900001234",
            "province": "61",
            "address": "8 Jiefang Road, Xi'an",
            "payment_method": "online",
        },
    )
    assert refused.status_code == 200 and not Order.objects.exists()
    assert client.post("/pay/simulated/VL1ABC/").status_code in (404, 400)
