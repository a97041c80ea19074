"""The sentences the system wrote into orders' steps and reasons as English or Chinese text become stored notes
(villagelink/core/notes.py), rendered in the reader's language. Back: English text."""

from django.db import migrations


def forward(apps, schema_editor, back=False):
    from villagelink.core.notes import texts_to_notes

    texts_to_notes(apps.get_model("orders", "OrderEvent").objects.all(), "note", back=back)
    texts_to_notes(apps.get_model("orders", "Order").objects.all(), "cancel_reason", back=back)


def backward(apps, schema_editor):
    forward(apps, schema_editor, back=True)


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_checkout_owners")]

    operations = [migrations.RunPython(forward, backward)]
