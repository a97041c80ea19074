"""Writes to orders: placing a checkout (stock reserved under row locks), every status move, payments and
refunds, expiry of unpaid reservations, and the income a completed sale brings to poor households.

Each status move goes through `_move`, which checks `TRANSITIONS` and records an `OrderEvent`. Stock rows are
locked in primary-key order; no payment provider is called while they are (nor inside any transaction these
services open): provider calls happen after the transaction that prepared them has committed.
"""

import datetime
import logging
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from villagelink.accounts.models import Role, User
from villagelink.accounts.permissions import can_work_in_registry
from villagelink.catalog.models import Platform, Product, ShopStatus
from villagelink.core.crypto import encrypt
from villagelink.core.dates import region_day, region_today
from villagelink.core.exceptions import ApplicationError, ErrorCode
from villagelink.core.scope import in_scope, is_administrator
from villagelink.network.models import ServiceSite

from .facts import facts_add_orders, facts_follow
from .models import (
    Channel,
    Checkout,
    IncomeShare,
    Kind,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
    Status,
)
from .payments import Notification, gateway_for, online_provider

logger = logging.getLogger(__name__)


class OrderError(ApplicationError):
    pass


MAX_QUANTITY = 99
MAX_LINES = 30
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
PHONE_PATTERN = re.compile(r"^\+?\d{7,15}$")


@dataclass(frozen=True)
class CartLine:
    product_id: int
    quantity: int


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    address: str
    note: str = ""


@dataclass(frozen=True)
class CheckoutResult:
    checkout: Checkout
    orders: list[Order]
    created: bool
    pay_url: str  # where the buyer goes to pay online; "" for cash on delivery or when already paid


def clean_phone(phone: str) -> str:
    cleaned = re.sub(r"[\s()-]", "", phone or "")
    if not PHONE_PATTERN.match(cleaned):
        raise OrderError(_("Give a phone number of 7 to 15 digits, such as 13800138000."))
    return cleaned


def _clean_contact(contact: Contact) -> Contact:
    name, address, note = contact.name.strip(), contact.address.strip(), contact.note.strip()
    if not name or len(name) > 100:
        raise OrderError(_("Give the name of the person who receives the order (at most 100 characters)."))
    if len(address) < 5 or len(address) > 300:
        raise OrderError(_("Give the full delivery address (5 to 300 characters)."))
    if len(note) > 300:
        raise OrderError(_("Keep the notes to 300 characters."))
    return Contact(name=name, phone=clean_phone(contact.phone), address=address, note=note)


def _clean_lines(lines: list[CartLine]) -> dict[int, int]:
    if not lines:
        raise OrderError(_("The cart is empty; add a product first."))
    if len(lines) > MAX_LINES:
        raise OrderError(_("An order can hold at most %(max)d products.") % {"max": MAX_LINES})
    quantities: dict[int, int] = {}
    for line in lines:
        quantities[line.product_id] = quantities.get(line.product_id, 0) + line.quantity
    for quantity in quantities.values():
        if not 1 <= quantity <= MAX_QUANTITY:
            raise OrderError(_("Each quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY})
    return quantities


def _new_number(day: datetime.date) -> str:
    return f"{day:%y%m%d}{secrets.randbelow(10**6):06d}"


def _result(
    checkout: Checkout, *, created: bool, return_url: str, orders: list[Order] | None = None
) -> CheckoutResult:
    if orders is None:
        orders = list(checkout.orders.select_related("shop").order_by("pk"))
    payment = checkout.payment
    pay_url = ""
    waiting = any(order.status == Status.PLACED for order in orders)
    if (
        payment.status == PaymentStatus.PENDING
        and checkout.payment_method == PaymentMethod.ONLINE
        and waiting
    ):
        # Idempotent at the provider: the same key returns the same payment page.
        started = gateway_for(payment.provider).start(
            provider_ref=payment.provider_ref,
            amount_fen=payment.amount_fen,
            description=_("VillageLink order %(numbers)s")
            % {"numbers": ", ".join(order.number for order in orders)},
            return_url=return_url,
            idempotency_key=payment.idempotency_key,
        )
        pay_url = started.redirect_url
    return CheckoutResult(checkout=checkout, orders=orders, created=created, pay_url=pay_url)


def _existing(key: str, buyer: User | None) -> Checkout | None:
    checkout = Checkout.objects.select_related("payment").filter(key=key).first()
    if checkout is not None and checkout.buyer_id != (buyer.pk if buyer else None):
        raise OrderError(
            _("This checkout was submitted by someone else; reload the page."), code=ErrorCode.CONFLICT
        )
    return checkout


def checkout_place(
    *,
    key: str,
    lines: list[CartLine],
    contact: Contact,
    payment_method: str,
    buyer: User | None = None,
    return_url: str = "",
) -> CheckoutResult:
    """Places one order per shop for the cart, reserving stock, and starts the payment. The same `key` always
    answers with the first checkout made with it, whatever the cart says the second time."""
    if not KEY_PATTERN.match(key or ""):
        raise OrderError(_("The checkout form is out of date; reload the page and submit it again."))
    buyer = buyer if buyer is not None and buyer.is_authenticated else None
    existing = _existing(key, buyer)
    if existing is not None:
        return _result(existing, created=False, return_url=return_url)
    quantities = _clean_lines(lines)
    contact = _clean_contact(contact)
    if payment_method not in PaymentMethod.values:
        raise OrderError(_("Choose cash on delivery or paying online."))
    for attempt in range(3):
        try:
            checkout = _reserve(
                key=key, quantities=quantities, contact=contact, method=payment_method, buyer=buyer
            )
        except IntegrityError:
            # The same key won a race a moment ago (a double click): answer with that checkout. Otherwise
            # a random order number clashed with an existing one: try again with new numbers.
            existing = _existing(key, buyer)
            if existing is not None:
                return _result(existing, created=False, return_url=return_url)
            if attempt == 2:
                raise
        except OrderError:
            # A double click on the last units: the first submission took them while this one waited for
            # the rows; it is answered with the first result, not with "sold out".
            existing = _existing(key, buyer)
            if existing is not None:
                return _result(existing, created=False, return_url=return_url)
            raise
        else:
            return _result(checkout, created=True, return_url=return_url, orders=checkout.placed_orders)
    raise AssertionError("unreachable")


@transaction.atomic
def _reserve(*, key: str, quantities: dict[int, int], contact: Contact, method: str, buyer) -> Checkout:
    products = list(
        Product.objects.select_for_update(of=("self",))
        .select_related("shop", "shop__unit")
        .filter(pk__in=sorted(quantities))
        .order_by("pk")
    )
    if len(products) != len(quantities):
        raise OrderError(_("A product in the cart is no longer sold; remove it and try again."))
    for product in products:
        shop = product.shop
        if not product.is_listed or shop.platform != Platform.STOREFRONT or shop.status != ShopStatus.OPEN:
            raise OrderError(
                _("“%(product)s” is no longer sold here; remove it from the cart.")
                % {"product": product.name}
            )
        if quantities[product.pk] > product.stock:
            raise OrderError(
                _("Only %(stock)d of “%(product)s” left; lower the quantity.")
                % {"stock": product.stock, "product": product.name},
                code=ErrorCode.CONFLICT,
            )
    now = timezone.now()
    day = region_day(now)
    expires_at = (
        now + datetime.timedelta(minutes=settings.VILLAGELINK_RESERVATION_MINUTES)
        if method == PaymentMethod.ONLINE
        else None
    )
    by_shop: dict[int, list[Product]] = {}
    for product in products:
        by_shop.setdefault(product.shop_id, []).append(product)
    phone_encrypted, address_encrypted = encrypt(contact.phone), encrypt(contact.address)
    lines_by_shop = {
        shop_id: [
            OrderLine(
                product=product,
                description=product.name_zh,
                quantity=quantities[product.pk],
                unit_price_fen=product.price_fen,
                amount_fen=product.price_fen * quantities[product.pk],
            )
            for product in shop_products
        ]
        for shop_id, shop_products in by_shop.items()
    }
    total = sum(line.amount_fen for lines in lines_by_shop.values() for line in lines)
    checkout = Checkout.objects.create(key=key, buyer=buyer, payment_method=method, total_fen=total)
    numbers = set()
    while len(numbers) < len(by_shop):
        numbers.add(_new_number(day))
    # Bulk inserts return primary keys on PostgreSQL and on SQLite 3.35+. A clash of random order numbers
    # with an existing order fails the insert, and checkout_place tries again with new numbers.
    orders = Order.objects.bulk_create(
        Order(
            number=number,
            kind=Kind.SALE,
            channel=Channel.STOREFRONT,
            shop=shop_products[0].shop,
            unit=shop_products[0].shop.unit,
            payment_method=method,
            total_fen=sum(line.amount_fen for line in lines_by_shop[shop_id]),
            buyer=buyer,
            buyer_name=contact.name,
            phone_encrypted=phone_encrypted,
            phone_last4=contact.phone[-4:],
            address_encrypted=address_encrypted,
            note=contact.note,
            placed_at=now,
            placed_on=day,
            expires_at=expires_at,
            holds_stock=True,
            checkout=checkout,
        )
        for number, (shop_id, shop_products) in zip(sorted(numbers), by_shop.items(), strict=True)
    )
    for order in orders:
        for line in lines_by_shop[order.shop_id]:
            line.order = order
    OrderLine.objects.bulk_create(line for lines in lines_by_shop.values() for line in lines)
    OrderEvent.objects.bulk_create(
        OrderEvent(order=order, status=Status.PLACED, at=now, by=buyer) for order in orders
    )
    Product.objects.filter(pk__in=quantities).update(
        stock=F("stock") - Case(*[When(pk=pk, then=Value(q)) for pk, q in quantities.items()])
    )
    provider = online_provider() if method == PaymentMethod.ONLINE else "cod"
    checkout.payment = Payment.objects.create(
        checkout=checkout,
        provider=provider,
        amount_fen=total,
        provider_ref=f"VL{checkout.pk}{secrets.token_hex(6).upper()}",
        idempotency_key=f"pay-{checkout.key}",
    )
    checkout.placed_orders = sorted(orders, key=lambda order: order.pk)  # spares _result a query
    return checkout


# Status moves -----------------------------------------------------------------------------------------------


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
    order.holds_stock = False


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
    if site is not None and not order.unit.path.startswith(site.unit.path):
        raise OrderError(_("%(site)s does not serve the shop's village.") % {"site": site})
    if order.status == Status.PLACED and order.payment_method != PaymentMethod.CASH_ON_DELIVERY:
        raise OrderError(
            _("Order %(number)s is not paid yet; ship it once it is.") % {"number": order.number}
        )
    note = f"{carrier} {tracking_number}".strip() if site is None else str(site)
    _move(order, Status.SHIPPED, by=by, note=note)
    order.carrier, order.tracking_number, order.handed_over_at = carrier, tracking_number, site
    order.save(update_fields=["status", "carrier", "tracking_number", "handed_over_at"])
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
        note = _("Cash collected")
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


def poor_beneficiaries(household, organisation, year: int, members: dict[int, list]) -> list:
    """Whose e-commerce income a completed sale of `year` is: the household, if it is registered poor that
    year; else each of the organisation's linked households that is. `members` caches each organisation's
    households."""
    if household is not None:
        return [household] if household.is_poor_in(year) else []
    if organisation is None:
        return []
    if organisation.pk not in members:
        members[organisation.pk] = list(organisation.households.order_by("pk"))
    return [h for h in members[organisation.pk] if h.is_poor_in(year)]


def income_split(amount_fen: int, households: list) -> list[tuple[object, int]]:
    """Equal shares of an amount, the remainder's fen going one each to the first households."""
    share, remainder = divmod(amount_fen, len(households))
    return [(household, share + (1 if i < remainder else 0)) for i, household in enumerate(households)]


def _income_shares(order: Order, members: dict[int, list]) -> list[IncomeShare]:
    """A completed sale is e-commerce income of the poor household it was made for (the shop's, or the one
    named on an assisted sale), or an equal share of it for each poor household linked to the organisation."""
    if order.kind != Kind.SALE or order.status != Status.COMPLETED or order.amount_fen <= 0:
        return []
    household = order.household or (order.shop.household if order.shop else None)
    organisation = order.organisation or (order.shop.organisation if order.shop else None)
    households = poor_beneficiaries(household, organisation, order.completed_on.year, members)
    if not households:
        return []
    return [
        IncomeShare(order=order, household=household, amount_fen=amount, day=order.completed_on)
        for household, amount in income_split(order.amount_fen, households)
    ]


def _record_income(order: Order) -> None:
    IncomeShare.objects.bulk_create(_income_shares(order, {}))


def income_recompute(order_ids: list[int]) -> None:
    """For bulk paths (imports): the income shares of these orders, as their status and amounts now stand."""
    IncomeShare.objects.filter(order_id__in=order_ids).delete()
    orders = Order.objects.filter(pk__in=order_ids, kind=Kind.SALE, status=Status.COMPLETED).select_related(
        "household", "organisation", "shop__household", "shop__organisation"
    )
    members: dict[int, list] = {}
    shares = [share for order in orders.iterator(chunk_size=2000) for share in _income_shares(order, members)]
    IncomeShare.objects.bulk_create(shares, batch_size=2000)


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
    OrderEvent.objects.create(order=order, status=Status.COMPLETED, at=now, by=by, note=str(site)[:300])
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
    """Cancels online orders left unpaid past their reservation and puts their stock back on sale."""
    now = now or timezone.now()
    due = Order.objects.filter(
        status=Status.PLACED, payment_method=PaymentMethod.ONLINE, expires_at__lt=now
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            order = _lock(Order(pk=pk))
            if order.status != Status.PLACED or order.expires_at is None or order.expires_at >= now:
                continue
            _move(order, Status.CANCELLED, by=None, note=_("Not paid in time"), at=now)
            order.cancel_reason = _("Not paid in time")
            _return_stock(order)
            order.save(update_fields=["status", "cancel_reason", "holds_stock"])
            expired += 1
    return expired


# Payments ---------------------------------------------------------------------------------------------------


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
