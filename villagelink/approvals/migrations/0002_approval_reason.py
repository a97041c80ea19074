"""An approval keeps how many data-quality flags were open in the unit's area when the month was approved, and
the approver's reason for signing all the same (required when any were)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="approval",
            name="open_flags",
            field=models.PositiveIntegerField(default=0, verbose_name="flags open when approved"),
        ),
        migrations.AddField(
            model_name="approval",
            name="reason",
            field=models.CharField(blank=True, max_length=300, verbose_name="reason for approving with flags open"),
        ),
        migrations.AddConstraint(
            model_name="approval",
            constraint=models.CheckConstraint(
                condition=models.Q(("open_flags", 0), models.Q(("reason", ""), _negated=True), _connector="OR"),
                name="approvals_approval_open_flags_have_reason",
            ),
        ),
    ]
