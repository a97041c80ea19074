"""Why rows were refused, once stored as English or Chinese text, becomes stored notes
(villagelink/core/notes.py), rendered in the reader's language: in the rejected rows and in the first rows a
batch's summary keeps. Back: English text."""

from django.db import migrations
from django.utils.translation import override


def forward(apps, schema_editor, back=False):
    from villagelink.core.notes import note_from_text, note_text, texts_to_notes

    texts_to_notes(apps.get_model("imports", "ImportRejection").objects.all(), "reason", back=back)
    batch = apps.get_model("imports", "ImportBatch")
    for pk, summary in batch.objects.exclude(summary=None).values_list("pk", "summary").iterator():
        sample = (summary or {}).get("sample") or []
        changed = False
        for entry in sample:
            reason = entry.get("reason")
            if reason:
                with override("en"):
                    new = note_text(reason) if back else note_from_text(reason)
                changed |= new != reason
                entry["reason"] = new
        if changed:
            batch.objects.filter(pk=pk).update(summary=summary)


def backward(apps, schema_editor):
    forward(apps, schema_editor, back=True)


class Migration(migrations.Migration):
    dependencies = [("imports", "0007_batch_summary_office_words")]

    operations = [migrations.RunPython(forward, backward)]
