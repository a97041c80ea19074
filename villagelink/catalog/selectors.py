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


def shop_get(*, user, pk: int) -> Shop:
    return get_object_or_404(
        scoped(
            Shop.objects.select_related(
                "unit",
                "unit__parent",
                "household",
                "household__village",
                "organisation",
                "opened_with",
                "opened_with__unit",
            ),
            user,
        ),
        pk=pk,
    )


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
