"""What the orders services share: their error, order numbers, the row lock of an order, the one way a
status moves (`_move` checks `TRANSITIONS`, records an `OrderEvent` and takes a storefront order's units out of
its products' sold counts when it is cancelled or refunded), and stock going back on sale."""

import datetime
import secrets

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.catalog.models import Product, StockMove, StockReason
from villagelink.core.exceptions import ApplicationError, ErrorCode

from ..models import Channel, Order, OrderEvent, Status
from ..sold import NOT_SOLD, sold_add


class OrderError(ApplicationError):
    pass


def _new_number(day: datetime.date) -> str:
    return f"{day:%y%m%d}{secrets.randbelow(10**6):06d}"


def _lock(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("shop", "shop__household", "shop__organisation", "unit", "checkout")
        .get(pk=order.pk)
    )


def _move(order: Order, status: str, *, by: User | None, note: str = "", at=None) -> None:
    if not order.can_move_to(status):
        raise OrderError(
            _("Order %(number)s is %(current)s; it cannot become %(next)s.")
            % {
                "number": order.number,
                "current": Status(order.status).label.lower(),
                "next": Status(status).label.lower(),
            },
            code=ErrorCode.CONFLICT,
        )
    if status in NOT_SOLD and order.status not in NOT_SOLD and order.channel == Channel.STOREFRONT:
        taken_back: dict[int, int] = {}
        for product_id, quantity in order.lines.filter(product__isnull=False).values_list(
            "product_id", "quantity"
        ):
            taken_back[product_id] = taken_back.get(product_id, 0) + quantity
        sold_add(taken_back, -1)
    order.status = status
    OrderEvent.objects.create(order=order, status=status, at=at or timezone.now(), by=by, note=note[:300])


def _return_stock(order: Order) -> None:
    if not order.holds_stock:
        return
    lines = sorted(order.lines.filter(product__isnull=False), key=lambda line: line.product_id)
    ids = [line.product_id for line in lines]
    list(Product.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
    for line in lines:
        Product.objects.filter(pk=line.product_id).update(stock=F("stock") + line.quantity)
    StockMove.objects.bulk_create(
        StockMove(
            product_id=line.product_id,
            change=line.quantity,
            reason=StockReason.RETURN,
            reference=order.number,
        )
        for line in lines
    )
    order.holds_stock = False
