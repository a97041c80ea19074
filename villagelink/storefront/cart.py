"""The cart lives in the session: product id → quantity, plus the idempotency key of the checkout it will
become. The key stays the same until a checkout succeeds, so two tabs or a repeated submission of the same
cart make one order set."""

import datetime
import secrets
from dataclasses import dataclass

from villagelink.catalog.models import Product, Shop
from villagelink.catalog.shipping import PROVINCE_NAMES, Shipping, shipping_for
from villagelink.core.bounds import MAX_ID
from villagelink.orders.services import MAX_LINES, MAX_QUANTITY, CartLine

from .selectors import products_on_sale

CART = "cart"
KEY = "checkout_key"
PROVINCE = "province"  # where the buyer said the goods go: the fees and windows are for there
PLACED = "checkouts"  # keys of the checkouts this session placed: their confirmation pages are its own


@dataclass
class Item:
    product: Product
    quantity: int

    @property
    def amount_fen(self) -> int:
        return self.product.price_fen * self.quantity


def _raw(session) -> dict[str, int]:
    """The cart as kept, without anything a session could hold that names no product (a key that is not a
    bounded id, a quantity that is not a bounded integer)."""
    cart = session.get(CART)
    if not isinstance(cart, dict):
        return {}
    return {
        key: quantity
        for key, quantity in cart.items()
        if isinstance(key, str)
        and key.isdigit()
        and 1 <= int(key) <= MAX_ID
        and isinstance(quantity, int)
        and 1 <= quantity <= MAX_QUANTITY
    }


def count(session) -> int:
    return sum(q for q in _raw(session).values() if isinstance(q, int))


def session_id(session) -> str:
    """The session's key, the session being stored first if it is new."""
    if not session.session_key:
        session.save()
    return session.session_key


def checkout_key(session) -> str:
    if not isinstance(session.get(KEY), str):
        session[KEY] = secrets.token_urlsafe(24)
    return session[KEY]


def set_quantity(session, product_id: int, quantity: int, *, add: bool = False) -> int:
    if not 1 <= product_id <= MAX_ID:
        return 0
    cart = dict(_raw(session))
    key = str(product_id)
    quantity = (cart.get(key, 0) if add else 0) + quantity
    quantity = max(0, min(quantity, MAX_QUANTITY))
    if quantity == 0:
        cart.pop(key, None)
    elif key in cart or len(cart) < MAX_LINES:
        cart[key] = quantity
    session[CART] = cart
    checkout_key(session)
    return quantity


def items(session) -> list[Item]:
    cart = _raw(session)
    ids = [int(k) for k in cart if k.isdigit()]
    products = {p.pk: p for p in products_on_sale().filter(pk__in=ids)}
    return [Item(products[i], cart[str(i)]) for i in ids if i in products]


@dataclass
class ShopOrder:
    """The cart's items of one shop: the order they become, with its shipping."""

    shop: Shop
    items: list[Item]
    shipping: Shipping

    @property
    def goods_fen(self) -> int:
        return sum(item.amount_fen for item in self.items)

    @property
    def total_fen(self) -> int:
        return self.goods_fen + self.shipping.fee_fen

    @property
    def more_for_free_fen(self) -> int | None:
        """How much more of this shop's goods would send them free."""
        free_from = self.shipping.free_from_fen
        return None if free_from is None else free_from - self.goods_fen


def shop_orders(cart_items: list[Item], *, province: str, day: datetime.date) -> list[ShopOrder]:
    """The items by shop, in the cart's order, each with what sending it to `province` costs and when it
    should arrive if ordered on `day` (as the checkout will work them out)."""
    by_shop: dict[int, list[Item]] = {}
    for item in cart_items:
        by_shop.setdefault(item.product.shop_id, []).append(item)
    return [
        ShopOrder(
            shop=group[0].product.shop,
            items=group,
            shipping=shipping_for(
                group[0].product.shop,
                goods_fen=sum(item.amount_fen for item in group),
                province=province,
                day=day,
            ),
        )
        for group in by_shop.values()
    ]


def province(session) -> str:
    found = session.get(PROVINCE)
    return found if found in PROVINCE_NAMES else ""


def set_province(session, code: str) -> None:
    if code in PROVINCE_NAMES:
        session[PROVINCE] = code


def lines(session) -> list[CartLine]:
    return [CartLine(int(k), q) for k, q in _raw(session).items() if k.isdigit() and isinstance(q, int)]


def checked_out(session, key: str) -> None:
    """The checkout succeeded: empty the cart, remember the checkout, take a new key for the next one."""
    session[CART] = {}
    session[PLACED] = [*session.get(PLACED, [])[-19:], key]
    session[KEY] = secrets.token_urlsafe(24)


def placed_here(session, key: str) -> bool:
    return key in session.get(PLACED, [])
