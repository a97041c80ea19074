"""A report's buyer column: kept only as a keyed hash, and enough for the check on repeat buyers."""

import json

from django.test import override_settings

from villagelink.core.crypto import buyer_key
from villagelink.imports.models import ImportBatch
from villagelink.imports.services import import_commit
from villagelink.orders.models import Order
from villagelink.quality.models import Flag, Rule

from .test_services import TAOBAO, preview

HEADER = "订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,宝贝标题,宝贝总数量,店铺名称\n"


def test_the_buyer_is_kept_as_a_keyed_hash_and_nowhere_in_plain(county_officer, shops):
    batch = preview(county_officer, TAOBAO)
    import_commit(by=county_officer, batch=batch)
    keys = dict(Order.objects.values_list("external_id", "buyer_key"))
    assert keys["345678901234567890"] == buyer_key("buyer1") != keys["345678901234567891"]
    assert "buyer1" not in json.dumps(ImportBatch.objects.get().summary, ensure_ascii=False)
    assert not Order.objects.filter(buyer_name__contains="buyer").exists()


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
def test_one_buyer_ordering_five_times_in_a_week_is_flagged_after_the_commit(
    county_officer, shops, django_capture_on_commit_callbacks
):
    rows = [
        f"90000000000{n},{'ring-buyer' if n < 5 else f'buyer-{n}'},88.00,交易成功,2019-06-0{n + 1} 10:00:00,酥油,1,纳木林酥油店"
        for n in range(8)
    ]
    batch = preview(county_officer, HEADER + "\n".join(rows) + "\n")
    with django_capture_on_commit_callbacks(execute=True):
        import_commit(by=county_officer, batch=batch)
    flag = Flag.objects.get(rule=Rule.REPEAT_BUYER)
    assert sorted(flag.orders.values_list("external_id", flat=True)) == [f"90000000000{n}" for n in range(5)]
