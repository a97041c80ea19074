"""Trades recorded at a service point (made online by its operator for a villager), and their reversal
when recorded (or imported) by mistake."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.accounts.permissions import can_work_in_registry
from villagelink.core import notes
from villagelink.core.exceptions import ErrorCode
from villagelink.core.scope import in_scope
from villagelink.network.models import ServiceSite

from ..facts import facts_add_orders, facts_follow
from ..models import Channel, IncomeShare, Order, OrderEvent, OrderLine, PaymentMethod, Status
from .base import OrderError, _lock, _move, _new_number
from .income import _record_income


def _require_in_area(by: User, path: str) -> None:
    if not (can_work_in_registry(by) and in_scope(by, path)):
        raise OrderError(_("This lies outside your area."), code=ErrorCode.FORBIDDEN)


@dataclass(frozen=True)
class AssistedTrade:
    """A purchase or sale made online by a service point's operator for a villager (or without one)."""

    kind: str  # Kind.PURCHASE or Kind.SALE
    platform: str
    description: str
    category: str
    amount_fen: int
    quantity: int = 1
    service_fee_fen: int = 0
    local_price_fen: int | None = None


@transaction.atomic
def order_record_assisted(
    *,
    by: User,
    site: ServiceSite,
    trade: AssistedTrade,
    day: datetime.date,
    household=None,
    organisation=None,
) -> Order:
    """Records a trade already made (completed on `day`) at `site`. The order counts in the village of the
    household or organisation, else in the site's own unit."""
    _require_in_area(by, site.unit.path)
    unit = household.village if household is not None else organisation.unit if organisation else site.unit
    now = timezone.now()
    order = Order(
        number=_new_number(day),
        kind=trade.kind,
        channel=Channel.ASSISTED,
        status=Status.COMPLETED,
        unit=unit,
        site=site,
        platform=trade.platform,
        category=trade.category,
        household=household,
        organisation=organisation,
        payment_method=PaymentMethod.ONLINE,
        total_fen=trade.amount_fen,
        service_fee_fen=trade.service_fee_fen,
        local_price_fen=trade.local_price_fen,
        placed_at=now,
        placed_on=day,
        paid_at=now,
        completed_on=day,
        buyer_name="",
    )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                order.save()
            break
        except IntegrityError:
            order.number = _new_number(day)
    else:
        raise OrderError(_("Could not number the order; submit it again."), code=ErrorCode.CONFLICT)
    OrderLine.objects.create(
        order=order,
        description=trade.description[:200],
        quantity=trade.quantity,
        unit_price_fen=trade.amount_fen // max(trade.quantity, 1),
        amount_fen=trade.amount_fen,
    )
    OrderEvent.objects.create(
        order=order, status=Status.COMPLETED, at=now, by=by, note=notes.note("recorded_at", site=site.name)
    )
    _record_income(order)
    facts_add_orders([order.pk])
    return order


@transaction.atomic
def order_reverse(*, by: User, order: Order, reason: str) -> Order:
    """Reverses a trade recorded at a service point (or imported) by mistake; it stays, marked reversed, and
    no longer counts. Storefront orders are cancelled or refunded instead."""
    order = _lock(order)
    _require_in_area(by, order.unit.path)
    if order.channel == Channel.STOREFRONT:
        raise OrderError(_("A storefront order is cancelled or refunded, not reversed."))
    if not reason.strip():
        raise OrderError(_("Say why the entry is reversed."))
    with facts_follow([order.pk]):
        _move(order, Status.REVERSED, by=by, note=reason.strip())
        order.cancel_reason = reason.strip()[:300]
        order.save(update_fields=["status", "cancel_reason"])
        IncomeShare.objects.filter(order=order).delete()  # derived figures: the order no longer brings income
    return order
