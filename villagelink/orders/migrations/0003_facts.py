"""The daily and monthly facts move here from `monitoring`, beside the orders they measure: the tables keep their
rows (renamed monitoring_fact → orders_fact, monitoring_monthlyfact → orders_monthlyfact), and their content
types move with them."""

from django.db import migrations, models


def move_content_types(old_app: str, new_app: str):
    def move(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        for model in ("fact", "monthlyfact"):
            if not content_type.objects.filter(app_label=new_app, model=model).exists():
                content_type.objects.filter(app_label=old_app, model=model).update(app_label=new_app)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("monitoring", "0003_monthlyfact"),
        ("orders", "0002_assisted_trade_fields"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Fact",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=10, verbose_name="kind")),
                        ("channel", models.CharField(max_length=12, verbose_name="channel")),
                        ("category", models.CharField(blank=True, max_length=20, verbose_name="category")),
                        ("orders", models.BigIntegerField(default=0, verbose_name="orders")),
                        ("amount_fen", models.BigIntegerField(default=0, verbose_name="amount (fen)")),
                        ("savings_fen", models.BigIntegerField(default=0, verbose_name="savings (fen)")),
                        ("service_fees_fen", models.BigIntegerField(default=0, verbose_name="service fees (fen)")),
                        (
                            "income_fen",
                            models.BigIntegerField(default=0, verbose_name="income of poor households (fen)"),
                        ),
                        ("path", models.CharField(max_length=12, verbose_name="unit path")),
                        ("day", models.DateField(verbose_name="day")),
                    ],
                    options={
                        "verbose_name": "daily fact",
                        "verbose_name_plural": "daily facts",
                        "db_table": "monitoring_fact",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("path", "day", "kind", "channel", "category"),
                                name="monitoring_fact_key",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="MonthlyFact",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=10, verbose_name="kind")),
                        ("channel", models.CharField(max_length=12, verbose_name="channel")),
                        ("category", models.CharField(blank=True, max_length=20, verbose_name="category")),
                        ("orders", models.BigIntegerField(default=0, verbose_name="orders")),
                        ("amount_fen", models.BigIntegerField(default=0, verbose_name="amount (fen)")),
                        ("savings_fen", models.BigIntegerField(default=0, verbose_name="savings (fen)")),
                        ("service_fees_fen", models.BigIntegerField(default=0, verbose_name="service fees (fen)")),
                        (
                            "income_fen",
                            models.BigIntegerField(default=0, verbose_name="income of poor households (fen)"),
                        ),
                        ("path", models.CharField(max_length=12, verbose_name="unit path")),
                        ("month", models.DateField(verbose_name="month")),
                    ],
                    options={
                        "verbose_name": "monthly fact",
                        "verbose_name_plural": "monthly facts",
                        "db_table": "monitoring_monthlyfact",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("path", "month", "kind", "channel", "category"),
                                name="monitoring_monthlyfact_key",
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="fact", table=None),
        migrations.AlterModelTable(name="monthlyfact", table=None),
        migrations.RunPython(move_content_types("monitoring", "orders"), move_content_types("orders", "monitoring")),
    ]
