"""No unit of stock is sold twice: concurrent buyers on PostgreSQL, and a state machine over every move."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from villagelink.catalog.models import Product, StockMove, StockReason
from villagelink.catalog.services import CatalogError, stock_adjust
from villagelink.orders import payments
from villagelink.orders.models import Order, OrderEvent, OrderLine, Status
from villagelink.orders.services import (
    OrderError,
    order_cancel,
    order_complete,
    order_deliver,
    order_refund,
    order_ship,
    orders_expire,
    payment_notification_receive,
    payment_return,
)
from villagelink.orders.sold import sold_counted, sold_recount
from villagelink.orders.tests.factories import build_market, new_key, place

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and concurrent writers need PostgreSQL"
)


def run_together(count: int, work) -> list:
    """Runs `work(i)` in `count` threads released at the same moment; returns what each returned or raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_sixteen_buyers_for_the_last_five_units_fifty_times_over(units, admin_user):
    market = build_market(units, admin_user)
    for _round in range(50):
        Product.objects.filter(pk=market.butter.pk).update(stock=5)
        results = run_together(16, lambda i: place((market.butter, 1)))
        won = [r for r in results if not isinstance(r, Exception)]
        lost = [r for r in results if isinstance(r, Exception)]
        assert len(won) == 5, lost
        assert all(isinstance(r, OrderError) and "Only 0" in r.message for r in lost)
        assert Product.objects.get(pk=market.butter.pk).stock == 0
    sold = sum(OrderLine.objects.filter(product=market.butter).values_list("quantity", flat=True))
    assert sold == 250


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_double_submission_makes_one_order_set(units, admin_user):
    market = build_market(units, admin_user)
    key = new_key()
    results = run_together(4, lambda i: place((market.butter, 1), (market.other_product, 1), key=key))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.created for r in results) == 1
    assert {tuple(o.pk for o in r.orders) for r in results} == {tuple(o.pk for o in results[0].orders)}
    assert Order.objects.count() == 2
    assert Product.objects.get(pk=market.butter.pk).stock == 19


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_the_last_units_shows_the_order_not_sold_out(units, admin_user):
    market = build_market(units, admin_user)
    for _round in range(10):
        Product.objects.filter(pk=market.butter.pk).update(stock=2)
        key = new_key()
        results = run_together(3, lambda i, key=key: place((market.butter, 2), key=key))
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sum(r.created for r in results) == 1
        assert Product.objects.get(pk=market.butter.pk).stock == 0


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_notification_racing_the_buyers_return_pays_once(units, admin_user):
    market = build_market(units, admin_user)
    for _round in range(10):
        result = place((market.butter, 1), method="online")
        body, signature = payments.GATEWAYS["simulated"].pay(ref=result.checkout.payment.provider_ref)

        def notify_or_return(i, body=body, signature=signature, checkout=result.checkout):
            if i == 0:
                return payment_notification_receive(provider="simulated", body=body, signature=signature)
            return payment_return(checkout=checkout)

        changed = run_together(2, notify_or_return)
        assert sorted(changed) == [False, True]
        order = result.orders[0]
        assert OrderEvent.objects.filter(order=order, status=Status.PAID).count() == 1
        assert Order.objects.get(pk=order.pk).status == Status.PAID


class StockMachine(RuleBasedStateMachine):
    """Reserve / pay / expire / cancel / ship / deliver / complete / refund and stock changes by hand in any
    order: the stock on the shelf plus what orders hold always equals what there was and what was added by
    hand, never goes below zero, and is the sum of its history; the sold count is what a recount gives."""

    market = None
    INITIAL = 12

    def __init__(self):
        super().__init__()
        self.product = Product.objects.get(pk=self.market.butter.pk)
        Product.objects.filter(pk=self.product.pk).update(stock=self.INITIAL)
        Order.objects.filter(lines__product=self.product).update(holds_stock=False)
        StockMove.objects.filter(product=self.product).delete()
        StockMove.objects.create(product=self.product, change=self.INITIAL, reason=StockReason.OPENING)
        sold_recount([self.product.pk])
        self.orders: list[int] = []
        self.adjusted = 0

    def _orders(self, *statuses, method=None):
        orders = Order.objects.filter(pk__in=self.orders, status__in=statuses)
        if method:
            orders = orders.filter(payment_method=method)
        return list(orders.order_by("pk"))

    @rule(quantity=st.integers(1, 5), method=st.sampled_from(["cod", "online"]))
    def reserve(self, quantity, method):
        try:
            result = place((self.product, quantity), method=method)
        except OrderError:
            assert Product.objects.get(pk=self.product.pk).stock < quantity
            return
        self.orders.extend(order.pk for order in result.orders)

    @rule(
        change=st.integers(-6, 6).filter(bool), reason=st.sampled_from(["restock", "correction", "damaged"])
    )
    def adjust(self, change, reason):
        try:
            stock_adjust(by=self.market.seller, product=self.product, change=change, reason=reason)
        except CatalogError:
            assert Product.objects.get(pk=self.product.pk).stock + change < 0
            return
        self.adjusted += change

    @rule(data=st.data())
    def pay(self, data):
        placed = self._orders(Status.PLACED, method="online")
        if placed:
            order = data.draw(st.sampled_from(placed))
            body, signature = payments.GATEWAYS["simulated"].pay(ref=order.checkout.payment.provider_ref)
            payment_notification_receive(provider="simulated", body=body, signature=signature)

    @rule()
    def expire(self):
        orders_expire(now=timezone.now() + datetime.timedelta(hours=1))

    @rule(data=st.data())
    def cancel(self, data):
        open_ = self._orders(Status.PLACED, Status.PAID)
        if open_:
            order_cancel(by=self.market.seller, order=data.draw(st.sampled_from(open_)), reason="test")

    @rule(data=st.data())
    def ship(self, data):
        ready = self._orders(Status.PAID) + self._orders(Status.PLACED, method="cod")
        if ready:
            order = data.draw(st.sampled_from(ready))
            order_ship(by=self.market.seller, order=order, carrier="EMS", tracking_number="EA123456789CN")

    @rule(data=st.data())
    def deliver(self, data):
        shipped = self._orders(Status.SHIPPED)
        if shipped:
            order_deliver(by=self.market.seller, order=data.draw(st.sampled_from(shipped)))

    @rule(data=st.data(), complete=st.booleans())
    def complete_or_refund(self, data, complete):
        delivered = self._orders(Status.DELIVERED)
        if delivered:
            order = data.draw(st.sampled_from(delivered))
            if complete:
                order_complete(by=self.market.seller, order=order)
            else:
                order_refund(by=self.market.seller, order=order, reason="returned")

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), status=st.sampled_from(Status.values))
    def a_move_out_of_order_is_refused(self, data, status):
        order = Order.objects.get(pk=data.draw(st.sampled_from(self.orders)))
        if status == Status.COMPLETED and not order.can_move_to(status):
            with pytest.raises(OrderError):
                order_complete(by=self.market.seller, order=order)

    @invariant()
    def stock_is_conserved_and_never_negative(self):
        shelf = Product.objects.get(pk=self.product.pk).stock
        held = sum(
            OrderLine.objects.filter(
                product=self.product, order__pk__in=self.orders, order__holds_stock=True
            ).values_list("quantity", flat=True)
        )
        assert shelf >= 0
        assert shelf + held == self.INITIAL + self.adjusted
        assert StockMove.objects.filter(product=self.product).aggregate(n=Sum("change"))["n"] == shelf

    @invariant()
    def sold_is_what_the_orders_say(self):
        assert Product.objects.get(pk=self.product.pk).sold == sold_counted([self.product.pk]).get(
            self.product.pk, 0
        )


def test_stock_is_conserved_whatever_happens(market):
    StockMachine.market = market
    run_state_machine_as_test(
        StockMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_stock_changes_by_hand_and_checkouts_at_the_same_moment_keep_the_history_whole(units, admin_user):
    market = build_market(units, admin_user)
    butter = market.butter  # 20 in stock, with its opening change

    def work(i):
        if i % 2:
            return place((butter, 1))
        return stock_adjust(by=market.seller, product=butter, change=2, reason="restock")

    for _round in range(10):
        results = run_together(8, work)
        assert not [r for r in results if isinstance(r, Exception)], results
    stock = Product.objects.get(pk=butter.pk).stock
    assert stock == 20 + 10 * (4 * 2 - 4)
    assert StockMove.objects.filter(product=butter).aggregate(n=Sum("change"))["n"] == stock
