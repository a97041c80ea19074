"""Approvals moved to `approvals`, the daily and monthly facts to `orders` (beside the orders they measure):
gone from this app's state only; their tables and rows were taken over there."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0003_monthlyfact"),
        ("approvals", "0001_initial"),
        ("orders", "0003_facts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Approval"),
                migrations.DeleteModel(name="Fact"),
                migrations.DeleteModel(name="MonthlyFact"),
            ],
        ),
    ]
