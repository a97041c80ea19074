"""Placing a checkout: the cart and the contact checked, one order per shop, stock reserved under row locks
(in primary-key order), and the payment started once the transaction has committed."""

import datetime
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.catalog.models import Platform, Product, ShopStatus, StockMove, StockReason
from villagelink.catalog.shipping import PROVINCE_NAMES, shipping_for
from villagelink.core.crypto import buyer_key, encrypt, keyed_hash
from villagelink.core.dates import region_day
from villagelink.core.exceptions import ErrorCode
from villagelink.core.throttle import throttle_exceeded, throttle_hit

from ..models import (
    Channel,
    Checkout,
    Kind,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Status,
)
from ..payments import gateway_for, online_provider
from .base import OrderError, _new_number

MAX_QUANTITY = 99
MAX_LINES = 30
GUEST_MIN_UNITS = 3  # a guest may always take this many, however small the stock
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
    province: str = ""  # where it goes (catalog.shipping.PROVINCES); "" when not said: the usual fee


@dataclass(frozen=True)
class CheckoutResult:
    checkout: Checkout
    orders: list[Order]
    created: bool
    pay_url: str  # where the buyer goes to pay online; "" for cash on delivery or when already paid


def clean_phone(phone: str) -> str:
    cleaned = re.sub(r"[\s()-]", "", phone or "")
    if not PHONE_PATTERN.match(cleaned):
        raise OrderError(_("Give a phone number of 7 to 15 digits, such as 13800138000."), field="phone")
    return cleaned


def _clean_contact(contact: Contact) -> Contact:
    name, address, note = contact.name.strip(), contact.address.strip(), contact.note.strip()
    if not name or len(name) > 100:
        raise OrderError(
            _("Give the name of the person who receives the order (at most 100 characters)."), field="name"
        )
    if len(address) < 5 or len(address) > 300:
        raise OrderError(_("Give the full delivery address (5 to 300 characters)."), field="address")
    if len(note) > 300:
        raise OrderError(_("Keep the notes to 300 characters."), field="note")
    if contact.province and contact.province not in PROVINCE_NAMES:
        raise OrderError(_("Choose the province the order goes to."), field="province")
    return Contact(
        name=name, phone=clean_phone(contact.phone), address=address, note=note, province=contact.province
    )


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


def checkout_pay_again(*, order: Order, return_url: str) -> str:
    """Where the buyer pays an unpaid online order (with the rest of its checkout, which one payment covers)
    while its stock is still reserved for it. The caller has checked that the order is the buyer's."""
    checkout = order.checkout
    if checkout is None or checkout.payment_method != PaymentMethod.ONLINE:
        raise OrderError(_("This order is paid in cash on delivery; there is nothing to pay online."))
    payment = checkout.payment
    if order.status != Status.PLACED or payment.status != PaymentStatus.PENDING:
        raise OrderError(_("This order is already paid or no longer waiting for payment."))
    if order.expires_at is not None and order.expires_at <= timezone.now():
        raise OrderError(
            _(
                "The time to pay for this order has passed: it is being cancelled and its goods put back on sale."
            )
        )
    pay_url = _result(checkout, created=False, return_url=return_url).pay_url
    if not pay_url:
        raise OrderError(_("This order is already paid or no longer waiting for payment."))
    return pay_url


def checkout_owner(*, buyer: User | None, guest: str = "") -> str:
    """Whose idempotency keys these are: the buyer's account, else the guest (a session key or, for a client
    without a session, its address), as a keyed hash."""
    return keyed_hash(f"user:{buyer.pk}" if buyer is not None else f"guest:{guest}")[:64]


def _existing(key: str, owner: str) -> Checkout | None:
    return Checkout.objects.select_related("payment").filter(owner=owner, key=key).first()


def checkout_place(
    *,
    key: str,
    lines: list[CartLine],
    contact: Contact,
    payment_method: str,
    buyer: User | None = None,
    guest: str = "",
    client: str = "",  # the address of a person placing it (web, API): their guest checkouts are counted
    return_url: str = "",
) -> CheckoutResult:
    """Places one order per shop for the cart, reserving stock, and starts the payment. The same `key` always
    answers the same buyer (or the same `guest`: their session key, else their address) with the first
    checkout made with it, whatever the cart says the second time; anyone else's key is their own."""
    if not KEY_PATTERN.match(key or ""):
        raise OrderError(_("The checkout form is out of date; reload the page and submit it again."))
    buyer = buyer if buyer is not None and buyer.is_authenticated else None
    owner = checkout_owner(buyer=buyer, guest=guest)
    existing = _existing(key, owner)
    if existing is not None:
        return _result(existing, created=False, return_url=return_url)
    quantities = _clean_lines(lines)
    contact = _clean_contact(contact)
    if payment_method not in PaymentMethod.values:
        raise OrderError(_("Choose cash on delivery or paying online."))
    if payment_method == PaymentMethod.ONLINE and online_provider() is None:
        raise OrderError(_("Paying online is not available here; choose cash on delivery."))
    if buyer is None and client:  # a guest on the web or the API (the demo and commands name no client)
        _count_guest_checkout(client=client, phone=contact.phone)
    for attempt in range(3):
        try:
            checkout = _reserve(
                key=key,
                owner=owner,
                quantities=quantities,
                contact=contact,
                method=payment_method,
                buyer=buyer,
            )
        except IntegrityError:
            # The same key won a race a moment ago (a double click): answer with that checkout. Otherwise
            # a random order number clashed with an existing one: try again with new numbers.
            existing = _existing(key, owner)
            if existing is not None:
                return _result(existing, created=False, return_url=return_url)
            if attempt == 2:
                raise
        except OrderError:
            # A double click on the last units: the first submission took them while this one waited for
            # the rows; it is answered with the first result, not with "sold out".
            existing = _existing(key, owner)
            if existing is not None:
                return _result(existing, created=False, return_url=return_url)
            raise
        else:
            return _result(checkout, created=True, return_url=return_url, orders=checkout.placed_orders)
    raise AssertionError("unreachable")


def _count_guest_checkout(*, client: str, phone: str) -> None:
    """A guest (no account) places a few checkouts per client address per hour and per phone per day: more
    is refused, so that nobody can take a shop's whole stock with made-up orders."""
    limits = [
        ("checkout-phone", phone, settings.VILLAGELINK_GUEST_CHECKOUTS_PER_PHONE_DAY, 24 * 3600),
        ("checkout-client", client, settings.VILLAGELINK_GUEST_CHECKOUTS_PER_CLIENT_HOUR, 3600),
    ]
    for scope, value, limit, window in limits:
        if value and throttle_exceeded(scope, value, limit=limit, window=window):
            raise OrderError(
                _(
                    "Too many orders without an account from here or for this phone; sign in or create an "
                    "account to order more, or try again later."
                ),
                code=ErrorCode.TOO_MANY,
            )
    for scope, value, _limit, window in limits:
        if value:
            throttle_hit(scope, value, window=window)


def guest_limit(stock: int) -> int:
    """The most one guest order may take of a product with this much stock."""
    return max(GUEST_MIN_UNITS, stock * settings.VILLAGELINK_GUEST_STOCK_SHARE_PERCENT // 100)


@transaction.atomic
def _reserve(
    *, key: str, owner: str, quantities: dict[int, int], contact: Contact, method: str, buyer
) -> Checkout:
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
        if buyer is None and quantities[product.pk] > guest_limit(product.stock):
            raise OrderError(
                _(
                    "Without an account, one order may take at most %(most)d of “%(product)s”; lower the "
                    "quantity, or sign in to order more."
                )
                % {"most": guest_limit(product.stock), "product": product.name}
            )
    now = timezone.now()
    day = region_day(now)
    if method == PaymentMethod.ONLINE:
        expires_at = now + datetime.timedelta(minutes=settings.VILLAGELINK_RESERVATION_MINUTES)
    elif buyer is None:  # a guest's cash on delivery: the stock returns unless the seller ships in time
        expires_at = now + datetime.timedelta(hours=settings.VILLAGELINK_COD_CONFIRM_HOURS)
    else:
        expires_at = None
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
    shipping = {
        shop_id: shipping_for(
            shop_products[0].shop,
            goods_fen=sum(line.amount_fen for line in lines_by_shop[shop_id]),
            province=contact.province,
            day=day,
        )
        for shop_id, shop_products in by_shop.items()
    }
    total = sum(line.amount_fen for lines in lines_by_shop.values() for line in lines) + sum(
        sent.fee_fen for sent in shipping.values()
    )
    checkout = Checkout.objects.create(
        key=key, owner=owner, buyer=buyer, payment_method=method, total_fen=total
    )
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
            total_fen=sum(line.amount_fen for line in lines_by_shop[shop_id]) + shipping[shop_id].fee_fen,
            shipping_fee_fen=shipping[shop_id].fee_fen,
            province=contact.province,
            arrives_from=shipping[shop_id].earliest,
            arrives_by=shipping[shop_id].latest,
            buyer=buyer,
            buyer_name=contact.name,
            phone_encrypted=phone_encrypted,
            phone_last4=contact.phone[-4:],
            buyer_key=buyer_key(contact.phone),
            address_encrypted=address_encrypted,
            note=contact.note,
            placed_at=now,
            placed_on=day,
            expires_at=expires_at,
            holds_stock=True,
            checkout=checkout,
            # what kind of goods the order sold, for the figures: that of its largest line
            category=max(shop_products, key=lambda p: p.price_fen * quantities[p.pk]).category,
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
        stock=F("stock") - Case(*[When(pk=pk, then=Value(q)) for pk, q in quantities.items()]),
        sold=F("sold") + Case(*[When(pk=pk, then=Value(q)) for pk, q in quantities.items()]),
    )
    StockMove.objects.bulk_create(
        StockMove(
            product_id=line.product_id,
            change=-line.quantity,
            reason=StockReason.SALE,
            reference=order.number,
            by=buyer,
            at=now,
        )
        for order in orders
        for line in lines_by_shop[order.shop_id]
    )
    provider = online_provider() if method == PaymentMethod.ONLINE else "cod"
    checkout.payment = Payment.objects.create(
        checkout=checkout,
        provider=provider,
        amount_fen=total,
        provider_ref=f"VL{checkout.pk}{secrets.token_hex(6).upper()}",
        idempotency_key=f"pay-{checkout.pk}",
    )
    checkout.placed_orders = sorted(orders, key=lambda order: order.pk)  # spares _result a query
    return checkout
