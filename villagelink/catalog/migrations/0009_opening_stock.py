"""The stock each product holds when its history starts: one opening change, so that the stock is the sum of
its changes from then on."""

from django.db import migrations


def open_history(apps, schema_editor):
    Product = apps.get_model("catalog", "Product")
    StockMove = apps.get_model("catalog", "StockMove")
    moves = [
        StockMove(product_id=pk, change=stock, reason="opening", note="")
        for pk, stock in Product.objects.filter(stock__gt=0).values_list("pk", "stock").iterator(chunk_size=2000)
    ]
    StockMove.objects.bulk_create(moves, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_stock_moves")]

    operations = [migrations.RunPython(open_history, migrations.RunPython.noop)]
