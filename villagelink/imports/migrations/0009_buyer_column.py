"""The buyer's column of each default profile: the import keeps the buyer only as a keyed hash, for the
data-quality check that finds one buyer ordering from a shop again and again."""

from django.db import migrations

BUYER_COLUMNS = {
    "taobao": ["买家会员名", "买家支付宝账号"],
    "jd": ["下单帐号", "下单账号", "客户账号"],
    "pinduoduo": ["用户ID", "买家ID", "收货人手机号"],
    "other": ["buyer", "buyer account", "买家", "买家账号"],
}


def with_buyer(platform: str, columns: dict) -> dict:
    """A profile's columns with the buyer's headings, unless an officer set them already."""
    if platform in BUYER_COLUMNS and not columns.get("buyer"):
        return {**columns, "buyer": BUYER_COLUMNS[platform]}
    return columns


def forward(apps, schema_editor):
    ImportProfile = apps.get_model("imports", "ImportProfile")
    for profile in ImportProfile.objects.all():
        profile.columns = with_buyer(profile.platform, profile.columns)
        profile.save(update_fields=["columns"])


def backward(apps, schema_editor):
    ImportProfile = apps.get_model("imports", "ImportProfile")
    for profile in ImportProfile.objects.all():
        if profile.columns.get("buyer") == BUYER_COLUMNS.get(profile.platform):
            profile.columns = {k: v for k, v in profile.columns.items() if k != "buyer"}
            profile.save(update_fields=["columns"])


class Migration(migrations.Migration):
    dependencies = [("imports", "0008_reasons_as_codes")]

    operations = [migrations.RunPython(forward, backward)]
