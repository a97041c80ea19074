"""What a buyer may see: listed products of open shops on this storefront, and where they come from.

Nothing here is scoped by area: the storefront is public. Nothing here reveals a household's name, ID or
phone; a household's story shows only where it consented.
"""

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import get_object_or_404

from villagelink.catalog.models import Category, Platform, Product, Shop, ShopStatus
from villagelink.core.dates import region_today
from villagelink.core.paths import subtree_q
from villagelink.core.periods import open_on_q
from villagelink.geo.models import LEVEL_PATH_WIDTH, AdminUnit, Level
from villagelink.network.models import ServiceSite, SiteKind
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
    *,
    query: str = "",
    category: str = "",
    region: AdminUnit | None = None,
    prefecture: str = "",
    min_fen: int | None = None,
    max_fen: int | None = None,
    poverty_only: bool = False,
    sort: str = "",
) -> QuerySet[Product]:
    """Matches every word of `query` in a product's names or descriptions (Chinese, English, Tibetan), within
    the filters, in the order asked for (`forms.Sort`). The best match puts the products whose name holds the
    whole query first, then the best-selling; without a query it is the best-selling first."""
    products = products_on_sale()
    words = query.split()[:8]
    for word in words:
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
    if prefecture:
        products = products.filter(subtree_q("shop__unit__path", prefecture))
    if min_fen is not None:
        products = products.filter(price_fen__gte=min_fen)
    if max_fen is not None:
        products = products.filter(price_fen__lte=max_fen)
    if poverty_only:
        products = products.filter(poverty_area_product=True)
    if sort == "newest":
        return products.order_by("-created_at", "-pk")
    if sort == "price_low":
        return products.order_by("price_fen", "pk")
    if sort == "price_high":
        return products.order_by("-price_fen", "-pk")
    if sort == "best_selling" or not words:
        return products.order_by("-sold", "-created_at", "-pk")
    whole = " ".join(words)
    in_name = Q(name_zh__icontains=whole) | Q(name_en__icontains=whole) | Q(name_bo__icontains=whole)
    return products.annotate(
        in_name=Case(When(in_name, then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("-in_name", "-sold", "-created_at", "-pk")


def prefecture_choices() -> list[tuple[str, str]]:
    """The prefecture-level units a buyer filters by, as (path, name in the reader's language)."""
    return [
        (unit.path, unit.name) for unit in AdminUnit.objects.filter(level=Level.PREFECTURE).order_by("code")
    ]


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


def places_of(units: dict) -> dict:
    """For each unit (by any key): the unit, its county and its prefecture, in one query for all of them."""
    widths = [LEVEL_PATH_WIDTH[level] for level in (Level.PREFECTURE, Level.COUNTY)]
    wanted = {place.path[:width] for place in units.values() for width in widths}
    ancestors = {unit.path: unit for unit in AdminUnit.objects.filter(path__in=wanted)}
    return {
        key: {
            "place": place,
            "county": ancestors.get(place.path[: LEVEL_PATH_WIDTH[Level.COUNTY]]),
            "prefecture": ancestors.get(place.path[: LEVEL_PATH_WIDTH[Level.PREFECTURE]]),
        }
        for key, place in units.items()
    }


def origins_of(products: list[Product]) -> dict[int, dict]:
    """Each product's village (or its shop's unit), county and prefecture, in one query for all of them."""
    return places_of({product.pk: product.origin_village or product.shop.unit for product in products})


def origin_of(product: Product) -> dict:
    return origins_of([product])[product.pk]


def story_of(product: Product) -> str:
    """The story of the shop's household, only where it consented to showing it."""
    return _story(product.shop.household_id)


def _story(household_id: int | None) -> str:
    if household_id is None:
        return ""
    story = (
        Household.objects.filter(pk=household_id, story_consent=True).values_list("story", flat=True).first()
    )
    return story or ""


def shop_public_get(*, pk: int) -> Shop:
    """An open shop of this storefront (a shop elsewhere, or closed, has no page here)."""
    found = (
        Shop.objects.select_related("unit", "organisation")
        .filter(pk=pk, platform=Platform.STOREFRONT, status=ShopStatus.OPEN)
        .first()
    )
    if found is None:
        raise Http404
    return found


def shop_public_facts(shop: Shop) -> dict:
    """What a buyer reads of a shop: where it is (village, county, prefecture), the service point that helps
    it (its village's open point, else the site that helped open it), its household's story where it
    consented, and how many units it has sold."""
    point = (
        ServiceSite.objects.filter(open_on_q(region_today()), unit=shop.unit, kind=SiteKind.VILLAGE_POINT)
        .order_by("pk")
        .first()
    ) or shop.opened_with
    return {
        **places_of({shop.pk: shop.unit})[shop.pk],
        "point": point,
        "story": _story(shop.household_id),
        "sold": shop.products.filter(ON_SALE).aggregate(n=Sum("sold"))["n"] or 0,
    }
