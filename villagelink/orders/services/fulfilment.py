"""Fulfilling a storefront order: shipped, delivered, completed (its income recorded), cancelled or
refunded (its stock back on sale, the money asked back from the provider after the commit)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villagelink.accounts.models import Role, User
from villagelink.core import notes
from villagelink.core.dates import region_today
from villagelink.core.exceptions import ErrorCode
from villagelink.core.scope import in_scope, is_administrator
from villagelink.network.models import ServiceSite

from ..carriers import carrier_label, tracking_clean
from ..facts import facts_follow
from ..models import Order, Payment, PaymentMethod, PaymentStatus, Refund, Status
from .base import OrderError, _lock, _move, _return_stock
from .income import _record_income
from .settlement import _refund_send


def can_fulfil(user, order: Order) -> bool:
    """The shop's seller, a site operator whose area holds the shop (on the seller's behalf), an administrator."""
    if not user.is_authenticated:
        return False
    if is_administrator(user):
        return True
    if user.role == Role.SELLER:
        return order.shop is not None and order.shop.seller_id == user.pk
    if user.role == Role.SITE_OPERATOR:
        return in_scope(user, order.unit.path)
    return False


def _require_fulfiller(by: User, order: Order) -> None:
    if not can_fulfil(by, order):
        raise OrderError(
            _("Only the shop's seller or a service point of its area can fulfil this order."),
            code=ErrorCode.FORBIDDEN,
        )


@transaction.atomic
def order_ship(
    *, by: User, order: Order, carrier: str = "", tracking_number: str = "", site: ServiceSite | None = None
) -> Order:
    """Ships with a carrier and tracking number, or hands the parcel over at a service point for it to ship."""
    order = _lock(order)
    _require_fulfiller(by, order)
    carrier, tracking_number = carrier.strip()[:60], tracking_number.strip()[:60]
    if site is None and not (carrier and tracking_number):
        raise OrderError(
            _("Give the carrier and the tracking number, or the service point that takes the parcel.")
        )
    if site is None:
        try:
            tracking_number = tracking_clean(carrier, tracking_number)
        except ValueError as wrong:
            raise OrderError(
                _("That is not a tracking number of %(carrier)s: theirs look like %(example)s.")
                % {"carrier": carrier_label(carrier), "example": wrong.args[0]},
                field="tracking_number",
            ) from wrong
    if site is not None and not order.unit.path.startswith(site.unit.path):
        raise OrderError(_("%(site)s does not serve the shop's village.") % {"site": site})
    if order.status == Status.PLACED and order.payment_method != PaymentMethod.CASH_ON_DELIVERY:
        raise OrderError(
            _("Order %(number)s is not paid yet; ship it once it is.") % {"number": order.number}
        )
    note = (
        f"{carrier} {tracking_number}".strip() if site is None else notes.note("handed_over", site=site.name)
    )
    _move(order, Status.SHIPPED, by=by, note=note)
    order.carrier, order.tracking_number, order.handed_over_at = carrier, tracking_number, site
    order.expires_at = None  # shipped: a guest's cash-on-delivery order no longer lapses
    order.save(update_fields=["status", "carrier", "tracking_number", "handed_over_at", "expires_at"])
    return order


@transaction.atomic
def order_deliver(*, by: User, order: Order) -> Order:
    """Delivered to the buyer; for cash on delivery this also records the cash as collected."""
    order = _lock(order)
    _require_fulfiller(by, order)
    now = timezone.now()
    note = ""
    if order.payment_method == PaymentMethod.CASH_ON_DELIVERY and order.paid_at is None:
        order.paid_at = now
        note = notes.note("cash_collected")
    _move(order, Status.DELIVERED, by=by, at=now, note=note)
    order.save(update_fields=["status", "paid_at"])
    if order.payment_method == PaymentMethod.CASH_ON_DELIVERY and order.checkout_id:
        waiting = Order.objects.filter(
            checkout_id=order.checkout_id, status__in=[Status.PLACED, Status.SHIPPED]
        ).exists()
        if not waiting:
            Payment.objects.filter(checkout_id=order.checkout_id, status=PaymentStatus.PENDING).update(
                status=PaymentStatus.SUCCEEDED, settled_at=now
            )
    return order


@transaction.atomic
def order_complete(*, by: User, order: Order) -> Order:
    """The buyer has the goods and the sale stands: it counts for the shop's village and brings income to its
    poor household(s)."""
    order = _lock(order)
    if not (can_fulfil(by, order) or (order.buyer_id is not None and order.buyer_id == by.pk)):
        raise OrderError(_("Only the buyer or the shop can complete this order."), code=ErrorCode.FORBIDDEN)
    with facts_follow([order.pk]):
        _move(order, Status.COMPLETED, by=by)
        order.completed_on = region_today()
        order.save(update_fields=["status", "completed_on"])
        _record_income(order)
    return order


def order_cancel(*, by: User, order: Order, reason: str) -> Order:
    """Cancels an unpaid order, or refunds a paid one that has not shipped; its stock goes back on sale."""
    reason = reason.strip()
    with transaction.atomic():
        order = _lock(order)
        is_buyer = order.buyer_id is not None and order.buyer_id == by.pk
        if not (can_fulfil(by, order) or (is_buyer and order.status == Status.PLACED)):
            raise OrderError(_("Only the shop can cancel this order now."), code=ErrorCode.FORBIDDEN)
        if not reason:
            raise OrderError(_("Say why the order is cancelled."))
        with facts_follow([order.pk]):
            if order.status == Status.PAID:
                refund = _refund_prepare(order, by=by, reason=reason)
            else:
                _move(order, Status.CANCELLED, by=by, note=reason)
                order.cancel_reason = reason[:300]
                refund = None
            _return_stock(order)
            order.save(update_fields=["status", "cancel_reason", "holds_stock", "refunded_fen"])
    if refund is not None:
        _refund_send(refund)
    return order


def order_refund(*, by: User, order: Order, reason: str) -> Order:
    """Refunds a delivered order that the buyer returned or rejected (the goods do not go back on sale)."""
    reason = reason.strip()
    with transaction.atomic():
        order = _lock(order)
        _require_fulfiller(by, order)
        if not reason:
            raise OrderError(_("Say why the order is refunded."))
        with facts_follow([order.pk]):
            refund = _refund_prepare(order, by=by, reason=reason)
            order.save(update_fields=["status", "cancel_reason", "refunded_fen"])
    if refund is not None:
        _refund_send(refund)
    return order


def _refund_prepare(order: Order, *, by: User | None, reason: str) -> Refund | None:
    _move(order, Status.REFUNDED, by=by, note=reason)
    order.cancel_reason = reason[:300]
    order.refunded_fen = order.total_fen
    if order.paid_at is None or order.checkout_id is None:
        return None
    return Refund.objects.create(
        payment=order.checkout.payment,
        order=order,
        amount_fen=order.total_fen,
        idempotency_key=f"refund-{order.number}",
    )
