"""Approvals move here from `monitoring`: the table keeps its rows (renamed monitoring_approval →
approvals_approval), and the content type moves with it, so audit entries and permissions stay attached."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(old_app: str, new_app: str, model: str):
    def move(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        if not content_type.objects.filter(app_label=new_app, model=model).exists():
            content_type.objects.filter(app_label=old_app, model=model).update(app_label=new_app)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("geo", "0001_initial"),
        ("monitoring", "0003_monthlyfact"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Approval",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "month",
                            models.DateField(help_text="The first day of the month approved.", verbose_name="month"),
                        ),
                        ("approved_at", models.DateTimeField(auto_now_add=True, verbose_name="approved at")),
                        ("withdrawn_at", models.DateTimeField(blank=True, null=True, verbose_name="withdrawn at")),
                        (
                            "withdrawn_reason",
                            models.CharField(blank=True, max_length=300, verbose_name="reason for withdrawing"),
                        ),
                        (
                            "approved_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="approved by",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="approvals",
                                to="geo.adminunit",
                                verbose_name="unit",
                            ),
                        ),
                        (
                            "withdrawn_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="withdrawn by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "approval",
                        "verbose_name_plural": "approvals",
                        "ordering": ["-month", "unit__code"],
                        "db_table": "monitoring_approval",
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("withdrawn_at__isnull", True)),
                                fields=("unit", "month"),
                                name="monitoring_approval_one_standing",
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="approval", table=None),
        migrations.RunPython(
            move_content_type("monitoring", "approvals", "approval"),
            move_content_type("approvals", "monitoring", "approval"),
        ),
    ]
