"""Checkouts made before keys belonged to their owner: a buyer's are theirs again; a guest's keep no owner, so
no later key, of anyone, finds them."""

from django.db import migrations


def owners(apps, schema_editor):
    from villagelink.core.crypto import keyed_hash

    checkout = apps.get_model("orders", "Checkout")
    for pk, buyer_id in checkout.objects.filter(buyer__isnull=False).values_list("pk", "buyer_id").iterator():
        checkout.objects.filter(pk=pk).update(owner=keyed_hash(f"user:{buyer_id}")[:64])


class Migration(migrations.Migration):
    dependencies = [("orders", "0004_checkout_key_per_owner")]

    operations = [migrations.RunPython(owners, migrations.RunPython.noop)]
