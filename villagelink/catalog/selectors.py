"""Reads of shops and products, always through a person's scope."""

from django.db.models import Count
from django.shortcuts import get_object_or_404

from villagelink.core.names import names_q
from villagelink.core.scope import scoped

from .models import Platform, Product, Shop, ShopStatus


def shop_list(*, user, search: str = "", platform: str = "", status: str = ""):
    """Shops in scope with their number of products. `search` is part of the shop's name."""
    shops = scoped(Shop.objects.select_related("unit", "household", "organisation"), user).annotate(
        product_count=Count("products")
    )
    if search.strip():
        shops = shops.filter(names_q(search.strip()))
    if platform in Platform.values:
        shops = shops.filter(platform=platform)
    if status in ShopStatus.values:
        shops = shops.filter(status=status)
    return shops.order_by("unit__code", "name", "pk")


SHOP_RELATED = (
    "unit",
    "unit__parent",
    "household",
    "household__village",
    "organisation",
    "opened_with",
    "opened_with__unit",
)


def shop_get(*, user, pk: int) -> Shop:
    return get_object_or_404(scoped(Shop.objects.select_related(*SHOP_RELATED), user), pk=pk)


def product_list(*, user, shop: Shop | None = None, category: str = ""):
    products = scoped(
        Product.objects.select_related("shop", "shop__unit", "origin_village").prefetch_related("photos"),
        user,
    )
    if shop is not None:
        products = products.filter(shop=shop)
    if category:
        products = products.filter(category=category)
    return products.order_by("shop__name", "name_zh", "pk")


def product_get(*, user, pk: int) -> Product:
    return get_object_or_404(
        scoped(Product.objects.select_related("shop", "shop__unit", "origin_village"), user), pk=pk
    )


def seller_shops(*, user):
    """The shops whose seller account the person is (a seller has no area: these are all they reach)."""
    if not user.is_authenticated:
        return Shop.objects.none()
    return Shop.objects.filter(seller=user).select_related("unit").order_by("name", "pk")


def shop_get_for_work(*, user, pk: int) -> Shop:
    """A shop the person may run: their own as its seller, else one in their area."""
    if user.is_authenticated and user.role == "seller":
        return get_object_or_404(Shop.objects.select_related(*SHOP_RELATED), pk=pk, seller=user)
    return shop_get(user=user, pk=pk)


def product_get_for_work(*, user, pk: int) -> Product:
    """A product the person may run: of their own shop as its seller, else one in their area."""
    if user.is_authenticated and user.role == "seller":
        return get_object_or_404(
            Product.objects.select_related("shop", "shop__unit", "origin_village"), pk=pk, shop__seller=user
        )
    return product_get(user=user, pk=pk)


def shop_products(*, shop: Shop):
    """The products of a shop the caller has already reached (`shop_get_for_work`)."""
    return (
        Product.objects.filter(shop=shop)
        .select_related("shop", "shop__unit", "origin_village")
        .prefetch_related("photos")
        .order_by("name_zh", "pk")
    )


def stock_history(*, product: Product, limit: int = 30):
    return product.stock_moves.order_by("-at", "-pk")[:limit]
