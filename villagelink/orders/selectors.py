"""Reads of orders. Who sees which orders: a seller those of their own shops, a buyer their own, officers and
site operators those of their area, administrators all; a guest finds one order by its number and phone."""

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from villagelink.accounts.models import Role
from villagelink.catalog.models import Shop
from villagelink.core.dates import region_today
from villagelink.core.names import names_q
from villagelink.core.scope import is_administrator, scoped
from villagelink.core.throttle import throttle_exceeded, throttle_hit
from villagelink.geo.models import LEVEL_PATH_WIDTH, Level
from villagelink.network.models import ServiceSite

from .facts import COUNTED_ON, counted_between
from .models import Checkout, IncomeShare, Kind, Order, Review, ReviewStatus, Status

# Orders that still need something from the shop.
TO_FULFIL = (Status.PLACED, Status.PAID, Status.SHIPPED, Status.DELIVERED)


def orders_visible(user) -> QuerySet[Order]:
    orders = Order.objects.select_related("shop", "unit")
    if not user.is_authenticated:
        return orders.none()
    if is_administrator(user):
        return orders
    if user.role == Role.SELLER:
        return orders.filter(shop__seller=user)
    if user.role == Role.BUYER:
        return orders.filter(buyer=user)
    return scoped(orders, user)


def order_list(*, user, status: str = "", search: str = "") -> QuerySet[Order]:
    orders = orders_visible(user)
    if status == "open":
        orders = orders.filter(status__in=TO_FULFIL)
    elif status in Status.values:
        orders = orders.filter(status=status)
    search = search.strip()
    if search:
        # Our number, the platform's own number (an imported order's), or the shop's name.
        orders = orders.filter(
            Q(number__startswith=search) | Q(external_id__startswith=search) | names_q(search, "shop__")
        )
    return orders.order_by("-placed_at", "-pk")


def order_get(*, user, pk: int) -> Order:
    return get_object_or_404(
        orders_visible(user)
        .select_related("shop__seller", "checkout", "handed_over_at")
        .prefetch_related("lines__product", "events"),
        pk=pk,
    )


def buyer_orders(*, user) -> QuerySet[Order]:
    if not user.is_authenticated:
        return Order.objects.none()
    return Order.objects.filter(buyer=user).select_related("shop").order_by("-placed_at", "-pk")


def checkout_get(*, key: str, user) -> Checkout | None:
    """The checkout of this key made by `user` (signed in), else one made by a guest: the caller still checks
    that the guest was this session."""
    found = Checkout.objects.select_related("payment").filter(key=key)
    if user.is_authenticated:
        mine = found.filter(buyer=user).first()
        if mine is not None:
            return mine
    return found.filter(buyer__isnull=True).order_by("pk").first()


TRACK_ATTEMPTS = 10  # wrong tries on one order number
TRACK_CLIENT_ATTEMPTS = 30  # wrong tries from one client, whatever the numbers
TRACK_WINDOW_SECONDS = 3600


class TooManyAttempts(Exception):
    pass


def order_track(*, number: str, phone_last4: str, client: str = "") -> Order | None:
    """The order with this number whose phone ends in these 4 digits. After 10 wrong tries on one number, or
    30 from one client (its address), within an hour, further tries are refused, so the 4 digits cannot be
    guessed. The counts are kept in the database: no amount of other traffic lifts them."""
    number, phone_last4 = number.strip()[:40], phone_last4.strip()[:10]
    window = TRACK_WINDOW_SECONDS
    if throttle_exceeded("track-number", number, limit=TRACK_ATTEMPTS, window=window) or (
        client and throttle_exceeded("track-client", client, limit=TRACK_CLIENT_ATTEMPTS, window=window)
    ):
        raise TooManyAttempts
    order = (
        Order.objects.select_related("shop", "unit", "handed_over_at")
        .prefetch_related("lines__product", "events")
        .filter(number=number, phone_last4=phone_last4)
        .exclude(phone_last4="")
        .first()
        if number.isdigit() and len(phone_last4) == 4 and phone_last4.isdigit()
        else None
    )
    if order is None:
        throttle_hit("track-number", number, window=window)
        if client:
            throttle_hit("track-client", client, window=window)
    return order


def order_points(order: Order):
    """The open service sites of the order's village, township and county: where its parcel may be handed over."""
    paths = [
        order.unit.path[: LEVEL_PATH_WIDTH[level]] for level in (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
    ]
    return (
        ServiceSite.objects.select_related("unit")
        .filter(unit__path__in=paths, closed_on__isnull=True)
        .order_by("-unit__path", "pk")
    )


@dataclass(frozen=True)
class MonthSales:
    month: datetime.date
    orders: int
    amount_fen: int  # the counted sales (completed, or paid on a platform), less refunds
    income_fen: int  # the poor households' e-commerce income from them


def shop_sales_by_month(*, shop: Shop, months: int = 12) -> list[MonthSales]:
    """A shop's counted sales in each of the last `months` months (the current one included), with the income
    they brought its poor households: the caller has checked that the person runs the shop."""
    today = region_today()
    first = datetime.date(today.year, today.month, 1)
    for _n in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    sales = (
        Order.objects.filter(counted_between(first, today), shop=shop, kind=Kind.SALE)
        .annotate(counted_on=COUNTED_ON)
        .values_list("counted_on", "total_fen", "refunded_fen")
    )
    by_month: dict[datetime.date, list[int]] = {}
    for day, total, refunded in sales:
        entry = by_month.setdefault(day.replace(day=1), [0, 0, 0])
        entry[0] += 1
        entry[1] += total - refunded
    for day, amount in IncomeShare.objects.filter(order__shop=shop, day__gte=first).values_list(
        "day", "amount_fen"
    ):
        by_month.setdefault(day.replace(day=1), [0, 0, 0])[2] += amount
    rows, month = [], first
    while month <= today:
        orders, amount, income = by_month.get(month, [0, 0, 0])
        rows.append(MonthSales(month, orders, amount, income))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return rows


def reviews_shown(*, product=None, shop=None, limit: int = 10) -> tuple[list[Review], dict]:
    """The approved reviews of a product (or a shop), newest first, and their count and average stars."""
    reviews = Review.objects.filter(status=ReviewStatus.APPROVED)
    reviews = reviews.filter(product=product) if product is not None else reviews.filter(shop=shop)
    summary = reviews.aggregate(count=Count("pk"), average=Avg("stars"))
    return list(reviews.order_by("-written_at", "-pk")[:limit]), summary


def reviews_to_moderate(*, user) -> QuerySet[Review]:
    """The reviews waiting in the officer's area (all of them for an administrator)."""
    if not user.is_authenticated or not (is_administrator(user) or user.role == Role.OFFICER):
        return Review.objects.none()
    return (
        scoped(Review.objects.filter(status=ReviewStatus.PENDING), user)
        .select_related("product", "shop", "line__order")
        .order_by("written_at", "pk")
    )
