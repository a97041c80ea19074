import datetime

import pytest
from django.db import connection
from django.utils import timezone

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.catalog.models import Product
from villagelink.orders import payments
from villagelink.orders.models import IncomeShare, Order, OrderEvent, Payment, Refund, SimulatedCharge, Status
from villagelink.orders.selectors import order_track
from villagelink.orders.services import (
    CartLine,
    Contact,
    OrderError,
    checkout_place,
    order_cancel,
    order_complete,
    order_deliver,
    order_refund,
    order_ship,
    orders_expire,
    payment_notification_receive,
    payment_return,
)
from villagelink.orders.tests.factories import new_key, place
from villagelink.registry.models import OrganisationKind
from villagelink.registry.selectors import household_income
from villagelink.registry.services import organisation_link, organisation_register


def stock(product) -> int:
    return Product.objects.get(pk=product.pk).stock


def test_a_cart_with_two_shops_makes_one_order_per_shop_and_reserves_stock(market):
    result = place((market.butter, 2), (market.barley, 1), (market.other_product, 1))
    assert result.created
    assert len(result.orders) == 2
    by_shop = {order.shop_id: order for order in result.orders}
    assert by_shop[market.shop.pk].total_fen == 2 * 6800 + 2500
    assert by_shop[market.other_shop.pk].total_fen == 12000
    assert result.checkout.payment.amount_fen == 2 * 6800 + 2500 + 12000
    assert (stock(market.butter), stock(market.barley), stock(market.other_product)) == (18, 49, 4)
    order = by_shop[market.shop.pk]
    assert order.kind == "sale" and order.channel == "storefront" and order.unit.code == "540221101201"
    assert [line.unit_price_fen for line in order.lines.order_by("pk")] == [6800, 2500]
    assert order.phone() == "13800138000" and order.phone_last4 == "8000"
    assert "13800138000" not in order.phone_encrypted and "Renmin" not in order.address_encrypted


def test_the_same_key_answers_with_the_first_checkout(market):
    key = new_key()
    first = place((market.butter, 1), key=key)
    second = place((market.butter, 5), key=key)
    assert not second.created
    assert [o.pk for o in second.orders] == [o.pk for o in first.orders]
    assert Order.objects.count() == 1 and stock(market.butter) == 19


def test_asking_for_more_than_the_stock_is_refused_and_nothing_is_written(market):
    with pytest.raises(OrderError, match="Only 20 of"):
        place((market.barley, 1), (market.butter, 21))
    assert Order.objects.count() == 0 and stock(market.barley) == 50 and stock(market.butter) == 20


@pytest.mark.parametrize(
    ("contact", "message"),
    [
        (Contact(name="", phone="13800138000", address="1 Renmin Road"), "name"),
        (Contact(name="Zhang", phone="12ab", address="1 Renmin Road"), "phone number"),
        (Contact(name="Zhang", phone="13800138000", address="x"), "address"),
    ],
)
def test_bad_contact_details_say_what_to_fix(market, contact, message):
    with pytest.raises(OrderError, match=message):
        checkout_place(
            key=new_key(),
            lines=[CartLine(market.butter.pk, 1)],
            contact=contact,
            payment_method="cod",
        )
    assert Order.objects.count() == 0


def test_an_unlisted_product_or_a_foreign_platform_cannot_be_bought(market):
    Product.objects.filter(pk=market.butter.pk).update(is_listed=False)
    with pytest.raises(OrderError, match="no longer sold"):
        place((market.butter, 1))


def test_cash_on_delivery_ships_unpaid_and_settles_on_delivery(market):
    order = place((market.butter, 2)).orders[0]
    order = order_ship(by=market.seller, order=order, carrier="EMS", tracking_number="EA123456789CN")
    assert order.status == Status.SHIPPED and order.paid_at is None
    order = order_deliver(by=market.seller, order=order)
    assert order.paid_at is not None
    assert Payment.objects.get(checkout=order.checkout).status == "succeeded"
    order = order_complete(by=market.seller, order=order)
    assert order.status == Status.COMPLETED
    assert list(OrderEvent.objects.filter(order=order).values_list("status", flat=True)) == [
        "placed",
        "shipped",
        "delivered",
        "completed",
    ]


def test_a_completed_sale_is_income_of_the_poor_household(market):
    order = place((market.butter, 2)).orders[0]
    order_ship(by=market.seller, order=order, carrier="EMS", tracking_number="EA123456789CN")
    order_deliver(by=market.seller, order=order)
    order_complete(by=market.seller, order=order)
    income = household_income(household=market.household)
    assert income["total_fen"] == 13600
    assert [share.order_id for share in income["recent"]] == [order.pk]


def test_a_cooperative_sale_is_shared_among_its_poor_households(units, admin_user, market):
    village = units["540221101201"]
    from villagelink.orders.tests.factories import household, product

    poor = [household(admin_user, village, f"3{i:02d}") for i in range(3)]
    not_poor = household(admin_user, village, "399", poor=None)
    coop = organisation_register(
        by=admin_user, kind=OrganisationKind.COOPERATIVE, name="Butter co-op", unit=village
    )
    for member in [*poor, not_poor]:
        organisation_link(by=admin_user, organisation=coop, household=member, kind="member")
    from villagelink.catalog.services import shop_open

    shop = shop_open(
        by=admin_user, name="Co-op", platform="storefront", opened_on=market.shop.opened_on, organisation=coop
    )
    item = product(admin_user, shop, "Curd", "奶渣", 1000, 10)
    order = place((item, 1)).orders[0]
    order_ship(by=admin_user, order=order, carrier="EMS", tracking_number="EA123456789CN")
    order_deliver(by=admin_user, order=order)
    order_complete(by=admin_user, order=order)
    shares = sorted(IncomeShare.objects.filter(order=order).values_list("household_id", "amount_fen"))
    assert shares == [(poor[0].pk, 334), (poor[1].pk, 333), (poor[2].pk, 333)]


def test_moves_outside_the_allowed_transitions_are_refused(market):
    order = place((market.butter, 1), method="online").orders[0]
    with pytest.raises(OrderError, match="not paid yet"):
        order_ship(by=market.seller, order=order, carrier="EMS", tracking_number="EA123456789CN")
    with pytest.raises(OrderError, match="cannot become"):
        order_deliver(by=market.seller, order=order)
    assert Order.objects.get(pk=order.pk).status == Status.PLACED


def test_only_the_shops_seller_or_a_point_of_its_area_fulfils(market, units, other_county_officer):
    order = place((market.butter, 1)).orders[0]
    stranger = make_user("other-seller", Role.SELLER)
    other_point = make_user("other-point", Role.SITE_OPERATOR, units["540102101201"])
    for person in (stranger, other_point, other_county_officer):
        with pytest.raises(OrderError, match="fulfil"):
            order_ship(by=person, order=order, carrier="EMS", tracking_number="EA123456789CN")
    namling_point = make_user("namling-point", Role.SITE_OPERATOR, units["540221101201"])
    assert (
        order_ship(by=namling_point, order=order, carrier="EMS", tracking_number="EA123456789CN").status
        == "shipped"
    )


def test_cancelling_returns_the_stock_and_needs_a_reason(market):
    order = place((market.butter, 3)).orders[0]
    with pytest.raises(OrderError, match="why"):
        order_cancel(by=market.seller, order=order, reason=" ")
    order_cancel(by=market.seller, order=order, reason="Out of butter")
    assert stock(market.butter) == 20
    assert Order.objects.get(pk=order.pk).status == Status.CANCELLED


def online_pay(result):
    """What the simulated provider's page does when the buyer presses Pay."""
    ref = result.checkout.payment.provider_ref
    body, signature = payments.GATEWAYS["simulated"].pay(ref=ref)
    return body, signature


def test_online_payment_by_signed_notification_and_replays_change_nothing(market):
    result = place((market.butter, 1), (market.other_product, 1), method="online")
    assert result.pay_url.startswith("/pay/simulated/")
    body, signature = online_pay(result)
    assert payment_notification_receive(provider="simulated", body=body, signature=signature)
    assert set(Order.objects.values_list("status", flat=True)) == {"paid"}
    events = OrderEvent.objects.count()
    assert not payment_notification_receive(provider="simulated", body=body, signature=signature)
    assert OrderEvent.objects.count() == events


def test_a_forged_notification_is_refused(market):
    result = place((market.butter, 1), method="online")
    body, _signature = online_pay(result)
    with pytest.raises(payments.PaymentError, match="signature"):
        payment_notification_receive(provider="simulated", body=body, signature="0" * 64)
    tampered = body.replace(b'"status":"paid"', b'"status":"paid" ')
    with pytest.raises(payments.PaymentError):
        payment_notification_receive(provider="simulated", body=tampered, signature=_signature)
    assert Order.objects.get().status == Status.PLACED


def test_the_buyers_return_confirms_without_waiting_for_the_notification(market):
    result = place((market.butter, 1), method="online")
    body, signature = online_pay(result)
    assert payment_return(checkout=result.checkout)
    assert Order.objects.get().status == Status.PAID
    # The notification arrives afterwards and changes nothing.
    assert not payment_notification_receive(provider="simulated", body=body, signature=signature)


def test_unpaid_online_orders_expire_and_return_their_stock(market):
    result = place((market.butter, 4), method="online")
    assert stock(market.butter) == 16
    assert orders_expire(now=timezone.now()) == 0
    assert orders_expire(now=timezone.now() + datetime.timedelta(minutes=31)) == 1
    assert stock(market.butter) == 20
    order = Order.objects.get()
    assert order.status == Status.CANCELLED and not order.holds_stock
    # The money arrives after the expiry: it goes back to the buyer.
    body, signature = online_pay(result)
    payment_notification_receive(provider="simulated", body=body, signature=signature)
    refund = Refund.objects.get()
    assert refund.status == "succeeded" and refund.amount_fen == 4 * 6800
    assert Order.objects.get().status == Status.CANCELLED and stock(market.butter) == 20


def test_cancelling_a_paid_order_refunds_it_through_the_provider(market):
    result = place((market.butter, 2), method="online")
    body, signature = online_pay(result)
    payment_notification_receive(provider="simulated", body=body, signature=signature)
    order = order_cancel(by=market.seller, order=result.orders[0], reason="Damaged in storage")
    assert order.status == Status.REFUNDED and order.refunded_fen == 13600
    assert stock(market.butter) == 20
    assert Refund.objects.get().status == "succeeded"
    assert SimulatedCharge.objects.get().refunded_fen == 13600


def test_a_delivered_order_can_be_refunded_but_its_goods_stay_sold(market):
    order = place((market.butter, 1)).orders[0]
    order_ship(by=market.seller, order=order, carrier="EMS", tracking_number="EA123456789CN")
    order_deliver(by=market.seller, order=order)
    order = order_refund(by=market.seller, order=order, reason="Returned broken")
    assert order.status == Status.REFUNDED and stock(market.butter) == 19
    assert Refund.objects.get().status == "succeeded"


class RecordingGateway(payments.SimulatedProvider):
    """Fails the test if the provider is called while the connection is inside a transaction."""

    calls: list[str] = []

    def _check(self, name):
        assert not connection.in_atomic_block, f"{name} called inside a transaction"
        self.calls.append(name)

    def start(self, **kwargs):
        self._check("start")
        return super().start(**kwargs)

    def refund(self, **kwargs):
        self._check("refund")
        return super().refund(**kwargs)

    def query(self, **kwargs):
        self._check("query")
        return super().query(**kwargs)


@pytest.mark.django_db(transaction=True)
def test_no_provider_call_happens_inside_a_transaction(units, admin_user, monkeypatch):
    from villagelink.orders.tests.factories import build_market

    market = build_market(units, admin_user)
    gateway = RecordingGateway()
    gateway.calls = []
    monkeypatch.setitem(payments.GATEWAYS, "simulated", gateway)
    result = place((market.butter, 1), method="online")
    payment_return(checkout=result.checkout)
    gateway.pay(ref=result.checkout.payment.provider_ref)
    payment_return(checkout=result.checkout)
    order_cancel(by=market.seller, order=result.orders[0], reason="Changed mind")
    assert gateway.calls == ["start", "query", "query", "refund"]


def test_tracking_needs_the_number_and_the_phones_last_digits(market):
    order = place((market.butter, 1)).orders[0]
    assert order_track(number=order.number, phone_last4="8000") == order
    assert order_track(number=order.number, phone_last4="0000") is None
    assert order_track(number="1" + order.number, phone_last4="8000") is None


def test_tracking_refuses_after_ten_wrong_tries(market):
    from villagelink.orders.selectors import TooManyAttempts

    order = place((market.butter, 1)).orders[0]
    for guess in range(10):
        assert order_track(number=order.number, phone_last4=f"{guess:04d}") is None
    with pytest.raises(TooManyAttempts):
        order_track(number=order.number, phone_last4="8000")


def test_a_flood_of_other_tries_and_a_cleared_cache_do_not_lift_the_lock(market):
    from django.core.cache import caches

    from villagelink.orders.selectors import TooManyAttempts

    order = place((market.butter, 1)).orders[0]
    for guess in range(10):
        order_track(number=order.number, phone_last4=f"{guess:04d}", client=f"198.51.100.{guess}")
    for made_up in range(400):  # once enough to evict a 300-entry in-process cache
        order_track(number=f"9{made_up:011d}", phone_last4="0000", client=f"203.0.113.{made_up % 250}")
    for cache in caches.all():
        cache.clear()
    with pytest.raises(TooManyAttempts):
        order_track(number=order.number, phone_last4="8000", client="192.0.2.1")


def test_one_client_guessing_across_many_numbers_is_stopped_too(market):
    from villagelink.orders.selectors import TRACK_CLIENT_ATTEMPTS, TooManyAttempts

    order = place((market.butter, 1)).orders[0]
    for made_up in range(TRACK_CLIENT_ATTEMPTS):
        order_track(number=f"9{made_up:011d}", phone_last4="0000", client="203.0.113.5")
    with pytest.raises(TooManyAttempts):
        order_track(number=order.number, phone_last4="8000", client="203.0.113.5")
    assert order_track(number=order.number, phone_last4="8000", client="203.0.113.6") == order


def test_a_buyer_account_sees_and_completes_its_own_order(market):
    buyer = make_user("buyer-1", Role.BUYER)
    order = place((market.butter, 1), buyer=buyer).orders[0]
    assert order.buyer == buyer
    order_ship(by=market.seller, order=order, carrier="EMS", tracking_number="EA123456789CN")
    order_deliver(by=market.seller, order=order)
    stranger = make_user("buyer-2", Role.BUYER)
    with pytest.raises(OrderError):
        order_complete(by=stranger, order=order)
    assert order_complete(by=buyer, order=order).status == Status.COMPLETED


def test_the_household_page_shows_its_e_commerce_income(client, market, county_officer):
    order = place((market.butter, 3)).orders[0]
    order_ship(by=market.seller, order=order, carrier="EMS", tracking_number="EA123456789CN")
    order_deliver(by=market.seller, order=order)
    order_complete(by=market.seller, order=order)
    client.force_login(county_officer)
    page = client.get(f"/registry/households/{market.household.pk}/").content.decode()
    assert "¥204.00 from completed online sales" in page and order.number in page


def test_the_expire_orders_command_cancels_what_is_overdue(market, monkeypatch):
    import io

    from django.core.management import call_command

    place((market.butter, 2), method="online")
    Order.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    out = io.StringIO()
    call_command("expire_orders", stdout=out)
    assert "1 unpaid orders cancelled" in out.getvalue()
    assert stock(market.butter) == 20
