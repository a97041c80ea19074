"""Counts the units each product has sold on this storefront so far (catalog 0007 keeps the count)."""

from django.db import migrations
from django.db.models import Q, Sum

NOT_SOLD = ("cancelled", "refunded", "reversed")


def count_sold(apps, schema_editor):
    OrderLine = apps.get_model("orders", "OrderLine")
    Product = apps.get_model("catalog", "Product")
    counted = dict(
        OrderLine.objects.filter(Q(order__channel="storefront", product__isnull=False) & ~Q(order__status__in=NOT_SOLD))
        .values_list("product_id")
        .annotate(n=Sum("quantity"))
        .values_list("product_id", "n")
    )
    changed = []
    for product in Product.objects.filter(pk__in=list(counted)).only("pk", "sold").iterator(chunk_size=2000):
        product.sold = counted[product.pk]
        changed.append(product)
    Product.objects.bulk_update(changed, ["sold"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_product_sold"), ("orders", "0010_sale_categories")]

    operations = [migrations.RunPython(count_sold, migrations.RunPython.noop)]
