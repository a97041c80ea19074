"""Fills the head's sex and year of birth (0004) from the ID numbers already registered."""

from django.db import migrations

from villagelink.core.crypto import decrypt
from villagelink.registry.idnumbers import sex_and_birth_year


def read_id_numbers(apps, schema_editor):
    """A chunk at a time, so a national registry does not sit in memory."""
    Household = apps.get_model("registry", "Household")
    last = 0
    while chunk := list(Household.objects.filter(pk__gt=last).order_by("pk")[:2000]):
        for household in chunk:
            household.head_sex, household.head_born_in = sex_and_birth_year(decrypt(household.id_number_encrypted))
        Household.objects.bulk_update(chunk, ["head_sex", "head_born_in"], batch_size=500)
        last = chunk[-1].pk


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_head_from_id_number")]

    operations = [migrations.RunPython(read_id_numbers, migrations.RunPython.noop)]
