"""The platforms' status phrases now live in the code (`imports.vocabulary`, one table per platform); a
profile's status words are only the office's additions. This takes out of each profile the default words
0002 wrote (those still meaning what 0002 said: an edited word is kept and still wins), and adds the
after-sale status columns (售后状态 / 退款状态) to the default column headers."""

from django.db import migrations

OLD_WORDS = {
    "交易成功": "completed",
    "已收货": "completed",
    "已签收": "completed",
    "完成": "completed",
    "已完成": "completed",
    "确认收货": "completed",
    "待发货": "paid",
    "等待卖家发货": "paid",
    "已发货": "paid",
    "卖家已发货": "paid",
    "卖家已发货，等待买家确认": "paid",
    "等待确认收货": "paid",
    "等待出库": "paid",
    "待收货": "paid",
    "买家已付款": "paid",
    "已付款": "paid",
    "交易关闭": "cancelled",
    "已取消": "cancelled",
    "已关闭": "cancelled",
    "未付款": "cancelled",
    "等待买家付款": "cancelled",
    "退款成功": "refunded",
    "已退款": "refunded",
    "退款完成": "refunded",
    "completed": "completed",
    "paid": "paid",
    "shipped": "paid",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "refunded": "refunded",
}

AFTER_SALE_COLUMNS = {
    "taobao": ["退款状态", "售后状态"],
    "jd": ["售后状态", "退款状态"],
    "pinduoduo": ["售后状态", "退款状态"],
    "other": ["after_sale", "售后状态", "退款状态"],
}


def upgraded(platform: str, columns: dict, statuses: dict) -> tuple[dict, dict]:
    """A profile's columns and status words as this migration leaves them (also used for new profiles)."""
    columns = dict(columns)
    if platform in AFTER_SALE_COLUMNS and not columns.get("after_sale"):
        columns["after_sale"] = AFTER_SALE_COLUMNS[platform]
    kept = {word: meaning for word, meaning in statuses.items() if OLD_WORDS.get(word) != meaning}
    return columns, kept


def forward(apps, schema_editor):
    ImportProfile = apps.get_model("imports", "ImportProfile")
    for profile in ImportProfile.objects.all():
        profile.columns, profile.statuses = upgraded(profile.platform, profile.columns, profile.statuses)
        profile.save(update_fields=["columns", "statuses"])


def backward(apps, schema_editor):
    ImportProfile = apps.get_model("imports", "ImportProfile")
    for profile in ImportProfile.objects.all():
        columns = dict(profile.columns)
        if columns.get("after_sale") == AFTER_SALE_COLUMNS.get(profile.platform):
            del columns["after_sale"]
        words = {w: m for w, m in OLD_WORDS.items() if profile.platform == "other" or not w.isascii()}
        profile.columns, profile.statuses = columns, {**words, **profile.statuses}
        profile.save(update_fields=["columns", "statuses"])


class Migration(migrations.Migration):
    dependencies = [("imports", "0004_profile_help_texts")]

    operations = [migrations.RunPython(forward, backward)]
