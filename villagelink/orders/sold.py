"""How many units of each product this storefront has sold: units in its orders that are not cancelled,
refunded or reversed. `Product.sold` keeps the count: the checkout adds a placed order's units, the one status
move (`services.base._move`) takes them back when an order leaves the counted statuses; `sold_recount` counts
them again from the order lines (after a bulk write, in the migration, and in the tests against the kept
count)."""

from collections.abc import Iterable

from django.db.models import Case, F, Q, Sum, Value, When

from villagelink.catalog.models import Product

from .models import Channel, OrderLine, Status

NOT_SOLD = (Status.CANCELLED, Status.REFUNDED, Status.REVERSED)
SOLD_LINES = Q(order__channel=Channel.STOREFRONT, product__isnull=False) & ~Q(order__status__in=NOT_SOLD)


def sold_add(quantities: dict[int, int], sign: int = 1) -> None:
    """Adds (or with `sign` −1 takes back) units per product id, in one statement."""
    if quantities:
        Product.objects.filter(pk__in=quantities).update(
            sold=F("sold") + Case(*[When(pk=pk, then=Value(sign * q)) for pk, q in quantities.items()])
        )


def sold_counted(product_ids: Iterable[int] | None = None) -> dict[int, int]:
    """The units sold of each product (of `product_ids`, or of all), counted from the order lines."""
    lines = OrderLine.objects.filter(SOLD_LINES)
    if product_ids is not None:
        lines = lines.filter(product_id__in=list(product_ids))
    return dict(lines.values_list("product_id").annotate(n=Sum("quantity")).values_list("product_id", "n"))


def sold_recount(product_ids: Iterable[int] | None = None) -> int:
    """Sets the kept counts to the counted ones; returns how many products changed."""
    counted = sold_counted(product_ids)
    products = (
        Product.objects.all() if product_ids is None else Product.objects.filter(pk__in=list(product_ids))
    )
    changed = [
        product
        for product in products.only("pk", "sold").iterator(chunk_size=2000)
        if product.sold != counted.get(product.pk, 0)
    ]
    for product in changed:
        product.sold = counted.get(product.pk, 0)
    Product.objects.bulk_update(changed, ["sold"], batch_size=500)
    return len(changed)
