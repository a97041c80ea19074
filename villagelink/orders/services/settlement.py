"""Money with the payment provider: payments confirmed (by its notification or on the buyer's return),
refunds sent and retried, and online orders left unpaid past their reservation expired. No provider is
called inside a transaction."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villagelink.core import notes
from villagelink.core.exceptions import ErrorCode

from ..models import Checkout, Order, Payment, PaymentMethod, PaymentStatus, Refund, RefundStatus, Status
from ..payments import Notification, gateway_for
from .base import OrderError, _lock, _move, _return_stock

logger = logging.getLogger(__name__)


def _refund_send(refund: Refund) -> None:
    """Asks the provider for the money back (outside any transaction); a failure leaves the refund pending
    for `villagelink retry-refunds`."""
    try:
        result = gateway_for(refund.payment.provider).refund(
            provider_ref=refund.payment.provider_ref,
            amount_fen=refund.amount_fen,
            idempotency_key=refund.idempotency_key,
        )
    except Exception:
        # A provider's failure must not undo the refund already recorded; it is tried again later.
        logger.exception("refund %s: the provider call failed", refund.pk)
        return
    Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
        status=RefundStatus.SUCCEEDED if result.succeeded else RefundStatus.FAILED,
        provider_ref=result.provider_ref[:64],
    )


def refunds_retry() -> int:
    pending = list(Refund.objects.select_related("payment").filter(status=RefundStatus.PENDING))
    for refund in pending:
        _refund_send(refund)
    return len(pending)


def orders_expire(*, now: datetime.datetime | None = None) -> int:
    """Cancels online orders left unpaid past their reservation, and guests' cash-on-delivery orders the seller
    has not shipped in time, and puts their stock back on sale; the buyer sees why on the order's page."""
    now = now or timezone.now()
    due = Order.objects.filter(status=Status.PLACED, expires_at__lt=now).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            order = _lock(Order(pk=pk))
            if order.status != Status.PLACED or order.expires_at is None or order.expires_at >= now:
                continue
            reason = notes.note("not_paid" if order.payment_method == PaymentMethod.ONLINE else "not_shipped")
            _move(order, Status.CANCELLED, by=None, note=reason, at=now)
            order.cancel_reason = reason
            _return_stock(order)
            order.save(update_fields=["status", "cancel_reason", "holds_stock"])
            expired += 1
    return expired


def payment_confirm(*, notification: Notification) -> bool:
    """Marks the payment and its checkout's unpaid orders paid. Returns False when there was nothing to do (a
    replayed notification, or the buyer's return racing the notification): the payment row's lock makes
    exactly one of them do it. Orders that expired before the money came are refunded."""
    if not notification.paid:
        return False
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(provider_ref=notification.provider_ref).first()
        if payment is None:
            raise OrderError(_("No payment has this reference."), code=ErrorCode.NOT_FOUND)
        if payment.status == PaymentStatus.SUCCEEDED:
            return False
        if notification.amount_fen != payment.amount_fen:
            raise OrderError(_("The amount paid does not match the order."), code=ErrorCode.CONFLICT)
        now = timezone.now()
        payment.status, payment.settled_at = PaymentStatus.SUCCEEDED, now
        payment.notification_id = notification.notification_id[:64]
        payment.save(update_fields=["status", "settled_at", "notification_id"])
        refunds = []
        for order in (
            Order.objects.select_for_update(of=("self",))
            .filter(checkout_id=payment.checkout_id)
            .order_by("pk")
        ):
            order.paid_at = now
            if order.status == Status.PLACED:
                _move(order, Status.PAID, by=None, at=now)
                order.expires_at = None
                order.save(update_fields=["status", "paid_at", "expires_at"])
            else:
                # Cancelled (not paid in time) before the money arrived: give it back.
                order.refunded_fen = order.total_fen
                order.save(update_fields=["paid_at", "refunded_fen"])
                refunds.append(
                    Refund.objects.create(
                        payment=payment,
                        order=order,
                        amount_fen=order.total_fen,
                        idempotency_key=f"refund-{order.number}",
                    )
                )
    for refund in refunds:
        _refund_send(refund)
    return True


def payment_notification_receive(*, provider: str, body: bytes, signature: str) -> bool:
    return payment_confirm(notification=gateway_for(provider).parse(body=body, signature=signature))


def payment_return(*, checkout: Checkout) -> bool:
    """The buyer came back from the provider's page: ask the provider rather than wait for its notification."""
    payment = checkout.payment
    if payment.status != PaymentStatus.PENDING:
        return False
    notification = gateway_for(payment.provider).query(provider_ref=payment.provider_ref)
    return notification is not None and payment_confirm(notification=notification)
