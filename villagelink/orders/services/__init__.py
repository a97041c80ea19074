"""Writes to orders: placing a checkout (stock reserved under row locks), every status move, payments and
refunds, expiry of unpaid reservations, and the income a completed sale brings to poor households.

Each status move goes through `base._move`, which checks `TRANSITIONS` and records an `OrderEvent`. Stock rows
are locked in primary-key order; no payment provider is called while they are (nor inside any transaction
these services open): provider calls happen after the transaction that prepared them has committed.

- `checkout`: placing a checkout (the cart and the contact checked, stock reserved);
- `fulfilment`: shipping, delivering, completing, cancelling and refunding a storefront order;
- `assisted`: trades recorded at a service point, and reversing a recorded or imported trade;
- `income`: the income of poor households from completed sales;
- `settlement`: payments confirmed, refunds sent and retried, unpaid orders expired;
- `exclusion`: orders excluded from every figure (a confirmed data-quality flag) or counted again;
- `base`: the error, order numbers, the row lock, the one status move, stock back on sale.
"""

from .assisted import AssistedTrade, order_record_assisted, order_reverse
from .base import OrderError
from .checkout import (
    KEY_PATTERN,
    MAX_LINES,
    MAX_QUANTITY,
    PHONE_PATTERN,
    CartLine,
    CheckoutResult,
    Contact,
    checkout_pay_again,
    checkout_place,
    clean_phone,
)
from .exclusion import orders_exclude
from .fulfilment import can_fulfil, order_cancel, order_complete, order_deliver, order_refund, order_ship
from .income import income_recompute, income_split, poor_beneficiaries
from .reviews import can_moderate, review_moderate, review_write
from .settlement import (
    orders_expire,
    payment_confirm,
    payment_notification_receive,
    payment_return,
    refunds_retry,
)

__all__ = [
    "KEY_PATTERN",
    "MAX_LINES",
    "MAX_QUANTITY",
    "PHONE_PATTERN",
    "AssistedTrade",
    "CartLine",
    "CheckoutResult",
    "Contact",
    "OrderError",
    "can_fulfil",
    "can_moderate",
    "checkout_pay_again",
    "checkout_place",
    "clean_phone",
    "income_recompute",
    "income_split",
    "order_cancel",
    "order_complete",
    "order_deliver",
    "order_record_assisted",
    "order_refund",
    "order_reverse",
    "order_ship",
    "orders_exclude",
    "orders_expire",
    "payment_confirm",
    "payment_notification_receive",
    "payment_return",
    "poor_beneficiaries",
    "refunds_retry",
    "review_moderate",
    "review_write",
]
