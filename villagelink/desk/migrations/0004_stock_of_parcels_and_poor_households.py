from django.db import migrations


def count_what_is_there(apps, schema_editor):
    """The stock gains the parcels, the poor villages, the households registered poor and the shops by kind of
    owner: rebuilt whole from what is recorded (derived data, as `villagelink rebuild-facts` rebuilds it at any
    time)."""
    from villagelink.network.stock import stock_rebuild

    stock_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0003_parcel_cost"),
        ("geo", "0003_poor_villages"),
        ("assistance", "0006_verbose_names"),
        ("catalog", "0006_names_per_language"),
        ("network", "0003_network_stock"),
        ("registry", "0003_organisation_names_per_language"),
    ]

    operations = [migrations.RunPython(count_what_is_there, migrations.RunPython.noop)]
