"""The four import profiles a new installation starts with (edit them in the admin, not here)."""

from django.db import migrations

SALE_WORDS = {
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
}

PROFILES = [
    (
        "taobao",
        "Taobao / Tmall",
        {
            "external_id": ["订单编号", "订单号"],
            "amount": ["买家实际支付金额", "总金额"],
            "status": ["订单状态"],
            "placed_at": ["订单创建时间", "订单付款时间", "支付时间"],
            "completed_at": ["确认收货时间", "交易结束时间"],
            "title": ["宝贝标题", "商品标题"],
            "quantity": ["宝贝总数量", "宝贝数量"],
            "shop": ["店铺名称", "店铺ID"],
            "refund": ["退款金额"],
        },
        SALE_WORDS,
    ),
    (
        "jd",
        "JD",
        {
            "external_id": ["订单号", "订单编号"],
            "amount": ["应付金额", "订单金额"],
            "status": ["订单状态"],
            "placed_at": ["下单时间", "付款确认时间"],
            "completed_at": ["订单完成时间", "完成时间"],
            "title": ["商品名称"],
            "quantity": ["订购数量", "商品数量"],
            "shop": ["店铺名称", "商家ID"],
            "refund": ["退款金额"],
        },
        SALE_WORDS,
    ),
    (
        "pinduoduo",
        "Pinduoduo",
        {
            "external_id": ["订单号"],
            "amount": ["用户实付金额(元)", "商家实收金额(元)"],
            "status": ["订单状态"],
            "placed_at": ["订单成交时间", "支付时间", "拼单成功时间"],
            "completed_at": ["确认收货时间"],
            "title": ["商品", "商品名称"],
            "quantity": ["商品数量(件)"],
            "shop": ["店铺名称", "店铺ID"],
            "refund": ["退款金额", "退款金额(元)"],
        },
        SALE_WORDS,
    ),
    (
        "other",
        "Generic sheet",
        {
            "external_id": ["order_id", "order number", "订单号", "订单编号"],
            "amount": ["amount", "总金额"],
            "status": ["status", "订单状态"],
            "placed_at": ["placed_at", "下单时间"],
            "completed_at": ["completed_at"],
            "title": ["title", "商品名称"],
            "quantity": ["quantity", "数量"],
            "shop": ["shop", "店铺名称"],
            "refund": ["refund", "退款金额"],
        },
        {
            "completed": "completed",
            "paid": "paid",
            "shipped": "paid",
            "cancelled": "cancelled",
            "canceled": "cancelled",
            "refunded": "refunded",
            **SALE_WORDS,
        },
    ),
]


def create(apps, schema_editor):
    ImportProfile = apps.get_model("imports", "ImportProfile")
    for platform, name, columns, statuses in PROFILES:
        ImportProfile.objects.update_or_create(
            platform=platform, defaults={"name": name, "columns": columns, "statuses": statuses}
        )


def remove(apps, schema_editor):
    apps.get_model("imports", "ImportProfile").objects.filter(platform__in=[p[0] for p in PROFILES]).delete()


class Migration(migrations.Migration):
    dependencies = [("imports", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
