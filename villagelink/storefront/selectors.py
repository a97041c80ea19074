"""What a buyer may see: listed products of open shops on this storefront, and where they come from.

Nothing here is scoped by area: the storefront is public. Nothing here reveals a household's name, ID or
phone; a household's story shows only where it consented.
"""

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import get_object_or_404

from villagelink.catalog.models import Category, Platform, Product, ShopStatus
from villagelink.core.paths import subtree_q
from villagelink.geo.models import LEVEL_PATH_WIDTH, AdminUnit, Level
from villagelink.registry.models import Household

# What the storefront sells: listed products of open shops on this storefront.
ON_SALE = Q(is_listed=True, shop__platform=Platform.STOREFRONT, shop__status=ShopStatus.OPEN)


def products_on_sale() -> QuerySet[Product]:
    return (
        Product.objects.filter(ON_SALE)
        .select_related("shop", "shop__unit", "origin_village")
        .prefetch_related("photos")
    )


def product_search(
    *, query: str = "", category: str = "", region: AdminUnit | None = None
) -> QuerySet[Product]:
    """Matches every word of `query` in a product's names or descriptions (Chinese, English, Tibetan)."""
    products = products_on_sale()
    for word in query.split()[:8]:
        products = products.filter(
            Q(name_zh__icontains=word)
            | Q(name_en__icontains=word)
            | Q(name_bo__icontains=word)
            | Q(description_zh__icontains=word)
            | Q(description_en__icontains=word)
            | Q(description_bo__icontains=word)
        )
    if category in Category.values:
        products = products.filter(category=category)
    if region is not None:
        products = products.filter(subtree_q("shop__unit__path", region.path))
    return products.order_by("-created_at", "-pk")


def featured_products(*, limit: int = 12) -> list[Product]:
    return list(products_on_sale().filter(stock__gt=0).order_by("-created_at", "-pk")[:limit])


def category_counts() -> list[tuple[str, str, int]]:
    counts = dict(
        products_on_sale()
        .order_by()
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in Category.choices]


def prefecture_counts() -> list[tuple[AdminUnit, int]]:
    """Each prefecture-level unit (and province-administered county) with its number of products on sale."""
    width = LEVEL_PATH_WIDTH[Level.PREFECTURE]
    units = list(AdminUnit.objects.filter(level=Level.PREFECTURE).order_by("code"))
    counts = dict(
        products_on_sale()
        .order_by()
        .annotate(prefecture=Substr("shop__unit__path", 1, width))
        .values_list("prefecture")
        .annotate(n=Count("pk"))
        .values_list("prefecture", "n")
    )
    return [(unit, counts.get(unit.path, 0)) for unit in units]


def region_get(*, code: str) -> AdminUnit:
    return get_object_or_404(AdminUnit.objects.exclude(level=Level.VILLAGE), code=code)


def product_public_get(*, pk: int) -> Product:
    """One product on sale, with its shop. Built as plainly as it can be: it is the busiest page."""
    product = Product.objects.select_related("shop").filter(ON_SALE, pk=pk).first()
    if product is None:
        raise Http404
    return product


def origins_of(products: list[Product]) -> dict[int, dict]:
    """Each product's village (or its shop's unit), county and prefecture, in one query for all of them."""
    widths = [LEVEL_PATH_WIDTH[level] for level in (Level.PREFECTURE, Level.COUNTY)]
    places = {product.pk: product.origin_village or product.shop.unit for product in products}
    wanted = {place.path[:width] for place in places.values() for width in widths}
    ancestors = {unit.path: unit for unit in AdminUnit.objects.filter(path__in=wanted)}
    return {
        pk: {
            "place": place,
            "county": ancestors.get(place.path[: LEVEL_PATH_WIDTH[Level.COUNTY]]),
            "prefecture": ancestors.get(place.path[: LEVEL_PATH_WIDTH[Level.PREFECTURE]]),
        }
        for pk, place in places.items()
    }


def origin_of(product: Product) -> dict:
    return origins_of([product])[product.pk]


def story_of(product: Product) -> str:
    """The story of the shop's household, only where it consented to showing it."""
    if product.shop.household_id is None:
        return ""
    story = (
        Household.objects.filter(pk=product.shop.household_id, story_consent=True)
        .values_list("story", flat=True)
        .first()
    )
    return story or ""
