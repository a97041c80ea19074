"""The sentences the system wrote into the assistance ledger ("Shop opened: …", "Listed: …") as English or
Chinese text become stored notes (villagelink/core/notes.py), rendered in the reader's language. Back: English
text. (The ledger refuses changes through its own manager; a migration's model has the plain one.)"""

from django.db import migrations


def forward(apps, schema_editor, back=False):
    from villagelink.core.notes import texts_to_notes

    texts_to_notes(apps.get_model("assistance", "AssistanceEvent").objects.all(), "note", back=back)


def backward(apps, schema_editor):
    forward(apps, schema_editor, back=True)


class Migration(migrations.Migration):
    dependencies = [("assistance", "0004_village_path")]

    operations = [migrations.RunPython(forward, backward)]
