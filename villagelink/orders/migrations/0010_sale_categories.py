from django.db import migrations


def categorise_sales(apps, schema_editor):
    """Sales recorded before orders kept what kind of goods they sold outside the desk: a storefront order takes
    its largest line's category, a platform's order the category its title names (`catalog.categories`).
    The facts, which count by category, are then rebuilt (derived data, as `villagelink rebuild-facts` does)."""
    from villagelink.catalog.categories import category_of_title
    from villagelink.orders.facts import facts_rebuild

    Order = apps.get_model("orders", "Order")
    OrderLine = apps.get_model("orders", "OrderLine")
    blank = Order.objects.filter(kind="sale", category="")
    if not blank.exists():
        return
    largest: dict[int, tuple[int, str]] = {}
    lines = OrderLine.objects.filter(order__in=blank).values_list(
        "order_id", "amount_fen", "product__category", "description"
    )
    for order_id, amount, category, description in lines.iterator(chunk_size=10_000):
        category = category or category_of_title(description)
        if category and (order_id not in largest or amount > largest[order_id][0]):
            largest[order_id] = (amount, category)
    by_category: dict[str, list[int]] = {}
    for order_id, (_amount, category) in largest.items():
        by_category.setdefault(category, []).append(order_id)
    for category, ids in by_category.items():
        for start in range(0, len(ids), 5_000):
            Order.objects.filter(pk__in=ids[start : start + 5_000]).update(category=category)
    facts_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0009_partial_indexes"),
        ("catalog", "0006_names_per_language"),
    ]

    operations = [migrations.RunPython(categorise_sales, migrations.RunPython.noop)]
